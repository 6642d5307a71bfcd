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
//
// Gradient engines. The forward and backward passes run on one of:
//  - 'fast' (the default): the compiled program on the executor (model/executor.ts), straight
//    on the wasm heap, on this thread or data-parallel over worker threads (parallel.ts);
//  - 'tfjs' (tfjs-engine.ts): tfjs ops and autograd (HtlnetModel.forward), the plain path, kept
//    for models the executor does not compile and as the reference the tests compare against.
// Both give the same raw gradients; everything after (accumulation, adjustment, optimizer) is
// shared. Dense weights are kept here as plain arrays and updated by a JS Adam; the model's
// tfjs variables are brought up to date by syncModel(). The step counts the updates it applied:
// that global step gives each update its learning rate (schedule.ts) on either engine.

import * as tf from '@tensorflow/tfjs-core';
import type { EncodedDataset } from '../data/types';
import type { Batch, HtlnetModel } from '../model/model';
import { fastSetup } from '../predict/fast';
import { ExecutorEngine } from './parallel';
import type { GradientEngine, StreamGrads } from './gradients';
import { TfjsEngine } from './tfjs-engine';
import { adjustmentCoefficients, type TaskGradientStats } from './adjust';
import { DenseOptimizer, TableOptimizer } from './optimizer';
import { learningRateAt, type ScheduleLength } from './schedule';

export { calibratorLossTensor, taskLoss } from './tfjs-engine';

export interface StepGradients {
  /** Loss of each task on the batch (unweighted; on the transformed scale for regression). */
  losses: number[];
  /** Per task: its shared-gradient norm and cosine with the core task's (null when not captured). */
  stats: TaskGradientStats[] | null;
  /** Final (adjusted) gradient of every trained dense parameter, by parameter name. */
  dense: Map<string, Float32Array>;
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

export class TrainStep {
  private readonly denseOptimizer: DenseOptimizer;
  private readonly tableOptimizer: TableOptimizer;
  /** Per table: row -> slot in this step's accumulator (-1 when untouched). Reset after use. */
  private readonly slots: Int32Array[][];
  /** The dense weights being trained (model.denseNames order). */
  readonly denseValues: Float32Array[];
  private readonly engine: GradientEngine;
  private modelStale = false;
  /** The run's planned length, for the learning-rate schedule. */
  private readonly schedule: ScheduleLength;
  /** Updates applied so far: the global step of the next update. */
  private updates = 0;

  constructor(
    private readonly model: HtlnetModel,
    private readonly data: EncodedDataset,
    /** Per task: the training target for every dataset row (0/1, or the transformed value). */
    private readonly targets: Float32Array[],
    options: {
      engine?: GradientEngine | 'fast' | 'tfjs';
      /** The dense weights to train (model.denseNames order); read from the model by default. */
      dense?: Float32Array[];
      /**
       * The run's planned epochs and batches per epoch, for the learning-rate schedule (default:
       * the optimizer block's epochs, one batch each; only a warm-up or decay reads it).
       */
      schedule?: ScheduleLength;
    } = {},
  ) {
    const settings = model.plan.optimizer;
    const shapes = model.denseNames.map((n) => model.dense.get(n)!.shape);
    this.denseOptimizer = new DenseOptimizer(
      settings,
      model.denseNames.map((n) => model.dense.get(n)!.size),
      // Weight decay applies to weight matrices, never to biases (one-dimensional).
      shapes.map((shape) => shape.length >= 2),
    );
    this.schedule = options.schedule ?? { epochs: settings.epochs, stepsPerEpoch: 1 };
    this.tableOptimizer = new TableOptimizer(settings);
    this.slots = model.embeddings.map((e) => e.tables.map((t) => new Int32Array(t.rows).fill(-1)));
    this.denseValues = options.dense ?? readDense(model, false);
    const choice = options.engine;
    if (choice && typeof choice === 'object') this.engine = choice;
    else this.engine = createEngine(model, data, targets, this.denseValues, choice ?? 'fast');
  }

