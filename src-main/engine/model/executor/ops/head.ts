// The head op: a task's prediction from its tower, one dot product per row (a binary head's
// logit and probability, a regression head's value) or three (a ZILN head's q, m, s, combined
// into the value by objective.ts). Backward from the prediction's gradient to the head's
// weights and input.

import type { HeapBuffer } from '../../kernels';
import { zilnValue } from '../../objective';
import type { OpOf, OpKind } from '../op';
import { sigmoid } from '../activations';
import type { BinaryState, ExecutorState, RegressionState } from '../state';

export interface HeadOpState {
  x: HeapBuffer | null;
  out: BinaryState | RegressionState;
}

export const headOp: OpKind<'head', HeadOpState> = {
  alloc(op, s) {
    return { x: s.inputBufferFor(op.input, op.inWidth), out: s.prediction(op.out) };
  },

  forward(op, st, s) {
    const B = s.rows;
    const x = s.input(op.input, op.inWidth, st.x).view;
    const w = s.params[op.kernel].view;
    const bias = s.params[op.bias].view[0];
    const K = op.inWidth;
    const v = st.out;
    if (op.outputs === 3 && v.kind === 'regression') {
      const bias3 = s.params[op.bias].view;
      const parts = v.parts;
      for (let b = 0; b < B; b++) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        const o = b * K;
        for (let j = 0; j < K; j++) {
          const xj = x[o + j];
          s0 += xj * w[j * 3];
          s1 += xj * w[j * 3 + 1];
          s2 += xj * w[j * 3 + 2];
        }
        parts[b * 3] = s0 + bias3[0];
        parts[b * 3 + 1] = s1 + bias3[1];
        parts[b * 3 + 2] = s2 + bias3[2];
        v.value[b] = zilnValue(parts[b * 3], parts[b * 3 + 1], parts[b * 3 + 2]);
      }
      return;
    }
    const out = v.kind === 'binary' ? v.logit : v.value;
    for (let b = 0; b < B; b++) {
      let sum = 0;
      const o = b * K;
      for (let j = 0; j < K; j++) sum += x[o + j] * w[j];
      out[b] = sum + bias;
    }
    if (v.kind === 'binary') for (let b = 0; b < B; b++) v.prob[b] = sigmoid(v.logit[b]);
  },

  backward(op, st, s) {
    const B = s.rows;
    const v = st.out;
    let d: Float32Array;
    if (v.kind === 'binary') {
      if (!v.logitTouched && !v.probTouched) return;
      d = s.touchLogit(v, B);
      if (v.probTouched) {
        for (let b = 0; b < B; b++) {
          const p = v.prob[b];
          d[b] += v.dprob[b] * p * (1 - p);
        }
      }
    } else {
      if (!v.touched) return;
      d = v.dvalue;
      if (op.outputs === 3) {
        zilnHeadBackward(op, st, s, v.dparts, B);
        return;
      }
    }
    const x = s.inputBuffer(op.input, st.x).view;
    const K = op.inWidth;
    const gw = s.touchGrad(op.kernel);
    const gb = s.touchGrad(op.bias);
    let db = 0;
    for (let b = 0; b < B; b++) {
      const g = d[b];
      db += g;
      const o = b * K;
      for (let j = 0; j < K; j++) gw[j] += x[o + j] * g;
    }
    gb[0] += db;
    if (s.inputWantsGrad(op.input)) {
      const w = s.params[op.kernel].view;
      const dx = s.scratch(B * K);
      for (let b = 0; b < B; b++) {
        const g = d[b];
        const o = b * K;
        for (let j = 0; j < K; j++) dx[o + j] = g * w[j];
      }
      s.inputGrad(op.input, K, dx);
    }
  },
};

/** A ZILN head's backward pass: its three outputs' gradients dparts [B, 3]. */
function zilnHeadBackward(
  op: OpOf<'head'>,
  st: HeadOpState,
  s: ExecutorState,
  dparts: Float32Array,
  B: number,
): void {
  const x = s.inputBuffer(op.input, st.x).view;
  const K = op.inWidth;
  const gw = s.touchGrad(op.kernel);
  const gb = s.touchGrad(op.bias);
  for (let b = 0; b < B; b++) {
    const g0 = dparts[b * 3];
    const g1 = dparts[b * 3 + 1];
    const g2 = dparts[b * 3 + 2];
    gb[0] += g0;
    gb[1] += g1;
    gb[2] += g2;
    const o = b * K;
    for (let j = 0; j < K; j++) {
      const xj = x[o + j];
      gw[j * 3] += xj * g0;
      gw[j * 3 + 1] += xj * g1;
      gw[j * 3 + 2] += xj * g2;
    }
  }
  if (!s.inputWantsGrad(op.input)) return;
  const w = s.params[op.kernel].view;
  const dx = s.scratch(B * K);
  for (let b = 0; b < B; b++) {
    const g0 = dparts[b * 3];
    const g1 = dparts[b * 3 + 1];
    const g2 = dparts[b * 3 + 2];
    const o = b * K;
    for (let j = 0; j < K; j++) dx[o + j] = g0 * w[j * 3] + g1 * w[j * 3 + 1] + g2 * w[j * 3 + 2];
  }
  s.inputGrad(op.input, K, dx);
}
