// The gate op: softmax(selector . W + b) weighs the experts' vector values into one (MMoE,
// PLE). Backward: the weights' gradient through the softmax to the gate's kernel and
// selector, and each expert's gradient scaled by its weight.

import { transposeInto, type HeapBuffer } from '../../kernels';
import { softmaxBackwardRows, softmaxRows } from '../activations';
import type { OpKind } from '../op';
import { trainingPart, type VectorState } from '../state';

export interface GateOpState {
  x: HeapBuffer | null;
  logits: HeapBuffer;
  /** The softmax weights, [rows, experts]. */
  weights: Float32Array;
  experts: VectorState[];
  out: VectorState;
  train: {
    /** The gate kernel, transposed. */
    kernelT: HeapBuffer;
    dlogits: HeapBuffer;
    xT: HeapBuffer;
    dx: HeapBuffer;
  } | null;
}

export const gateOp: OpKind<'gate', GateOpState> = {
  alloc(op, s) {
    const kernelT = s.transposedParam(op.kernel);
    const cap = s.capacity;
    const E = op.experts.length;
    const x = s.inputBufferFor(op.selector, op.selectorWidth);
    const logits = s.alloc(cap * E);
    const weights = new Float32Array(cap * E);
    return {
      x,
      logits,
      weights,
      experts: op.experts.map((v) => s.vector(v)),
      out: s.vector(op.out),
      train:
        s.training && kernelT
          ? {
              kernelT,
              dlogits: s.alloc(cap * E),
              xT: s.alloc(cap * op.selectorWidth),
              dx: s.alloc(cap * op.selectorWidth),
            }
          : null,
    };
  },

  forward(op, st, s) {
    const B = s.rows;
    const x = s.input(op.selector, op.selectorWidth, st.x);
    const E = op.experts.length;
    s.k.matmul(x, B, op.selectorWidth, s.params[op.kernel], E, st.logits, s.params[op.bias]);
    softmaxRows(st.logits.view, st.weights, B, E);
    const out = st.out.val.view;
    const w = op.width;
    out.fill(0, 0, B * w);
    for (let e = 0; e < E; e++) {
      const ex = st.experts[e].val.view;
      for (let b = 0; b < B; b++) {
        const a = st.weights[b * E + e];
        const o = b * w;
        for (let j = 0; j < w; j++) out[o + j] += a * ex[o + j];
      }
    }
  },

  backward(op, st, s) {
    const v = st.out;
    if (!v.touched) return;
    const t = trainingPart(st.train);
    const B = s.rows;
    const E = op.experts.length;
    const w = op.width;
    const dout = s.gradOf(v).view;
    const dl = t.dlogits.view;
    // d weights and the experts' gradients.
    for (let e = 0; e < E; e++) {
      const ev = st.experts[e];
      const ex = ev.val.view;
      const dex = s.touchVector(ev, B);
      for (let b = 0; b < B; b++) {
        const a = st.weights[b * E + e];
        const o = b * w;
        let dot = 0;
        for (let j = 0; j < w; j++) {
          dot += dout[o + j] * ex[o + j];
          dex[o + j] += a * dout[o + j];
        }
        dl[b * E + e] = dot;
      }
    }
    softmaxBackwardRows(st.weights, dl, B, E);
    const gb = s.touchGrad(op.bias);
    for (let b = 0; b < B; b++) for (let e = 0; e < E; e++) gb[e] += dl[b * E + e];
    const x = s.inputBuffer(op.selector, st.x);
    const S = op.selectorWidth;
    transposeInto(x.view, 0, B, S, t.xT.view, 0);
    s.k.fresh(t.dlogits);
    s.touchGrad(op.kernel);
    s.k.matmul(t.xT, S, B, t.dlogits, E, s.grads[op.kernel]);
    if (s.inputWantsGrad(op.selector)) {
      s.k.matmul(t.dlogits, B, E, t.kernelT, S, t.dx);
      s.inputGrad(op.selector, S, t.dx.view);
    }
  },
};
