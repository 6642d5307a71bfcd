import { sampleBinding } from '../../../src-main/engine/data/sample-layout';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src-main/engine/errors';
import { incoming } from '../../../src-main/engine/graph/graph';
import { parseProject, serializeProject } from '../../../src-main/engine/graph/project-file';
import {
  buildTemplate,
  COLUMN_SPACING,
  ROW_SPACING,
  TEMPLATE_KINDS,
  type TemplateKind,
} from '../../../src-main/engine/graph/templates';
import { validateGraph } from '../../../src-main/engine/graph/validate';
import type { ProjectFile } from '../../../src-main/shared/project';
import { binding, block } from './sketch';

const TEMPLATES_DIR = fileURLToPath(new URL('../../../resources/templates/', import.meta.url));
const KINDS = TEMPLATE_KINDS.map((t) => t.kind);

/** The sources feeding a port, as block ids in connection order. */
const sources = (p: ProjectFile, id: string, port: string) =>
  incoming(p.graph, id, port).map((e) => e.source.block);
const ids = (p: ProjectFile) => p.graph.blocks.map((b) => b.id);

const BINDINGS: Record<string, string[]> = {
  'one task': ['click:binary'],
  'one regression task': ['amount:regression'],
  'two tasks': ['click:binary', 'amount:regression'],
  'three tasks': ['click:binary', 'purchase:binary', 'amount:regression'],
  'four tasks': ['click:binary', 'view:binary', 'purchase:binary', 'amount:regression'],
  'binary only': ['click:binary', 'cart:binary', 'purchase:binary'],
  'regression first': [
    'watch_time:regression',
    'like:binary',
    'share:binary',
    'revenue:regression',
  ],
  alternating: ['a:binary', 'b:regression', 'c:binary', 'd:regression'],
};

describe('every template validates cleanly', () => {
  const cases = KINDS.flatMap((kind) =>
    Object.keys(BINDINGS).map((name): [TemplateKind, string] => [kind, name]),
  );
  it.each(cases)('%s for %s', (kind, name) => {
    const p = buildTemplate(kind, binding(BINDINGS[name]));
    expect(validateGraph(p)).toEqual([]);
    // Readable layout: every connection goes left to right, no two blocks share a place.
    const at = new Map(p.graph.blocks.map((b) => [b.id, b.position]));
    for (const e of p.graph.edges)
      expect(at.get(e.source.block)!.x).toBeLessThan(at.get(e.target.block)!.x);
    const places = new Set(p.graph.blocks.map((b) => `${b.position.x},${b.position.y}`));
    expect(places.size).toBe(p.graph.blocks.length);
    for (const b of p.graph.blocks) {
      expect(b.position.x % COLUMN_SPACING).toBe(0);
      expect(b.label).toBeTruthy();
    }
  });
});

