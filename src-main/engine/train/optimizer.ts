// Optimizers. Dense parameters: Adam / SGD on plain arrays (the same steps as tfjs's). Embedding
// tables are updated in place, row by row, only where a batch touched them (a lazy, "sparse"
// Adam like TensorFlow's LazyAdam and PyTorch's SparseAdam): rows no sample used keep their
// moments. Each step's learning rate comes from the caller (TrainStep, by the schedule of
// schedule.ts). Weight decay is decoupled (AdamW, Loshchilov & Hutter): before its update a
// decayed weight is multiplied by 1 - lr x decay, lr being the step's scheduled rate; dense
// weight matrices use weightDecay (biases and other vectors are never decayed), embedding
// tables embeddingWeightDecay, on the rows the update moves (lazy Adam and SGD: the rows the
// batch touched; dense Adam: every row). With no decay the loops are exactly today's.

import type { OptimizerSettings } from '../model/plan';
import type { EmbeddingTable } from '../model/model';

const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-8;

/**
 * Adam (or SGD) over dense parameters held as plain arrays, updated in place. Adam follows
 * tfjs's tf.train.adam step for step: moments in float32, bias corrections from the running
 * products beta^t (kept in float32 like tfjs's accBeta variables).
 */
export class DenseOptimizer {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private accBeta1 = Math.fround(ADAM_BETA1);
  private accBeta2 = Math.fround(ADAM_BETA2);

  constructor(
    private readonly settings: OptimizerSettings,
    sizes: number[],
    /** Per parameter: whether weight decay applies (weight matrices; not biases). */
    private readonly decays: boolean[] = sizes.map(() => false),
  ) {
    const adam = settings.optimizer !== 'sgd';
    this.m = sizes.map((n) => new Float32Array(adam ? n : 0));
    this.v = sizes.map((n) => new Float32Array(adam ? n : 0));
  }

  /**
   * Updates values[i] with grads[i] (null: the parameter got no gradient this step), at the
   * step's learning rate (default: the settings' rate).
   */
  apply(
    values: Float32Array[],
    grads: (Float32Array | null)[],
    lr: number = this.settings.learningRate,
  ): void {
    const wd = this.settings.weightDecay || 0;
    if (wd > 0) {
      const keep = 1 - lr * wd;
      grads.forEach((g, i) => {
        if (g && this.decays[i]) scale(values[i], 0, values[i].length, keep);
      });
    }
    if (this.settings.optimizer === 'sgd') {
      grads.forEach((g, i) => {
        if (!g) return;
        const w = values[i];
        for (let j = 0; j < w.length; j++) w[j] -= lr * g[j];
      });
      return;
    }
    const c1 = Math.fround(1 - this.accBeta1);
    const c2 = Math.fround(1 - this.accBeta2);
    // lr (m / c1) / (sqrt(v / c2) + eps) = a m / (sqrt(v) r + eps)
    const a = lr / c1;
    const r = 1 / Math.sqrt(c2);
    for (let i = 0; i < grads.length; i++) {
      const g = grads[i];
      if (g) adamUpdate(values[i], g, this.m[i], this.v[i], a, r);
    }
    this.accBeta1 = Math.fround(this.accBeta1 * ADAM_BETA1);
    this.accBeta2 = Math.fround(this.accBeta2 * ADAM_BETA2);
  }

  dispose(): void {}
}

/** w[from..to) *= keep: the decoupled weight decay of one step. */
function scale(w: Float32Array, from: number, to: number, keep: number): void {
  for (let j = from; j < to; j++) w[j] *= keep;
}

function adamUpdate(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  a: number,
  r: number,
): void {
  const b1 = ADAM_BETA1;
  const b2 = ADAM_BETA2;
  const c1 = 1 - ADAM_BETA1;
  const c2 = 1 - ADAM_BETA2;
  for (let j = 0; j < w.length; j++) {
    const gj = g[j];
    const mj = b1 * m[j] + c1 * gj;
    const vj = b2 * v[j] + c2 * gj * gj;
    m[j] = mj;
    v[j] = vj;
    w[j] -= (a * mj) / (Math.sqrt(vj) * r + ADAM_EPSILON);
  }
}

