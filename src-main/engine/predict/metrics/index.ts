// Evaluation metrics for binary and regression tasks, and the curves the results screen draws.
//
// Pure functions over array-likes (number[], Float32Array, Float64Array, ...). They run on
// millions of rows, so they allocate only typed arrays (no object per row) and are O(n log n)
// at worst: every ordering comes from `argsort`, a stable LSD radix sort on the IEEE-754 bits
// (O(n), 24 bytes of scratch per row), with a comparator sort for small inputs.
//
// Conventions shared by every function here:
// - A binary label counts as positive when it is > 0.5 (labels are expected to be 0/1).
//   `logLoss` uses the label value itself, which is the same thing for 0/1 labels.
// - Ties are exact: values are equal when `===` says so (so -0 and 0 tie). Tied scores or
//   predictions never make a result depend on the input order (see each function).
// - Two inputs of different lengths are a programming error: RangeError.
// - A metric that is undefined for the input (empty input, a single class, a constant target,
//   a NaN anywhere in the inputs it reads) is NaN. A curve that is undefined is empty arrays.
//
// No Node imports: the renderer may import this file too (random.ts is plain TypeScript).

import { createRng } from '../../data/random';

/** Probabilities are clipped to [LOGLOSS_EPS, 1 - LOGLOSS_EPS] before taking logs. */
export const LOGLOSS_EPS = 1e-7;

export interface BinaryMetrics {
  auc: number;
  logloss: number;
}

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

type Values = ArrayLike<number>;

// ---------------------------------------------------------------------------------------------
// Helpers

function sameLength(a: Values, b: Values, fn: string): number {
  if (a.length !== b.length) {
    throw new RangeError(`${fn}: inputs differ in length (${a.length} vs ${b.length})`);
  }
  return a.length;
}

function hasNaN(a: Values): boolean {
  for (let i = 0, n = a.length; i < n; i++) {
    const v = a[i];
    if (v !== v) return true;
  }
  return false;
}

function isPositive(label: number): boolean {
  return label > 0.5;
}

function checkMaxPoints(maxPoints: number, fn: string): number {
  if (!(maxPoints >= 2))
    throw new RangeError(`${fn}: maxPoints must be at least 2 (got ${maxPoints})`);
  return Math.floor(maxPoints);
}

// ---------------------------------------------------------------------------------------------
// Sorting

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const LO_WORD = LITTLE_ENDIAN ? 0 : 1;
const HI_WORD = 1 - LO_WORD;
/** Below this size a comparator sort beats the radix sort's fixed histogram cost. */
const SMALL_SORT = 512;
/**
 * The radix digits of a 64-bit key: [first bit, width]. 11 + 11 + 7 bits of the low word, then
 * one digit across the words, so that float32 data (whose low 29 bits are 0) skips 3 passes.
 */
const DIGIT_START = [0, 11, 22, 29, 40, 52];
const DIGIT_WIDTH = [11, 11, 7, 11, 12, 12];
const RADIX_SIZE = 4096;
const scratchFloat = new Float64Array(1);
const scratchWords = new Uint32Array(scratchFloat.buffer);

function compareNumbers(x: number, y: number): number {
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  // At least one NaN: NaNs are equal to each other and greater than everything else.
  const xn = x !== x;
  const yn = y !== y;
  return xn === yn ? 0 : xn ? 1 : -1;
}

/**
 * Indices that sort `values` ascending. Stable (equal values keep their input order), -0 and 0
 * are equal, NaNs come last. O(n) radix sort on the float bits for large inputs.
 */
export function argsort(values: Values): Uint32Array {
  return sortAscending(values).order;
}

/** An ascending sort: `order` as argsort gives it and `sorted[k] = values[order[k]]`. */
interface Sorted {
  order: Uint32Array;
  sorted: Float64Array;
}

function sortAscending(values: Values): Sorted {
  const n = values.length;
  if (n > SMALL_SORT) return radixSort(values, n);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => compareNumbers(values[a], values[b]) || a - b);
  const sorted = new Float64Array(n);
  for (let k = 0; k < n; k++) sorted[k] = values[order[k]];
  return { order, sorted };
}

