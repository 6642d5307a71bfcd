// The gradient adjustment on shared parameters (HTLNET.md, "Optimisation").
//
// With G_c the core task's gradient and G_t each other task's (over all shared parameters,
// flattened together), for each t != core:
//   1. direction: if G_t . G_c < 0, G_t <- G_t - alpha (G_t . G_c / |G_c|^2) G_c
//   2. magnitude: w = clip(|G_c| / |G_t|, 1/C, C) with |G_t| before step 1,
//                 G_t <- gamma w G_t + (1 - gamma) G_t
// and the shared update is G_s = G_c + sum_t G_t.
//
// Both steps only ever add multiples of G_t and G_c, so G_s is a linear combination
// sum_t coef_t G_t. This module computes those coefficients from the dot products with the core
// gradient and the squared norms; the caller combines the gradients however they are stored
// (sparse table rows, dense tensors). PCGrad is step 1 alone, MetaBalance step 2 alone.

import type { GradientAdjustment } from '../../shared/catalog';

export interface AdjustmentSettings {
  mode: GradientAdjustment;
  alpha: number;
  gamma: number;
  clip: number;
}

export interface TaskGradientStats {
  /** |G_t| before any adjustment. */
  norm: number;
  /** cos(G_t, G_c) before any adjustment (1 for the core task; NaN when a norm is 0). */
  cosine: number;
  /** Whether the conflicting component was removed this step. */
  projected: boolean;
  /** The magnitude factor gamma w + 1 - gamma applied (1 when none). */
  scale: number;
}

export interface Adjustment {
  /** G_s = sum_t coef[t] G_t. */
  coef: Float64Array;
  stats: TaskGradientStats[];
}

/**
 * @param dots    dots[t] = G_t . G_c (dots[core] = |G_c|^2)
 * @param norms2  norms2[t] = |G_t|^2
 * @param active  tasks that take part (a task with loss weight 0 has no gradient)
 */
export function adjustmentCoefficients(
  dots: ArrayLike<number>,
  norms2: ArrayLike<number>,
  core: number,
  settings: AdjustmentSettings,
  active: readonly boolean[] = Array.from({ length: norms2.length }, () => true),
): Adjustment {
  const n = norms2.length;
  const coef = new Float64Array(n);
  const stats: TaskGradientStats[] = [];
  const coreNorm2 = norms2[core];
  const coreNorm = Math.sqrt(coreNorm2);
  const direction = settings.mode === 'pcgrad' || settings.mode === 'htlnet';
  const magnitude = settings.mode === 'metabalance' || settings.mode === 'htlnet';
  if (active[core]) coef[core] = 1;
  for (let t = 0; t < n; t++) {
    const norm = Math.sqrt(norms2[t]);
    const cosine = norm > 0 && coreNorm > 0 ? dots[t] / (norm * coreNorm) : NaN;
    if (t === core || !active[t]) {
      stats.push({
        norm,
        cosine: t === core && coreNorm > 0 ? 1 : cosine,
        projected: false,
        scale: 1,
      });
      continue;
    }
    // G_t' = a G_t + b G_c
    let a = 1;
    let b = 0;
    let projected = false;
    if (direction && dots[t] < 0 && coreNorm2 > 0) {
      b = (-settings.alpha * dots[t]) / coreNorm2;
      projected = true;
    }
    let scale = 1;
    if (magnitude) {
      const c = settings.clip;
      const ratio = norm > 0 ? coreNorm / norm : c;
      const w = Math.min(c, Math.max(1 / c, ratio));
      scale = settings.gamma * w + (1 - settings.gamma);
      a *= scale;
      b *= scale;
    }
    coef[t] += a;
    if (active[core]) coef[core] += b;
    stats.push({ norm, cosine, projected, scale });
  }
  return { coef, stats };
}
