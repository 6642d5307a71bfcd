// The curves the results screen draws: ROC, calibration (probability bins, deciles of a
// regression, quantiles), Lorenz and a seeded sample of predicted against actual. Long curves
// are thinned to at most `maxPoints` points spread along them, always keeping both ends. The
// conventions are in index.ts.

import { createRng } from '../../../shared/random';
import { checkMaxPoints, hasNaN, isPositive, sameLength, sortAscending, type Values } from './sort';

export interface DecileCalibration {
  /** Per group of rows by prediction (ascending; equal counts up to one row): mean prediction. */
  meanPredicted: number[];
  /** Mean actual value of the same rows. */
  meanActual: number[];
  count: number[];
}

export interface RocCurve {
  /** False-positive rate, non-decreasing from 0 to 1. */
  fpr: number[];
  /** True-positive rate, non-decreasing from 0 to 1. */
  tpr: number[];
  /** Point k classifies `score >= thresholds[k]` as positive; the first one is +Infinity. */
  thresholds: number[];
}

export interface CalibrationCurve {
  /** Mean predicted probability of the rows in each non-empty bin. */
  meanPredicted: number[];
  /** Fraction of positive labels in each non-empty bin. */
  fractionPositive: number[];
  /** Number of rows in each non-empty bin. */
  count: number[];
}

export interface LorenzCurve {
  /** Share of rows taken, ordered by prediction descending (0 to 1). */
  population: number[];
  /** Share of the total actual value those rows hold (0 to 1). */
  captured: number[];
}

export interface ScatterSample {
  actual: number[];
  predicted: number[];
  /** Row index of each pair in the inputs, ascending. */
  index: number[];
}

/**
 * Calibration of a regression by deciles of the prediction: rows sorted by prediction
 * (ascending), cut into `groups` groups of equal size (the first ones one row larger when the
 * count does not divide), and per group the mean prediction, the mean actual value and the row
 * count. Rows where either value is not finite are skipped; empty arrays without rows.
 */
export function decileCalibration(
  actual: Values,
  predicted: Values,
  groups = 10,
): DecileCalibration {
  const n = sameLength(actual, predicted, 'decileCalibration');
  if (!(Number.isInteger(groups) && groups >= 1))
    throw new RangeError(`decileCalibration: groups must be a positive integer (got ${groups})`);
  const keep: number[] = [];
  for (let i = 0; i < n; i++)
    if (Number.isFinite(actual[i]) && Number.isFinite(predicted[i])) keep.push(i);
  const out: DecileCalibration = { meanPredicted: [], meanActual: [], count: [] };
  const m = keep.length;
  if (m === 0) return out;
  const keys = Float64Array.from(keep, (i) => predicted[i]);
  const { order } = sortAscending(keys);
  const g = Math.min(groups, m);
  let from = 0;
  for (let k = 0; k < g; k++) {
    const size = Math.floor(m / g) + (k < m % g ? 1 : 0);
    let sp = 0;
    let sa = 0;
    for (let j = from; j < from + size; j++) {
      const i = keep[order[j]];
      sp += predicted[i];
      sa += actual[i];
    }
    out.meanPredicted.push(sp / size);
    out.meanActual.push(sa / size);
    out.count.push(size);
    from += size;
  }
  return out;
}

/**
 * Indices of at most `maxPoints` of the `m` points of a curve, always the first and the last,
 * spread evenly along `progress` (a non-decreasing measure of how far along the curve a point
 * is). Null when every point fits.
 */
function pickPoints(progress: Float64Array, m: number, maxPoints: number): Uint32Array | null {
  if (m <= maxPoints) return null;
  const first = progress[0];
  const span = progress[m - 1] - first;
  const picked = new Uint32Array(maxPoints);
  let k = 0;
  picked[k++] = 0;
  let i = 1;
  for (let t = 1; t < maxPoints - 1; t++) {
    const target = first + (span * t) / (maxPoints - 1);
    while (i < m - 1 && progress[i] < target) i++;
    if (i >= m - 1) break;
    picked[k++] = i++;
  }
  picked[k++] = m - 1;
  return picked.subarray(0, k);
}

function toArray(values: Float64Array, m: number, picked: Uint32Array | null): number[] {
  if (picked === null) return Array.from(values.subarray(0, m));
  const out = new Array<number>(picked.length);
  for (let k = 0; k < picked.length; k++) out[k] = values[picked[k]];
  return out;
}

