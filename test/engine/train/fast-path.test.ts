// The fast paths compute what the straightforward tfjs path computes: the executor's gradients
// (every template, activation, dropout, stop-gradient on and off, concatenation fusion), its
// predictions (with and without the first-layer projections), and the data-parallel step
// (slices of the batch on worker threads, summed) against the whole batch on one thread.
import { beforeAll, describe, expect, it } from 'vitest';
import { transformTarget } from '../../../src-main/engine/data/encoders';
import { Executor, worthProjecting } from '../../../src-main/engine/model/executor';
import { compileProgram, type Program } from '../../../src-main/engine/model/program';
import { prepareRun } from '../../../src-main/engine/pipeline';
import { predictRows, predictRowsAsync } from '../../../src-main/engine/predict/evaluate';
import { allocateOutputs, ShardRunner, tableSources } from '../../../src-main/engine/workers/shard';
import * as tf from '@tensorflow/tfjs-core';
import { calibratorPairs } from '../../../src-main/engine/model/objective';
import { fastSetup } from '../../../src-main/engine/predict/fast';
import {
  calibratorLossTensor,
  TrainStep,
  type StepGradients,
} from '../../../src-main/engine/train/step';
import { trainModel } from '../../../src-main/engine/train/trainer';
import type { ProjectFile } from '../../../src-main/shared/project';
import { backend, sampleTable, setParams, template } from '../../helpers/engine';

beforeAll(async () => {
  await backend();
});

const BATCH = 96;
const KINDS = ['htlnet', 'dnn', 'shared-bottom', 'mmoe', 'ple', 'esmm', 'aitm'] as const;
const VARIANTS = [
  'default',
  'no stop-gradient',
  'gelu and tanh',
  'dropout',
  'concat fusion',
] as const;

function small(kind: (typeof KINDS)[number], variant: (typeof VARIANTS)[number]): ProjectFile {
  const p = template(kind, {
    batchSize: BATCH,
    ...(variant === 'no stop-gradient' ? { stopGradient: false } : {}),
  });
  const smooth = variant === 'gelu and tanh';
  setParams(p, 'shared-embedding', { dim: 4 });
  setParams(p, 'tower', {
    units: '8,4',
    activation: smooth ? 'gelu' : 'relu',
    dropout: variant === 'dropout' ? 0.3 : 0,
  });
  setParams(p, 'label-embedding', { dim: 3 });
  setParams(p, 'expert-group', { units: '6', experts: 2, activation: smooth ? 'tanh' : 'relu' });
  if (variant === 'concat fusion') setParams(p, 'fusion', { mode: 'concat' });
  return p;
}

async function setup(project: ProjectFile, rows = 600) {
  const run = prepareRun(project, await sampleTable(rows));
  const targets = run.plan.tasks.map((_, t) =>
    transformTarget(run.data.targets[t], run.targetEncoders[t]),
  );
  const batchRows = run.split.train.slice(0, BATCH);
  return { ...run, targets, batch: { size: batchRows.length, rows: batchRows } };
}

/** max |a - b| / max |b| over everything two steps' gradients hold. */
function worstDifference(a: StepGradients, b: StepGradients): number {
  let worst = 0;
  const compare = (x: ArrayLike<number>, y: ArrayLike<number>) => {
    expect(x.length).toBe(y.length);
    let scale = 1e-6;
    for (let i = 0; i < y.length; i++) scale = Math.max(scale, Math.abs(y[i]));
    for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / scale);
  };
  expect([...a.dense.keys()].sort()).toEqual([...b.dense.keys()].sort());
  for (const [name, g] of b.dense) compare(a.dense.get(name)!, g);
  a.tables.forEach((fields, k) =>
    fields.forEach((ta, f) => {
      const tb = b.tables[k][f];
      expect(ta.count).toBe(tb.count);
      expect(Array.from(ta.rows.subarray(0, ta.count))).toEqual(
        Array.from(tb.rows.subarray(0, tb.count)),
      );
      compare(ta.grad, tb.grad);
    }),
  );
  return worst;
}

