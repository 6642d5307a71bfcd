// Predictions are written with formatSeven: it must give exactly the text of the definition it
// replaces, String(Number(x.toPrecision(7))), on every kind of value (ties, powers of ten, the
// exponent forms, float32 probabilities, negatives, non-finite).
import { describe, expect, it } from 'vitest';
import { formatSeven } from '../../../src-main/engine/data/csv';

const definition = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(7))) : '');

function mismatches(values: Iterable<number>): [number, string, string][] {
  const out: [number, string, string][] = [];
  for (const x of values) {
    const fast = formatSeven(x);
    const slow = definition(x);
    if (fast !== slow) out.push([x, fast, slow]);
  }
  return out;
}

describe('formatSeven', () => {
  it('writes the documented examples', () => {
    expect(
      [0.123456789, 1234.5678, 3, -0.5, 1e-7, 2.5e-9, 123456789, 1e21, 0].map(formatSeven),
    ).toEqual(['0.1234568', '1234.568', '3', '-0.5', '1e-7', '2.5e-9', '123456800', '1e+21', '0']);
    expect([NaN, Infinity, -Infinity].map(formatSeven)).toEqual(['', '', '']);
  });

  it('equals toPrecision(7) read back, on random values over 60 orders of magnitude', () => {
    let seed = 7;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    const f32 = new Float32Array(1);
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const x = (rnd() - 0.2) * 10 ** (Math.floor(rnd() * 60) - 30);
      f32[0] = x;
      values.push(x, f32[0], -x);
      f32[0] = rnd();
      values.push(f32[0]);
    }
    expect(mismatches(values)).toEqual([]);
  });

  it('equals it on rounding ties, powers of ten and the edges of the number range', () => {
    const values: number[] = [-0, 5e-324, 1.7976931348623157e308, 0.1 + 0.2, 1e22, 1e23];
    for (let m = 1_000_000; m < 1_003_000; m++) {
      values.push((m + 0.5) / 1e7, (m + 0.5) * 1e3, m / 1e6, m * 1e9, (m + 0.5) / 1e12);
    }
    for (let e = -30; e <= 30; e++) {
      values.push(10 ** e, 9.9999995 * 10 ** e, 9.9999994 * 10 ** e, -(10 ** e));
    }
    expect(mismatches(values)).toEqual([]);
  });
});
