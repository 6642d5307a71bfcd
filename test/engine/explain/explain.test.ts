// Explanations with known answers: a generated funnel where some inputs drive the tasks and some
// are pure noise must be ranked so, and a row's contributions must add up to its prediction.
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultBinding } from '../../../src-main/engine/data/binding';
import type { Table } from '../../../src-main/engine/data/types';
import { explainData, explainModel } from '../../../src-main/engine/explain';
import { explainRow } from '../../../src-main/engine/explain/shapley';
import { meanInterval } from '../../../src-main/engine/explain/importance';
import { predictTable } from '../../../src-main/engine/export/predict';
import type { ModelManifest } from '../../../src-main/engine/export/saved-model';
import { buildTemplate } from '../../../src-main/engine/graph/templates';
import type { HtlnetModel } from '../../../src-main/engine/model/model';
import { trainProject, type TrainedRun } from '../../../src-main/engine/pipeline';
import { backend } from '../../helpers/engine';
import { knownCsv, knownTable } from '../../helpers/explain';
import { parseTableFromBuffer } from '../../../src-main/engine/data/csv';

let table: Table;
let run: TrainedRun;
let manifest: ModelManifest;
let model: HtlnetModel;

beforeAll(async () => {
  await backend();
  table = await knownTable(6000);
  const tasks = [
    { name: 'click', type: 'binary' as const },
    { name: 'purchase', type: 'binary' as const },
    { name: 'amount', type: 'regression' as const },
  ];
  const project = buildTemplate('htlnet', defaultBinding(table, tasks));
  const opt = project.graph.blocks.find((b) => b.type === 'optimizer')!;
  opt.params = { ...opt.params, epochs: 4, batchSize: 256, patience: 0, seed: 5 };
  run = await trainProject({ project, table });
  model = run.model;
  manifest = {
    project: run.project,
    fields: run.fields,
    encoders: run.encoders,
    targetEncoders: run.targetEncoders,
    metrics: run.test.metrics,
    rows: {
      train: run.split.train.length,
      validation: run.split.validation.length,
      test: run.split.test.length,
    },
    epochs: run.outcome.epochs,
    bestEpoch: run.outcome.bestEpoch,
    backend: 'wasm',
  } as ModelManifest;
}, 120_000);

describe('permutation importance', () => {
  it('ranks the inputs a task depends on above the noise, with intervals', async () => {
    const progress: number[] = [];
    const result = await explainModel(model, manifest, table, {
      subset: 'test',
      repeats: 4,
      parts: ['importance'],
      threads: 1,
      onProgress: (_s, done) => progress.push(done),
    });
    const imp = result.importance!;
    expect(imp.rows).toBe(600);
    expect(progress.at(-1)).toBe(1 + 5 * 4);
    const byTask = Object.fromEntries(imp.tasks.map((t) => [t.task, t]));
    expect(byTask.click.metric).toBe('auc-drop');
    expect(byTask.amount.metric).toBe('gini-drop');
    const click = byTask.click.features.map((f) => f.feature);
    expect(click.slice(0, 2)).toEqual(['strong', 'level']);
    const amount = byTask.amount.features.map((f) => f.feature);
    expect(amount[0]).toBe('strong');
    for (const t of imp.tasks) {
      // Sorted, most important first; each interval holds its mean.
      const values = t.features.map((f) => f.importance);
      expect(values).toEqual([...values].sort((a, b) => b - a));
      for (const f of t.features) {
        expect(f.low).toBeLessThanOrEqual(f.importance);
        expect(f.high).toBeGreaterThanOrEqual(f.importance);
        expect(f.repeats).toHaveLength(4);
      }
      const strong = t.features.find((f) => f.feature === 'strong')!;
      for (const noise of ['noise', 'noise_cat']) {
        const n = t.features.find((f) => f.feature === noise)!;
        expect(strong.low).toBeGreaterThan(n.high);
        expect(Math.abs(n.importance)).toBeLessThan(0.03);
      }
    }
    const level = byTask.click.features.find((f) => f.feature === 'level')!;
    const noise = byTask.click.features.find((f) => f.feature === 'noise')!;
    expect(level.low).toBeGreaterThan(noise.high);
  });

  it('moves grouped columns together, and measures the change of prediction without targets', async () => {
    const noTargets = await knownTable(300, 9);
    // Drop the target columns: the importance is then the mean change of the prediction.
    noTargets.columns = noTargets.columns.filter(
      (c) => !['click', 'purchase', 'amount'].includes(c.name),
    );
    const result = await explainModel(model, manifest, noTargets, {
      repeats: 2,
      parts: ['importance'],
      groups: [{ name: 'noises', columns: ['noise', 'noise_cat'] }],
      threads: 1,
    });
    const click = result.importance!.tasks[0];
    expect(click.metric).toBe('prediction-change');
    expect(click.features.map((f) => f.feature).sort()).toEqual([
      'level',
      'noises',
      'strong',
      'weak',
    ]);
    expect(click.features[0].feature).toBe('strong');
    expect(click.features.find((f) => f.feature === 'noises')!.columns).toEqual([
      'noise',
      'noise_cat',
    ]);
  });

  it('needs usable targets for importance only', async () => {
    const lines = knownCsv(300, 4).split('\n');
    lines[3] = lines[3].replace(/,[01],([01]),([0-9.]+)$/, ',,$1,$2');
    const broken = await parseTableFromBuffer('broken.csv', Buffer.from(lines.join('\n')));
    await expect(
      explainModel(model, manifest, broken, { parts: ['importance'], threads: 1 }),
    ).rejects.toThrow(/broken\.csv, line 4, column "click"/);
    const rows = await explainModel(model, manifest, broken, { parts: ['rows'], explainRows: [2] });
    expect(rows.rows[0].row).toBe(2);
  });

  it('gives a t interval of the mean', () => {
    const r = meanInterval([1, 2, 3]);
    expect(r.mean).toBe(2);
    expect(r.high - r.mean).toBeCloseTo((4.303 * 1) / Math.sqrt(3), 6);
    expect(meanInterval([5])).toEqual({ mean: 5, low: 5, high: 5 });
  });
});