describe('the executor computes the gradients tfjs autograd computes', () => {
  for (const kind of KINDS) {
    for (const variant of VARIANTS) {
      it(`${kind}, ${variant}`, async () => {
        const run = await setup(small(kind, variant));
        const fast = new TrainStep(run.model, run.data, run.targets, { engine: 'fast' });
        const tfjs = new TrainStep(run.model, run.data, run.targets, { engine: 'tfjs' });
        expect(fast.engineName).toBe('fast');
        expect(tfjs.engineName).toBe('tfjs');
        for (const perTaskPasses of [false, true]) {
          const a = await fast.gradients(run.batch, 77, { perTaskPasses });
          const b = await tfjs.gradients(run.batch, 77, { perTaskPasses });
          a.losses.forEach((l, t) => expect(l).toBeCloseTo(b.losses[t], 4));
          expect(worstDifference(a, b)).toBeLessThan(1e-4);
          expect(a.stats === null).toBe(b.stats === null);
          b.stats?.forEach((s, t) => {
            expect(a.stats![t].norm).toBeCloseTo(s.norm, 4);
            if (Number.isFinite(s.cosine)) expect(a.stats![t].cosine).toBeCloseTo(s.cosine, 4);
          });
        }
        fast.dispose();
      });
    }
  }
});

// Every regression objective (model/objective.ts) on the templates whose gradients reach the
// core head in different ways: one pass (HTLNet), per-task passes (shared-bottom, MMoE).
const OBJECTIVES: Record<string, Record<string, string | number | boolean>> = {
  'log1p squared error': { objective: 'mse', transform: 'log1p-zscore' },
  'z-scored squared error': { objective: 'mse', transform: 'zscore' },
  ziln: { objective: 'ziln' },
  tweedie: { objective: 'tweedie', tweediePower: 1.4 },
};
function withObjective(p: ProjectFile, name: string): ProjectFile {
  for (const b of p.graph.blocks)
    if (b.type === 'task-head' && b.params.kind === 'regression')
      b.params = { ...b.params, ...OBJECTIVES[name] };
  return p;
}

describe('every regression objective: the executor computes what tfjs computes', () => {
  for (const kind of ['htlnet', 'shared-bottom', 'mmoe'] as const) {
    for (const objective of Object.keys(OBJECTIVES)) {
      it(`${kind}, ${objective}: gradients and predictions`, async () => {
        const run = await setup(withObjective(small(kind, 'default'), objective));
        const core = run.plan.tasks[run.plan.core];
        expect(core.objective).toBe(OBJECTIVES[objective].objective);
        const fast = new TrainStep(run.model, run.data, run.targets, { engine: 'fast' });
        const tfjs = new TrainStep(run.model, run.data, run.targets, { engine: 'tfjs' });
        for (const perTaskPasses of [false, true]) {
          const a = await fast.gradients(run.batch, 77, { perTaskPasses });
          const b = await tfjs.gradients(run.batch, 77, { perTaskPasses });
          a.losses.forEach((l, t) => expect(l).toBeCloseTo(b.losses[t], 4));
          expect(worstDifference(a, b)).toBeLessThan(1e-4);
        }
        // A step later (weights moved off their start), predictions agree too.
        fast.apply(await fast.gradients(run.batch, 3));
        fast.syncModel();
        const rows = run.split.test;
        const p1 = predictRows(run.model, run.data, rows, run.targetEncoders, 64, {
          engine: 'tfjs',
        });
        const p2 = predictRows(run.model, run.data, rows, run.targetEncoders, 64);
        const t = run.plan.core;
        for (let i = 0; i < rows.length; i++) {
          expect(Number.isFinite(p2.raw[t][i])).toBe(true);
          expect(Math.abs(p1.raw[t][i] - p2.raw[t][i]) / (1 + Math.abs(p1.raw[t][i]))).toBeLessThan(
            1e-5,
          );
        }
        fast.dispose();
      });
    }
  }
});