  /**
   * The default training step: the executor, data-parallel over `threads` threads when the
   * batch is large enough to gain from it (else on this thread), or tfjs when the model does not
   * compile to the executor.
   */
  static async create(
    model: HtlnetModel,
    data: EncodedDataset,
    targets: Float32Array[],
    options: {
      threads?: number;
      batchSize?: number;
      engine?: 'fast' | 'tfjs';
      schedule?: ScheduleLength;
    } = {},
  ): Promise<TrainStep> {
    const threads = options.threads ?? 1;
    const batchSize = options.batchSize ?? model.plan.optimizer.batchSize;
    if (options.engine !== 'tfjs' && threads > 1 && batchSize >= 2 * threads) {
      const fast = fastSetup(model);
      if (fast) {
        const dense = readDense(model, true);
        const engine = await ExecutorEngine.parallel(
          model,
          data,
          targets,
          dense,
          fast.program,
          fast.kernels,
          { threads, batchSize },
        );
        if (engine)
          return new TrainStep(model, data, targets, {
            engine,
            dense,
            schedule: options.schedule,
          });
      }
    }
    return new TrainStep(model, data, targets, {
      engine: options.engine ?? 'fast',
      schedule: options.schedule,
    });
  }

  /** Which engine computes the gradients. */
  get engineName(): 'fast' | 'tfjs' {
    return this.engine.name;
  }

  /**
   * Predictions with the weights being trained, on the step's threads (validation during
   * training), or null when the engine has none (tfjs).
   */
  get predict(): ((rows: Int32Array, out: Float32Array[]) => Promise<void>) | null {
    const e = this.engine as GradientEngine & {
      predictor?: { predict(rows: Int32Array, out: Float32Array[]): Promise<void> };
    };
    return e.predictor ? (rows, out) => e.predictor!.predict(rows, out) : null;
  }

  /** Threads computing each step. */
  get threads(): number {
    return this.engine.threads ?? 1;
  }

  /** Computes gradients and applies one update. Returns the losses and gradient statistics. */
  async run(
    batch: Batch,
    seed: number,
    options: StepOptions = {},
  ): Promise<{ losses: number[]; stats: TaskGradientStats[] | null }> {
    const grads = await this.gradients(batch, seed, options);
    const finite = grads.losses.every((l) => Number.isFinite(l));
    if (finite) this.apply(grads);
    return { losses: grads.losses, stats: grads.stats };
  }

  /** The learning rate the next update uses (the schedule at the current global step). */
  get learningRate(): number {
    return learningRateAt(this.model.plan.optimizer, this.updates, this.schedule);
  }

  apply(grads: StepGradients): void {
    const names = this.model.denseNames;
    const list = names.map((n) => grads.dense.get(n) ?? null);
    const lr = this.learningRate;
    this.updates++;
    this.denseOptimizer.apply(this.denseValues, list, lr);
    this.tableOptimizer.beginStep(lr);
    this.model.embeddings.forEach((emb, k) =>
      emb.tables.forEach((table, f) => {
        const g = grads.tables[k][f];
        this.tableOptimizer.updateRows(table, g.rows, g.count, g.grad);
      }),
    );
    this.modelStale = true;
    this.engine.weightsChanged?.(this.denseValues);
  }

  /** Writes the trained dense weights into the model's variables (tables are shared already). */
  syncModel(): void {
    if (!this.modelStale) return;
    this.modelStale = false;
    this.model.denseNames.forEach((name, i) => {
      const v = this.model.dense.get(name)!;
      const t = tf.tensor(this.denseValues[i], v.shape);
      v.assign(t);
      t.dispose();
    });
  }

  /** The step's gradients, adjusted, without applying them. */
  async gradients(batch: Batch, seed: number, options: StepOptions = {}): Promise<StepGradients> {
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
    const active = plan.tasks.map((_, t) => t).filter((t) => weighted[t]);
    const passes = perTaskPasses ? active.map((t) => [t]) : [active];
    const raw = await this.engine.gradients(batch, seed, passes, this.denseValues);

    const streams: StreamGrads[] = [];
    if (perTaskPasses) {
      let next = 0;
      for (let t = 0; t < T; t++) {
        streams.push(weighted[t] ? raw.streams[next++] : { edges: new Map(), dense: new Map() });
      }
    } else if (perTaskStreams) {
      // One pass: each edge is reached by one task only, so its gradient is that task's.
      const total = raw.streams[0];
      for (let t = 0; t < T; t++) {
        const edges = new Map<number, Float32Array>();
        for (const [i, g] of total.edges) if (plan.consumers[i].tasks[0] === t) edges.set(i, g);
        // Dense gradients are of the summed loss; none is shared by all tasks here.
        streams.push({ edges, dense: t === 0 ? total.dense : new Map() });
      }
    } else {
      streams.push(raw.streams[0]);
    }
    return this.combine(batch, raw.losses, streams);
  }

