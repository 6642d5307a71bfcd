// Adam on embedding tables: lazy (only the rows a batch touched move) and dense (every row moves
// with its decaying moments, as plain Adam on the whole table).
import { describe, expect, it } from 'vitest';
import type { EmbeddingTable } from '../../../src-main/engine/model/model';
import type { OptimizerSettings } from '../../../src-main/engine/model/plan';
import { TableOptimizer } from '../../../src-main/engine/train/optimizer';

function run(tableAdam: 'lazy' | 'dense'): Float32Array[] {
  const settings = { optimizer: 'adam', learningRate: 0.1, tableAdam } as OptimizerSettings;
  const table: EmbeddingTable = {
    name: 't',
    column: 'c',
    kind: 'lookup',
    rows: 3,
    dim: 2,
    data: new Float32Array(6),
  };
  const opt = new TableOptimizer(settings);
  const after: Float32Array[] = [];
  // Step 1 touches row 0, step 2 row 1; row 2 never.
  for (const row of [0, 1]) {
    opt.beginStep();
    opt.updateRows(table, Int32Array.of(row), 1, Float32Array.of(1, -2));
    after.push(table.data.slice());
  }
  return after;
}

describe('Adam on embedding tables', () => {
  it('lazy: a row moves only in the steps that touch it', () => {
    const [one, two] = run('lazy');
    // Adam's first step moves by lr * sign(g).
    expect(one[0]).toBeCloseTo(-0.1, 6);
    expect(one[1]).toBeCloseTo(0.1, 6);
    expect(two[0]).toBe(one[0]);
    expect(two[1]).toBe(one[1]);
    // Row 1's first update comes at step 2: bias corrections of step 2.
    expect(two[2]).toBeCloseTo(
      -(0.1 * 0.1) / (1 - 0.9 ** 2) / Math.sqrt(0.001 / (1 - 0.999 ** 2)),
      5,
    );
    expect(Array.from(two.subarray(4))).toEqual([0, 0]);
  });

  it('dense: every row moves every step with its moments; untouched-ever rows stay', () => {
    const [one, two] = run('dense');
    expect(one[0]).toBeCloseTo(-0.1, 6);
    // Step 2 on row 0 (gradient 0): m = 0.9 * 0.1, v = 0.999 * 0.001; bias-corrected
    // m / (1 - 0.81) and v / (1 - 0.998001): a step of 0.1 * 0.4737 / 0.7075 = 0.0670.
    const m = (0.9 * 0.1) / (1 - 0.9 ** 2);
    const v = (0.999 * 0.001) / (1 - 0.999 ** 2);
    expect(two[0]).toBeCloseTo(-0.1 - (0.1 * m) / (Math.sqrt(v) + 1e-8), 5);
    expect(two[2]).toBeCloseTo(
      -(0.1 * 0.1) / (1 - 0.9 ** 2) / Math.sqrt(0.001 / (1 - 0.999 ** 2)),
      5,
    );
    expect(Array.from(two.subarray(4))).toEqual([0, 0]);
  });
});
