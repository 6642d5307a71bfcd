// The training step computes the right gradients: against a straightforward tfjs
// implementation (embedding lookups through tf.gather, one backward pass per task, the
// adjustment written out from HTLNET.md), against finite differences, and for stop-gradient.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../src-main/shared/random';
import type { EncodedDataset } from '../../../src-main/engine/data/types';
import { HtlnetModel } from '../../../src-main/engine/model/model';
import { prepareRun } from '../../../src-main/engine/pipeline';
import { transformTarget } from '../../../src-main/engine/data/encoders';
import { TrainStep, taskLoss, type StepGradients } from '../../../src-main/engine/train/step';
import type { ProjectFile } from '../../../src-main/shared/project';
import { backend, sampleTable, setParams, template } from '../../helpers/engine';

beforeAll(async () => {
  await backend();
});

const BATCH = 96;
const SEED = 1234;

/** A small HTLNet (narrow layers, tanh so finite differences see no kinks). */
function small(
  kind: Parameters<typeof template>[0],
  optimizer: Record<string, string | number | boolean>,
): ProjectFile {
  const p = template(kind, { batchSize: BATCH, ...optimizer });
  setParams(p, 'shared-embedding', { dim: 4 });
  setParams(p, 'tower', { units: '8,4', activation: 'tanh' });
  setParams(p, 'label-embedding', { dim: 3 });
  setParams(p, 'expert-group', { units: '6', experts: 2 });
  return p;
}

type Engine = 'fast' | 'tfjs' | 'two threads';

async function setup(project: ProjectFile, engine: Engine = 'fast') {
  const table = await sampleTable(600);
  const run = prepareRun(project, table);
  const targets = run.plan.tasks.map((_, t) =>
    transformTarget(run.data.targets[t], run.targetEncoders[t]),
  );
  const step =
    engine === 'two threads'
      ? await TrainStep.create(run.model, run.data, targets, { threads: 2, batchSize: BATCH })
      : new TrainStep(run.model, run.data, targets, { engine });
  expect(step.engineName).toBe(engine === 'tfjs' ? 'tfjs' : 'fast');
  expect(step.threads).toBe(engine === 'two threads' ? 2 : 1);
  const rows = run.split.train.slice(0, BATCH);
  return { ...run, targets, step, batch: { size: rows.length, rows } };
}

/** Dense table gradient from the sparse rows a step returned. */
function denseTableGrad(
  model: HtlnetModel,
  grads: StepGradients,
  k: number,
  f: number,
): Float32Array {
  const table = model.embeddings[k].tables[f];
  const out = new Float32Array(table.rows * table.dim);
  const g = grads.tables[k][f];
  for (let i = 0; i < g.count; i++)
    out.set(g.grad.subarray(i * table.dim, (i + 1) * table.dim), g.rows[i] * table.dim);
  return out;
}

/**
 * The straightforward path: tables as tfjs variables looked up with tf.gather, one
 * tf.variableGrads per task, and the HTLNet adjustment computed directly on flattened tensors.
 */
