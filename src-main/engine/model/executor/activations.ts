// The executor's elementwise pieces: activations and their derivatives, the row-wise softmax
// and its backward, the ReLU gradient mask and the transposes with a ones row that turn a
// layer's bias gradient into one more row of its kernel's product. Plain loops over float
// arrays, no state: the ops (ops/*.ts) and the dense stacks (dense.ts) call them.

import { transposeInto } from '../kernels';

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** h = activation(z) over the first n floats. */
export function activate(activation: string, z: Float32Array, h: Float32Array, n: number): void {
  switch (activation) {
    case 'linear':
      for (let j = 0; j < n; j++) h[j] = z[j];
      break;
    case 'tanh':
      for (let j = 0; j < n; j++) h[j] = Math.tanh(z[j]);
      break;
    case 'sigmoid':
      for (let j = 0; j < n; j++) h[j] = sigmoid(z[j]);
      break;
    case 'gelu':
      for (let j = 0; j < n; j++) {
        const x = z[j];
        h[j] = 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
      }
      break;
    case 'relu':
      for (let j = 0; j < n; j++) h[j] = z[j] > 0 ? z[j] : 0;
      break;
  }
}

export function geluDerivative(x: number): number {
  const t = Math.tanh(GELU_C * (x + 0.044715 * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x);
}

/** Row-wise softmax of [rows, n] (in may equal out). */
export function softmaxRows(input: Float32Array, out: Float32Array, rows: number, n: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let max = -Infinity;
    for (let j = 0; j < n; j++) if (input[o + j] > max) max = input[o + j];
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(input[o + j] - max);
      out[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < n; j++) out[o + j] /= sum;
  }
}

/** In place: d <- y * (d - sum(d * y)) per row (the softmax backward), y the softmax output. */
export function softmaxBackwardRows(
  y: Float32Array,
  d: Float32Array,
  rows: number,
  n: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let dot = 0;
    for (let j = 0; j < n; j++) dot += d[o + j] * y[o + j];
    for (let j = 0; j < n; j++) d[o + j] = y[o + j] * (d[o + j] - dot);
  }
}

/**
 * dz[j] = 0 where h[j] (a ReLU output, so >= 0) is not positive; branch-free on the float
 * bits (a data-dependent branch here mispredicts half the time).
 */
export function reluMask(dz: Float32Array, h: Float32Array, n: number): void {
  const hb = new Int32Array(h.buffer, h.byteOffset, n);
  const db = new Int32Array(dz.buffer, dz.byteOffset, n);
  for (let j = 0; j < n; j++) {
    const x = hb[j];
    // all ones when x > 0 (as a float: positive, not +-0), else 0
    db[j] &= (-x >> 31) & ~(x >> 31);
  }
}

/** dst = [src^T; ones]: src is [rows, cols], dst [cols + 1, rows]. */
export function transposeWithOnes(
  src: Float32Array,
  rows: number,
  cols: number,
  dst: Float32Array,
): void {
  transposeInto(src, 0, rows, cols, dst, 0);
  dst.fill(1, cols * rows, (cols + 1) * rows);
}

export function addInto(dst: Float32Array, src: Float32Array, n: number): void {
  for (let j = 0; j < n; j++) dst[j] += src[j];
}
