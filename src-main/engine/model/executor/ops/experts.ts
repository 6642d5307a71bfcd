// The experts op: several dense stacks (no dropout) over one shared input, one vector value
// per expert; a gate op mixes them. Backward sums the experts' input gradients.

import type { HeapBuffer } from '../../kernels';
import { allocMlp, mlpBackward, mlpForward, type MlpState } from '../dense';
import type { OpKind } from '../op';
import { trainingPart, type VectorState } from '../state';

export interface ExpertsOpState {
  x: HeapBuffer | null;
  experts: MlpState[];
  outs: VectorState[];
  /** Training: the summed input gradient. */
  dx: HeapBuffer | null;
}

export const expertsOp: OpKind<'experts', ExpertsOpState> = {
  alloc(op, s) {
    const x = s.inputBufferFor(op.input, op.inWidth);
    const outs = op.outs.map((v) => s.vector(v));
    const experts = op.experts.map((layers, e) =>
      allocMlp(
        s,
        layers,
        op.activation,
        layers.map(() => -1),
        outs[e].val,
        op.input,
      ),
    );
    return { x, experts, outs, dx: s.training ? s.alloc(s.capacity * op.inWidth) : null };
  },

  forward(op, st, s) {
    const x = s.input(op.input, op.inWidth, st.x);
    for (const m of st.experts) mlpForward(s, m, x, s.rows);
  },

  backward(op, st, s) {
    const B = s.rows;
    const needInput = s.inputWantsGrad(op.input);
    let any = false;
    const n = B * op.inWidth;
    st.experts.forEach((m, e) => {
      const v = st.outs[e];
      if (!v.touched) return;
      const dx = mlpBackward(s, m, s.gradOf(v), B, needInput);
      if (!dx) return;
      const acc = trainingPart(st.dx).view;
      const d = dx.view;
      if (!any) for (let j = 0; j < n; j++) acc[j] = d[j];
      else for (let j = 0; j < n; j++) acc[j] += d[j];
      any = true;
    });
    if (any) s.inputGrad(op.input, op.inWidth, trainingPart(st.dx).view);
  },
};
