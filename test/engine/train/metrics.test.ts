import { createRng } from '../../../src-main/shared/random';
import { describe, expect, it } from 'vitest';
import {
  argsort,
  auc,
  averageRanks,
  binaryMetrics,
  calibrationCurve,
  quantileCalibrationCurve,
  logLoss,
  lorenzCurve,
  mae,
  nmae,
  normalizedGini,
  nrmse,
  predictedVsActual,
  regressionMetrics,
  decileCalibration,
  rmse,
  rocCurve,
  spearman,
} from '../../../src-main/engine/predict/metrics';

// ---------------------------------------------------------------------------------------------
// Reference implementations and helpers (deliberately naive)

/** Seeded PRNG for reproducible random tests. */
const rng = (seed: number): (() => number) => {
  const r = createRng(seed);
  return () => r.next();
};

/** O(n^2) AUC: every positive/negative pair, a win counts 1 and a tie 1/2. */
function bruteAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      if (scores[i] > scores[j]) wins += 1;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}

/** O(n^2) average ranks: 1 + (# smaller) + (# equal - 1) / 2. */
function bruteRanks(v: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) {
    let less = 0;
    let equal = 0;
    for (let j = 0; j < v.length; j++) {
      if (v[j] < v[i]) less++;
      else if (v[j] === v[i]) equal++;
    }
    out.push(1 + less + (equal - 1) / 2);
  }
  return out;
}

function pearson(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * Naive Kaggle Gini with ties averaged: within a group of tied predictions, every row's actual
 * is replaced by the group mean (equivalent to averaging over the orders of the group).
 */
function bruteGini(actual: number[], pred: number[]): number {
  const n = actual.length;
  const groupMean = actual.map((_, i) => {
    let s = 0;
    let c = 0;
    for (let j = 0; j < n; j++) {
      if (pred[j] === pred[i]) {
        s += actual[j];
        c++;
      }
    }
    return s / c;
  });
  const idx = [...actual.keys()].sort((a, b) => pred[b] - pred[a]);
  const total = actual.reduce((s, v) => s + v, 0);
  let cum = 0;
  let sum = 0;
  for (const i of idx) {
    cum += groupMean[i];
    sum += cum / total;
  }
  return sum / n - (n + 1) / (2 * n);
}

function shuffled<T>(n: number, seed: number, f: (i: number) => T): { perm: number[]; apply: T[] } {
  const r = rng(seed);
  const perm = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  return { perm, apply: perm.map(f) };
}

function expectCloseArray(actual: ArrayLike<number>, expected: number[], digits = 10): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i], digits);
}

// ---------------------------------------------------------------------------------------------
// AUC

