// The ground the metrics stand on: input checks (equal lengths, NaN, which label is positive,
// curve point limits), the sort every ordering comes from (`argsort`: a stable LSD radix sort on
// the IEEE-754 bits, a comparator sort below SMALL_SORT rows), and average ranks with the
// Spearman correlation built on them. The conventions are in index.ts.

export type Values = ArrayLike<number>;

// ---------------------------------------------------------------------------------------------
// Helpers

export function sameLength(a: Values, b: Values, fn: string): number {
  if (a.length !== b.length) {
    throw new RangeError(`${fn}: inputs differ in length (${a.length} vs ${b.length})`);
  }
  return a.length;
}

export function hasNaN(a: Values): boolean {
  for (let i = 0, n = a.length; i < n; i++) {
    const v = a[i];
    if (v !== v) return true;
  }
  return false;
}

export function isPositive(label: number): boolean {
  return label > 0.5;
}

export function checkMaxPoints(maxPoints: number, fn: string): number {
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
export interface Sorted {
  order: Uint32Array;
  sorted: Float64Array;
}

export function sortAscending(values: Values): Sorted {
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

export function ranksFromSorted({ order, sorted }: Sorted): Float64Array {
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
export function rankCorrelation(ra: Float64Array, rb: Float64Array): number {
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
