// The 'tfjs' gradient engine: the training step's forward and backward passes on tfjs ops and
// tfjs autograd (HtlnetModel.forward), with the per-task losses as tensors (binary cross-entropy,
// MSE, ZILN, Tweedie, the AITM calibrator term). It is the straightforward path, kept for models
// the executor does not compile and as the reference the tests compare the fast engine against;
// step.ts chooses between them and does everything after the raw gradients.

import * as tf from '@tensorflow/tfjs-core';
import type { EncodedDataset } from '../data/types';
import { createRng } from '../../shared/random';
import type { Batch, HtlnetModel, TaskOutput } from '../model/model';
import { bceWithLogits, bceWithProbs } from '../model/ops';
import { LOG_MEAN_LIMIT, SIGMA_MIN, SIGMA_SPAN, calibratorPairs } from '../model/objective';
import type { TaskPlan } from '../model/plan';
import type { GradientEngine, RawGradients, StreamGrads } from './gradients';

/** tfjs ops and autograd: the straightforward path. */
export class TfjsEngine implements GradientEngine {
  readonly name = 'tfjs' as const;
  constructor(
    private readonly model: HtlnetModel,
    private readonly data: EncodedDataset,
    private readonly targets: Float32Array[],
  ) {}

  weightsChanged(dense: Float32Array[]): void {
    this.model.denseNames.forEach((name, i) => {
      const v = this.model.dense.get(name)!;
      const t = tf.tensor(dense[i], v.shape);
      v.assign(t);
      t.dispose();
    });
  }

  gradients(batch: Batch, seed: number, passes: number[][]): RawGradients {
    const { model } = this;
    const { plan } = model;
    const T = plan.tasks.length;
    const embedded = model.lookup(this.data, batch);
    const widths = model.embeddings.map((e) => e.tables.length * e.dim);
    const targets = plan.tasks.map((_, t) => {
      const y = new Float32Array(batch.size);
      const src = this.targets[t];
      for (let b = 0; b < batch.size; b++) y[b] = src[batch.rows[b]];
      return tf.tensor1d(y);
    });
    const consumerTensors = plan.consumers.map((c) =>
      tf.tensor2d(embedded[c.embedding], [batch.size, widths[c.embedding]]),
    );
    const losses = new Array<number>(T).fill(NaN);
    const cw = plan.optimizer.calibrator;
    const calibrator = cw > 0 ? calibratorPairs(plan.tasks.map((t) => t.type)) : [];
    const pass = (tasks: number[]): StreamGrads => {
      const taskSet = new Set(tasks);
      // What the pass differentiates reaches its tasks, and the earlier task of a calibrator
      // pair it carries.
      const reached = new Set(tasks);
      for (const [a, b] of calibrator) if (taskSet.has(b)) reached.add(a);
      const consumerIdx = plan.consumers
        .map((c, i) => (c.tasks.some((t) => reached.has(t)) ? i : -1))
        .filter((i) => i >= 0);
      const paramNames = model.denseNames.filter((name) => {
        const r = plan.reach.get(model.blockOfParam.get(name)!)!;
        return [...reached].some((t) => r.has(t));
      });
      const args: tf.Tensor[] = [
        ...consumerIdx.map((i) => consumerTensors[i]),
        ...paramNames.map((n) => model.dense.get(n)!),
      ];
      const rng = createRng(seed);
      const f = (...xs: tf.Tensor[]): tf.Scalar => {
        const consumers = new Map<string, tf.Tensor2D>();
        plan.consumers.forEach((c, i) => consumers.set(c.edgeId, consumerTensors[i]));
        consumerIdx.forEach((i, j) =>
          consumers.set(plan.consumers[i].edgeId, xs[j] as tf.Tensor2D),
        );
        const params = new Map<string, tf.Tensor>();
        paramNames.forEach((n, j) => params.set(n, xs[consumerIdx.length + j]));
        const outs = model.forward(consumers, { training: true, rng, params });
        const taskLosses = outs.map((o, t) => taskLoss(o, targets[t], plan.tasks[t]));
        const lossValues = tf.stack(taskLosses).dataSync();
        // Every pass computes every task's prediction: record all losses (weight-0 tasks too).
        for (let t = 0; t < T; t++) losses[t] = lossValues[t];
        const terms = tasks.map((t) => tf.mul(taskLosses[t], plan.tasks[t].lossWeight));
        // The calibrator's pairs ride with the pass that holds their later task.
        for (const [a, b] of calibrator) {
          if (taskSet.has(b)) terms.push(calibratorLossTensor(outs[a].prob!, outs[b].prob!, cw));
        }
        return tf.addN(terms) as tf.Scalar;
      };
      const { value, grads } = tf.tidy(() => {
        const r = tf.valueAndGrads(f)(args);
        return { value: r.value, grads: r.grads };
      });
      value.dispose();
      const edges = new Map<number, Float32Array>();
      consumerIdx.forEach((i, j) => edges.set(i, grads[j].dataSync() as Float32Array));
      const dense = new Map<string, Float32Array>();
      paramNames.forEach((n, j) =>
        dense.set(n, grads[consumerIdx.length + j].dataSync() as Float32Array),
      );
      for (const g of grads) g.dispose();
      return { edges, dense };
    };
    const streams = passes.map((tasks) => pass(tasks));
    for (const t of consumerTensors) t.dispose();
    for (const t of targets) t.dispose();
    return { losses, streams };
  }

