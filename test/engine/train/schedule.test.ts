// The learning-rate schedule (train/schedule.ts): the default is the learning rate itself, bit
// for bit; the warm-up ramps linearly over its steps; the step decay multiplies at epoch
// boundaries counted from the start; the cosine ends at its floor when the last planned epoch
// ends. Also how TrainStep feeds the scheduled rate to the optimizers, one global step per update.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OptimizerSettings } from '../../../src-main/engine/model/plan';
import { transformTarget } from '../../../src-main/engine/data/encoders';
import { prepareRun } from '../../../src-main/engine/pipeline';
import { TrainStep } from '../../../src-main/engine/train/step';
import { trainModel } from '../../../src-main/engine/train/trainer';
import type { ProjectFile } from '../../../src-main/shared/project';
import { backend, sampleTable, setParams, template } from '../../helpers/engine';
import {
  learningRateAt,
  warmupSteps,
  type ScheduleSettings,
} from '../../../src-main/engine/train/schedule';
import { DenseOptimizer, TableOptimizer } from '../../../src-main/engine/train/optimizer';
import type { EmbeddingTable } from '../../../src-main/engine/model/model';

const BASE: ScheduleSettings = {
  learningRate: 0.01,
  schedule: 'constant',
  warmupEpochs: 0,
  decayFactor: 0.5,
  decayEvery: 1,
  cosineFloor: 0,
};
const LENGTH = { epochs: 4, stepsPerEpoch: 10 };
const at = (o: Partial<ScheduleSettings>, step: number, length = LENGTH) =>
  learningRateAt({ ...BASE, ...o }, step, length);

describe('the learning-rate schedule', () => {
  it('by default is the learning rate at every step, exactly', () => {
    for (const step of [0, 1, 9, 10, 39, 40, 1000])
      expect(at({ learningRate: 0.1 }, step)).toBe(0.1);
  });

  it('warms up linearly over warmupEpochs x batches per epoch steps, then holds', () => {
    expect(warmupSteps({ ...BASE, warmupEpochs: 0.5 }, LENGTH)).toBe(5);
    // Rounded half up, never past the run.
    expect(warmupSteps({ ...BASE, warmupEpochs: 0.25 }, LENGTH)).toBe(3);
    expect(warmupSteps({ ...BASE, warmupEpochs: 100 }, LENGTH)).toBe(40);
    const ramp = [0, 1, 2, 3, 4, 5, 6].map((s) => at({ warmupEpochs: 0.5 }, s));
    [0.002, 0.004, 0.006, 0.008, 0.01, 0.01, 0.01].forEach((x, i) =>
      expect(ramp[i]).toBeCloseTo(x, 15),
    );
  });

  it('step decay multiplies by the factor at every decayEvery-epoch boundary from the start', () => {
    const o = { schedule: 'step' as const, decayFactor: 0.1, decayEvery: 2 };
    expect(at(o, 0)).toBe(0.01);
    expect(at(o, 19)).toBe(0.01); // the last step of epoch 2
    expect(at(o, 20)).toBeCloseTo(0.001, 15); // the first of epoch 3
    expect(at(o, 39)).toBeCloseTo(0.001, 15);
    expect(at(o, 40)).toBeCloseTo(0.0001, 15);
    // With a warm-up the ramp multiplies in; the boundaries stay where they are.
    expect(at({ ...o, warmupEpochs: 1 }, 4)).toBeCloseTo(0.005, 15);
    expect(at({ ...o, warmupEpochs: 1 }, 20)).toBeCloseTo(0.001, 15);
  });

  it('cosine falls from the rate after the warm-up to the floor at the end of the last epoch', () => {
    const o = { schedule: 'cosine' as const, cosineFloor: 0.1, warmupEpochs: 1 };
    expect(at(o, 9)).toBeCloseTo(0.01, 15); // the warm-up's last step: full rate
    expect(at(o, 10)).toBeCloseTo(0.01, 15); // p = 0
    // Halfway through the 30 steps after the warm-up: floor + (1 - floor) / 2.
    expect(at(o, 25)).toBeCloseTo(0.01 * (0.1 + 0.9 * 0.5), 15);
    expect(at(o, 40)).toBeCloseTo(0.001, 15); // the end: floor x lr
    expect(at(o, 39)).toBeGreaterThan(0.001);
    expect(at(o, 500)).toBeCloseTo(0.001, 15); // past the plan: stays at the floor
    expect(at({ schedule: 'cosine' }, 40)).toBe(0);
    // Monotone after the warm-up.
    for (let s = 10; s < 40; s++) expect(at(o, s + 1)).toBeLessThanOrEqual(at(o, s));
  });
});