interface Moments {
  m: Float32Array;
  v: Float32Array;
}

export class TableOptimizer {
  private readonly moments = new Map<EmbeddingTable, Moments>();
  private step = 0;
  private lr: number;
  constructor(private readonly settings: OptimizerSettings) {
    this.lr = settings.learningRate;
  }

  /**
   * Call once per training step, before the row updates of that step, with the step's learning
   * rate (default: the settings' rate).
   */
  beginStep(lr: number = this.settings.learningRate): void {
    this.step++;
    this.lr = lr;
  }

  /** The multiplier of the step's embedding weight decay (1: none). */
  private get keep(): number {
    return 1 - this.lr * (this.settings.embeddingWeightDecay || 0);
  }

  /**
   * Updates rows `rows[i]` of `table` with gradients `grad[i * dim .. (i + 1) * dim)`.
   */
  updateRows(table: EmbeddingTable, rows: Int32Array, count: number, grad: Float32Array): void {
    const { dim, data } = table;
    const lr = this.lr;
    const keep = this.keep;
    if (keep !== 1 && (this.settings.optimizer === 'sgd' || this.settings.tableAdam !== 'dense'))
      for (let i = 0; i < count; i++) scale(data, rows[i] * dim, (rows[i] + 1) * dim, keep);
    if (this.settings.optimizer === 'sgd') {
      for (let i = 0; i < count; i++) {
        const o = rows[i] * dim;
        const g = i * dim;
        for (let j = 0; j < dim; j++) data[o + j] -= lr * grad[g + j];
      }
      return;
    }
    let mom = this.moments.get(table);
    if (!mom) {
      mom = { m: new Float32Array(data.length), v: new Float32Array(data.length) };
      this.moments.set(table, mom);
    }
    const { m, v } = mom;
    if (this.settings.tableAdam === 'dense') {
      this.updateDense(table, mom, rows, count, grad);
      return;
    }
    const c1 = 1 - Math.pow(ADAM_BETA1, this.step);
    const c2 = 1 - Math.pow(ADAM_BETA2, this.step);
    // lr (m / c1) / (sqrt(v / c2) + eps) = a m / (sqrt(v) r + eps)
    const a = lr / c1;
    const r = 1 / Math.sqrt(c2);
    const b1 = ADAM_BETA1;
    const b2 = ADAM_BETA2;
    const d1 = 1 - ADAM_BETA1;
    const d2 = 1 - ADAM_BETA2;
    for (let i = 0; i < count; i++) {
      const o = rows[i] * dim;
      const g = i * dim;
      for (let j = 0; j < dim; j++) {
        const gj = grad[g + j];
        const mj = b1 * m[o + j] + d1 * gj;
        const vj = b2 * v[o + j] + d2 * gj * gj;
        m[o + j] = mj;
        v[o + j] = vj;
        data[o + j] -= (a * mj) / (Math.sqrt(vj) * r + ADAM_EPSILON);
      }
    }
  }

  private readonly full = new Map<EmbeddingTable, Float32Array>();

  /** Dense Adam: the gradient is 0 on rows the batch did not touch; every row is updated. */
  private updateDense(
    table: EmbeddingTable,
    mom: Moments,
    rows: Int32Array,
    count: number,
    grad: Float32Array,
  ): void {
    const { dim, data } = table;
    let g = this.full.get(table);
    if (!g) {
      g = new Float32Array(data.length);
      this.full.set(table, g);
    }
    for (let i = 0; i < count; i++) g.set(grad.subarray(i * dim, (i + 1) * dim), rows[i] * dim);
    const c1 = 1 - Math.pow(ADAM_BETA1, this.step);
    const c2 = 1 - Math.pow(ADAM_BETA2, this.step);
    const keep = this.keep;
    if (keep !== 1) scale(data, 0, data.length, keep);
    adamUpdate(data, g, mom.m, mom.v, this.lr / c1, 1 / Math.sqrt(c2));
    for (let i = 0; i < count; i++) g.fill(0, rows[i] * dim, (rows[i] + 1) * dim);
  }
}