describe('fast inference predicts what the tfjs forward pass predicts', () => {
  for (const kind of KINDS) {
    it(kind, async () => {
      const p = small(kind, 'default');
      setParams(p, 'shared-embedding', { dim: 8 });
      const run = await setup(p, 900);
      const rows = run.split.test;
      const tfjs = predictRows(run.model, run.data, rows, run.targetEncoders, 64, {
        engine: 'tfjs',
      });
      const fast = predictRows(run.model, run.data, rows, run.targetEncoders, 64);
      tfjs.raw.forEach((col, t) => {
        let worst = 0;
        for (let i = 0; i < col.length; i++)
          worst = Math.max(worst, Math.abs(col[i] - fast.raw[t][i]) / (1 + Math.abs(col[i])));
        expect(worst).toBeLessThan(1e-5);
      });
    });
  }

  for (const rowCount of [900, 30000]) {
    it(`predicts the same bits on two threads as on one (worker threads, ${rowCount} rows)`, async () => {
      const run = await setup(small('htlnet', 'default'), rowCount);
      const rows = run.split.train;
      // Few rows multiply the first layers; many use the projections (on every path alike).
      const program = fastSetup(run.model)!.program;
      expect(worthProjecting(program, rows.length)).toBe(rowCount > 900);
      const one = predictRows(run.model, run.data, rows, run.targetEncoders);
      const two = await predictRowsAsync(run.model, run.data, rows, run.targetEncoders, {
        threads: 2,
      });
      one.raw.forEach((col, t) => expect(two.raw[t]).toEqual(col));
    });
  }

  // Towers of 8 (the SIMD kernel, relu fused), 6 (the kernel, relu apart: 6 is not a multiple of
  // 4), gelu (the kernel, gelu in JS), numeric fields projected linearly (the kernel for the
  // categorical fields, the scalar loop for the numeric ones); each against the product, and the
  // kernel against the scalar loop it replaces.
  const PROJECTED: { name: string; tower: Record<string, string>; numeric?: string }[] = [
    { name: 'relu, 8 units', tower: { units: '8,4' } },
    { name: 'relu, 6 units', tower: { units: '6,4' } },
    { name: 'gelu', tower: { units: '8,4', activation: 'gelu' } },
    { name: 'linear numeric fields', tower: { units: '8,4' }, numeric: 'linear' },
  ];
  for (const variant of PROJECTED) {
    it(`the first-layer projections are exact: ${variant.name}`, async () => {
      const p = small('htlnet', 'default');
      setParams(p, 'tower', variant.tower);
      if (variant.numeric) setParams(p, 'feature-input', { numericEncoding: variant.numeric });
      const run = await setup(p, 900);
      const fast = fastSetup(run.model)!;
      const sources = tableSources(run.model, run.data);
      const dims = run.model.embeddings.map((e) => e.dim);
      const rows = run.split.test;
      const kinds = new Set(sources.flat().map((src) => src.kind));
      expect(kinds.has('lookup')).toBe(true);
      expect(kinds.has('linear')).toBe(variant.numeric === 'linear');
      const outputs = [
        { budget: 0, simd: true },
        { budget: 1 << 24, simd: true },
        { budget: 1 << 24, simd: false },
      ].map(({ budget, simd }) => {
        const ex = new Executor(fast.program, fast.kernels, {
          capacity: rows.length,
          training: false,
          projectionBudget: budget,
          simd,
        });
        ex.setParams((i) => run.model.dense.get(fast.program.params[i].name)!.dataSync());
        ex.prepareProjections(sources);
        ex.lookup(sources, dims, rows, 0, rows.length);
        ex.forward(null, 0, null);
        const out = run.plan.tasks.map((_, t) => ex.output(t).slice(0, rows.length));
        ex.dispose();
        return out;
      });
      const [product, kernel, loop] = outputs;
      product.forEach((col, t) => {
        for (let i = 0; i < col.length; i++) {
          expect(kernel[t][i]).toBeCloseTo(col[i], 5);
          // Same sums in the same order: the kernel and the scalar loop agree to the bit.
          expect(kernel[t][i]).toBe(loop[t][i]);
        }
      });
    });
  }

  it("the SIMD kernel loads over the wasm backend's memory (else the tests above test one path)", async () => {
    const run = await setup(small('htlnet', 'default'), 300);
    expect(fastSetup(run.model)!.kernels.project).not.toBeNull();
  });
});