describe('auc', () => {
  it('matches the hand-computed example', () => {
    // Positives 0.35 and 0.8; negatives 0.1 and 0.4.
    // 0.35 beats 0.1, loses to 0.4; 0.8 beats both: 3 wins of 4 pairs.
    expect(auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
  });

  it('gives 0.5 when every score is tied', () => {
    expect(auc([0, 1, 0, 1, 1], [0.3, 0.3, 0.3, 0.3, 0.3])).toBeCloseTo(0.5, 12);
  });

  it('counts a tied positive/negative pair as one half', () => {
    // Positives: 0.5, 0.9. Negatives: 0.2, 0.5, 0.1. 6 pairs.
    // 0.5 vs 0.2 -> 1, 0.5 vs 0.5 -> 1/2, 0.5 vs 0.1 -> 1; 0.9 beats all three -> 3.
    // AUC = (1 + 0.5 + 1 + 3) / 6 = 5.5 / 6 = 0.91666...
    expect(auc([0, 1, 0, 1, 0], [0.2, 0.5, 0.5, 0.9, 0.1])).toBeCloseTo(5.5 / 6, 12);
    // Two positives tied with two negatives at 0.5, one negative below:
    // pairs (pos, neg) = 2 * 3 = 6; each pos beats the 0.1 (2 wins) and ties 2 negatives
    // (4 half-wins = 2): AUC = 4 / 6.
    expect(auc([1, 1, 0, 0, 0], [0.5, 0.5, 0.5, 0.5, 0.1])).toBeCloseTo(4 / 6, 12);
  });

  it('gives 1 for a perfect ranking and 0 for the inverted one', () => {
    const labels = [0, 1, 0, 1, 1, 0];
    const scores = [0.1, 0.9, 0.2, 0.8, 0.7, 0.3];
    expect(auc(labels, scores)).toBeCloseTo(1, 12);
    expect(
      auc(
        labels,
        scores.map((s) => -s),
      ),
    ).toBeCloseTo(0, 12);
    expect(
      auc(
        labels,
        scores.map((s) => 1 - s),
      ),
    ).toBeCloseTo(0, 12);
  });

  it('is NaN with a single class, no rows, or NaN input', () => {
    expect(auc([1, 1, 1], [0.1, 0.2, 0.3])).toBeNaN();
    expect(auc([0, 0], [0.1, 0.2])).toBeNaN();
    expect(auc([], [])).toBeNaN();
    expect(auc([0, 1], [0.1, NaN])).toBeNaN();
  });

  it('throws on a length mismatch', () => {
    expect(() => auc([0, 1], [0.5])).toThrow(RangeError);
  });

  it('agrees with a brute-force O(n^2) AUC on random data with many ties', () => {
    const r = rng(42);
    // 60 rows: comparator-sort path; 3000 rows: radix-sort path.
    for (const n of [60, 3000]) {
      for (const levels of [3, 17, 1000]) {
        const labels = new Float64Array(n);
        const scores = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          const q = Math.floor(r() * levels);
          scores[i] = q / levels - 0.3; // negative, zero and positive scores, many ties
          labels[i] = r() < 0.2 + (0.6 * q) / levels ? 1 : 0;
        }
        expect(auc(labels, scores)).toBeCloseTo(bruteAuc(labels, scores), 12);
      }
    }
  });

  it('does not depend on the row order when scores tie', () => {
    const labels = [1, 0, 1, 0, 0, 1, 1, 0];
    const scores = [0.5, 0.5, 0.2, 0.2, 0.9, 0.5, 0.9, 0.1];
    const { apply } = shuffled(labels.length, 7, (i) => [labels[i], scores[i]]);
    const expected = bruteAuc(labels, scores);
    expect(auc(labels, scores)).toBeCloseTo(expected, 12);
    expect(
      auc(
        apply.map((p) => p[0]),
        apply.map((p) => p[1]),
      ),
    ).toBeCloseTo(expected, 12);
  });
});

// ---------------------------------------------------------------------------------------------
// LogLoss

describe('logLoss', () => {
  it('matches a hand-computed case', () => {
    // -(ln 0.9 + ln(1 - 0.2) + ln 0.6 + ln(1 - 0.5)) / 4
    // = -(-0.1053605 - 0.2231436 - 0.5108256 - 0.6931472) / 4 = 1.5324769 / 4 = 0.3831192
    expect(logLoss([1, 0, 1, 0], [0.9, 0.2, 0.6, 0.5])).toBeCloseTo(0.3831192, 6);
  });

  it('clips probabilities to [1e-7, 1 - 1e-7]', () => {
    // Both rows are confidently wrong: -ln(1e-7) = 7 ln 10 = 16.1180957 each.
    expect(logLoss([1, 0], [0, 1])).toBeCloseTo(16.1180957, 4);
    // Confidently right: -ln(1 - 1e-7) = 1.00000005e-7.
    expect(logLoss([1, 0], [1, 0])).toBeCloseTo(1e-7, 10);
    expect(Number.isFinite(logLoss([1], [-5]))).toBe(true);
  });

  it('is NaN on empty input', () => {
    expect(logLoss([], [])).toBeNaN();
  });

  it('binaryMetrics returns both', () => {
    const m = binaryMetrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expect(m.auc).toBeCloseTo(0.75, 12);
    // -(ln 0.9 + ln 0.6 + ln 0.35 + ln 0.8) / 4 = (0.1053605 + 0.5108256 + 1.0498221 + 0.2231436) / 4
    expect(m.logloss).toBeCloseTo(1.8891518 / 4, 6);
  });
});

// ---------------------------------------------------------------------------------------------
// Regression