describe('HTLNet', () => {
  const p = buildTemplate('htlnet', binding(BINDINGS.alternating));

  it('feeds tower t a fusion over all earlier towers and binary label embeddings, then the embedding', () => {
    expect(sources(p, 'tower-a', 'in')).toEqual(['embedding']);
    expect(sources(p, 'fusion-b', 'reps')).toEqual(['tower-a']);
    expect(sources(p, 'fusion-b', 'labels')).toEqual(['leu-a']);
    expect(sources(p, 'fusion-d', 'reps')).toEqual(['tower-a', 'tower-b', 'tower-c']);
    expect(sources(p, 'fusion-d', 'labels')).toEqual(['leu-a', 'leu-c']);
    expect(sources(p, 'tower-d', 'in')).toEqual(['fusion-d', 'embedding']);
    expect(sources(p, 'leu-c', 'prediction')).toEqual(['head-c']);
    // No LEU for regression tasks, nor for the last task (nothing later to inform).
    expect(ids(p).filter((id) => id.startsWith('leu-'))).toEqual(['leu-a', 'leu-c']);
    expect(block(p, 'fusion-c').params.mode).toBe('attention');
  });

  it("uses the paper's defaults", () => {
    expect(block(p, 'embedding').params.dim).toBe(16);
    expect(block(p, 'tower-b').params).toEqual({
      units: '128,64,32',
      activation: 'relu',
      dropout: 0,
    });
    expect(block(p, 'leu-a').params).toEqual({ dim: 16, temperature: 1, gumbel: true });
    expect(block(p, 'head-b').params).toEqual({
      task: 'b',
      kind: 'regression',
      objective: 'tweedie',
      transform: 'log1p-zscore',
      meanCorrection: true,
      tweediePower: 1.5,
      lossWeight: 1,
    });
    expect(block(p, 'features').params).toMatchObject({ kind: 'all', columns: '' });
    expect(block(p, 'optimizer').params).toEqual({
      optimizer: 'adam',
      tableAdam: 'lazy',
      learningRate: 0.001,
      schedule: 'constant',
      warmupEpochs: 0,
      decayFactor: 0.5,
      decayEvery: 1,
      cosineFloor: 0,
      weightDecay: 0,
      embeddingWeightDecay: 0,
      batchSize: 1024,
      epochs: 10,
      adjustment: 'htlnet',
      alpha: 1,
      gamma: 0.1,
      clip: 10,
      stopGradient: true,
      calibrator: 0,
      patience: 2,
      selection: 'all',
      seed: 42,
    });
    expect(p.training).toEqual({ split: { kind: 'random' }, fractions: [0.8, 0.1, 0.1] });
  });

  it("has readable ids and labels in the user's words", () => {
    const q = buildTemplate('htlnet', sampleBinding());
    expect(ids(q)).toEqual([
      'features',
      'embedding',
      'tower-click',
      'head-click',
      'leu-click',
      'fusion-purchase',
      'tower-purchase',
      'head-purchase',
      'leu-purchase',
      'fusion-amount',
      'tower-amount',
      'head-amount',
      'optimizer',
    ]);
    expect(block(q, 'tower-click').label).toBe('Click tower');
    expect(block(q, 'leu-purchase').label).toBe('Purchase label embedding');
    expect(block(q, 'fusion-amount').label).toBe('Amount fusion');
    expect(q.name).toBe('HTLNet');
    expect(buildTemplate('htlnet', sampleBinding(), { name: 'Shop' }).name).toBe('Shop');
  });

  it('lays blocks out by depth and task', () => {
    const q = buildTemplate('htlnet', sampleBinding());
    expect(block(q, 'features').position.x).toBe(0);
    expect(block(q, 'embedding').position.x).toBe(COLUMN_SPACING);
    expect(block(q, 'tower-click').position).toEqual({ x: 2 * COLUMN_SPACING, y: 0 });
    expect(block(q, 'tower-purchase').position.y).toBe(ROW_SPACING);
    expect(block(q, 'tower-amount').position.y).toBe(2 * ROW_SPACING);
    expect(block(q, 'head-amount').position.x).toBeGreaterThan(block(q, 'tower-amount').position.x);
  });

  it('makes ids from any task name', () => {
    const q = buildTemplate(
      'htlnet',
      binding(['Long View:binary', 'long_view:binary', '€:regression']),
    );
    expect(ids(q).filter((id) => id.startsWith('tower-'))).toEqual([
      'tower-long-view',
      'tower-long-view-2',
      'tower-task-3',
    ]);
    expect(block(q, 'tower-long-view-2').label).toBe('Long view tower');
    expect(block(q, 'head-long-view-2').params.task).toBe('long_view');
    expect(validateGraph(q)).toEqual([]);
  });
});