/**
 * ROC curve. One exact point per distinct score (tied scores move the curve diagonally in one
 * step), from (0, 0) at threshold +Infinity to (1, 1) at the lowest score, then downsampled to at
 * most `maxPoints` points spread evenly along fpr + tpr, keeping both endpoints. Empty arrays when
 * only one class is present, on empty input or on NaN input.
 */
export function rocCurve(labels: Values, scores: Values, maxPoints = 200): RocCurve {
  const n = sameLength(labels, scores, 'rocCurve');
  const limit = checkMaxPoints(maxPoints, 'rocCurve');
  const empty: RocCurve = { fpr: [], tpr: [], thresholds: [] };
  if (hasNaN(labels) || hasNaN(scores)) return empty;
  let pos = 0;
  for (let i = 0; i < n; i++) if (isPositive(labels[i])) pos++;
  const neg = n - pos;
  if (pos === 0 || neg === 0) return empty;

  const { order, sorted } = sortAscending(scores);
  const fpr = new Float64Array(n + 1);
  const tpr = new Float64Array(n + 1);
  const thr = new Float64Array(n + 1);
  const progress = new Float64Array(n + 1);
  thr[0] = Infinity;
  let m = 1;
  let tp = 0;
  let fp = 0;
  let j = n;
  while (j > 0) {
    const v = sorted[j - 1];
    do {
      j--;
      if (isPositive(labels[order[j]])) tp++;
      else fp++;
    } while (j > 0 && sorted[j - 1] === v);
    fpr[m] = fp / neg;
    tpr[m] = tp / pos;
    thr[m] = v;
    progress[m] = fpr[m] + tpr[m];
    m++;
  }
  const picked = pickPoints(progress, m, limit);
  return {
    fpr: toArray(fpr, m, picked),
    tpr: toArray(tpr, m, picked),
    thresholds: toArray(thr, m, picked),
  };
}

/**
 * Reliability diagram: `bins` equal-width bins over [0, 1] (bin k holds k/bins <= p < (k+1)/bins,
 * the last one also p = 1; probabilities outside [0, 1] go to the end bins). Per non-empty bin,
 * in increasing order: the mean predicted probability, the fraction of positive labels and the
 * row count. Empty bins are omitted; rows with a NaN label or probability are skipped.
 */
export function calibrationCurve(labels: Values, probs: Values, bins = 10): CalibrationCurve {
  const n = sameLength(labels, probs, 'calibrationCurve');
  if (!(Number.isInteger(bins) && bins >= 1)) {
    throw new RangeError(`calibrationCurve: bins must be a positive integer (got ${bins})`);
  }
  const sumP = new Float64Array(bins);
  const sumPos = new Float64Array(bins);
  const cnt = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const p = probs[i];
    const y = labels[i];
    if (p !== p || y !== y) continue;
    let b = Math.floor(p * bins);
    if (b < 0) b = 0;
    else if (b >= bins) b = bins - 1;
    sumP[b] += p;
    if (isPositive(y)) sumPos[b]++;
    cnt[b]++;
  }
  const out: CalibrationCurve = { meanPredicted: [], fractionPositive: [], count: [] };
  for (let b = 0; b < bins; b++) {
    if (cnt[b] === 0) continue;
    out.meanPredicted.push(sumP[b] / cnt[b]);
    out.fractionPositive.push(sumPos[b] / cnt[b]);
    out.count.push(cnt[b]);
  }
  return out;
}

/**
 * Lorenz (cumulative gains) curve: rows ordered by `predicted` descending; x = share of rows
 * taken, y = share of the total `actual` they hold. One point per group of tied predictions (the
 * curve is a straight line across a tied group, the mean over its orderings), from (0, 0) to
 * (1, 1), downsampled to at most `maxPoints` points spread evenly along x, keeping both
 * endpoints. `lorenzCurve(actual, actual)` is the perfect-model curve. Empty arrays on empty
 * input, NaN input, or when `actual` sums to 0.
 */