/**
 * LSD radix sort on 64-bit keys whose unsigned order is the numeric order, carrying the keys
 * along with the indices so every pass reads sequentially (scratch memory: 24 bytes per row).
 * The sorted values are decoded back from the sorted keys, so callers walk them sequentially.
 */
function radixSort(values: Values, n: number): Sorted {
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  let idx = new Uint32Array(n);
  const counts = new Uint32Array(6 * RADIX_SIZE);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let h: number;
    let l: number;
    if (v !== v) {
      h = 0xffffffff; // every NaN becomes the largest key
      l = 0xffffffff;
    } else {
      scratchFloat[0] = v === 0 ? 0 : v; // -0 -> +0
      h = scratchWords[HI_WORD];
      l = scratchWords[LO_WORD];
      if (h & 0x80000000) {
        h = ~h >>> 0; // negative: flip every bit
        l = ~l >>> 0;
      } else {
        h = (h | 0x80000000) >>> 0; // positive: flip the sign bit
      }
    }
    lo[i] = l;
    hi[i] = h;
    idx[i] = i;
    counts[l & 0x7ff]++;
    counts[RADIX_SIZE + ((l >>> 11) & 0x7ff)]++;
    counts[2 * RADIX_SIZE + ((l >>> 22) & 0x7f)]++;
    counts[3 * RADIX_SIZE + (((l >>> 29) | (h << 3)) & 0x7ff)]++;
    counts[4 * RADIX_SIZE + ((h >>> 8) & 0xfff)]++;
    counts[5 * RADIX_SIZE + (h >>> 20)]++;
  }

  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  let idx2 = new Uint32Array(n);
  for (let p = 0; p < 6; p++) {
    const base = p * RADIX_SIZE;
    const s = DIGIT_START[p];
    const mask = (1 << DIGIT_WIDTH[p]) - 1;
    // Skip a digit every key shares.
    const first =
      s === 0 ? lo[0] : s < 32 ? (lo[0] >>> s) | (hi[0] << (32 - s)) : hi[0] >>> (s - 32);
    if (counts[base + (first & mask)] === n) continue;
    let sum = 0;
    for (let b = 0; b <= mask; b++) {
      const c = counts[base + b];
      counts[base + b] = sum;
      sum += c;
    }
    if (s < 32) {
      for (let i = 0; i < n; i++) {
        const l = lo[i];
        const h = hi[i];
        const at = counts[base + ((s === 0 ? l : (l >>> s) | (h << (32 - s))) & mask)]++;
        lo2[at] = l;
        hi2[at] = h;
        idx2[at] = idx[i];
      }
    } else {
      const shift = s - 32;
      for (let i = 0; i < n; i++) {
        const h = hi[i];
        const at = counts[base + ((h >>> shift) & mask)]++;
        lo2[at] = lo[i];
        hi2[at] = h;
        idx2[at] = idx[i];
      }
    }
    let t = lo;
    lo = lo2;
    lo2 = t;
    t = hi;
    hi = hi2;
    hi2 = t;
    t = idx;
    idx = idx2;
    idx2 = t;
  }

  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let h = hi[i];
    let l = lo[i];
    if (h === 0xffffffff && l === 0xffffffff) {
      sorted[i] = NaN; // no number's key reaches this (+Infinity's high word is 0xfff00000)
      continue;
    }
    if (h & 0x80000000) {
      h = (h & 0x7fffffff) >>> 0;
    } else {
      h = ~h >>> 0;
      l = ~l >>> 0;
    }
    scratchWords[HI_WORD] = h;
    scratchWords[LO_WORD] = l;
    sorted[i] = scratchFloat[0];
  }
  return { order: idx, sorted };
}

// ---------------------------------------------------------------------------------------------
// Ranks and correlation

function ranksFromSorted({ order, sorted }: Sorted): Float64Array {
  const n = order.length;
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    const v = sorted[i];
    if (v !== v) {
      for (; i < n; i++) ranks[order[i]] = NaN;
      break;
    }
    let j = i + 1;
    while (j < n && sorted[j] === v) j++;
    const r = (i + 1 + j) / 2; // mean of the 1-based ranks i+1 .. j
    for (let k = i; k < j; k++) ranks[order[k]] = r;
    i = j;
  }
  return ranks;
}