describe('regression errors', () => {
  // actual [1, 2, 3, 4, 10], predicted [2, 2, 5, 3, 8]
  // errors 1, 0, 2, -1, -2 -> squared 1, 0, 4, 1, 4 (sum 10), absolute sum 6
  // RMSE = sqrt(10 / 5) = sqrt(2) = 1.4142136, MAE = 6 / 5 = 1.2
  // mean(actual) = 4; deviations -3, -2, -1, 0, 6 -> squares sum 50, abs sum 12
  // std = sqrt(50 / 5) = sqrt(10); NRMSE = sqrt(2) / sqrt(10) = sqrt(0.2) = 0.4472136
  // mean |y - mean| = 12 / 5 = 2.4; NMAE = 1.2 / 2.4 = 0.5
  const actual = [1, 2, 3, 4, 10];
  const predicted = [2, 2, 5, 3, 8];

  it('computes RMSE, MAE, NRMSE and NMAE by hand', () => {
    expect(rmse(actual, predicted)).toBeCloseTo(Math.SQRT2, 12);
    expect(mae(actual, predicted)).toBeCloseTo(1.2, 12);
    expect(nrmse(actual, predicted)).toBeCloseTo(Math.sqrt(0.2), 12);
    expect(nmae(actual, predicted)).toBeCloseTo(0.5, 12);
  });

  it('accepts typed arrays', () => {
    expect(rmse(Float32Array.from(actual), Float64Array.from(predicted))).toBeCloseTo(
      Math.SQRT2,
      6,
    );
  });

  it('is 0 for a perfect prediction and NaN when undefined', () => {
    expect(rmse(actual, actual)).toBe(0);
    expect(nmae(actual, actual)).toBe(0);
    expect(rmse([], [])).toBeNaN();
    expect(mae([], [])).toBeNaN();
    // A constant target has no spread to normalise by.
    expect(nrmse([3, 3, 3], [1, 2, 3])).toBeNaN();
    expect(nmae([3, 3, 3], [1, 2, 3])).toBeNaN();
    expect(() => rmse([1, 2], [1])).toThrow(RangeError);
  });

  it('regressionMetrics returns everything at once', () => {
    const m = regressionMetrics(actual, predicted);
    expect(m.rmse).toBeCloseTo(Math.SQRT2, 12);
    expect(m.mae).toBeCloseTo(1.2, 12);
    expect(m.nrmse).toBeCloseTo(Math.sqrt(0.2), 12);
    expect(m.nmae).toBeCloseTo(0.5, 12);
    expect(m.gini).toBeCloseTo(0.925, 12); // see the normalizedGini test
    expect(m.spearman).toBeCloseTo(spearman(actual, predicted), 12);
    // R^2 = 1 - SSE / SST = 1 - 10 / 50; the predictions sum to 20 of the actual 20.
    expect(m.r2).toBeCloseTo(0.8, 12);
    expect(m.totalRatio).toBeCloseTo(1, 12);
    expect(regressionMetrics([0, 4, 0, 6], [1, 1, 1, 2]).totalRatio).toBeCloseTo(0.5, 12);
    expect(regressionMetrics([0, 0], [1, 2]).totalRatio).toBeNaN();
    const c = regressionMetrics([5, 5, 5], [1, 2, 3]);
    expect(c.nrmse).toBeNaN();
    expect(c.gini).toBeNaN();
    expect(c.spearman).toBeNaN();
  });
});

describe('decileCalibration', () => {
  it('groups rows by prediction into equal groups: mean prediction vs mean actual', () => {
    // 12 rows, predictions 1..12 shuffled; actual = 2 x prediction; 5 groups of 3, 3, 2, 2, 2.
    const predicted = [7, 1, 12, 4, 9, 2, 11, 5, 3, 10, 8, 6];
    const actual = predicted.map((p) => 2 * p);
    const d = decileCalibration(actual, predicted, 5);
    expect(d.count).toEqual([3, 3, 2, 2, 2]);
    expect(d.meanPredicted).toEqual([2, 5, 7.5, 9.5, 11.5]);
    expect(d.meanActual).toEqual([4, 10, 15, 19, 23]);
  });

  it('skips rows that are not finite and has no more groups than rows', () => {
    const d = decileCalibration([1, NaN, 3], [1, 2, Infinity]);
    expect(d.count).toEqual([1]);
    expect(decileCalibration([], []).count).toEqual([]);
    expect(() => decileCalibration([1], [1], 0)).toThrow(RangeError);
  });
});