describe('data-parallel steps', () => {
  /** One step's gradients from slices of the batch run one after the other, in-process. */
  function shardedRaw(
    program: Program,
    run: Awaited<ReturnType<typeof setup>>,
    dense: Float32Array[],
    shards: number,
  ) {
    const fast = fastSetup(run.model)!;
    const B = run.batch.size;
    const T = program.tasks.length;
    const weights = Float64Array.from(program.tasks, (t) => t.lossWeight);
    const outs = Array.from({ length: shards }, () => allocateOutputs(program, B, 1, false));
    for (let s = 0; s < shards; s++) {
      const from = Math.floor((s * B) / shards);
      const to = Math.floor(((s + 1) * B) / shards);
      const ex = new Executor(program, fast.kernels, { capacity: to - from, training: true });
      const runner = new ShardRunner(ex, {
        sources: tableSources(run.model, run.data),
        dims: run.model.embeddings.map((e) => e.dim),
        targets: run.targets,
        dense,
      });
      // Every slice writes its rows of the first slice's (full-batch) edge arrays.
      runner.run(
        { rows: run.batch.rows, batchSize: B, from, to, seed: 9, passes: [weights] },
        { ...outs[s], edges: outs[0].edges },
      );
      ex.dispose();
    }
    const losses = Array.from({ length: T }, (_, t) =>
      outs.reduce((sum, o) => sum + o.lossSums[t], 0),
    );
    const dense0 = program.params.map((_, i) => {
      const g = new Float32Array(program.params[i].size);
      for (const o of outs) {
        if (!o.denseTouched[0][i]) continue;
        for (let j = 0; j < g.length; j++) g[j] += o.dense[0][i][j];
      }
      return g;
    });
    return { losses, dense: dense0, edges: outs[0].edges[0] };
  }

  it('slices of the batch summed give the whole batch (in-process reduction)', async () => {
    const p = small('htlnet', 'dropout');
    const run = await setup(p);
    const compiled = compileProgram(run.model);
    if (!('program' in compiled)) throw new Error(compiled.reason);
    const dense = run.model.denseNames.map(
      (n) => run.model.dense.get(n)!.dataSync().slice() as Float32Array,
    );
    const whole = shardedRaw(compiled.program, run, dense, 1);
    for (const shards of [2, 3]) {
      const split = shardedRaw(compiled.program, run, dense, shards);
      split.losses.forEach((l, t) => expect(l).toBeCloseTo(whole.losses[t], 3));
      split.dense.forEach((g, i) => {
        const w = whole.dense[i];
        for (let j = 0; j < g.length; j++) expect(Math.abs(g[j] - w[j])).toBeLessThan(1e-6);
      });
      split.edges.forEach((g, i) => {
        const w = whole.edges[i];
        for (let j = 0; j < w.length; j++) expect(Math.abs(g[j] - w[j])).toBeLessThan(1e-7);
      });
    }
  });

  it('two threads give the gradients and the update of one (worker threads)', async () => {
    const run = await setup(small('htlnet', 'default'));
    const one = new TrainStep(run.model, run.data, run.targets, { engine: 'fast' });
    const two = await TrainStep.create(run.model, run.data, run.targets, {
      threads: 2,
      batchSize: BATCH,
    });
    expect(two.threads).toBe(2);
    const a = await one.gradients(run.batch, 5);
    const b = await two.gradients(run.batch, 5);
    expect(worstDifference(b, a)).toBeLessThan(1e-5);
    // The same update: apply each to its own copy of the weights.
    one.apply(a);
    two.apply(b);
    one.denseValues.forEach((w, i) => {
      for (let j = 0; j < w.length; j++)
        expect(Math.abs(two.denseValues[i][j] - w[j])).toBeLessThan(1e-6);
    });
    one.dispose();
    two.dispose();
  });

  it('training on two threads is reproducible and close to one thread', async () => {
    const table = await sampleTable(2000);
    const project = template('htlnet', { batchSize: 200, epochs: 2, patience: 0 });
    const train = async (threads: number) => {
      const run = prepareRun(project, table);
      const outcome = await trainModel(run.model, run.data, run.split, run.targetEncoders, {
        threads,
      });
      expect(outcome.engine).toEqual({ name: 'fast', threads });
      const weights = run.model.denseNames.map((n) => run.model.dense.get(n)!.dataSync());
      run.model.dispose();
      return { outcome, weights };
    };
    const a = await train(2);
    const b = await train(2);
    const c = await train(1);
    expect(b.weights).toEqual(a.weights);
    expect(b.outcome.history.map((h) => h.validation)).toEqual(
      a.outcome.history.map((h) => h.validation),
    );
    // One thread sums in another order: the same run up to float rounding.
    const click = (o: typeof a.outcome) =>
      (o.history[o.history.length - 1].validation.click as { auc: number }).auc;
    expect(Math.abs(click(c.outcome) - click(a.outcome))).toBeLessThan(0.01);
  });
});

