// One training step: forward, per-task gradient capture, the gradient adjustment on the shared
// parameters, and the optimizer updates.
//
// Gradient capture. Every edge leaving a shared embedding carries its own copy of the
// embedding output, so the gradient arriving at each edge can be read separately. When each
// such edge is reached by one task's loss only (HTLNet with stop-gradient: the towers are
// per task, and what crosses between tasks is cut) and no dense block is shared by all tasks,
// ONE backward pass of the summed loss yields every task's gradient on the shared embedding.
// Otherwise (shared-bottom, MMoE, PLE, stop-gradient off) the adjustment needs one backward
// pass per task. Table gradients are then accumulated over the rows the batch touched only,
// combined with the adjustment's coefficients, and applied with a lazy Adam.

import * as tf from '@tensorflow/tfjs-core';
import type { EncodedDataset } from '../data/types';
import { createRng } from '../data/random';
import type { Batch, HtlnetModel, TaskOutput } from '../model/model';
import { bceWithLogits, bceWithProbs } from '../model/ops';
import { adjustmentCoefficients, type TaskGradientStats } from './adjust';
import { DenseOptimizer, TableOptimizer } from './optimizer';

export interface StepGradients {
  /** Loss of each task on the batch (unweighted; on the transformed scale for regression). */
  losses: number[];
  /** Per task: its shared-gradient norm and cosine with the core task's (null when not captured). */
  stats: TaskGradientStats[] | null;
  /** Final (adjusted) gradient of every trained dense parameter, by parameter name. */
  dense: Map<string, tf.Tensor>;
  /** Final gradient of each embedding table over the rows the batch touched. */
  tables: { rows: Int32Array; count: number; grad: Float32Array }[][];
}

export interface StepOptions {
  /**
   * One backward pass per task even when one pass would do: for checks, and for the gradient
   * diagnostics of graphs whose tasks share dense blocks (the update is the same either way).
   */
  perTaskPasses?: boolean;
}

/** Gradient of one differentiated stream (a task's loss, or the summed loss). */
interface PassGrads {
  /** Per consumer edge index: d(loss)/d(edge input), [batch * width]. */
  edges: Map<number, Float32Array>;
  dense: Map<string, tf.Tensor>;
}

interface StreamGrads {
  /** Per embedding: d(loss)/d(embedding output), [batch * width], or null when unreached. */
  embedding: (Float32Array | null)[];
  dense: Map<string, tf.Tensor>;
}

export class TrainStep {
  private readonly denseOptimizer: DenseOptimizer;
  private readonly tableOptimizer: TableOptimizer;
  /** Per table: row -> slot in this step's accumulator (-1 when untouched). Reset after use. */
  private readonly slots: Int32Array[][];

  constructor(
    private readonly model: HtlnetModel,
    private readonly data: EncodedDataset,
    /** Per task: the training target for every dataset row (0/1, or the transformed value). */
    private readonly targets: Float32Array[],
  ) {
    const settings = model.plan.optimizer;
    this.denseOptimizer = new DenseOptimizer(settings);
    this.tableOptimizer = new TableOptimizer(settings);
    this.slots = model.embeddings.map((e) => e.tables.map((t) => new Int32Array(t.rows).fill(-1)));
  }

  /** Computes gradients and applies one update. Returns the losses and gradient statistics. */
  run(
    batch: Batch,
    seed: number,
    options: StepOptions = {},
  ): { losses: number[]; stats: TaskGradientStats[] | null } {
    const grads = this.gradients(batch, seed, options);
    const finite = grads.losses.every((l) => Number.isFinite(l));
    if (finite) this.apply(grads);
    for (const g of grads.dense.values()) g.dispose();
    return { losses: grads.losses, stats: grads.stats };
  }

  apply(grads: StepGradients): void {
    const named: tf.NamedTensorMap = {};
    for (const [name, g] of grads.dense) named[this.model.dense.get(name)!.name] = g;
    if (Object.keys(named).length > 0) this.denseOptimizer.apply(named);
    this.tableOptimizer.beginStep();
    this.model.embeddings.forEach((emb, k) =>
      emb.tables.forEach((table, f) => {
        const g = grads.tables[k][f];
        this.tableOptimizer.updateRows(table, g.rows, g.count, g.grad);
      }),
    );
  }

