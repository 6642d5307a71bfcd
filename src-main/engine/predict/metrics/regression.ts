// Metrics of a regression task on the raw target scale: RMSE, MAE, their normalised forms,
// the normalised Gini (ties averaged exactly), Spearman, R2 and the total ratio, all at once in
// `regressionMetrics` with each input sorted only once. The conventions are in index.ts.

import {
  hasNaN,
  rankCorrelation,
  ranksFromSorted,
  sameLength,
  sortAscending,
  type Sorted,
  type Values,
} from './sort';

export interface RegressionMetrics {
  rmse: number;
  mae: number;
  nrmse: number;
  nmae: number;
  gini: number;
  spearman: number;
  /** 1 - SSE / SST = 1 - NRMSE^2 (0: no better than predicting the average for everyone). */
  r2: number;
  /** sum(predicted) / sum(actual): what summed predictions get of the actual total. */
  totalRatio: number;
}

interface ErrorStats {
  rmse: number;
  mae: number;
  /** Population standard deviation of the actual values. */
  std: number;
  /** Mean absolute deviation of the actual values from their mean. */
  meanAbsDev: number;
  sumY: number;
  sumP: number;
}

function errorStats(actual: Values, predicted: Values): ErrorStats {
  const n = actual.length;
  if (n === 0) return { rmse: NaN, mae: NaN, std: NaN, meanAbsDev: NaN, sumY: NaN, sumP: NaN };
  let sumY = 0;
  let sumP = 0;
  let sse = 0;
  let sae = 0;
  for (let i = 0; i < n; i++) {
    const y = actual[i];
    const e = predicted[i] - y;
    sumY += y;
    sumP += predicted[i];
    sse += e * e;
    sae += Math.abs(e);
  }
  const mean = sumY / n;
  let ssd = 0;
  let sad = 0;
  for (let i = 0; i < n; i++) {
    const d = actual[i] - mean;
    ssd += d * d;
    sad += Math.abs(d);
  }
  return {
    rmse: Math.sqrt(sse / n),
    mae: sae / n,
    std: Math.sqrt(ssd / n),
    meanAbsDev: sad / n,
    sumY,
    sumP,
  };
}

/** A ratio that is NaN, not +-Infinity, when the scale is 0 (a constant target). */
function scaled(value: number, scale: number): number {
  return scale > 0 ? value / scale : NaN;
}

/** Root mean squared error. NaN on empty input. */
export function rmse(actual: Values, predicted: Values): number {
  sameLength(actual, predicted, 'rmse');
  return errorStats(actual, predicted).rmse;
}

/** Mean absolute error. NaN on empty input. */
export function mae(actual: Values, predicted: Values): number {
  sameLength(actual, predicted, 'mae');
  return errorStats(actual, predicted).mae;
}

/** RMSE / population std of `actual`. NaN when `actual` is constant or empty. */
export function nrmse(actual: Values, predicted: Values): number {
  sameLength(actual, predicted, 'nrmse');
  const s = errorStats(actual, predicted);
  return scaled(s.rmse, s.std);
}

/** MAE / mean(|actual - mean(actual)|). NaN when `actual` is constant or empty. */
export function nmae(actual: Values, predicted: Values): number {
  sameLength(actual, predicted, 'nmae');
  const s = errorStats(actual, predicted);
  return scaled(s.mae, s.meanAbsDev);
}

/**
 * Unnormalised Gini of the actual values ordered by a key descending, given `key` sorted
 * ascending and `actual` in that same order: sum over rows of the cumulative share of actual,
 * / n, minus (n + 1) / (2n).
 *
 * Ties in the key: the result is the mean over every ordering of the tied rows. Because the sum
 * of cumulative shares is linear in the rows' positions, that mean is exact and cheap: a tied
 * group of g rows holding S after a cumulative C adds g*C + S*(g + 1)/2 (as if each row of the
 * group held the group's mean). So the result never depends on the input order.
 */
function giniSorted(actualInOrder: Float64Array, key: Float64Array): number {
  const n = key.length;
  let cum = 0;
  let sumCum = 0;
  let j = n; // exclusive end of the next group, walking from the largest key down
  while (j > 0) {
    const v = key[j - 1];
    let i = j - 1;
    let s = actualInOrder[i];
    while (i > 0 && key[i - 1] === v) {
      i--;
      s += actualInOrder[i];
    }
    const g = j - i;
    sumCum += g * cum + (s * (g + 1)) / 2;
    cum += s;
    j = i;
  }
  if (!(cum !== 0 && Number.isFinite(cum))) return NaN;
  return sumCum / cum / n - (n + 1) / (2 * n);
}

function gather(values: Values, order: Uint32Array): Float64Array {
  const out = new Float64Array(order.length);
  for (let k = 0; k < order.length; k++) out[k] = values[order[k]];
  return out;
}

function normalizedGiniSorted(actual: Values, pred: Sorted, act: Sorted): number {
  const n = act.sorted.length;
  // A constant target (all tied after sorting) has no ranking to recover.
  if (n < 2 || act.sorted[0] === act.sorted[n - 1]) return NaN;
  const best = giniSorted(act.sorted, act.sorted);
  if (!(best !== 0 && Number.isFinite(best))) return NaN;
  return giniSorted(gather(actual, pred.order), pred.sorted) / best;
}

/**
 * Kaggle-style normalised Gini: gini(actual, predicted) / gini(actual, actual), where gini sorts
 * rows by the second argument descending and takes sum(cumulative share of actual) / n -
 * (n + 1) / (2n). Ties in `predicted` are averaged over every order of the tied rows (exactly,
 * see giniSorted), so the result depends only on the ranking, not on the input order, and is
 * invariant to strictly increasing transforms of `predicted`. 1 for a perfect ranking, -1 for the
 * reversed one. NaN when `actual` is constant, sums to 0, has fewer than 2 rows, or on NaN input.
 */
export function normalizedGini(actual: Values, predicted: Values): number {
  sameLength(actual, predicted, 'normalizedGini');
  if (hasNaN(actual) || hasNaN(predicted)) return NaN;
  return normalizedGiniSorted(actual, sortAscending(predicted), sortAscending(actual));
}

/** Every regression metric at once, sorting each input only once. */
export function regressionMetrics(actual: Values, predicted: Values): RegressionMetrics {
  sameLength(actual, predicted, 'regressionMetrics');
  const s = errorStats(actual, predicted);
  let gini = NaN;
  let rho = NaN;
  if (!hasNaN(actual) && !hasNaN(predicted)) {
    const pred = sortAscending(predicted);
    const act = sortAscending(actual);
    gini = normalizedGiniSorted(actual, pred, act);
    rho = rankCorrelation(ranksFromSorted(act), ranksFromSorted(pred));
  }
  const nr = scaled(s.rmse, s.std);
  return {
    rmse: s.rmse,
    mae: s.mae,
    nrmse: nr,
    nmae: scaled(s.mae, s.meanAbsDev),
    gini,
    spearman: rho,
    r2: 1 - nr * nr,
    totalRatio: s.sumY !== 0 && Number.isFinite(s.sumY) ? s.sumP / s.sumY : NaN,
  };
}
