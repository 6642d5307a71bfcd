// Optimizers. Dense parameters use tfjs's Adam / SGD on their variables. Embedding tables are
// updated in place, row by row, only where a batch touched them (a lazy, "sparse" Adam like
// TensorFlow's LazyAdam and PyTorch's SparseAdam): rows no sample used keep their moments.

import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerSettings } from '../model/plan';
import type { EmbeddingTable } from '../model/model';

export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-8;

export class DenseOptimizer {
  private readonly optimizer: tf.Optimizer;
  constructor(settings: OptimizerSettings) {
    this.optimizer =
      settings.optimizer === 'sgd'
        ? tf.train.sgd(settings.learningRate)
        : tf.train.adam(settings.learningRate, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON);
  }

  /** Applies gradients keyed by variable (not parameter) name. */
  apply(grads: tf.NamedTensorMap): void {
    this.optimizer.applyGradients(grads);
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

interface Moments {
  m: Float32Array;
  v: Float32Array;
}

export class TableOptimizer {
  private readonly moments = new Map<EmbeddingTable, Moments>();
  private step = 0;
  constructor(private readonly settings: OptimizerSettings) {}

  /** Call once per training step, before the row updates of that step. */
  beginStep(): void {
    this.step++;
  }

  /**
   * Updates rows `rows[i]` of `table` with gradients `grad[i * dim .. (i + 1) * dim)`.
   */
  updateRows(table: EmbeddingTable, rows: Int32Array, count: number, grad: Float32Array): void {
    const { dim, data } = table;
    const lr = this.settings.learningRate;
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
    const c1 = 1 - Math.pow(ADAM_BETA1, this.step);
    const c2 = 1 - Math.pow(ADAM_BETA2, this.step);
    for (let i = 0; i < count; i++) {
      const o = rows[i] * dim;
      const g = i * dim;
      for (let j = 0; j < dim; j++) {
        const gj = grad[g + j];
        const mj = ADAM_BETA1 * m[o + j] + (1 - ADAM_BETA1) * gj;
        const vj = ADAM_BETA2 * v[o + j] + (1 - ADAM_BETA2) * gj * gj;
        m[o + j] = mj;
        v[o + j] = vj;
        data[o + j] -= (lr * (mj / c1)) / (Math.sqrt(vj / c2) + ADAM_EPSILON);
      }
    }
  }
}
