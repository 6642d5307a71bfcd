// Small tensor building blocks shared by the forward pass and its tests.

import * as tf from '@tensorflow/tfjs-core';

/**
 * Identity forward, zero gradient backward. tfjs has no stopGradient op, so it is built from
 * customGrad, as HTLNET.md prescribes.
 */
export const stopGradient: (x: tf.Tensor) => tf.Tensor = tf.customGrad<tf.Tensor>(((
  x: tf.Tensor,
) => ({
  value: x.clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]);

export function activate(x: tf.Tensor2D, activation: string): tf.Tensor2D {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'gelu': {
      // tanh approximation of GELU
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
      return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
    }
    case 'linear':
      return x;
    default:
      throw new Error(`Unknown activation "${activation}"`);
  }
}

/** Numerically stable mean binary cross-entropy from logits. */
export function bceWithLogits(logits: tf.Tensor1D, labels: tf.Tensor1D): tf.Scalar {
  // max(z, 0) - z * y + log(1 + exp(-|z|))
  const z = logits;
  return tf.mean(
    tf.add(tf.sub(tf.relu(z), tf.mul(z, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))),
  ) as tf.Scalar;
}

export const PROB_EPSILON = 1e-7;

/** Mean binary cross-entropy from probabilities (clipped to [eps, 1 - eps]). */
export function bceWithProbs(probs: tf.Tensor1D, labels: tf.Tensor1D): tf.Scalar {
  const p = tf.clipByValue(probs, PROB_EPSILON, 1 - PROB_EPSILON);
  const ll = tf.add(tf.mul(labels, tf.log(p)), tf.mul(tf.sub(1, labels), tf.log(tf.sub(1, p))));
  return tf.neg(tf.mean(ll)) as tf.Scalar;
}

export function logitOf(probs: tf.Tensor1D): tf.Tensor1D {
  const p = tf.clipByValue(probs, PROB_EPSILON, 1 - PROB_EPSILON);
  return tf.sub(tf.log(p), tf.log(tf.sub(1, p)));
}

/**
 * Attention over a set {u_j} (AITM form, HTLNET.md): a_j = <Q u_j, K u_j> / sqrt(dh),
 * w = softmax_j(a), out = sum_j w_j V u_j. `set` is [batch, n, width]; Q, K, V are [width, width].
 */
export function setAttention(
  set: tf.Tensor3D,
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
): { out: tf.Tensor2D; weights: tf.Tensor2D } {
  const [batch, n, width] = set.shape;
  const flat = tf.reshape(set, [batch * n, width]) as tf.Tensor2D;
  const qu = tf.matMul(flat, q);
  const ku = tf.matMul(flat, k);
  const vu = tf.reshape(tf.matMul(flat, v), [batch, n, width]);
  const scores = tf.reshape(tf.div(tf.sum(tf.mul(qu, ku), 1), Math.sqrt(width)), [batch, n]);
  const weights = tf.softmax(scores) as tf.Tensor2D;
  const out = tf.sum(tf.mul(tf.expandDims(weights, 2), vu), 1) as tf.Tensor2D;
  return { out, weights };
}

/**
 * Label Embedding Unit (HTLNET.md): ptilde = sigmoid((z + noise) / tau), with noise the logistic
 * sample log u - log(1 - u) while training (null at inference), and
 * le = ptilde * E[1] + (1 - ptilde) * E[0]. `table` is [2, L]: row 0 embeds label 0, row 1 label 1.
 */
export function labelEmbedding(
  logit: tf.Tensor1D,
  table: tf.Tensor2D,
  temperature: number,
  noise: tf.Tensor1D | null,
): tf.Tensor2D {
  const z = noise ? tf.add(logit, noise) : logit;
  const ptilde = tf.expandDims(tf.sigmoid(tf.div(z, temperature)), 1); // [batch, 1]
  const e0 = tf.slice(table, [0, 0], [1, -1]);
  const e1 = tf.slice(table, [1, 0], [1, -1]);
  return tf.add(tf.mul(ptilde, e1), tf.mul(tf.sub(1, ptilde), e0)) as tf.Tensor2D;
}

export function concatColumns(parts: tf.Tensor2D[]): tf.Tensor2D {
  return parts.length === 1 ? parts[0] : (tf.concat(parts, 1) as tf.Tensor2D);
}
