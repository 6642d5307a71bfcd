// The statistics of an experiment: a metric's mean and spread over seeds, and whether a
// variant differs from the reference by more than seed noise. Runs are paired by seed (the same
// seed draws the same split and the same initial weights), so the difference is taken per seed
// and its interval is a paired t interval (and, as a check that assumes no normality, a
// percentile bootstrap of the mean difference). Everything here is plain arithmetic on numbers,
// unit-tested against hand-computed values; the renderer reads it too (shared/).

import { createRng } from '../random';

/** Mean and sample standard deviation (n - 1); sd is NaN for fewer than two values. */
export interface MeanSd {
  mean: number;
  sd: number;
  n: number;
}

export function meanSd(values: readonly number[]): MeanSd {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: NaN, sd: NaN, n: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, sd: NaN, n };
  const ss = xs.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)), n };
}

// ---- Student's t -------------------------------------------------------------------------------

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; about 15 significant digits). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x),
  );
  return x < (a + 1) / (a + b + 2)
    ? (front * betaFraction(a, b, x)) / a
    : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T <= t) for Student's t with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with `df` degrees of freedom (bisection on the cdf). */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return NaN;
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// ---- paired differences ------------------------------------------------------------------------

/** The difference variant - reference over the seeds both have, with its intervals. */
export interface PairedDifference {
  /** Seeds paired. */
  n: number;
  /** Mean of the per-seed differences. */
  diff: number;
  /** Their sample standard deviation (NaN for one pair). */
  sd: number;
  /** The two-sided t interval of the mean difference (NaN bounds for fewer than two pairs). */
  low: number;
  high: number;
  /** The percentile bootstrap interval of the mean difference (NaN for fewer than two pairs). */
  bootstrapLow: number;
  bootstrapHigh: number;
}

export interface PairedOptions {
  /** Coverage of the intervals [0.95]. */
  level?: number;
  /** Bootstrap resamples [2000]. */
  resamples?: number;
  /** Seeds the bootstrap, so a report is reproducible [1]. */
  seed?: number;
}

/**
 * Pairs `variant` and `reference` by key (the seed), keeping the keys both have with a finite
 * value, and returns the mean difference with a paired t interval and a bootstrap interval.
 */
export function pairedDifference(
  variant: ReadonlyMap<number, number>,
  reference: ReadonlyMap<number, number>,
  options: PairedOptions = {},
): PairedDifference {
  const diffs: number[] = [];
  for (const [key, v] of [...variant].sort((a, b) => a[0] - b[0])) {
    const r = reference.get(key);
    if (r !== undefined && Number.isFinite(v) && Number.isFinite(r)) diffs.push(v - r);
  }
  const { mean, sd, n } = meanSd(diffs);
  const level = options.level ?? 0.95;
  const alpha = 1 - level;
  if (n < 2)
    return { n, diff: mean, sd, low: NaN, high: NaN, bootstrapLow: NaN, bootstrapHigh: NaN };
  const half = tQuantile(1 - alpha / 2, n - 1) * (sd / Math.sqrt(n));
  const [bootstrapLow, bootstrapHigh] = bootstrapMeanInterval(
    diffs,
    level,
    options.resamples ?? 2000,
    options.seed ?? 1,
  );
  return { n, diff: mean, sd, low: mean - half, high: mean + half, bootstrapLow, bootstrapHigh };
}

/** Percentile bootstrap interval of the mean of `values` (resampled with replacement). */
export function bootstrapMeanInterval(
  values: readonly number[],
  level: number,
  resamples: number,
  seed: number,
): [number, number] {
  const n = values.length;
  if (n === 0) return [NaN, NaN];
  const rng = createRng(seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[rng.int(n)];
    means[b] = s / n;
  }
  means.sort();
  const alpha = 1 - level;
  return [quantileSorted(means, alpha / 2), quantileSorted(means, 1 - alpha / 2)];
}

/** Linear-interpolated quantile of sorted values (type 7, as R's default and numpy's). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

// ---- in words ----------------------------------------------------------------------------------

/** Whether a difference clears the noise: its interval excludes 0. */
export type Verdict = 'likely real' | 'within noise' | 'one seed: no interval';

export function verdictOf(d: Pick<PairedDifference, 'n' | 'low' | 'high'>): Verdict {
  if (d.n < 2 || !Number.isFinite(d.low) || !Number.isFinite(d.high))
    return 'one seed: no interval';
  return d.low > 0 || d.high < 0 ? 'likely real' : 'within noise';
}

/**
 * A number with its sign and `digits` decimals: "+0.004", "-0.012". One that rounds to zero has
 * no sign ("0.00", not "-0.00"): at the interval's precision it has no direction.
 */
export function signed(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return 'n/a';
  const text = Math.abs(x).toFixed(digits);
  if (Number(text) === 0) return text;
  return `${x >= 0 ? '+' : '-'}${text}`;
}

/** Decimals that show one significant digit of `x` (two when it starts with a 1), 1 to 6. */
export function decimalsFor(x: number): number {
  const abs = Math.abs(x);
  if (!Number.isFinite(abs) || abs === 0) return 3;
  const exponent = Math.floor(Math.log10(abs));
  const leadingOne = Math.floor(abs / 10 ** exponent) === 1;
  return Math.max(1, Math.min(6, -exponent + (leadingOne ? 1 : 0)));
}

/** What the decimals of a difference follow: its half width, or a tenth of it when smaller. */
export function spreadScale(half: number, diff: number): number {
  const tenth = Math.abs(diff) / 10;
  return Number.isFinite(half) ? Math.max(Math.abs(half), tenth) : tenth;
}

/**
 * "purchase AUC +0.004 ± 0.002, likely real": a difference with the half width of its t
 * interval (shown to its first significant digit) and the verdict.
 */
export function describeDifference(
  task: string,
  metricLabel: string,
  d: Pick<PairedDifference, 'n' | 'diff' | 'low' | 'high'>,
): string {
  const verdict = verdictOf(d);
  const half = (d.high - d.low) / 2;
  const digits = decimalsFor(spreadScale(half, d.diff));
  const spread = Number.isFinite(half) ? ` ± ${half.toFixed(digits)}` : '';
  return `${task} ${metricLabel} ${signed(d.diff, digits)}${spread}, ${verdict}`;
}