  dispose(): void {}
}

/** AITM's calibrator term: weight * mean(max(p_b - p_a, 0)) (model/objective.ts). */
export function calibratorLossTensor(pa: tf.Tensor1D, pb: tf.Tensor1D, weight: number): tf.Scalar {
  return tf.mul(tf.mean(tf.relu(tf.sub(pb, pa))), weight) as tf.Scalar;
}

/** A task's mean loss over the batch (see model/objective.ts for the regression objectives). */
export function taskLoss(
  out: TaskOutput,
  y: tf.Tensor1D,
  task: 'binary' | 'regression' | Pick<TaskPlan, 'type' | 'objective' | 'tweediePower'>,
): tf.Scalar {
  const t = typeof task === 'string' ? { type: task, objective: 'mse', tweediePower: 1.5 } : task;
  if (t.type !== 'regression')
    return out.logit ? bceWithLogits(out.logit, y) : bceWithProbs(out.prob!, y);
  if (t.objective === 'ziln') return zilnLossTensor(out.parts!, y);
  if (t.objective === 'tweedie') return tweedieLossTensor(out.value!, y, t.tweediePower);
  return tf.mean(tf.square(tf.sub(out.value!, y))) as tf.Scalar;
}

function zilnLossTensor(z: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar {
  const [q, m, s] = tf.split(z, 3, 1).map((t) => tf.reshape(t, [-1]) as tf.Tensor1D);
  const pos = tf.cast(tf.greater(y, 0), 'float32');
  const sigma = tf.add(tf.mul(tf.sigmoid(s), SIGMA_SPAN), SIGMA_MIN);
  // log y where y > 0; 0 elsewhere (masked out by pos, and never -Infinity).
  const logY = tf.log(tf.add(tf.mul(y, pos), tf.sub(1, pos)));
  const r = tf.sub(logY, m);
  const nll = tf.add(tf.log(sigma), tf.div(tf.square(r), tf.mul(tf.square(sigma), 2)));
  const bce = tf.sub(tf.softplus(q), tf.mul(q, pos));
  return tf.mean(tf.add(bce, tf.mul(pos, nll))) as tf.Scalar;
}

function tweedieLossTensor(v: tf.Tensor1D, y: tf.Tensor1D, p: number): tf.Scalar {
  const c = tf.clipByValue(v, -LOG_MEAN_LIMIT, LOG_MEAN_LIMIT);
  const a = tf.div(tf.mul(y, tf.exp(tf.mul(c, 1 - p))), 1 - p);
  const b = tf.div(tf.exp(tf.mul(c, 2 - p)), 2 - p);
  return tf.mean(tf.sub(b, a)) as tf.Scalar;
}