describe('baselines', () => {
  const tasks = binding(BINDINGS['three tasks']);

  it('DNN shares nothing', () => {
    const p = buildTemplate('dnn', tasks);
    for (const t of ['click', 'purchase', 'amount']) {
      expect(sources(p, `embedding-${t}`, 'features')).toEqual([`features-${t}`]);
      expect(sources(p, `tower-${t}`, 'in')).toEqual([`embedding-${t}`]);
      expect(sources(p, `head-${t}`, 'in')).toEqual([`tower-${t}`]);
    }
    expect(block(p, 'optimizer').params.adjustment).toBe('none');
  });

  it('Shared-Bottom: a shared tower (128, 64), then a tower of 32 per task', () => {
    const p = buildTemplate('shared-bottom', tasks);
    expect(block(p, 'shared-bottom').params.units).toBe('128,64');
    expect(sources(p, 'shared-bottom', 'in')).toEqual(['embedding']);
    expect(sources(p, 'tower-amount', 'in')).toEqual(['shared-bottom']);
    expect(block(p, 'tower-amount').params.units).toBe('32');
    expect(block(p, 'optimizer').params.adjustment).toBe('none');
  });

  it('MMoE: one group of 4 experts, a gate per task selecting on the embedding', () => {
    const p = buildTemplate('mmoe', tasks);
    expect(block(p, 'shared-experts').params).toEqual({
      experts: 4,
      units: '64,32',
      activation: 'relu',
    });
    for (const t of ['click', 'purchase', 'amount']) {
      expect(sources(p, `gate-${t}`, 'experts')).toEqual(['shared-experts']);
      expect(sources(p, `gate-${t}`, 'selector')).toEqual(['embedding']);
      expect(sources(p, `tower-${t}`, 'in')).toEqual([`gate-${t}`]);
    }
  });

  it('PLE: two extraction levels; per task a gate over its own and the shared experts', () => {
    const p = buildTemplate('ple', tasks);
    expect(block(p, 'shared-experts-1').params.experts).toBe(2);
    expect(block(p, 'shared-experts').params.experts).toBe(2);
    expect(sources(p, 'shared-experts-1', 'in')).toEqual(['embedding']);
    expect(sources(p, 'shared-gate-1', 'experts')).toEqual([
      'experts-click-1',
      'experts-purchase-1',
      'experts-amount-1',
      'shared-experts-1',
    ]);
    expect(sources(p, 'shared-experts', 'in')).toEqual(['shared-gate-1']);
    for (const t of ['click', 'purchase', 'amount']) {
      expect(block(p, `experts-${t}`).params.experts).toBe(2);
      expect(sources(p, `gate-${t}-1`, 'experts')).toEqual([`experts-${t}-1`, 'shared-experts-1']);
      expect(sources(p, `gate-${t}-1`, 'selector')).toEqual(['embedding']);
      expect(sources(p, `experts-${t}`, 'in')).toEqual([`gate-${t}-1`]);
      expect(sources(p, `gate-${t}`, 'experts')).toEqual([`experts-${t}`, 'shared-experts']);
      expect(sources(p, `gate-${t}`, 'selector')).toEqual([`gate-${t}-1`]);
      expect(sources(p, `tower-${t}`, 'in')).toEqual([`gate-${t}`]);
    }
  });

  it('ESMM chains each binary task after the first to the previous binary prediction', () => {
    const p = buildTemplate(
      'esmm',
      binding(['click:binary', 'stay:regression', 'cart:binary', 'buy:binary']),
    );
    expect(ids(p).filter((id) => id.startsWith('esmm-'))).toEqual(['esmm-cart', 'esmm-buy']);
    expect(sources(p, 'esmm-cart', 'prior')).toEqual(['head-click']);
    expect(sources(p, 'esmm-cart', 'conditional')).toEqual(['head-cart']);
    expect(sources(p, 'esmm-buy', 'prior')).toEqual(['esmm-cart']);
    expect(sources(p, 'esmm-buy', 'conditional')).toEqual(['head-buy']);
    expect(sources(p, 'head-stay', 'in')).toEqual(['tower-stay']);
    expect(block(p, 'optimizer').params.adjustment).toBe('none');
  });

  it('AITM: the previous fused output passes through a transfer layer into attention with the own tower', () => {
    const p = buildTemplate('aitm', tasks);
    expect(sources(p, 'head-click', 'in')).toEqual(['tower-click']);
    expect(sources(p, 'transfer-purchase', 'in')).toEqual(['tower-click']);
    expect(sources(p, 'fusion-purchase', 'reps')).toEqual(['transfer-purchase', 'tower-purchase']);
    // The fused representation (not the raw tower) is what the next task receives.
    expect(sources(p, 'transfer-amount', 'in')).toEqual(['fusion-purchase']);
    expect(sources(p, 'fusion-amount', 'reps')).toEqual(['transfer-amount', 'tower-amount']);
    expect(sources(p, 'head-amount', 'in')).toEqual(['fusion-amount']);
    expect(block(p, 'transfer-amount').params.units).toBe('32');
    expect(p.graph.blocks.some((b) => b.type === 'label-embedding')).toBe(false);
    expect(block(p, 'optimizer').params).toMatchObject({
      adjustment: 'none',
      stopGradient: false,
      calibrator: 0.6,
    });
  });

  it('refuses an unknown kind and a binding without tasks', () => {
    expect(() => buildTemplate('nope' as TemplateKind, tasks)).toThrow(UserError);
    expect(() => buildTemplate('htlnet', binding([]))).toThrow(
      'A template needs at least one task',
    );
  });
});

