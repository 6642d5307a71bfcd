import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import {
  bceWithLogits,
  bceWithProbs,
  labelEmbedding,
  setAttention,
  stopGradient,
} from '../../../src-main/engine/model/ops';

beforeAll(async () => {
  const info = await initBackend();
  expect(['wasm', 'tensorflow']).toContain(info.name);
});

describe('compute backend', () => {
  it('never uses the stock cpu backend', () => {
    expect(tf.getBackend()).not.toBe('cpu');
  });

  it('has an UnsortedSegmentSum kernel (the gradient of an embedding lookup)', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]);
    const ids = tf.tensor1d([2, 0, 2, 5], 'int32'); // 5 is out of range and dropped
    const out = tf.unsortedSegmentSum(x, ids, 3);
    expect(out.shape).toEqual([3, 2]);
    expect(Array.from(out.dataSync())).toEqual([3, 4, 0, 0, 6, 8]);
  });

  it('differentiates a gather through that kernel', () => {
    const table = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const ids = tf.tensor1d([1, 1, 2], 'int32');
    const g = tf.grad((t: tf.Tensor) =>
      tf.sum(tf.mul(tf.gather(t, ids), tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]))),
    )(table);
    expect(Array.from(g.dataSync())).toEqual([0, 0, 4, 6, 5, 6]);
  });
});

describe('stop-gradient', () => {
  it('passes values through and blocks the gradient', () => {
    const x = tf.tensor1d([1, -2, 3]);
    expect(Array.from(stopGradient(x).dataSync())).toEqual([1, -2, 3]);
    // d/dx sum(x * sg(x)) = sg(x) only (the second factor carries no gradient)
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, stopGradient(v))))(x);
    expect(Array.from(g.dataSync())).toEqual([1, -2, 3]);
  });
});

describe('information fusion attention', () => {
  it('weights each element by softmax(<Q u, K u> / sqrt(d)) and sums V u', () => {
    // Two elements of width 2 in a batch of 1; Q = K = V = identity.
    // a_1 = <(1,0),(1,0)>/sqrt2 = 0.7071, a_2 = <(0,2),(0,2)>/sqrt2 = 2.8284
    const set = tf.tensor3d([1, 0, 0, 2], [1, 2, 2]);
    const eye = tf.eye(2);
    const { out, weights } = setAttention(set, eye, eye, eye);
    const a1 = 1 / Math.SQRT2;
    const a2 = 4 / Math.SQRT2;
    const w1 = Math.exp(a1) / (Math.exp(a1) + Math.exp(a2));
    const w2 = 1 - w1;
    const w = weights.dataSync();
    expect(w[0]).toBeCloseTo(w1, 6);
    expect(w[1]).toBeCloseTo(w2, 6);
    const o = out.dataSync();
    expect(o[0]).toBeCloseTo(w1 * 1, 6);
    expect(o[1]).toBeCloseTo(w2 * 2, 6);
  });

  it('applies Q, K and V as linear maps', () => {
    const set = tf.tensor3d([1, 1], [1, 1, 2]);
    const q = tf.tensor2d([2, 0, 0, 2], [2, 2]);
    const k = tf.tensor2d([1, 0, 0, 1], [2, 2]);
    const v = tf.tensor2d([0, 1, 1, 0], [2, 2]);
    const { out, weights } = setAttention(set, q, k, v);
    expect(weights.dataSync()[0]).toBeCloseTo(1, 6); // one element: weight 1
    expect(Array.from(out.dataSync())).toEqual([1, 1]);
  });
});

describe('losses', () => {
  it('binary cross-entropy from logits equals the one from probabilities', () => {
    const logits = tf.tensor1d([-3, -0.5, 0, 2, 8]);
    const y = tf.tensor1d([0, 1, 1, 0, 1]);
    const a = bceWithLogits(logits, y).dataSync()[0];
    const b = bceWithProbs(tf.sigmoid(logits) as tf.Tensor1D, y).dataSync()[0];
    // hand-computed: mean of -log(1-s(-3)), -log(s(-0.5)), -log(s(0)), -log(1-s(2)), -log(s(8))
    const s = (z: number) => 1 / (1 + Math.exp(-z));
    const want =
      -(
        Math.log(1 - s(-3)) +
        Math.log(s(-0.5)) +
        Math.log(s(0)) +
        Math.log(1 - s(2)) +
        Math.log(s(8))
      ) / 5;
    expect(a).toBeCloseTo(want, 5);
    expect(b).toBeCloseTo(want, 5);
  });
});

describe('label embedding unit', () => {
  // E[0] = (0,1,2), E[1] = (10,20,30)
  const makeTable = () => tf.tensor2d([0, 1, 2, 10, 20, 30], [2, 3]);

  it('mixes the two label vectors by sigmoid(z / tau) at inference', () => {
    // z = 0 -> ptilde 0.5; z = ln 3 with tau = 1 -> 0.75; z = ln 3 with tau = 2 -> sigmoid(ln3/2) = sqrt3/(1+sqrt3)
    const le = labelEmbedding(tf.tensor1d([0, Math.log(3)]), makeTable(), 1, null).arraySync();
    expect(le[0][0]).toBeCloseTo(5, 5); // 0.5*10 + 0.5*0
    expect(le[0][2]).toBeCloseTo(16, 5); // 0.5*30 + 0.5*2
    expect(le[1][1]).toBeCloseTo(0.75 * 20 + 0.25 * 1, 5);
    const p = Math.sqrt(3) / (1 + Math.sqrt(3));
    const tau2 = labelEmbedding(tf.tensor1d([Math.log(3)]), makeTable(), 2, null).arraySync();
    expect(tau2[0][0]).toBeCloseTo(p * 10, 5);
  });

  it('adds the logistic noise before the temperature while training', () => {
    // z = 1, noise = log u - log(1-u) with u = 0.25 -> -ln 3; (1 - ln3) / 0.5
    const noise = tf.tensor1d([Math.log(0.25) - Math.log(0.75)]);
    const le = labelEmbedding(tf.tensor1d([1]), makeTable(), 0.5, noise).arraySync();
    const p = 1 / (1 + Math.exp(-(1 - Math.log(3)) / 0.5));
    expect(le[0][2]).toBeCloseTo(p * 30 + (1 - p) * 2, 4);
  });
});