function referenceGradients(
  model: HtlnetModel,
  data: EncodedDataset,
  targets: Float32Array[],
  batch: { size: number; rows: Int32Array },
  seed: number,
): { dense: Map<string, Float32Array>; tables: Float32Array[][] } {
  const { plan } = model;
  const settings = plan.optimizer;
  const tableVars = model.embeddings.map((e) =>
    e.tables.map((t) => tf.variable(tf.tensor2d(t.data, [t.rows, t.dim]))),
  );
  const ids = model.embeddings.map((e) =>
    e.tables.map((_, f) => {
      const field = data.fields[e.datasetField[f]];
      if (field.kind !== 'lookup') throw new Error('reference handles lookup fields only');
      return tf.tensor1d(
        Int32Array.from(batch.rows, (r: number) => field.ids[r]),
        'int32',
      );
    }),
  );
  const y = plan.tasks.map((_, t) =>
    tf.tensor1d(Float32Array.from(batch.rows, (r: number) => targets[t][r])),
  );
  const denseNames = model.denseNames;
  const vars = [...tableVars.flat(), ...denseNames.map((n) => model.dense.get(n)!)];
  const perTask = plan.tasks.map((task, t) => {
    const { grads } = tf.variableGrads(
      () => {
        const embedded = tableVars.map(
          (fields, k) =>
            tf.concat(
              fields.map((v, f) => tf.gather(v, ids[k][f])),
              1,
            ) as tf.Tensor2D,
        );
        const consumers = new Map(plan.consumers.map((c) => [c.edgeId, embedded[c.embedding]]));
        const outs = model.forward(consumers, { training: true, rng: createRng(seed) });
        return tf.mul(taskLoss(outs[t], y[t], task), task.lossWeight) as tf.Scalar;
      },
      vars.filter((v) => v.trainable) as tf.Variable[],
    );
    return grads;
  });
  const flat = (g: tf.NamedTensorMap, list: tf.Variable[]) =>
    tf.concat(list.map((v) => tf.reshape(g[v.name] ?? tf.zerosLike(v), [-1])));
  const shared = tableVars.flat();
  const G = perTask.map((g) => flat(g, shared));
  const core = plan.core;
  const gc = G[core];
  let gs = gc;
  G.forEach((g0, t) => {
    if (t === core) return;
    let g = g0;
    const dot = tf.sum(tf.mul(g0, gc)).dataSync()[0];
    const mode = settings.adjustment;
    if ((mode === 'htlnet' || mode === 'pcgrad') && dot < 0) {
      g = tf.sub(g, tf.mul(gc, (settings.alpha * dot) / tf.sum(tf.square(gc)).dataSync()[0]));
    }
    if (mode === 'htlnet' || mode === 'metabalance') {
      const ratio = tf.norm(gc).dataSync()[0] / tf.norm(g0).dataSync()[0];
      const w = Math.min(settings.clip, Math.max(1 / settings.clip, ratio));
      g = tf.add(tf.mul(g, settings.gamma * w), tf.mul(g, 1 - settings.gamma));
    }
    gs = tf.add(gs, g);
  });
  const gsValues = gs.dataSync() as Float32Array;
  let offset = 0;
  const tables = tableVars.map((fields) =>
    fields.map((v) => {
      const out = gsValues.slice(offset, offset + v.size);
      offset += v.size;
      return out;
    }),
  );
  const dense = new Map<string, Float32Array>();
  for (const n of denseNames) {
    const v = model.dense.get(n)!;
    const parts = perTask.map((g) => g[v.name]).filter(Boolean);
    if (parts.length > 0) dense.set(n, tf.addN(parts).dataSync() as Float32Array);
  }
  return { dense, tables };
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  expect(a.length, what).toBe(b.length);
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst / scale, `${what}: max difference ${worst} (scale ${scale})`).toBeLessThan(tol);
}