  /** Accumulation over touched rows, the adjustment, and the combination of the streams. */
  private combine(batch: Batch, losses: number[], streams: StreamGrads[]): StepGradients {
    const { model } = this;
    const { plan } = model;
    const settings = plan.optimizer;
    const T = plan.tasks.length;
    const weighted = plan.tasks.map((t) => t.lossWeight > 0);
    const adjusting = settings.adjustment !== 'none' && weighted.filter(Boolean).length >= 2;
    const widths = model.embeddings.map((e) => e.tables.length * e.dim);

    // Accumulate table gradients over touched rows, per stream.
    const S = streams.length;
    const accs = model.embeddings.map((_, k) =>
      this.accumulate(
        k,
        batch,
        // Per stream: the edges of this embedding it holds.
        streams.map((st) =>
          [...st.edges].filter(([i]) => plan.consumers[i].embedding === k).map(([, g]) => g),
        ),
        widths[k],
        S,
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
      for (let t = 0; t < T; t++) {
        for (const n of sharedNames) {
          const gt = streams[t].dense.get(n);
          const gc = streams[core].dense.get(n);
          if (!gt) continue;
          let dot = 0;
          let nn = 0;
          for (let j = 0; j < gt.length; j++) {
            nn += gt[j] * gt[j];
            if (gc) dot += gt[j] * gc[j];
          }
          dots[t] += dot;
          norms2[t] += nn;
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
    const dense = new Map<string, Float32Array>();
    const shared = new Set(sharedNames);
    for (const name of model.denseNames) {
      let out: Float32Array | null = null;
      streams.forEach((s, i) => {
        const g = s.dense.get(name);
        if (!g) return;
        const c = shared.has(name) ? coef[i] : 1;
        if (!out) {
          out = new Float32Array(g.length);
          if (c === 1) out.set(g);
          else for (let j = 0; j < g.length; j++) out[j] = c * g[j];
        } else {
          const o: Float32Array = out;
          if (c === 1) for (let j = 0; j < g.length; j++) o[j] += g[j];
          else for (let j = 0; j < g.length; j++) o[j] += c * g[j];
        }
      });
      if (out) dense.set(name, out);
    }
    return { losses, stats, dense, tables };
  }

  /**
   * Sums, per stream, the edge gradients of embedding k's tables over the rows the batch
   * touched: per table, acc[(slot * S + s) * dim + j]. `edgeLists[s]` are stream s's edges of
   * embedding k. One pass over each edge gradient, row by row.
   */
  private accumulate(
    k: number,
    batch: Batch,
    edgeLists: Float32Array[][],
    width: number,
    S: number,
  ): { rows: Int32Array; count: number; acc: Float32Array; dim: number }[] {
    const emb = this.model.embeddings[k];
    const dim = emb.dim;
    const B = batch.size;
    const F = emb.tables.length;
    const fields = emb.tables.map((_, f) => this.data.fields[emb.datasetField[f]]);
    if (this.slotOfBatch.length < F * B) this.slotOfBatch = new Int32Array(F * B);
    const slotOfBatch = this.slotOfBatch;
    // Each field's slots, then one flat accumulator for the embedding (reused between steps).
    const rowsOf: Int32Array[] = [];
    const counts = new Int32Array(F);
    const bases = new Int32Array(F);
    let total = 0;
    emb.tables.forEach((table, f) => {
      const field = fields[f];
      bases[f] = total;
      if (field.kind === 'linear') {
        // row 0: weight (gradient sum_b x_b g_b), row 1: bias (sum_b g_b)
        rowsOf.push(Int32Array.of(0, 1));
        counts[f] = 2;
        total += 2 * S * dim;
        return;
      }
      const slotOf = this.slots[k][f];
      const ids = field.ids;
      const rows = new Int32Array(Math.min(B, table.rows));
      let count = 0;
      for (let b = 0; b < B; b++) {
        const id = ids[batch.rows[b]];
        let slot = slotOf[id];
        if (slot < 0) {
          slot = count++;
          slotOf[id] = slot;
          rows[slot] = id;
        }
        slotOfBatch[f * B + b] = slot;
      }
      for (let i = 0; i < count; i++) slotOf[rows[i]] = -1;
      rowsOf.push(rows);
      counts[f] = count;
      total += count * S * dim;
    });
    let acc = this.flats[k];
    if (!acc || acc.length < total) {
      acc = new Float32Array(Math.max(total, (acc?.length ?? 0) * 2));
      this.flats[k] = acc;
    }
    acc.fill(0, 0, total);
    edgeLists.forEach((list, s) => {
      for (const g of list) {
        fields.forEach((field, f) => {
          if (field.kind !== 'linear') return;
          const o0 = bases[f] + s * dim;
          const o1 = bases[f] + (S + s) * dim;
          for (let b = 0; b < B; b++) {
            const x = field.values[batch.rows[b]];
            const p = b * width + f * dim;
            for (let j = 0; j < dim; j++) {
              acc[o0 + j] += x * g[p + j];
              acc[o1 + j] += g[p + j];
            }
          }
        });
        const stride = S * dim;
        const sd = s * dim;
        for (let b = 0; b < B; b++) {
          let p = b * width;
          for (let f = 0; f < F; f++, p += dim) {
            if (fields[f].kind === 'linear') continue;
            const o = bases[f] + slotOfBatch[f * B + b] * stride + sd;
            if (dim === 16) {
              acc[o] += g[p];
              acc[o + 1] += g[p + 1];
              acc[o + 2] += g[p + 2];
              acc[o + 3] += g[p + 3];
              acc[o + 4] += g[p + 4];
              acc[o + 5] += g[p + 5];
              acc[o + 6] += g[p + 6];
              acc[o + 7] += g[p + 7];
              acc[o + 8] += g[p + 8];
              acc[o + 9] += g[p + 9];
              acc[o + 10] += g[p + 10];
              acc[o + 11] += g[p + 11];
              acc[o + 12] += g[p + 12];
              acc[o + 13] += g[p + 13];
              acc[o + 14] += g[p + 14];
              acc[o + 15] += g[p + 15];
            } else {
              for (let j = 0; j < dim; j++) acc[o + j] += g[p + j];
            }
          }
        }
      }
    });
    return emb.tables.map((_, f) => ({
      rows: rowsOf[f],
      count: counts[f],
      acc: acc.subarray(bases[f], bases[f] + counts[f] * S * dim),
      dim,
    }));
  }

  /** Per embedding: its accumulators (valid until the next step). */
  private readonly flats: Float32Array[] = [];
  private slotOfBatch = new Int32Array(0);

  dispose(): void {
    this.engine.dispose();
  }
}

/** The engine for a model: the executor when it compiles on the wasm backend, else tfjs. */
function createEngine(
  model: HtlnetModel,
  data: EncodedDataset,
  targets: Float32Array[],
  dense: Float32Array[],
  choice: 'fast' | 'tfjs',
): GradientEngine {
  if (choice === 'fast') {
    const fast = fastSetup(model);
    if (fast) {
      return ExecutorEngine.single(
        model,
        data,
        targets,
        dense,
        fast.program,
        fast.kernels,
        model.plan.optimizer.batchSize,
      );
    }
  }
  return new TfjsEngine(model, data, targets);
}

/** The model's dense weights as plain arrays (in shared memory for worker threads). */
function readDense(model: HtlnetModel, shared: boolean): Float32Array[] {
  return model.denseNames.map((n) => {
    const values = model.dense.get(n)!.dataSync() as Float32Array;
    const out = shared
      ? new Float32Array(new SharedArrayBuffer(values.byteLength))
      : new Float32Array(values.length);
    out.set(values);
    return out;
  });
}