describe('normalizedGini', () => {
  const actual = [1, 2, 3, 4, 10];

  it('is 1 for a perfect prediction and -1 for the reversed one', () => {
    expect(normalizedGini(actual, actual)).toBeCloseTo(1, 12);
    expect(normalizedGini(actual, [0.1, 0.2, 0.3, 0.4, 0.5])).toBeCloseTo(1, 12);
    expect(
      normalizedGini(
        actual,
        actual.map((v) => -v),
      ),
    ).toBeCloseTo(-1, 12);
  });

  it('matches a hand-computed intermediate case with a tie', () => {
    // predicted [2, 2, 5, 3, 8]: descending order 8 (y=10), 5 (y=3), 3 (y=4), then a tie at 2
    // between y=1 and y=2, which counts as 1.5 and 1.5 (mean over both orders). Total = 20.
    // cumulative y: 10, 13, 17, 18.5, 20 -> shares .5, .65, .85, .925, 1 (sum 3.925)
    // gini = 3.925 / 5 - 6 / 10 = 0.785 - 0.6 = 0.185
    // perfect order 10, 4, 3, 2, 1: cumulative 10, 14, 17, 19, 20 -> shares sum 4.0
    // gini* = 4.0 / 5 - 0.6 = 0.2; normalised = 0.185 / 0.2 = 0.925
    expect(normalizedGini(actual, [2, 2, 5, 3, 8])).toBeCloseTo(0.925, 12);
    // The tie equals the mean of its two tie-breaks: y=2 first -> shares sum 3.95 -> 0.19 / 0.2
    // = 0.95; y=1 first -> 3.9 -> 0.18 / 0.2 = 0.9; mean 0.925.
    expect(normalizedGini(actual, [2, 2.1, 5, 3, 8])).toBeCloseTo(0.95, 12);
    expect(normalizedGini(actual, [2.1, 2, 5, 3, 8])).toBeCloseTo(0.9, 12);
  });

  it('does not depend on the input order when predictions tie', () => {
    const pred = [2, 2, 5, 3, 8];
    for (const seed of [1, 2, 3]) {
      const { perm } = shuffled(5, seed, (i) => i);
      expect(
        normalizedGini(
          perm.map((i) => actual[i]),
          perm.map((i) => pred[i]),
        ),
      ).toBeCloseTo(0.925, 12);
    }
  });

  it('is invariant to strictly increasing transforms of the prediction', () => {
    const pred = [2, 2, 5, 3, 8];
    expect(
      normalizedGini(
        actual,
        pred.map((p) => Math.exp(p)),
      ),
    ).toBeCloseTo(0.925, 12);
    expect(
      normalizedGini(
        actual,
        pred.map((p) => 3 * p ** 3 - 7),
      ),
    ).toBeCloseTo(0.925, 12);
    expect(
      normalizedGini(
        actual,
        pred.map((p) => 1 / (1 + Math.exp(-p))),
      ),
    ).toBeCloseTo(0.925, 12);
  });

  it('agrees with a naive implementation on random data with ties (radix path)', () => {
    const r = rng(5);
    const n = 1500;
    const a: number[] = [];
    const p: number[] = [];
    for (let i = 0; i < n; i++) {
      a.push(Math.floor(r() * 20));
      p.push(Math.floor(r() * 40) / 4 + (a[i] > 10 ? 2 : 0));
    }
    const expected = bruteGini(a, p) / bruteGini(a, a);
    expect(normalizedGini(a, p)).toBeCloseTo(expected, 10);
    expect(normalizedGini(Float32Array.from(a), Float32Array.from(p))).toBeCloseTo(expected, 10);
    const { perm } = shuffled(n, 9, (i) => i);
    expect(
      normalizedGini(
        perm.map((i) => a[i]),
        perm.map((i) => p[i]),
      ),
    ).toBeCloseTo(expected, 10);
  });

  it('is NaN for a constant target, a zero total or NaN input', () => {
    expect(normalizedGini([2, 2, 2], [1, 2, 3])).toBeNaN();
    expect(normalizedGini([1], [1])).toBeNaN();
    expect(normalizedGini([-1, 1], [1, 2])).toBeNaN();
    expect(normalizedGini([1, 2], [NaN, 2])).toBeNaN();
  });
});

// ---------------------------------------------------------------------------------------------
// Ranks and Spearman