/**
 * 1-based ranks of `values` ascending; tied values all get the mean of the ranks they span
 * (e.g. [10, 20, 20, 30] -> [1, 2.5, 2.5, 4]). NaN values get rank NaN and the others are
 * ranked among themselves.
 */
export function averageRanks(values: Values): Float64Array {
  return ranksFromSorted(sortAscending(values));
}

/** Pearson correlation of two rank vectors of 1..n (their mean is exactly (n + 1) / 2). */
function rankCorrelation(ra: Float64Array, rb: Float64Array): number {
  const n = ra.length;
  if (n < 2) return NaN;
  const mean = (n + 1) / 2;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let i = 0; i < n; i++) {
    const da = ra[i] - mean;
    const db = rb[i] - mean;
    saa += da * da;
    sbb += db * db;
    sab += da * db;
  }
  // All ties give deviations of exactly 0, so a constant side is caught exactly.
  if (saa === 0 || sbb === 0) return NaN;
  const r = sab / Math.sqrt(saa * sbb);
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

/**
 * Spearman rank correlation: the Pearson correlation of the average ranks of `a` and `b`.
 * NaN when either side is constant, when there are fewer than 2 rows, or on NaN input.
 */
export function spearman(a: Values, b: Values): number {
  sameLength(a, b, 'spearman');
  if (hasNaN(a) || hasNaN(b)) return NaN;
  return rankCorrelation(averageRanks(a), averageRanks(b));
}

// ---------------------------------------------------------------------------------------------
// Binary tasks

function aucFromSorted(labels: Values, { order, sorted }: Sorted): number {
  const n = order.length;
  let pos = 0;
  for (let i = 0; i < n; i++) if (isPositive(labels[i])) pos++;
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  // Walk groups of tied scores ascending: a positive beats every negative below its group and
  // ties with (counts 1/2 for) every negative inside it.
  let negBelow = 0;
  let wins = 0;
  let i = 0;
  while (i < n) {
    const v = sorted[i];
    let p = 0;
    let j = i;
    do {
      if (isPositive(labels[order[j]])) p++;
      j++;
    } while (j < n && sorted[j] === v);
    const q = j - i - p;
    wins += p * (negBelow + 0.5 * q);
    negBelow += q;
    i = j;
  }
  return wins / (pos * neg);
}

/**
 * ROC AUC: the probability that a random positive scores above a random negative, a tied
 * positive/negative pair counting 1/2 (the average-rank / Mann-Whitney definition).
 * NaN when only one class is present, on empty input, or on NaN input.
 */
export function auc(labels: Values, scores: Values): number {
  sameLength(labels, scores, 'auc');
  if (hasNaN(labels) || hasNaN(scores)) return NaN;
  return aucFromSorted(labels, sortAscending(scores));
}

/**
 * Mean binary cross-entropy, natural log, probabilities clipped to [1e-7, 1 - 1e-7]:
 * mean of -(y ln p + (1 - y) ln(1 - p)). NaN on empty input.
 */
export function logLoss(labels: Values, probs: Values): number {
  const n = sameLength(labels, probs, 'logLoss');
  if (n === 0) return NaN;
  const hi = 1 - LOGLOSS_EPS;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let p = probs[i];
    if (p < LOGLOSS_EPS) p = LOGLOSS_EPS;
    else if (p > hi) p = hi;
    const y = labels[i];
    if (y === 1) sum -= Math.log(p);
    else if (y === 0) sum -= Math.log(1 - p);
    else sum -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
  }
  return sum / n;
}

/** AUC and LogLoss of one binary task. */
export function binaryMetrics(labels: Values, probs: Values): BinaryMetrics {
  return { auc: auc(labels, probs), logloss: logLoss(labels, probs) };
}

// ---------------------------------------------------------------------------------------------
// Regression tasks (on the raw target scale)

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

// ---------------------------------------------------------------------------------------------
// Curves

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