describe('why this prediction', () => {
  it('contributions add up to the prediction minus the baseline, exactly and by sampling', async () => {
    const rows = new Int32Array(400).map((_, i) => i);
    const ctx = explainData(model, manifest, table, rows);
    const predicted = await predictTable(model, manifest, table);
    for (const method of ['exact', 'sampling'] as const) {
      for (const row of [3, 1234]) {
        const r = explainRow(ctx, row, { method, background: 50, permutations: 8 });
        expect(r.method).toBe(method === 'exact' ? 'exact-shapley' : 'sampling-shapley');
        r.tasks.forEach((t, i) => {
          const sum = t.contributions.reduce((a, c) => a + c.contribution, 0);
          const scale = Math.max(1, Math.abs(t.prediction));
          expect(Math.abs(t.baseline + sum - t.prediction) / scale).toBeLessThan(1e-6);
          // The waterfall ends at the model's own prediction of the row.
          expect(t.prediction).toBeCloseTo(predicted.raw[i][row], 4);
        });
      }
    }
  });

  it('sampling estimates agree with exact Shapley values, and noise gets almost nothing', async () => {
    const rows = new Int32Array(400).map((_, i) => i);
    const ctx = explainData(model, manifest, table, rows);
    const exact = explainRow(ctx, 7, { method: 'exact', background: 40 });
    const sampled = explainRow(ctx, 7, { method: 'sampling', background: 40, permutations: 16 });
    const click = (r: typeof exact) =>
      Object.fromEntries(r.tasks[0].contributions.map((c) => [c.feature, c.contribution]));
    const e = click(exact);
    const s = click(sampled);
    const spread = Math.max(...Object.values(e).map(Math.abs));
    for (const f of Object.keys(e))
      expect(Math.abs(e[f] - s[f])).toBeLessThan(0.15 * spread + 1e-3);
    expect(Math.abs(e.noise)).toBeLessThan(Math.abs(e.strong));
    expect(exact.tasks[0].contributions[0].value).not.toBe(undefined);
    expect(exact.line).toBe(9); // header on line 1, row 0 on line 2
  });
});

describe('partial dependence and the funnel', () => {
  it('partial dependence of strong rises for click; noise stays flat; the funnel is summarised', async () => {
    const result = await explainModel(model, manifest, table, {
      subset: 'test',
      parts: ['pdp', 'funnel'],
      threads: 1,
    });
    const pdp = Object.fromEntries(result.partialDependence.map((p) => [p.feature, p]));
    expect(Object.keys(pdp).sort()).toEqual(['noise', 'strong', 'weak']);
    const strong = pdp.strong.tasks[0].mean;
    expect(strong.at(-1)! - strong[0]).toBeGreaterThan(0.3);
    const noise = pdp.noise.tasks[0].mean;
    expect(Math.max(...noise) - Math.min(...noise)).toBeLessThan(
      0.5 * (strong.at(-1)! - strong[0]),
    );
    expect(pdp.strong.histogram.counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(400);
    expect(pdp.strong.x).toEqual([...pdp.strong.x].sort((a, b) => a - b));

    const funnel = result.funnel!;
    expect(funnel.tasks.map((t) => t.task)).toEqual(['purchase', 'amount']);
    const amount = funnel.tasks[1];
    expect(amount.segmentBy).toBe('purchase');
    const reps = amount.attention.find((a) => a.port === 'reps')!;
    expect(reps.items.map((i) => i.source)).toEqual(['click', 'purchase']);
    expect(reps.items.reduce((a, i) => a + i.mean, 0)).toBeCloseTo(1, 4);
    expect(amount.shares.map((s) => s.part)).toEqual([
      'representations',
      'label embeddings',
      'inputs',
    ]);
    expect(amount.shares.reduce((a, s) => a + s.mean, 0)).toBeCloseTo(1, 4);
    expect(amount.segments.length).toBe(5);
    expect(amount.segments.reduce((a, s) => a + s.rows, 0)).toBe(600);
    for (const s of amount.segments) expect(s.low).toBeLessThanOrEqual(s.high);
  });
});
