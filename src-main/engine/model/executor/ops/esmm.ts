// The esmm op: p(conversion) = p(click) . p(conversion | click), the product of two binary
// predictions, with its logit for a loss on logits; backward through the product.

import type { OpKind } from '../op';
import { PROB_EPSILON, type BinaryState } from '../state';

export interface EsmmOpState {
  prior: BinaryState;
  conditional: BinaryState;
  out: BinaryState;
}

export const esmmOp: OpKind<'esmm', EsmmOpState> = {
  alloc(op, s) {
    return {
      prior: s.binary(op.prior),
      conditional: s.binary(op.conditional),
      out: s.binary(op.out),
    };
  },

  forward(_op, st, s) {
    const B = s.rows;
    const { prior, conditional: cond, out: v } = st;
    for (let b = 0; b < B; b++) {
      const p = prior.prob[b] * cond.prob[b];
      v.prob[b] = p;
      const c = Math.min(1 - PROB_EPSILON, Math.max(PROB_EPSILON, p));
      v.logit[b] = Math.log(c) - Math.log(1 - c);
    }
  },

  backward(_op, st, s) {
    const B = s.rows;
    const { prior, conditional: cond, out: v } = st;
    if (!v.logitTouched && !v.probTouched) return;
    const d = s.touchProb(v, B);
    if (v.logitTouched) {
      for (let b = 0; b < B; b++) {
        const p = v.prob[b];
        if (p < PROB_EPSILON || p > 1 - PROB_EPSILON) continue;
        d[b] += v.dlogit[b] * (1 / p + 1 / (1 - p));
      }
    }
    const dp = s.touchProb(prior, B);
    const dc = s.touchProb(cond, B);
    for (let b = 0; b < B; b++) {
      dp[b] += d[b] * cond.prob[b];
      dc[b] += d[b] * prior.prob[b];
    }
  },
};