// AITM's behavioural expectation calibrator (Xi et al. 2021): weight * mean over the batch of
// max(p_t - p_{t-1}, 0) for consecutive binary tasks, on both engines.
describe('the AITM calibrator', () => {
  it('is the weight times the batch mean of max(p_t - p_{t-1}, 0)', () => {
    const pa = tf.tensor1d([0.5, 0.2, 0.9, 0.1]);
    const pb = tf.tensor1d([0.3, 0.6, 0.9, 0.35]);
    const loss = calibratorLossTensor(pa, pb, 0.6);
    // (0 + 0.4 + 0 + 0.25) / 4 * 0.6
    expect(loss.dataSync()[0]).toBeCloseTo(0.0975, 6);
    tf.dispose([pa, pb, loss]);
  });

  it('pairs consecutive binary tasks only', () => {
    expect(calibratorPairs(['binary', 'binary', 'regression'])).toEqual([[0, 1]]);
    expect(calibratorPairs(['binary', 'regression', 'binary', 'binary'])).toEqual([
      [0, 2],
      [2, 3],
    ]);
    expect(calibratorPairs(['regression', 'binary'])).toEqual([]);
  });

  it('the AITM template uses the paper weight 0.6; the others leave it off', () => {
    expect(
      template('aitm').graph.blocks.find((b) => b.type === 'optimizer')!.params.calibrator,
    ).toBe(0.6);
    expect(
      template('htlnet').graph.blocks.find((b) => b.type === 'optimizer')!.params.calibrator,
    ).toBe(0);
  });

  it('its gradient: the executor equals tfjs, and the heads move by the hand-computed amount', async () => {
    const weight = 2.5;
    const aitm = (calibrator: number) => {
      const p = small('aitm', 'default');
      setParams(p, 'optimizer', { calibrator });
      return p;
    };
    const on = await setup(aitm(weight));
    const off = await setup(aitm(0));
    expect(on.plan.optimizer.calibrator).toBe(weight);
    expect(off.plan.optimizer.calibrator).toBe(0);
    const [a, b] = [0, 1];
    expect(on.plan.tasks[a].type).toBe('binary');
    expect(on.plan.tasks[b].type).toBe('binary');
    // Same seed, same weights: the predictions on the batch give the calibrator's gradient.
    const probs = predictRows(on.model, on.data, on.batch.rows, on.targetEncoders, 64).raw;
    const N = on.batch.size;
    let dA = 0;
    let dB = 0;
    let active = 0;
    for (let r = 0; r < N; r++) {
      const pa = probs[a][r];
      const pb = probs[b][r];
      if (pb <= pa) continue;
      active++;
      dB += (weight / N) * pb * (1 - pb);
      dA -= (weight / N) * pa * (1 - pa);
    }
    expect(active).toBeGreaterThan(0);
    expect(active).toBeLessThan(N);
    const bias = (run: typeof on, t: number) => `${run.plan.tasks[t].headId}/bias`;
    for (const perTaskPasses of [false, true]) {
      const grads = async (run: typeof on, engine: 'fast' | 'tfjs') => {
        const step = new TrainStep(run.model, run.data, run.targets, { engine });
        const g = await step.gradients(run.batch, 77, { perTaskPasses });
        if (engine === 'fast') step.dispose();
        return g;
      };
      const onFast = await grads(on, 'fast');
      const onTfjs = await grads(on, 'tfjs');
      const offFast = await grads(off, 'fast');
      const offTfjs = await grads(off, 'tfjs');
      expect(worstDifference(onFast, onTfjs)).toBeLessThan(1e-4);
      // The reported task losses leave the calibrator out.
      onFast.losses.forEach((l, t) => expect(l).toBeCloseTo(offFast.losses[t], 5));
      for (const [on_, off_] of [
        [onFast, offFast],
        [onTfjs, offTfjs],
      ]) {
        const delta = (t: number) =>
          on_.dense.get(bias(on, t))![0] - off_.dense.get(bias(off, t))![0];
        expect(delta(b)).toBeCloseTo(dB, 5);
        expect(delta(a)).toBeCloseTo(dA, 5);
      }
    }
  });
});