describe('gradient capture and adjustment', () => {
  for (const [adjustment, engine] of [
    ['htlnet', 'fast'],
    ['pcgrad', 'fast'],
    ['metabalance', 'fast'],
    ['none', 'fast'],
    ['htlnet', 'tfjs'],
    ['htlnet', 'two threads'],
    ['pcgrad', 'two threads'],
  ] as const) {
    it(`one backward pass equals the straightforward per-task path (${adjustment}, ${engine})`, async () => {
      const run = await setup(small('htlnet', { adjustment }), engine);
      expect(run.plan.singlePassCapture).toBe(true);
      const fast = await run.step.gradients(run.batch, SEED);
      const ref = referenceGradients(run.model, run.data, run.targets, run.batch, SEED);
      run.model.embeddings.forEach((e, k) =>
        e.tables.forEach((t, f) =>
          expectClose(denseTableGrad(run.model, fast, k, f), ref.tables[k][f], 1e-4, t.name),
        ),
      );
      for (const [name, g] of ref.dense) expectClose(fast.dense.get(name)!, g, 1e-4, name);
      expect([...fast.dense.keys()].sort()).toEqual([...ref.dense.keys()].sort());
      expect(fast.stats).not.toBeNull();
      expect(fast.stats![run.plan.core].cosine).toBeCloseTo(1, 6);
      run.step.dispose();
    });
  }

  // Tuned: the first step of a 2-step warm-up (half the rate) and decoupled decay of the weight
  // matrices and of every table row (dense Adam), large enough to move weights past the bound.
  const TUNED = {
    learningRate: 0.01,
    schedule: 'cosine',
    warmupEpochs: 2,
    weightDecay: 0.9,
    embeddingWeightDecay: 1,
    tableAdam: 'dense',
  };
  for (const [engine, tuned] of [
    ['fast', false],
    ['two threads', false],
    ['fast', true],
  ] as const) {
    const what = tuned ? 'warm-up, weight decay, dense tables' : 'Adam';
    it(`applies the update the straightforward path applies (${what}, ${engine})`, async () => {
      const run = await setup(
        small('htlnet', { adjustment: 'htlnet', ...(tuned ? TUNED : {}) }),
        engine,
      );
      const { model } = run;
      const settings = model.plan.optimizer;
      // The step's rate: half the learning rate at the first of two warm-up steps.
      const lr = run.step.learningRate;
      expect(lr).toBe(tuned ? 0.005 : settings.learningRate);
      // Reference: the reference gradients through tfjs's Adam, on copies of every weight. At
      // the first step a dense Adam on a table moves exactly the rows a lazy Adam moves (the
      // others have zero gradient and zero moments).
      const ref = referenceGradients(model, run.data, run.targets, run.batch, SEED);
      const copies = new Map<string, tf.Variable>();
      for (const [name, v] of model.dense) copies.set(name, tf.variable(v.clone()));
      model.embeddings.forEach((e, k) =>
        e.tables.forEach((t, f) =>
          copies.set(`table:${k}:${f}`, tf.variable(tf.tensor2d(t.data, [t.rows, t.dim]))),
        ),
      );
      const grads: Record<string, tf.Tensor> = {};
      for (const [name, g] of ref.dense)
        grads[copies.get(name)!.name] = tf.tensor(g, model.dense.get(name)!.shape);
      model.embeddings.forEach((e, k) =>
        e.tables.forEach((t, f) => {
          grads[copies.get(`table:${k}:${f}`)!.name] = tf.tensor2d(ref.tables[k][f], [
            t.rows,
            t.dim,
          ]);
        }),
      );
      // Decoupled decay before the update: weight matrices (not biases), every table row.
      for (const [name, v] of model.dense)
        if (v.shape.length >= 2) {
          const copy = copies.get(name)!;
          copy.assign(tf.mul(copy, 1 - lr * settings.weightDecay));
        }
      model.embeddings.forEach((e, k) =>
        e.tables.forEach((_, f) => {
          const copy = copies.get(`table:${k}:${f}`)!;
          copy.assign(tf.mul(copy, 1 - lr * settings.embeddingWeightDecay));
        }),
      );
      tf.train
        .adam(lr, 0.9, 0.999, 1e-8)
        .applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));

      await run.step.run(run.batch, SEED);
      run.step.syncModel();
      const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        // Adam moves each weight by about lr: compare the moves, to a small part of lr.
        expect(worst, what).toBeLessThan(lr * 0.02);
      };
      for (const [name, v] of model.dense) close(v.dataSync(), copies.get(name)!.dataSync(), name);
      model.embeddings.forEach((e, k) =>
        e.tables.forEach((t, f) =>
          close(t.data, copies.get(`table:${k}:${f}`)!.dataSync(), t.name),
        ),
      );
      run.step.dispose();
    });
  }

  it('forcing one pass per task gives the same gradients as the single pass', async () => {
    const run = await setup(small('htlnet', { adjustment: 'htlnet' }));
    const one = await run.step.gradients(run.batch, SEED);
    const per = await run.step.gradients(run.batch, SEED, { perTaskPasses: true });
    run.model.embeddings.forEach((e, k) =>
      e.tables.forEach((t, f) =>
        expectClose(
          denseTableGrad(run.model, one, k, f),
          denseTableGrad(run.model, per, k, f),
          1e-5,
          t.name,
        ),
      ),
    );
    for (const [name, g] of per.dense) expectClose(one.dense.get(name)!, g, 1e-5, name);
    one.stats!.forEach((s, t) => {
      expect(s.norm).toBeCloseTo(per.stats![t].norm, 4);
      expect(s.cosine).toBeCloseTo(per.stats![t].cosine, 4);
    });
  });

  it('adjusts shared dense blocks too (MMoE experts) and matches the per-task reference', async () => {
    const run = await setup(small('mmoe', { adjustment: 'htlnet' }));
    expect(run.plan.singlePassCapture).toBe(false);
    expect(run.plan.sharedDense.size).toBeGreaterThan(0);
    const fast = await run.step.gradients(run.batch, SEED);
    expect(fast.stats).not.toBeNull();
    // The shared experts' gradient is a combination of task gradients: it differs from the plain sum.
    const plain = await (
      await setup(small('mmoe', { adjustment: 'none' }))
    ).step.gradients(run.batch, SEED);
    const expert = [...run.plan.sharedDense][0];
    const name = run.model.denseNames.find((n) => n.startsWith(`${expert}/`))!;
    const a = fast.dense.get(name)!;
    const b = plain.dense.get(name)!;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
    expect(diff).toBeGreaterThan(0);
  });

  it('never adjusts parameters that not every task shares (single-task DNN)', async () => {
    const adjusted = await setup(small('dnn', { adjustment: 'htlnet' }));
    const plain = await setup(small('dnn', { adjustment: 'none' }));
    expect(adjusted.plan.sharedEmbeddings.size).toBe(0);
    const a = await adjusted.step.gradients(adjusted.batch, SEED);
    const b = await plain.step.gradients(plain.batch, SEED);
    expect(a.stats).toBeNull();
    adjusted.model.embeddings.forEach((e, k) =>
      e.tables.forEach((t, f) =>
        expectClose(
          denseTableGrad(adjusted.model, a, k, f),
          denseTableGrad(plain.model, b, k, f),
          1e-7,
          t.name,
        ),
      ),
    );
  });

  it('measures per-task gradients of shared dense blocks on request without changing the update', async () => {
    const run = await setup(small('mmoe', { adjustment: 'none' }));
    const one = await run.step.gradients(run.batch, SEED);
    const per = await run.step.gradients(run.batch, SEED, { perTaskPasses: true });
    expect(one.stats).toBeNull();
    expect(per.stats).not.toBeNull();
    expect(per.stats![run.plan.core].cosine).toBeCloseTo(1, 5);
    for (const [name, g] of one.dense) expectClose(per.dense.get(name)!, g, 1e-5, name);
  });

  for (const [objective, head] of [
    ['zero-inflated lognormal', { objective: 'ziln' }],
    ['squared error, log1p z-score', { objective: 'mse', transform: 'log1p-zscore' }],
    ['Tweedie (the default)', {}],
  ] as const)
    it(`agrees with finite differences of the loss (dense weights and embedding rows; ${objective})`, async () => {
      // Stop-gradient off: with it on, the gradient deliberately differs from the loss's derivative.
      const project = small('htlnet', { adjustment: 'none', stopGradient: false });
      setParams(project, 'label-embedding', { gumbel: false });
      for (const b of project.graph.blocks)
        if (b.type === 'task-head' && b.params.kind === 'regression')
          b.params = { ...b.params, ...head };
      const run = await setup(project);
      const grads = await run.step.gradients(run.batch, SEED);
      const { model, plan } = run;
      const loss = (): number =>
        tf.tidy(() => {
          const embedded = model.lookup(run.data, run.batch);
          const tensors = embedded.map((e) =>
            tf.tensor2d(e, [run.batch.size, e.length / run.batch.size]),
          );
          const consumers = new Map(plan.consumers.map((c) => [c.edgeId, tensors[c.embedding]]));
          const outs = model.forward(consumers, { training: true, rng: createRng(SEED) });
          let total = 0;
          outs.forEach((o, t) => {
            const y = tf.tensor1d(
              Float32Array.from(run.batch.rows, (r: number) => run.targets[t][r]),
            );
            total += taskLoss(o, y, plan.tasks[t]).dataSync()[0] * plan.tasks[t].lossWeight;
          });
          return total;
        });
      const eps = 1e-2;
      const rng = createRng(5);
      let checked = 0;
      for (const name of model.denseNames) {
        const v = model.dense.get(name)!;
        const values = v.dataSync().slice() as Float32Array;
        const g = grads.dense.get(name)!;
        for (let trial = 0; trial < 2; trial++) {
          const i = rng.int(values.length);
          const orig = values[i];
          values[i] = orig + eps;
          v.assign(tf.tensor(values, v.shape));
          const up = loss();
          values[i] = orig - eps;
          v.assign(tf.tensor(values, v.shape));
          const down = loss();
          values[i] = orig;
          v.assign(tf.tensor(values, v.shape));
          const numeric = (up - down) / (2 * eps);
          expect(
            Math.abs(numeric - g[i]),
            `${name}[${i}]: numeric ${numeric}, analytic ${g[i]}`,
          ).toBeLessThan(2e-3 + 0.02 * Math.abs(numeric));
          checked++;
        }
      }
      // Embedding rows the batch touched.
      const table = model.embeddings[0].tables[0];
      const sparse = grads.tables[0][0];
      for (let i = 0; i < Math.min(3, sparse.count); i++) {
        const o = sparse.rows[i] * table.dim;
        const orig = table.data[o];
        table.data[o] = orig + eps;
        const up = loss();
        table.data[o] = orig - eps;
        const down = loss();
        table.data[o] = orig;
        const numeric = (up - down) / (2 * eps);
        expect(Math.abs(numeric - sparse.grad[i * table.dim])).toBeLessThan(
          2e-3 + 0.02 * Math.abs(numeric),
        );
        checked++;
      }
      expect(checked).toBeGreaterThan(20);
    });
});