describe('TEMPLATE_KINDS', () => {
  it('lists the seven templates with a title and a one-line description', () => {
    expect(KINDS).toEqual(['htlnet', 'dnn', 'shared-bottom', 'mmoe', 'ple', 'esmm', 'aitm']);
    for (const t of TEMPLATE_KINDS) {
      expect(t.title.length).toBeGreaterThan(2);
      expect(t.description).toMatch(/^[A-Z].{20,160}\.$/);
      expect(t.description).not.toContain('\n');
    }
  });
});

describe('resources/templates', () => {
  // Written here as a literal list: the sample generator is developed separately.
  const SAMPLE_FEATURES = {
    categorical: [
      'user_segment',
      'region',
      'device',
      'item_category',
      'brand',
      'channel',
      'hour',
      'weekday',
      'day',
      'user_id',
      'item_id',
      'campaign',
    ],
    numeric: [
      'price',
      'user_age',
      'past_purchases',
      'session_length',
      'discount',
      'item_rating',
      'days_since_last_visit',
      'cart_items',
    ],
  };

  it('sampleBinding is the sample dataset binding', () => {
    const b = sampleBinding();
    expect(b.features).toEqual([
      ...SAMPLE_FEATURES.categorical.map((column) => ({ column, kind: 'categorical' })),
      ...SAMPLE_FEATURES.numeric.map((column) => ({ column, kind: 'numeric' })),
    ]);
    expect(b.tasks).toEqual([
      { name: 'click', column: 'click', type: 'binary' },
      { name: 'purchase', column: 'purchase', type: 'binary' },
      { name: 'amount', column: 'amount', type: 'regression' },
    ]);
    expect(b.excluded).toEqual([]);
  });

  it('holds exactly one file per template', () => {
    expect(readdirSync(TEMPLATES_DIR).sort()).toEqual(KINDS.map((k) => `${k}.htlnet.json`).sort());
  });

  it.each(KINDS)(
    '%s.htlnet.json is what the builder makes (npm run templates:write after changes)',
    (kind) => {
      const text = readFileSync(`${TEMPLATES_DIR}${kind}.htlnet.json`, 'utf8');
      expect(text).toBe(serializeProject(buildTemplate(kind, sampleBinding())));
      const p = parseProject(text, `${kind}.htlnet.json`);
      expect(validateGraph(p)).toEqual([]);
    },
  );
});