describe('averageRanks and spearman', () => {
  it('gives tied values the mean of their ranks', () => {
    expectCloseArray(averageRanks([10, 20, 20, 30]), [1, 2.5, 2.5, 4]);
    expectCloseArray(averageRanks([3, 1, 3, 3, 2]), [4, 1, 4, 4, 2]);
    // -0 and 0 tie; NaN gets NaN and the others are ranked among themselves.
    const r = averageRanks([5, -0, 0, NaN, -1]);
    expectCloseArray([r[0], r[1], r[2], r[4]], [4, 2.5, 2.5, 1]);
    expect(r[3]).toBeNaN();
  });

  it('matches brute-force ranks on the radix path with special values', () => {
    const r = rng(11);
    const specials = [-Infinity, Infinity, -0, 0, 1e-300, -1e-300, 5e-324, -2.5];
    const v = new Float64Array(2500);
    for (let i = 0; i < v.length; i++) {
      v[i] = r() < 0.3 ? specials[Math.floor(r() * specials.length)] : Math.round(r() * 200) - 100;
    }
    expectCloseArray(averageRanks(v), bruteRanks(v), 12);
    const order = argsort(v);
    for (let k = 1; k < order.length; k++) {
      const a = v[order[k - 1]];
      const b = v[order[k]];
      expect(a <= b).toBe(true);
      if (a === b) expect(order[k - 1] < order[k]).toBe(true); // stable
    }
  });

  it('hand-computed Spearman with ties', () => {
    // a = [1, 2, 2, 3] -> ranks [1, 2.5, 2.5, 4]; b = [1, 3, 2, 2] -> ranks [1, 4, 2.5, 2.5]
    // deviations from 2.5: a [-1.5, 0, 0, 1.5], b [-1.5, 1.5, 0, 0]
    // sum ab = 2.25, sum aa = sum bb = 4.5 -> rho = 2.25 / 4.5 = 0.5
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 2])).toBeCloseTo(0.5, 12);
    // a = [10, 20, 20, 30, 40] -> [1, 2.5, 2.5, 4, 5]; b = [1, 3, 2, 5, 4] (no ties)
    // deviations from 3: a [-2, -.5, -.5, 1, 2], b [-2, 0, -1, 2, 1]
    // sum ab = 4 + 0 + .5 + 2 + 2 = 8.5; sum aa = 9.5; sum bb = 10 -> 8.5 / sqrt(95) = 0.8720816
    expect(spearman([10, 20, 20, 30, 40], [1, 3, 2, 5, 4])).toBeCloseTo(8.5 / Math.sqrt(95), 12);
    expect(spearman([1, 2, 3], [30, 20, 10])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3], [1, 8, 27])).toBeCloseTo(1, 12);
  });

  it('agrees with Pearson of brute-force ranks on random tied data', () => {
    const r = rng(3);
    const n = 1200;
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < n; i++) {
      a.push(Math.floor(r() * 30));
      b.push(Math.floor(a[i] / 3 + r() * 10));
    }
    expect(spearman(a, b)).toBeCloseTo(pearson(bruteRanks(a), bruteRanks(b)), 10);
  });

  it('is NaN when either side is constant, too short, or NaN', () => {
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(spearman([1, 2, 3], [4, 4, 4])).toBeNaN();
    expect(spearman([1], [2])).toBeNaN();
    expect(spearman([], [])).toBeNaN();
    expect(spearman([1, NaN, 3], [1, 2, 3])).toBeNaN();
  });
});

// ---------------------------------------------------------------------------------------------
// Curves