  /** The step's gradients, adjusted, without applying them. */
  gradients(batch: Batch, seed: number, options: StepOptions = {}): StepGradients {
    const { model } = this;
    const { plan } = model;
    const settings = plan.optimizer;
    const T = plan.tasks.length;
    const weighted = plan.tasks.map((t) => t.lossWeight > 0);
    const adjusting = settings.adjustment !== 'none' && weighted.filter(Boolean).length >= 2;
    // One pass per task: needed to adjust when one pass cannot tell the tasks apart, or asked
    // for (checks, and gradient diagnostics of graphs that share dense blocks).
    const perTaskPasses =
      weighted.filter(Boolean).length >= 2 &&
      (options.perTaskPasses || (adjusting && !plan.singlePassCapture));
    // Streams: per task when we can tell the tasks' gradients apart, else the summed loss.
    const perTaskStreams = perTaskPasses || (plan.singlePassCapture && T >= 2);

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
    const streams: StreamGrads[] = [];
    const pass = (tasks: number[]): PassGrads => {
      const taskSet = new Set(tasks);
      const consumerIdx = plan.consumers
        .map((c, i) => (c.tasks.some((t) => taskSet.has(t)) ? i : -1))
        .filter((i) => i >= 0);
      const paramNames = model.denseNames.filter((name) => {
        const r = plan.reach.get(model.blockOfParam.get(name)!)!;
        return tasks.some((t) => r.has(t));
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
        const taskLosses = outs.map((o, t) => taskLoss(o, targets[t], plan.tasks[t].type));
        const lossValues = tf.stack(taskLosses).dataSync();
        // Every pass computes every task's prediction: record all losses (weight-0 tasks too).
        for (let t = 0; t < T; t++) losses[t] = lossValues[t];
        return tf.addN(
          tasks.map((t) => tf.mul(taskLosses[t], plan.tasks[t].lossWeight)),
        ) as tf.Scalar;
      };
      const { value, grads } = tf.valueAndGrads(f)(args);
      value.dispose();
      const edges = new Map<number, Float32Array>();
      consumerIdx.forEach((i, j) => {
        edges.set(i, grads[j].dataSync() as Float32Array);
        grads[j].dispose();
      });
      const dense = new Map<string, tf.Tensor>();
      paramNames.forEach((n, j) => dense.set(n, grads[consumerIdx.length + j]));
      return { edges, dense };
    };
    /** Sums the gradients of the edges `which` accepts, per embedding. */
    const embeddingGrads = (edges: Map<number, Float32Array>, which: (i: number) => boolean) => {
      const out: (Float32Array | null)[] = model.embeddings.map(() => null);
      for (const [i, g] of edges) {
        if (!which(i)) continue;
        const k = plan.consumers[i].embedding;
        const acc = out[k];
        if (acc) for (let x = 0; x < acc.length; x++) acc[x] += g[x];
        else out[k] = g.slice();
      }
      return out;
    };

    const active = plan.tasks.map((_, t) => t).filter((t) => weighted[t]);
    if (perTaskPasses) {
      for (let t = 0; t < T; t++) {
        if (!weighted[t]) {
          streams.push({ embedding: model.embeddings.map(() => null), dense: new Map() });
          continue;
        }
        const r = pass([t]);
        streams.push({ embedding: embeddingGrads(r.edges, () => true), dense: r.dense });
      }
    } else {
      const total = pass(active);
      if (perTaskStreams) {
        // One pass: each edge is reached by one task only, so its gradient is that task's.
        for (let t = 0; t < T; t++) {
          streams.push({
            embedding: embeddingGrads(total.edges, (i) => plan.consumers[i].tasks[0] === t),
            // Dense gradients are of the summed loss; none is shared by all tasks here.
            dense: t === 0 ? total.dense : new Map(),
          });
        }
      } else {
        streams.push({ embedding: embeddingGrads(total.edges, () => true), dense: total.dense });
      }
    }

    // Accumulate table gradients over touched rows, per stream.
    const S = streams.length;
    const accs = model.embeddings.map((emb, k) =>
      emb.tables.map((table, f) =>
        this.accumulate(
          k,
          f,
          batch,
          streams.map((s) => s.embedding[k]),
          widths[k],
          S,
        ),
      ),
    );

    // Shared dense parameters (per-task passes only): dots with the core gradient and norms.
    const sharedNames =
      S === T && S >= 2
        ? model.denseNames.filter((n) => plan.sharedDense.has(model.blockOfParam.get(n)!))
        : [];
    const core = plan.core;
    let stats: TaskGradientStats[] | null = null;
    let coef: Float64Array = new Float64Array(S).fill(1);
    // Tables of embeddings that not every task reaches are summed, never adjusted.
    const plain = Float64Array.from({ length: S }, (_, s) => (S === T && !weighted[s] ? 0 : 1));
    const hasShared = plan.sharedEmbeddings.size > 0 || sharedNames.length > 0;
    if (S === T && T >= 2 && hasShared) {
      const dots = new Float64Array(T);
      const norms2 = new Float64Array(T);
      for (const [k, fields] of accs.entries()) {
        if (!plan.sharedEmbeddings.has(k)) continue;
        for (const a of fields) {
          const { acc, count } = a;
          const d = a.dim;
          for (let slot = 0; slot < count; slot++) {
            const base = slot * S * d;
            const c = base + core * d;
            for (let s = 0; s < S; s++) {
              const o = base + s * d;
              let dot = 0;
              let nn = 0;
              for (let j = 0; j < d; j++) {
                dot += acc[o + j] * acc[c + j];
                nn += acc[o + j] * acc[o + j];
              }
              dots[s] += dot;
              norms2[s] += nn;
            }
          }
        }
      }
      if (sharedNames.length > 0) {
        const extra = tf.tidy(() => {
          const rows: tf.Tensor[] = [];
          for (let t = 0; t < T; t++) {
            for (const n of sharedNames) {
              const gt = streams[t].dense.get(n);
              const gc = streams[core].dense.get(n);
              rows.push(gt && gc ? tf.sum(tf.mul(gt, gc)) : tf.scalar(0));
              rows.push(gt ? tf.sum(tf.square(gt)) : tf.scalar(0));
            }
          }
          return tf.stack(rows);
        });
        const v = extra.dataSync();
        extra.dispose();
        let i = 0;
        for (let t = 0; t < T; t++) {
          for (let j = 0; j < sharedNames.length; j++) {
            dots[t] += v[i++];
            norms2[t] += v[i++];
          }
        }
      }
      const adjustment = adjustmentCoefficients(
        dots,
        norms2,
        core,
        {
          mode: settings.adjustment,
          alpha: settings.alpha,
          gamma: settings.gamma,
          clip: settings.clip,
        },
        weighted,
      );
      stats = adjustment.stats;
      coef = adjusting ? adjustment.coef : plain;
    } else {
      coef = plain;
    }

    // Combine table gradients: grad = sum_s coef_s acc_s.
    const tables = accs.map((fields, k) =>
      fields.map(({ acc, rows, count, dim }) => {
        const grad = new Float32Array(count * dim);
        const weights = plan.sharedEmbeddings.has(k) ? coef : plain;
        for (let slot = 0; slot < count; slot++) {
          for (let s = 0; s < S; s++) {
            const c = weights[s];
            if (c === 0) continue;
            const o = (slot * S + s) * dim;
            const g = slot * dim;
            for (let j = 0; j < dim; j++) grad[g + j] += c * acc[o + j];
          }
        }
        return { rows, count, grad };
      }),
    );

    // Combine dense gradients: shared ones with the coefficients, the rest summed.
    const dense = new Map<string, tf.Tensor>();
    const shared = new Set(sharedNames);
    for (const name of model.denseNames) {
      const parts: tf.Tensor[] = [];
      const scales: number[] = [];
      streams.forEach((s, i) => {
        const g = s.dense.get(name);
        if (!g) return;
        parts.push(g);
        scales.push(shared.has(name) ? coef[i] : 1);
      });
      if (parts.length === 0) continue;
      if (parts.length === 1 && scales[0] === 1) {
        dense.set(name, tf.clone(parts[0]));
      } else {
        dense.set(
          name,
          tf.tidy(() => tf.addN(parts.map((p, i) => (scales[i] === 1 ? p : tf.mul(p, scales[i]))))),
        );
      }
    }
    for (const s of streams) for (const g of s.dense.values()) g.dispose();
    for (const t of consumerTensors) t.dispose();
    for (const t of targets) t.dispose();
    return { losses, stats, dense, tables };
  }

  private accumulate(
    k: number,
    f: number,
    batch: Batch,
    streams: (Float32Array | null)[],
    width: number,
    S: number,
  ): { rows: Int32Array; count: number; acc: Float32Array; dim: number } {
    const emb = this.model.embeddings[k];
    const table = emb.tables[f];
    const dim = emb.dim;
    const field = this.data.fields[emb.datasetField[f]];
    const offset = f * dim;
    if (field.kind === 'linear') {
      // row 0: weight (gradient sum_b x_b g_b), row 1: bias (sum_b g_b)
      const acc = new Float32Array(2 * S * dim);
      streams.forEach((g, s) => {
        if (!g) return;
        for (let b = 0; b < batch.size; b++) {
          const x = field.values[batch.rows[b]];
          const p = b * width + offset;
          for (let j = 0; j < dim; j++) {
            acc[s * dim + j] += x * g[p + j];
            acc[(S + s) * dim + j] += g[p + j];
          }
        }
      });
      return { rows: Int32Array.of(0, 1), count: 2, acc, dim };
    }
    const slotOf = this.slots[k][f];
    const ids = field.ids;
    const rows = new Int32Array(Math.min(batch.size, table.rows));
    let count = 0;
    const slotOfBatch = new Int32Array(batch.size);
    for (let b = 0; b < batch.size; b++) {
      const id = ids[batch.rows[b]];
      let slot = slotOf[id];
      if (slot < 0) {
        slot = count++;
        slotOf[id] = slot;
        rows[slot] = id;
      }
      slotOfBatch[b] = slot;
    }
    const acc = new Float32Array(count * S * dim);
    streams.forEach((g, s) => {
      if (!g) return;
      for (let b = 0; b < batch.size; b++) {
        const o = (slotOfBatch[b] * S + s) * dim;
        const p = b * width + offset;
        for (let j = 0; j < dim; j++) acc[o + j] += g[p + j];
      }
    });
    for (let i = 0; i < count; i++) slotOf[rows[i]] = -1;
    return { rows, count, acc, dim };
  }

  dispose(): void {
    this.denseOptimizer.dispose();
  }
}

export function taskLoss(
  out: TaskOutput,
  y: tf.Tensor1D,
  type: 'binary' | 'regression',
): tf.Scalar {
  if (type === 'regression') return tf.mean(tf.square(tf.sub(out.value!, y))) as tf.Scalar;
  return out.logit ? bceWithLogits(out.logit, y) : bceWithProbs(out.prob!, y);
}
