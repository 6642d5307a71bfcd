// The tasks' losses on the executor's predictions: their sums over the call's rows (forward)
// and, to start a backward pass, their gradients (each a mean over the full batch, weighted
// per task) plus the calibrator's, written into the predictions' gradients.

import { tweedieLoss, zilnLoss } from '../objective';
import { sigmoid } from './activations';
import { PROB_EPSILON, type ExecutorState } from './state';

/** Fills s.lossSums: per task, its loss summed over the call's rows. */
export function lossSums(s: ExecutorState, targets: Float32Array[]): void {
  const B = s.rows;
  s.program.tasks.forEach((task, t) => {
    const v = s.prediction(task.value);
    const y = targets[t];
    let sum = 0;
    if (v.kind === 'regression') {
      if (task.objective === 'ziln') {
        const parts = v.parts;
        for (let b = 0; b < B; b++)
          sum += zilnLoss(parts[b * 3], parts[b * 3 + 1], parts[b * 3 + 2], y[b], null);
      } else if (task.objective === 'tweedie') {
        for (let b = 0; b < B; b++) sum += tweedieLoss(v.value[b], y[b], task.tweediePower, null);
      } else {
        for (let b = 0; b < B; b++) sum += (v.value[b] - y[b]) ** 2;
      }
    } else {
      if (task.logit) {
        for (let b = 0; b < B; b++) {
          const z = v.logit[b];
          sum += Math.max(z, 0) - z * y[b] + Math.log1p(Math.exp(-Math.abs(z)));
        }
      } else {
        for (let b = 0; b < B; b++) {
          const p = Math.min(1 - PROB_EPSILON, Math.max(PROB_EPSILON, v.prob[b]));
          sum -= y[b] * Math.log(p) + (1 - y[b]) * Math.log(1 - p);
        }
      }
    }
    s.lossSums[t] = sum;
  });
}

/**
 * The gradients of sum_t weights[t] * loss_t (each loss a mean over `fullBatch` rows) and the
 * calibrator's, with respect to the predictions: the seed of a backward pass.
 */
export function lossGradients(
  s: ExecutorState,
  weights: ArrayLike<number>,
  targets: Float32Array[],
  fullBatch: number,
): void {
  const B = s.rows;
  s.program.tasks.forEach((task, t) => {
    const w = weights[t];
    if (!w) return;
    const v = s.prediction(task.value);
    const y = targets[t];
    const scale = w / fullBatch;
    if (v.kind === 'regression') {
      const d = s.touchRegression(v, B);
      if (task.objective === 'ziln') {
        const g = s.lossGrad;
        const parts = v.parts;
        const dp = v.dparts;
        for (let b = 0; b < B; b++) {
          const o = b * 3;
          zilnLoss(parts[o], parts[o + 1], parts[o + 2], y[b], g);
          dp[o] += scale * g[0];
          dp[o + 1] += scale * g[1];
          dp[o + 2] += scale * g[2];
        }
      } else if (task.objective === 'tweedie') {
        const g = s.lossGrad;
        for (let b = 0; b < B; b++) {
          tweedieLoss(v.value[b], y[b], task.tweediePower, g);
          d[b] += scale * g[0];
        }
      } else {
        for (let b = 0; b < B; b++) d[b] += 2 * scale * (v.value[b] - y[b]);
      }
    } else if (task.logit) {
      const d = s.touchLogit(v, B);
      for (let b = 0; b < B; b++) d[b] += scale * (sigmoid(v.logit[b]) - y[b]);
    } else {
      const d = s.touchProb(v, B);
      for (let b = 0; b < B; b++) {
        const p = v.prob[b];
        if (p < PROB_EPSILON || p > 1 - PROB_EPSILON) continue;
        d[b] += scale * (-y[b] / p + (1 - y[b]) / (1 - p));
      }
    }
  });
  // The calibrator: d/dp_b = w/N * [p_b > p_a], d/dp_a = -w/N * [p_b > p_a] (the head's
  // backward takes dp through the sigmoid: d/dlogit = dp * p (1 - p)).
  const cal = s.program.calibrator;
  if (cal.weight > 0) {
    const scale = cal.weight / fullBatch;
    for (const [a, b] of cal.pairs) {
      if (!weights[b]) continue;
      const va = s.binary(s.program.tasks[a].value);
      const vb = s.binary(s.program.tasks[b].value);
      const da = s.touchProb(va, B);
      const db = s.touchProb(vb, B);
      for (let r = 0; r < B; r++) {
        if (vb.prob[r] > va.prob[r]) {
          db[r] += scale;
          da[r] -= scale;
        }
      }
    }
  }
}
