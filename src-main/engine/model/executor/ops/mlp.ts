// The mlp op: a tower (or an expert of a gate), dense layers from its concatenated input to
// its vector value. Inference may take the first layer through a projection
// (projections.ts): the same sums as the product, in the same order.

import type { HeapBuffer } from '../../kernels';
import { allocMlp, mlpBackward, mlpForward, type MlpState } from '../dense';
import type { OpKind } from '../op';
import { projectedFirstLayer } from '../projections';
import type { VectorState } from '../state';

export interface MlpOpState {
  /** The op's index in the program (its projection's). */
  index: number;
  /** Its concatenated input (null: a single part, read in place). */
  x: HeapBuffer | null;
  mlp: MlpState;
  out: VectorState;
}

export const mlpOp: OpKind<'mlp', MlpOpState> = {
  alloc(op, s, { index }) {
    const x = s.inputBufferFor(op.input, op.inWidth);
    const out = s.vector(op.out);
    return {
      index,
      x,
      mlp: allocMlp(s, op.layers, op.activation, op.dropout, out.val, op.input),
      out,
    };
  },

  forward(op, st, s) {
    const B = s.rows;
    const proj = s.projecting ? s.projections[st.index] : null;
    if (proj) {
      projectedFirstLayer(s, proj, st.mlp, B);
      mlpForward(s, st.mlp, st.mlp.layers[0].h, B, 1);
      return;
    }
    const x = s.input(op.input, op.inWidth, st.x);
    mlpForward(s, st.mlp, x, B);
  },

  backward(op, st, s) {
    const v = st.out;
    if (!v.touched) return;
    const needInput = s.inputWantsGrad(op.input);
    const dx = mlpBackward(s, st.mlp, s.gradOf(v), s.rows, needInput);
    if (dx) s.inputGrad(op.input, op.inWidth, dx.view);
  },
};