describe('rocCurve', () => {
  it('has one exact point per distinct score', () => {
    const c = rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    // thresholds +Inf, 0.8 (tp 1), 0.4 (fp 1), 0.35 (tp 2), 0.1 (fp 2)
    expectCloseArray(c.fpr, [0, 0, 0.5, 0.5, 1]);
    expectCloseArray(c.tpr, [0, 0.5, 0.5, 1, 1]);
    expect(c.thresholds[0]).toBe(Infinity);
    expectCloseArray(c.thresholds.slice(1), [0.8, 0.4, 0.35, 0.1]);
  });

  it('moves diagonally across a tie and its trapezoid area is the AUC', () => {
    const labels = [0, 1, 0, 1, 0];
    const scores = [0.2, 0.5, 0.5, 0.9, 0.1];
    const c = rocCurve(labels, scores);
    // P = 2, N = 3: +Inf (0, 0); 0.9 (0, 1/2); 0.5 tie of a positive and a negative (1/3, 1);
    // 0.2 (2/3, 1); 0.1 (1, 1)
    expectCloseArray(c.fpr, [0, 0, 1 / 3, 2 / 3, 1]);
    expectCloseArray(c.tpr, [0, 0.5, 1, 1, 1]);
    let area = 0;
    for (let k = 1; k < c.fpr.length; k++) {
      area += ((c.fpr[k] - c.fpr[k - 1]) * (c.tpr[k] + c.tpr[k - 1])) / 2;
    }
    expect(area).toBeCloseTo(auc(labels, scores), 12);
  });

  it('keeps (0,0) and (1,1), stays monotone and is downsampled to maxPoints', () => {
    const r = rng(8);
    const n = 20000;
    const labels = new Uint8Array(n);
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      scores[i] = Math.round(r() * 5000) / 5000;
      labels[i] = r() < scores[i] ? 1 : 0;
    }
    const c = rocCurve(labels, scores, 50);
    expect(c.fpr.length).toBeLessThanOrEqual(50);
    expect(c.fpr.length).toBeGreaterThan(40);
    expect(c.tpr.length).toBe(c.fpr.length);
    expect(c.thresholds.length).toBe(c.fpr.length);
    expect([c.fpr[0], c.tpr[0]]).toEqual([0, 0]);
    expect([c.fpr.at(-1), c.tpr.at(-1)]).toEqual([1, 1]);
    for (let k = 1; k < c.fpr.length; k++) {
      expect(c.fpr[k]).toBeGreaterThanOrEqual(c.fpr[k - 1]);
      expect(c.tpr[k]).toBeGreaterThanOrEqual(c.tpr[k - 1]);
      expect(c.thresholds[k]).toBeLessThan(c.thresholds[k - 1]);
    }
    // The downsampled curve still integrates to about the AUC.
    let area = 0;
    for (let k = 1; k < c.fpr.length; k++) {
      area += ((c.fpr[k] - c.fpr[k - 1]) * (c.tpr[k] + c.tpr[k - 1])) / 2;
    }
    expect(area).toBeCloseTo(auc(labels, scores), 2);
  });

  it('is empty with a single class and rejects maxPoints < 2', () => {
    expect(rocCurve([1, 1], [0.2, 0.3])).toEqual({ fpr: [], tpr: [], thresholds: [] });
    expect(() => rocCurve([0, 1], [0.2, 0.3], 1)).toThrow(RangeError);
  });
});

describe('calibrationCurve', () => {
  it('counts rows per equal-width bin and omits empty bins', () => {
    const probs = [0.05, 0.15, 0.12, 0.95, 1.0, 0.5, 0.55];
    const labels = [0, 0, 1, 1, 1, 0, 1];
    // bins of width 0.1: 0.05 -> 0; 0.15, 0.12 -> 1; 0.5, 0.55 -> 5; 0.95, 1.0 -> 9 (1.0 joins
    // the last bin)
    const c = calibrationCurve(labels, probs, 10);
    expect(c.count).toEqual([1, 2, 2, 2]);
    expectCloseArray(c.meanPredicted, [0.05, 0.135, 0.525, 0.975]);
    expectCloseArray(c.fractionPositive, [0, 0.5, 0.5, 1]);
    // Two bins [0, 0.5) and [0.5, 1]: 3 and 4 rows; positives 1 of 3 and 3 of 4.
    const c2 = calibrationCurve(labels, probs, 2);
    expect(c2.count).toEqual([3, 4]);
    expectCloseArray(c2.meanPredicted, [0.32 / 3, 3.0 / 4]);
    expectCloseArray(c2.fractionPositive, [1 / 3, 3 / 4]);
    expect(c.count.reduce((s, v) => s + v, 0)).toBe(probs.length);
  });

  it('skips NaN rows and rejects a bad bin count', () => {
    expect(calibrationCurve([1, 0, 1], [0.92, NaN, 0.97]).count).toEqual([2]);
    expect(() => calibrationCurve([1], [0.5], 0)).toThrow(RangeError);
  });
});