describe('the optimizers take the scheduled rate and decay weights decoupled', () => {
  const settings = (o: Partial<OptimizerSettings>) =>
    ({
      optimizer: 'adam',
      tableAdam: 'lazy',
      learningRate: 0.1,
      weightDecay: 0,
      embeddingWeightDecay: 0,
      ...o,
    }) as OptimizerSettings;

  it('dense Adam: w (1 - lr wd) - lr sign(g) on the first step; biases are not decayed', () => {
    const opt = new DenseOptimizer(settings({ weightDecay: 0.5 }), [2, 2], [true, false]);
    const w = [Float32Array.of(2, -4), Float32Array.of(2, -4)];
    opt.apply(w, [Float32Array.of(1, -1), Float32Array.of(1, -1)], 0.05);
    // Adam's first step moves by lr * sign(g); the matrix shrinks by 1 - 0.05 * 0.5 first.
    expect(w[0][0]).toBeCloseTo(2 * 0.975 - 0.05, 6);
    expect(w[0][1]).toBeCloseTo(-4 * 0.975 + 0.05, 6);
    expect(w[1][0]).toBeCloseTo(2 - 0.05, 6);
    expect(w[1][1]).toBeCloseTo(-4 + 0.05, 6);
  });

  it('SGD: w (1 - lr wd) - lr g; no gradient, no update and no decay', () => {
    const opt = new DenseOptimizer(
      settings({ optimizer: 'sgd', weightDecay: 0.1 }),
      [1, 1],
      [true, true],
    );
    const w = [Float32Array.of(3), Float32Array.of(3)];
    opt.apply(w, [Float32Array.of(2), null], 0.5);
    expect(w[0][0]).toBeCloseTo(3 * 0.95 - 1, 6);
    expect(w[1][0]).toBe(3);
  });

  function table(): EmbeddingTable {
    return {
      name: 't',
      column: 'c',
      kind: 'lookup',
      rows: 3,
      dim: 1,
      data: Float32Array.of(1, 1, 1),
    };
  }

  it('embedding tables: lazy Adam and SGD decay the touched rows; dense Adam every row', () => {
    const g = Float32Array.of(1);
    const lazy = table();
    const l = new TableOptimizer(settings({ embeddingWeightDecay: 0.2 }));
    l.beginStep(0.05);
    l.updateRows(lazy, Int32Array.of(1), 1, g);
    expect(Array.from(lazy.data)).toEqual([1, Math.fround(0.99 - 0.05), 1]);

    const sgd = table();
    const s = new TableOptimizer(settings({ optimizer: 'sgd', embeddingWeightDecay: 0.2 }));
    s.beginStep(0.05);
    s.updateRows(sgd, Int32Array.of(1), 1, g);
    expect(Array.from(sgd.data)).toEqual([1, Math.fround(0.99 - 0.05), 1]);

    const dense = table();
    const d = new TableOptimizer(settings({ tableAdam: 'dense', embeddingWeightDecay: 0.2 }));
    d.beginStep(0.05);
    d.updateRows(dense, Int32Array.of(1), 1, g);
    expect(dense.data[0]).toBeCloseTo(0.99, 7);
    expect(dense.data[1]).toBeCloseTo(0.99 - 0.05, 6);
    expect(dense.data[2]).toBeCloseTo(0.99, 7);
  });

  it('without decay the step rate alone moves the weights (Adam: lr x sign on step 1)', () => {
    const t = table();
    const opt = new TableOptimizer(settings({}));
    opt.beginStep(0.02);
    opt.updateRows(t, Int32Array.of(0), 1, Float32Array.of(-3));
    expect(t.data[0]).toBeCloseTo(1.02, 6);
  });
});

// Warm-up, cosine and both decays together, on a small HTLNet.
const TUNED = {
  batchSize: 64,
  epochs: 3,
  learningRate: 0.01,
  schedule: 'cosine',
  warmupEpochs: 0.5,
  cosineFloor: 0.2,
  weightDecay: 0.05,
  embeddingWeightDecay: 0.01,
};

function small(optimizer: Record<string, string | number>): ProjectFile {
  const p = template('htlnet', optimizer);
  setParams(p, 'shared-embedding', { dim: 4 });
  setParams(p, 'tower', { units: '8,4' });
  setParams(p, 'label-embedding', { dim: 3 });
  return p;
}

