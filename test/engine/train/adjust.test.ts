import { describe, expect, it } from 'vitest';
import {
  adjustmentCoefficients,
  type AdjustmentSettings,
} from '../../../src-main/engine/train/adjust';

// Explicit vectors: the coefficients must reproduce HTLNET.md's two steps computed directly.
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));

function combine(grads: number[][], coef: Float64Array): number[] {
  return grads[0].map((_, j) => grads.reduce((s, g, t) => s + coef[t] * g[j], 0));
}

function direct(grads: number[][], core: number, s: AdjustmentSettings): number[] {
  const gc = grads[core];
  const out = gc.slice();
  grads.forEach((g0, t) => {
    if (t === core) return;
    let g = g0.slice();
    const d = dot(g0, gc);
    if ((s.mode === 'pcgrad' || s.mode === 'htlnet') && d < 0) {
      g = g.map((x, j) => x - s.alpha * (d / dot(gc, gc)) * gc[j]);
    }
    if (s.mode === 'metabalance' || s.mode === 'htlnet') {
      const w = Math.min(s.clip, Math.max(1 / s.clip, norm(gc) / norm(g0)));
      g = g.map((x) => s.gamma * w * x + (1 - s.gamma) * x);
    }
    g.forEach((x, j) => (out[j] += x));
  });
  return out;
}

function coefficients(grads: number[][], core: number, s: AdjustmentSettings) {
  const dots = grads.map((g) => dot(g, grads[core]));
  const norms2 = grads.map((g) => dot(g, g));
  return adjustmentCoefficients(dots, norms2, core, s);
}

describe('gradient adjustment', () => {
  const htlnet: AdjustmentSettings = { mode: 'htlnet', alpha: 1, gamma: 0.1, clip: 10 };

  it('projects a conflicting gradient onto the normal plane of the core gradient', () => {
    // G_c = (1, 0), G_1 = (-1, 1): dot = -1 < 0, so G_1' = G_1 - (-1/1) G_c = (0, 1)
    const grads = [
      [-1, 1],
      [1, 0],
    ];
    const { coef, stats } = coefficients(grads, 1, {
      mode: 'pcgrad',
      alpha: 1,
      gamma: 0,
      clip: 10,
    });
    expect(Array.from(coef)).toEqual([1, 2]); // G_s = G_c + G_1 + 1 * G_c = (0, 1) + (1, 0)
    expect(combine(grads, coef)).toEqual([1, 1]);
    expect(stats[0].projected).toBe(true);
    // the projected gradient is orthogonal to G_c
    const projected = [grads[0][0] + 1 * grads[1][0], grads[0][1] + 1 * grads[1][1]];
    expect(dot(projected, grads[1])).toBe(0);
  });

  it('does not project when the dot product is positive', () => {
    const grads = [
      [1, 1],
      [1, 0],
    ];
    const { coef, stats } = coefficients(grads, 1, {
      mode: 'pcgrad',
      alpha: 1,
      gamma: 0,
      clip: 10,
    });
    expect(Array.from(coef)).toEqual([1, 1]);
    expect(stats[0].projected).toBe(false);
    expect(stats[0].cosine).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('scales the magnitude toward the core norm, with gamma', () => {
    // |G_c| = 3, |G_1| = 1: w = 3, factor = 0.1 * 3 + 0.9 = 1.2
    const grads = [
      [0, 1],
      [3, 0],
    ];
    const { coef, stats } = coefficients(grads, 1, {
      mode: 'metabalance',
      alpha: 1,
      gamma: 0.1,
      clip: 10,
    });
    expect(coef[0]).toBeCloseTo(1.2, 12);
    expect(coef[1]).toBe(1);
    expect(stats[0].scale).toBeCloseTo(1.2, 12);
  });

  it('clips the magnitude ratio to [1/C, C]', () => {
    // |G_c| = 100, |G_1| = 1: ratio 100 clipped to C = 10; factor = 0.5 * 10 + 0.5 = 5.5
    const up = coefficients(
      [
        [1, 0],
        [0, 100],
      ],
      1,
      { mode: 'metabalance', alpha: 1, gamma: 0.5, clip: 10 },
    );
    expect(up.coef[0]).toBeCloseTo(5.5, 12);
    // |G_c| = 1, |G_1| = 1000: ratio 0.001 clipped to 1/C = 0.1; factor = 0.5 * 0.1 + 0.5 = 0.55
    const down = coefficients(
      [
        [1000, 0],
        [0, 1],
      ],
      1,
      { mode: 'metabalance', alpha: 1, gamma: 0.5, clip: 10 },
    );
    expect(down.coef[0]).toBeCloseTo(0.55, 12);
  });

  it('uses the norm before projection for the magnitude step (HTLNet: both steps)', () => {
    const grads = [
      [-2, 1, 0.5],
      [0.3, -0.2, 4],
      [1, 0.5, -0.25],
    ];
    for (const core of [0, 1, 2]) {
      const { coef } = coefficients(grads, core, htlnet);
      const got = combine(grads, coef);
      const want = direct(grads, core, htlnet);
      got.forEach((x, j) => expect(x).toBeCloseTo(want[j], 12));
    }
  });

  it('is a plain sum with mode none, and leaves out inactive tasks', () => {
    const grads = [
      [-1, 1],
      [1, 0],
    ];
    expect(Array.from(coefficients(grads, 1, { ...htlnet, mode: 'none' }).coef)).toEqual([1, 1]);
    const { coef } = adjustmentCoefficients([-1, 1], [2, 1], 1, htlnet, [false, true]);
    expect(Array.from(coef)).toEqual([0, 1]);
  });

  it('matches the direct computation on random vectors for every mode', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (const mode of ['none', 'pcgrad', 'metabalance', 'htlnet'] as const) {
      for (let trial = 0; trial < 20; trial++) {
        const grads = Array.from({ length: 4 }, (_, t) =>
          Array.from({ length: 6 }, () => rand() * (t + 1)),
        );
        const s = { mode, alpha: 0.7, gamma: 0.3, clip: 4 };
        const got = combine(grads, coefficients(grads, 3, s).coef);
        direct(grads, 3, s).forEach((x, j) => expect(got[j]).toBeCloseTo(x, 10));
      }
    }
  });
});
