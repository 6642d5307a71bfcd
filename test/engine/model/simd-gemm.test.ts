// The assembled SIMD product (simd-gemm.ts) against a scalar float32 loop: the plain SIMD
// variant gives the same bits (k summed in order, one rounding per multiply and per add); the
// relaxed-SIMD variant (f32x4.relaxed_madd, which may fuse the multiply and the add) agrees
// within |relaxed - plain| <= 2 K 2^-24 sum_k |a_ik b_kj| + 1e-30 per element (a per-step
// rounding bound; in practice a few ulps).
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import {
  createBestGemmKernel,
  createGemmKernel,
  type GemmKernel,
  wasmSimdSupport,
} from '../../../src-main/engine/model/simd-gemm';

// Node 20 keeps relaxed SIMD behind a V8 flag (Electron 45 and Node 22 have it on).
if (!wasmSimdSupport().relaxed) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

interface Case {
  M: number;
  K: number;
  N: number;
  bias: boolean;
  relu: boolean;
}

function run(kernel: GemmKernel, memory: WebAssembly.Memory, c: Case, seed: number) {
  const rnd = random(seed);
  const f = new Float32Array(memory.buffer);
  const a = 64;
  const b = a + c.M * c.K * 4;
  const bias = b + c.K * c.N * 4;
  const out = bias + c.N * 4 + 16;
  for (let i = 0; i < c.M * c.K; i++) f[a / 4 + i] = rnd() * 4;
  for (let i = 0; i < c.K * c.N; i++) f[b / 4 + i] = rnd();
  for (let i = 0; i < c.N; i++) f[bias / 4 + i] = rnd();
  f.fill(NaN, out / 4, out / 4 + c.M * c.N + 4);
  kernel.matmul(a, c.M, c.K, b, c.N, out, c.bias ? bias : 0, c.relu);
  const A = f.slice(a / 4, a / 4 + c.M * c.K);
  const B = f.slice(b / 4, b / 4 + c.K * c.N);
  const bias0 = f.slice(bias / 4, bias / 4 + c.N);
  const got = f.slice(out / 4, out / 4 + c.M * c.N);
  // Nothing past the output was written.
  expect(Number.isNaN(f[out / 4 + c.M * c.N])).toBe(true);
  const expected = new Float32Array(c.M * c.N);
  const magnitude = new Float64Array(c.M * c.N);
  for (let i = 0; i < c.M; i++)
    for (let j = 0; j < c.N; j++) {
      let acc = c.bias ? bias0[j] : 0;
      let m = Math.abs(acc);
      for (let k = 0; k < c.K; k++) {
        const p = Math.fround(A[i * c.K + k] * B[k * c.N + j]);
        acc = Math.fround(acc + p);
        m += Math.abs(p);
      }
      expected[i * c.N + j] = c.relu ? (0 < acc ? acc : 0) : acc;
      magnitude[i * c.N + j] = m;
    }
  return { got, expected, magnitude };
}

const CASES: Case[] = [
  { M: 1, K: 1, N: 4, bias: false, relu: false },
  { M: 7, K: 13, N: 12, bias: true, relu: false },
  { M: 9, K: 40, N: 20, bias: false, relu: true },
  { M: 33, K: 96, N: 64, bias: true, relu: true },
  { M: 4, K: 0, N: 8, bias: true, relu: false },
];

describe('SIMD matrix product', () => {
  const memory = new WebAssembly.Memory({ initial: 4 });

  it('gives the bits of a scalar float32 loop (plain SIMD)', () => {
    const kernel = createGemmKernel(memory, 'simd');
    expect(kernel).not.toBeNull();
    CASES.forEach((c, s) => {
      const { got, expected } = run(kernel!, memory, c, s + 1);
      expect(Array.from(got), JSON.stringify(c)).toEqual(Array.from(expected));
    });
  });

  it('relaxed SIMD agrees with plain SIMD within the rounding bound', () => {
    const relaxed = createGemmKernel(memory, 'relaxed');
    expect(relaxed, 'relaxed SIMD after enabling the V8 flag').not.toBeNull();
    expect(createBestGemmKernel(memory)!.variant).toBe('relaxed');
    for (const [s, c] of CASES.entries()) {
      const { got, expected, magnitude } = run(relaxed!, memory, c, s + 1);
      for (let e = 0; e < got.length; e++) {
        const bound = 2 * c.K * 2 ** -24 * magnitude[e] + 1e-30;
        expect(
          Math.abs(got[e] - expected[e]),
          `${JSON.stringify(c)} element ${e}`,
        ).toBeLessThanOrEqual(bound);
      }
    }
  });

  it('refuses a width that is not a multiple of 4, and a shared memory', () => {
    const kernel = createGemmKernel(memory, 'simd')!;
    expect(() => kernel.matmul(64, 1, 1, 128, 6, 256, 0, false)).toThrow(/multiple of 4, not 6/);
    const sharedMemory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    expect(createGemmKernel(sharedMemory, 'simd')).toBeNull();
    expect(createGemmKernel(undefined, 'simd')).toBeNull();
  });
});