/** Weights after `steps` updates on one engine, from a fresh copy of the model. */
async function trained(project: ProjectFile, engine: 'fast' | 'tfjs', steps: number) {
  const run = prepareRun(project, await sampleTable(600));
  const targets = run.plan.tasks.map((_, t) =>
    transformTarget(run.data.targets[t], run.targetEncoders[t]),
  );
  const step = new TrainStep(run.model, run.data, targets, {
    engine,
    schedule: { epochs: 3, stepsPerEpoch: 4 },
  });
  const rates: number[] = [];
  for (let k = 0; k < steps; k++) {
    const rows = run.split.train.slice(k * 64, (k + 1) * 64);
    rates.push(step.learningRate);
    await step.run({ size: rows.length, rows }, 100 + k);
  }
  const dense = step.denseValues.map((w) => w.slice());
  const tables = run.model.embeddings.flatMap((e) => e.tables.map((t) => t.data.slice()));
  step.dispose();
  run.model.dispose();
  return { dense, tables, rates };
}

/** max |a - b| / max(max |b|, 1e-6), over every array. */
function worst(a: Float32Array[], b: Float32Array[]): number {
  let out = 0;
  a.forEach((x, i) => {
    let scale = 1e-6;
    for (const v of b[i]) scale = Math.max(scale, Math.abs(v));
    for (let j = 0; j < x.length; j++) out = Math.max(out, Math.abs(x[j] - b[i][j]) / scale);
  });
  return out;
}

describe('schedules and weight decay on both engines', () => {
  afterEach(() => vi.restoreAllMocks());

  it('the executor and the tfjs reference reach the same weights (warm-up, cosine, both decays)', async () => {
    await backend();
    const project = small(TUNED);
    const fast = await trained(project, 'fast', 6);
    const tfjs = await trained(project, 'tfjs', 6);
    // Two warm-up steps (0.5 x 4), then the cosine over the remaining ten.
    const o = { ...BASE, ...TUNED } as ScheduleSettings;
    const expected = [0, 1, 2, 3, 4, 5].map((k) =>
      learningRateAt(o, k, { epochs: 3, stepsPerEpoch: 4 }),
    );
    expect(fast.rates).toEqual(expected);
    expect(tfjs.rates).toEqual(expected);
    expect(expected[0]).toBeCloseTo(0.005, 12);
    expect(worst(fast.dense, tfjs.dense)).toBeLessThan(1e-4);
    expect(worst(fast.tables, tfjs.tables)).toBeLessThan(1e-4);
    // The schedule and the decays moved the weights elsewhere than the defaults do.
    const plain = await trained(small({ batchSize: 64, epochs: 3, learningRate: 0.01 }), 'fast', 6);
    expect(worst(plain.dense, fast.dense)).toBeGreaterThan(1e-3);
    expect(worst(plain.tables, fast.tables)).toBeGreaterThan(1e-3);
  });

  it('training gives update k the rate of global step k, over the planned epochs, also when it stops early', async () => {
    await backend();
    const project = small({ ...TUNED, schedule: 'step', decayFactor: 0.5, patience: 1 });
    const run = prepareRun(project, await sampleTable(600));
    const rates: number[] = [];
    const apply = DenseOptimizer.prototype.apply;
    vi.spyOn(DenseOptimizer.prototype, 'apply').mockImplementation(function (
      this: DenseOptimizer,
      values,
      grads,
      lr,
    ) {
      rates.push(lr!);
      apply.call(this, values, grads, lr);
    });
    const outcome = await trainModel(run.model, run.data, run.split, run.targetEncoders, {
      threads: 1,
      epochs: 8,
    });
    run.model.dispose();
    const batches = Math.ceil(run.split.train.length / 64);
    // It stops before the 8 planned epochs; the step decay still counts them from the start.
    expect(outcome.reason).toBe('early-stopping');
    expect(outcome.epochs).toBeLessThan(8);
    expect(rates).toHaveLength(outcome.epochs * batches);
    const o = { ...BASE, ...TUNED, schedule: 'step' } as ScheduleSettings;
    rates.forEach((r, k) =>
      expect(r).toBe(learningRateAt(o, k, { epochs: 8, stepsPerEpoch: batches })),
    );
    // Epoch 2 runs at half the rate of epoch 1.
    expect(rates[batches]).toBeCloseTo(0.005, 12);
  });
});
