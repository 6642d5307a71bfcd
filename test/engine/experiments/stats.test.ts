// The experiment statistics against values worked out by hand (and the t table): mean and sd,
// Student's t quantiles, the paired t interval, the bootstrap interval and the words.

import { describe, expect, it } from 'vitest';
import {
  bootstrapMeanInterval,
  describeDifference,
  meanSd,
  pairedDifference,
  quantileSorted,
  tCdf,
  tQuantile,
  verdictOf,
} from '../../../src-main/shared/experiments/stats';

const bySeed = (values: number[]) => new Map(values.map((v, i) => [i + 1, v]));

describe('meanSd', () => {
  it('gives the mean and the n - 1 standard deviation', () => {
    // 1..4: mean 2.5; squares of deviations 2.25 + 0.25 + 0.25 + 2.25 = 5; 5 / 3 -> sd 1.29099
    const r = meanSd([1, 2, 3, 4]);
    expect(r.mean).toBe(2.5);
    expect(r.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(r.n).toBe(4);
  });

  it('has no sd for one value and skips values that are not finite', () => {
    expect(meanSd([0.7]).sd).toBeNaN();
    expect(meanSd([0.7, NaN, Infinity]).mean).toBe(0.7);
    expect(meanSd([]).mean).toBeNaN();
  });
});

describe("Student's t", () => {
  it('has the quantiles of the t table', () => {
    // Two-sided 95%: df 1 12.706, df 2 4.303, df 4 2.776, df 9 2.262, df 30 2.042.
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.7062047, 5);
    expect(tQuantile(0.975, 2)).toBeCloseTo(4.3026527, 6);
    expect(tQuantile(0.975, 4)).toBeCloseTo(2.7764451, 6);
    expect(tQuantile(0.975, 9)).toBeCloseTo(2.2621572, 6);
    expect(tQuantile(0.975, 30)).toBeCloseTo(2.0422725, 6);
    expect(tQuantile(0.025, 4)).toBeCloseTo(-2.7764451, 6);
    expect(tQuantile(0.5, 7)).toBe(0);
  });

  it('has the cdf in closed form for df 1 (Cauchy) and df 2', () => {
    // df 1: 1/2 + atan(t)/pi; df 2: 1/2 + t / (2 sqrt(2 + t^2)).
    for (const t of [-3, -0.5, 0, 0.8, 4]) {
      expect(tCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 10);
      expect(tCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 10);
    }
  });
});

describe('pairedDifference', () => {
  it('pairs by seed and gives the t interval of the mean difference', () => {
    // Differences 0.01, 0.02, 0.01: mean 0.013333, sd sqrt(((1/300)^2 * 2 + (2/300)^2) / 2)
    // = 0.0057735; half width 4.3026527 * 0.0057735 / sqrt(3) = 0.0143422.
    const d = pairedDifference(bySeed([0.8, 0.82, 0.81]), bySeed([0.79, 0.8, 0.8]));
    expect(d.n).toBe(3);
    expect(d.diff).toBeCloseTo(0.0133333, 6);
    expect(d.sd).toBeCloseTo(0.0057735, 6);
    expect(d.low).toBeCloseTo(-0.0010088, 6);
    expect(d.high).toBeCloseTo(0.0276755, 6);
    expect(verdictOf(d)).toBe('within noise');
  });

  it('calls a consistent difference likely real', () => {
    // Differences 0.004, 0.005, 0.003, 0.004, 0.006: mean 0.0044, sd 0.00114018,
    // half width 2.7764451 * 0.00114018 / sqrt(5) = 0.00141571.
    const reference = [0.7, 0.71, 0.69, 0.7, 0.72];
    const variant = [0.704, 0.715, 0.693, 0.704, 0.726];
    const d = pairedDifference(bySeed(variant), bySeed(reference));
    expect(d.diff).toBeCloseTo(0.0044, 10);
    expect(d.low).toBeCloseTo(0.0029843, 6);
    expect(d.high).toBeCloseTo(0.0058157, 6);
    expect(verdictOf(d)).toBe('likely real');
    expect(d.bootstrapLow).toBeGreaterThanOrEqual(0.003);
    expect(d.bootstrapHigh).toBeLessThanOrEqual(0.006);
    expect(describeDifference('purchase', 'AUC', d)).toBe(
      'purchase AUC +0.0044 ± 0.0014, likely real',
    );
  });

  it('leaves out seeds only one side has, and gives no interval for one pair', () => {
    const d = pairedDifference(
      new Map([
        [1, 0.5],
        [2, 0.6],
      ]),
      new Map([
        [2, 0.55],
        [3, 0.1],
      ]),
    );
    expect(d.n).toBe(1);
    expect(d.diff).toBeCloseTo(0.05, 12);
    expect(d.low).toBeNaN();
    expect(verdictOf(d)).toBe('one seed: no interval');
    expect(describeDifference('click', 'AUC', d)).toBe('click AUC +0.050, one seed: no interval');
  });
});

describe('bootstrap', () => {
  it('interpolates quantiles as R type 7', () => {
    // Sorted 1, 2, 3, 4: p 0.25 -> h 0.75 -> 1.75; p 0.5 -> 2.5.
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
  });

  it('is reproducible for a seed and stays inside the values', () => {
    const values = [0.1, 0.4, 0.2, 0.3];
    const a = bootstrapMeanInterval(values, 0.95, 500, 9);
    expect(bootstrapMeanInterval(values, 0.95, 500, 9)).toEqual(a);
    expect(a[0]).toBeGreaterThanOrEqual(0.1);
    expect(a[1]).toBeLessThanOrEqual(0.4);
    expect(a[0]).toBeLessThan(0.25);
    expect(a[1]).toBeGreaterThan(0.25);
    // Every resample of identical values has their mean.
    expect(bootstrapMeanInterval([2, 2, 2], 0.95, 100, 1)).toEqual([2, 2]);
  });
});