export function lorenzCurve(actual: Values, predicted: Values, maxPoints = 200): LorenzCurve {
  const n = sameLength(actual, predicted, 'lorenzCurve');
  const limit = checkMaxPoints(maxPoints, 'lorenzCurve');
  const empty: LorenzCurve = { population: [], captured: [] };
  if (n === 0 || hasNaN(actual) || hasNaN(predicted)) return empty;

  const { order, sorted } = sortAscending(predicted);
  const population = new Float64Array(n + 1);
  const captured = new Float64Array(n + 1);
  let m = 1;
  let cum = 0;
  let j = n;
  while (j > 0) {
    const v = sorted[j - 1];
    do {
      j--;
      cum += actual[order[j]];
    } while (j > 0 && sorted[j - 1] === v);
    population[m] = (n - j) / n;
    captured[m] = cum;
    m++;
  }
  if (!(cum !== 0 && Number.isFinite(cum))) return empty;
  for (let k = 1; k < m; k++) captured[k] /= cum; // the last point is cum / cum = 1 exactly
  const picked = pickPoints(population, m, limit);
  return { population: toArray(population, m, picked), captured: toArray(captured, m, picked) };
}

/**
 * (actual, predicted) pairs for a scatter plot: every row where both are finite when there are at
 * most `maxPoints` of them, otherwise a uniform random sample of exactly `maxPoints` of them
 * without replacement (selection sampling, O(n), no per-row allocation). Deterministic for a
 * given input and `seed` (an integer; 0 by default). Pairs come in row order.
 */
export function predictedVsActual(
  actual: Values,
  predicted: Values,
  maxPoints = 2000,
  seed = 0,
): ScatterSample {
  const n = sameLength(actual, predicted, 'predictedVsActual');
  if (!(maxPoints >= 0))
    throw new RangeError(`predictedVsActual: maxPoints must be >= 0 (got ${maxPoints})`);
  const limit = Math.floor(maxPoints);
  let finite = 0;
  for (let i = 0; i < n; i++)
    if (Number.isFinite(actual[i]) && Number.isFinite(predicted[i])) finite++;
  const k = Math.min(limit, finite);
  const out: ScatterSample = {
    actual: new Array<number>(k),
    predicted: new Array<number>(k),
    index: new Array<number>(k),
  };
  const rng = createRng(seed);
  const random = () => rng.next();
  let seen = 0; // finite rows considered so far
  let taken = 0;
  for (let i = 0; i < n && taken < k; i++) {
    const a = actual[i];
    const p = predicted[i];
    if (!(Number.isFinite(a) && Number.isFinite(p))) continue;
    // Knuth's Algorithm S: take this row with probability (still needed) / (still available).
    if (k === finite || (finite - seen) * random() < k - taken) {
      out.actual[taken] = a;
      out.predicted[taken] = p;
      out.index[taken] = i;
      taken++;
    }
    seen++;
  }
  return out;
}

/**
 * Reliability diagram over quantile bins: rows sorted by predicted probability and cut into
 * `bins` groups of (about) equal size, so a rare event (0.9% positives, predictions all below
 * 0.05) still gets `bins` points instead of one. Rows with equal predictions stay in one bin
 * (bins may then be fewer or unequal). Per non-empty bin, in increasing order: the mean
 * predicted probability, the fraction of positive labels and the row count; NaN rows skipped.
 */
export function quantileCalibrationCurve(
  labels: Values,
  probs: Values,
  bins = 10,
): CalibrationCurve {
  const n = sameLength(labels, probs, 'quantileCalibrationCurve');
  if (!(Number.isInteger(bins) && bins >= 1)) {
    throw new RangeError(`quantileCalibrationCurve: bins must be a positive integer (got ${bins})`);
  }
  const valid: number[] = [];
  for (let i = 0; i < n; i++) if (probs[i] === probs[i] && labels[i] === labels[i]) valid.push(i);
  const sorted = Float64Array.from(valid, (i) => probs[i]).sort();
  const m = sorted.length;
  // Upper edges of bins 0..bins-2: a row goes to the first bin whose edge is >= its value.
  const edges: number[] = [];
  for (let k = 1; k < bins; k++)
    edges.push(sorted[Math.min(m - 1, Math.floor((k * m) / bins) - 1)]);
  const sumP = new Float64Array(bins);
  const sumPos = new Float64Array(bins);
  const cnt = new Float64Array(bins);
  for (const i of valid) {
    const p = probs[i];
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid] >= p) hi = mid;
      else lo = mid + 1;
    }
    sumP[lo] += p;
    if (isPositive(labels[i])) sumPos[lo]++;
    cnt[lo]++;
  }
  const out: CalibrationCurve = { meanPredicted: [], fractionPositive: [], count: [] };
  for (let b = 0; b < bins; b++) {
    if (cnt[b] === 0) continue;
    out.meanPredicted.push(sumP[b] / cnt[b]);
    out.fractionPositive.push(sumPos[b] / cnt[b]);
    out.count.push(cnt[b]);
  }
  return out;
}
