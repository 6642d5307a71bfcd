// The leu op (Label Embedding Unit, HTLNET.md): ptilde = sigmoid((z + noise) / tau) from a
// binary prediction's logit (logistic noise while training), and the label embedding
// ptilde . E[1] + (1 - ptilde) . E[0]. Backward to the table, and to the logit unless cut.

import type { OpKind } from '../op';
import { sigmoid } from '../activations';
import type { BinaryState, VectorState } from '../state';

export interface LeuOpState {
  /** ptilde per row (the backward pass reads it). */
  ptilde: Float32Array;
  source: BinaryState;
  out: VectorState;
}

export const leuOp: OpKind<'leu', LeuOpState> = {
  alloc(op, s) {
    return {
      ptilde: new Float32Array(s.capacity),
      source: s.binary(op.source),
      out: s.vector(op.out),
    };
  },

  forward(op, st, s) {
    const B = s.rows;
    const src = st.source;
    const table = s.params[op.table].view;
    const L = op.dim;
    const noise = op.noise >= 0 && s.noise ? s.noise[op.noise] : null;
    const out = st.out.val.view;
    const r0 = s.noiseRow;
    for (let b = 0; b < B; b++) {
      const z = noise ? src.logit[b] + noise[r0 + b] : src.logit[b];
      const p = sigmoid(z / op.temperature);
      st.ptilde[b] = p;
      const o = b * L;
      for (let j = 0; j < L; j++) out[o + j] = p * table[L + j] + (1 - p) * table[j];
    }
  },

  backward(op, st, s) {
    const v = st.out;
    if (!v.touched) return;
    const B = s.rows;
    const L = op.dim;
    const dle = s.gradOf(v).view;
    const g = s.touchGrad(op.table);
    const table = s.params[op.table].view;
    const dz = op.cut ? null : s.touchLogit(st.source, B);
    const tau = op.temperature;
    for (let b = 0; b < B; b++) {
      const p = st.ptilde[b];
      const o = b * L;
      let dp = 0;
      for (let j = 0; j < L; j++) {
        const d = dle[o + j];
        g[j] += (1 - p) * d;
        g[L + j] += p * d;
        dp += d * (table[L + j] - table[j]);
      }
      if (dz) dz[b] += (dp * p * (1 - p)) / tau;
    }
  },
};