describe('lorenzCurve', () => {
  it('matches a hand-computed case and ends at (1,1)', () => {
    // Same case as the Gini test: order 10, 3, 4 then the tie {1, 2} as one step.
    // captured: 10/20, 13/20, 17/20, 20/20 at population 1/5, 2/5, 3/5, 5/5.
    const c = lorenzCurve([1, 2, 3, 4, 10], [2, 2, 5, 3, 8]);
    expectCloseArray(c.population, [0, 0.2, 0.4, 0.6, 1]);
    expectCloseArray(c.captured, [0, 0.5, 0.65, 0.85, 1]);
  });

  it('is downsampled to maxPoints keeping the endpoints', () => {
    const r = rng(4);
    const n = 30000;
    const a = new Float64Array(n);
    const p = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = r() * 10;
      p[i] = a[i] + r() * 5;
    }
    const c = lorenzCurve(a, p, 100);
    expect(c.population.length).toBeLessThanOrEqual(100);
    expect(c.population.length).toBeGreaterThan(90);
    expect(c.captured.length).toBe(c.population.length);
    expect([c.population[0], c.captured[0]]).toEqual([0, 0]);
    expect([c.population.at(-1), c.captured.at(-1)]).toEqual([1, 1]);
    for (let k = 1; k < c.population.length; k++) {
      expect(c.population[k]).toBeGreaterThan(c.population[k - 1]);
      expect(c.captured[k]).toBeGreaterThanOrEqual(c.captured[k - 1]); // actual >= 0
    }
    // A useful model captures more than its share of rows.
    expect(c.captured[Math.floor(c.captured.length / 5)]).toBeGreaterThan(
      c.population[Math.floor(c.population.length / 5)],
    );
  });

  it('is empty when the total is 0', () => {
    expect(lorenzCurve([0, 0], [1, 2])).toEqual({ population: [], captured: [] });
    expect(lorenzCurve([], [])).toEqual({ population: [], captured: [] });
  });
});

describe('predictedVsActual', () => {
  it('returns every finite pair when they fit', () => {
    const s = predictedVsActual([1, 2, NaN, 4], [1.5, 2.5, 3.5, Infinity], 10);
    expect(s).toEqual({ actual: [1, 2], predicted: [1.5, 2.5], index: [0, 1] });
  });

  it('samples exactly maxPoints rows, deterministically for a seed', () => {
    const n = 10000;
    const a = Float64Array.from({ length: n }, (_, i) => i);
    const p = Float64Array.from({ length: n }, (_, i) => 2 * i);
    const s1 = predictedVsActual(a, p, 300, 7);
    const s2 = predictedVsActual(a, p, 300, 7);
    const s3 = predictedVsActual(a, p, 300, 8);
    expect(s1.index.length).toBe(300);
    expect(s1).toEqual(s2);
    expect(s1.index).not.toEqual(s3.index);
    for (let k = 0; k < 300; k++) {
      if (k > 0) expect(s1.index[k]).toBeGreaterThan(s1.index[k - 1]);
      expect(s1.actual[k]).toBe(s1.index[k]);
      expect(s1.predicted[k]).toBe(2 * s1.index[k]);
    }
    // Roughly uniform: the mean sampled index is near n / 2 (sd of the mean ~ 167).
    const mean = s1.index.reduce((s, v) => s + v, 0) / 300;
    expect(Math.abs(mean - n / 2)).toBeLessThan(1000);
  });
});

describe('quantileCalibrationCurve', () => {
  it('gives a rare event (0.9% positives, predictions below 5%) ten points, not one', () => {
    const n = 10_000;
    const probs = new Float64Array(n);
    const labels = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      probs[i] = 0.001 + (0.04 * i) / n; // all in the first equal-width bin
      labels[i] = i % 111 === 0 ? 1 : 0; // about 0.9% positives
    }
    expect(calibrationCurve(labels, probs, 10).count).toEqual([n]);
    const q = quantileCalibrationCurve(labels, probs, 10);
    expect(q.count).toEqual(new Array(10).fill(1000));
    for (let b = 1; b < 10; b++) expect(q.meanPredicted[b]).toBeGreaterThan(q.meanPredicted[b - 1]);
    const positives = q.fractionPositive.reduce((s, f, b) => s + f * q.count[b], 0);
    expect(positives).toBeCloseTo(
      labels.reduce((s, v) => s + v, 0),
      6,
    );
  });

  it('keeps equal predictions in one bin and skips NaN rows', () => {
    const probs = [0.2, 0.2, 0.2, 0.2, 0.9, NaN];
    const labels = [0, 1, 0, 0, 1, 1];
    const q = quantileCalibrationCurve(labels, probs, 4);
    expect(q.meanPredicted).toEqual([0.2, 0.9]);
    expect(q.fractionPositive).toEqual([0.25, 1]);
    expect(q.count).toEqual([4, 1]);
  });
});