describe('stop-gradient', () => {
  /** Gradient of the purchase loss alone on the click tower's weights. */
  async function downstreamGradOnUpstreamTower(stopGradient: boolean) {
    const project = small('htlnet', { adjustment: 'none', stopGradient });
    // Only the purchase task's loss counts.
    for (const b of project.graph.blocks) {
      if (b.type === 'task-head')
        b.params = { ...b.params, lossWeight: b.params.task === 'purchase' ? 1 : 0 };
    }
    const run = await setup(project);
    const grads = await run.step.gradients(run.batch, SEED);
    const tower = run.plan.tasks[0].headId.replace('head-', 'tower-');
    const names = run.model.denseNames.filter((n) => n.startsWith(`${tower}/`));
    expect(names.length).toBeGreaterThan(0);
    let norm = 0;
    for (const n of names) {
      const g = grads.dense.get(n);
      if (g) norm += tf.sum(tf.square(g)).dataSync()[0];
    }
    return Math.sqrt(norm);
  }

  it("keeps a downstream loss's gradient out of the upstream tower", async () => {
    expect(await downstreamGradOnUpstreamTower(true)).toBe(0);
  });

  it('lets it through when switched off (ablation)', async () => {
    expect(await downstreamGradOnUpstreamTower(false)).toBeGreaterThan(0);
  });
});
