// Resources checked before work: the memory estimate refuses what will not fit (saying what
// to reduce) and lets the usual models through; the catalog's limits are values that work.

import { describe, expect, it } from 'vitest';
import { sampleBinding } from '../../src-main/engine/data/sample-layout';
import { buildTemplate } from '../../src-main/engine/graph/templates';
import { validateGraph } from '../../src-main/engine/graph/validate';
import {
  checkTrainingFits,
  estimateTraining,
  outOfMemoryMessage,
} from '../../src-main/engine/resources';
import { MAX_BATCH_SIZE, parseIntList } from '../../src-main/shared/catalog';
import type { ProjectFile } from '../../src-main/shared/project';
import { outputDims } from '../../src-main/engine/graph/shapes';
import { withCrossLayer } from '../helpers/cross';

const GB = 1024 ** 3;
const MACHINE = 16 * GB;

function project(kind: 'htlnet' | 'mmoe' = 'htlnet'): ProjectFile {
  return buildTemplate(kind, sampleBinding());
}
const data = (p: ProjectFile, rows = 100_000) => ({
  rows,
  columns: [...p.data.features, ...p.data.tasks].map((c) => ({ name: c.column, distinct: 50 })),
});
function set(p: ProjectFile, type: string, params: Record<string, unknown>): ProjectFile {
  for (const b of p.graph.blocks) if (b.type === type) Object.assign(b.params, params);
  return p;
}

/** The shared embedding's output width in a template (the cross layer's d). */
function inferWidth(p: ProjectFile): number {
  const embedding = p.graph.blocks.find((b) => b.type === 'shared-embedding')!;
  const dims = outputDims(p).get(embedding.id);
  return dims && typeof dims[0] === 'number' ? dims[0] : NaN;
}

describe('memory estimate', () => {
  it('lets the default models and the largest allowed batch of the default HTLNet through', () => {
    for (const kind of ['htlnet', 'mmoe'] as const) {
      const p = project(kind);
      expect(() => checkTrainingFits(p, data(p), MACHINE)).not.toThrow();
    }
    const big = set(project(), 'optimizer', { batchSize: MAX_BATCH_SIZE });
    expect(() => checkTrainingFits(big, data(big), MACHINE)).not.toThrow();
  });

  it('refuses a batch of 1,048,576 and says which batch fits', () => {
    const p = set(project(), 'optimizer', { batchSize: 1_048_576 });
    expect(() => checkTrainingFits(p, data(p), MACHINE)).toThrow(
      /needs about \d+\.\d GB in the compute backend to train, which holds at most 3\.8 GB: reduce the batch size to 131,072 or less/,
    );
  });

  it('refuses towers of 8192,8192 naming the parameters', () => {
    const p = set(project(), 'tower', { units: '8192,8192' });
    expect(estimateTraining(p, data(p)).denseParameters).toBeGreaterThan(2e8);
    expect(() => checkTrainingFits(p, data(p), MACHINE)).toThrow(
      /reduce the tower \/ expert units \(\d+ million parameters now\)/,
    );
  });

  it('counts a cross layer: its weights by rank, and refuses one too large', () => {
    const plain = project();
    const d = estimateTraining(plain, data(plain));
    const width = inferWidth(plain);
    const full = withCrossLayer(project(), { layers: 3, rank: 0 });
    expect(estimateTraining(full, data(full)).denseParameters - d.denseParameters).toBe(
      3 * (width * width + width),
    );
    const low = withCrossLayer(project(), { layers: 3, rank: 4 });
    expect(estimateTraining(low, data(low)).denseParameters - d.denseParameters).toBe(
      3 * (2 * width * 4 + width),
    );
    // 16 full-rank layers over a 20,000-wide input: about 6.4 billion weights.
    const huge = withCrossLayer(set(project(), 'shared-embedding', { dim: 1000 }), {
      layers: 16,
      rank: 0,
    });
    expect(() => checkTrainingFits(huge, data(huge), MACHINE)).toThrow(/the cross layers/);
  });

  it('refuses what does not fit the machine even when the backend could hold it', () => {
    const p = project();
    expect(() => checkTrainingFits(p, data(p, 50_000_000), 2 * GB)).toThrow(
      /fewer rows or columns/,
    );
  });

  it('refuses a very wide data set at the default batch and names a batch that fits', () => {
    const p = project();
    const wide = Array.from({ length: 5000 }, (_, i) => ({
      column: `f${i}`,
      kind: 'categorical' as const,
    }));
    p.data.features = wide;
    for (const b of p.graph.blocks) if (b.type === 'feature-input') b.params.columns = '';
    const shape = { rows: 2000, columns: wide.map((f) => ({ name: f.column, distinct: 10 })) };
    expect(() => checkTrainingFits(p, shape, MACHINE)).toThrow(
      /reduce the batch size to \d+ or less/,
    );
  });
});

describe('catalog limits', () => {
  it('caps layer sizes at 8192 and the batch at 131,072', () => {
    expect(parseIntList('8192,8192')).toEqual([8192, 8192]);
    expect(parseIntList('65536,65536,65536')).toBeNull();
    const p = set(project(), 'tower', { units: '65536,65536,65536' });
    expect(validateGraph(p).some((x) => /from 1 to 8192/.test(x.message))).toBe(true);
    const b = set(project(), 'optimizer', { batchSize: 1_048_576 });
    expect(validateGraph(b).some((x) => x.severity === 'error')).toBe(true);
  });
});

describe('running out of memory anyway', () => {
  it('is said in words, not as a raw wasm error', () => {
    const wasm = new WebAssembly.RuntimeError('memory access out of bounds');
    expect(outOfMemoryMessage(wasm)).toMatch(/ran out of memory: reduce the batch size/);
    expect(outOfMemoryMessage(new Error('x.csv, line 3: bad'))).toBeNull();
  });
});

describe('very wide data', () => {
  it('refuses 30,000 columns, saying to use fewer', () => {
    const p = set(project(), 'optimizer', { batchSize: 16 });
    const wide = Array.from({ length: 30_000 }, (_, i) => ({
      column: `f${i}`,
      kind: 'categorical' as const,
    }));
    p.data.features = wide;
    const shape = { rows: 1000, columns: wide.map((f) => ({ name: f.column, distinct: 5 })) };
    expect(() => checkTrainingFits(p, shape, MACHINE)).toThrow(/number of feature columns/);
  });
});
