// WasmKernels.matmul on the relaxed-SIMD product (where the runtime has relaxed SIMD) against
// XNNPACK's product on the same heap buffers: the same results within the float32 rounding of
// two summation orders, |relaxed - xnnpack| <= 2 K 2^-24 (|bias| + sum_k |a_ik b_kj|), with
// the bias and relu fused; widths that are not multiples of 4 stay on XNNPACK (same bits).
import v8 from 'node:v8';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACTIVATION_LINEAR,
  ACTIVATION_RELU,
  type WasmBackendHandle,
  WasmKernels,
} from '../../../src-main/engine/model/kernels';
import { wasmSimdSupport } from '../../../src-main/engine/model/simd-gemm';
import { backend } from '../../helpers/engine';

// Node 20 keeps relaxed SIMD behind a V8 flag (Electron 45 and Node 22 have it on).
if (!wasmSimdSupport().relaxed) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

beforeAll(async () => {
  await backend();
});

function fill(view: Float32Array, seed: number, scale: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < view.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    view[i] = (s / 2 ** 32 - 0.5) * scale;
  }
}

describe('WasmKernels.matmul on relaxed SIMD', () => {
  it('agrees with XNNPACK on the shapes and options the executor uses', () => {
    if (tf.getBackend() !== 'wasm') return; // tfjs-node: no wasm heap (not this machine)
    const kernels = new WasmKernels(tf.backend() as unknown as WasmBackendHandle);
    expect(kernels.gemm?.variant).toBe('relaxed');
    const inner = kernels.gemm!;
    let calls = 0;
    const relaxed = {
      variant: inner.variant,
      matmul: (...args: Parameters<typeof inner.matmul>) => {
        calls++;
        inner.matmul(...args);
      },
    };
    const cases = [
      { M: 5, K: 7, N: 8, bias: true, act: ACTIVATION_RELU },
      { M: 64, K: 40, N: 12, bias: false, act: ACTIVATION_LINEAR },
      { M: 33, K: 96, N: 64, bias: true, act: ACTIVATION_LINEAR },
      { M: 9, K: 16, N: 6, bias: true, act: ACTIVATION_RELU },
      { M: 9, K: 16, N: 1, bias: false, act: ACTIVATION_LINEAR },
    ];
    cases.forEach((c, n) => {
      const a = kernels.alloc(c.M * c.K);
      const b = kernels.alloc(c.K * c.N);
      const bias = kernels.alloc(c.N);
      const ours = kernels.alloc(c.M * c.N);
      const theirs = kernels.alloc(c.M * c.N);
      fill(a.view, 3 * n + 1, 4);
      fill(b.view, 3 * n + 2, 1);
      fill(bias.view, 3 * n + 3, 1);
      kernels.gemm = relaxed;
      const before = calls;
      kernels.matmul(a, c.M, c.K, b, c.N, ours, c.bias ? bias : null, c.act);
      // The relaxed product ran for widths that are multiples of 4, XNNPACK for the others.
      expect(calls - before, JSON.stringify(c)).toBe(c.N % 4 === 0 ? 1 : 0);
      kernels.gemm = null;
      kernels.fresh(b);
      kernels.matmul(a, c.M, c.K, b, c.N, theirs, c.bias ? bias : null, c.act);
      const x = ours.view;
      const y = theirs.view;
      for (let i = 0; i < c.M; i++)
        for (let j = 0; j < c.N; j++) {
          let m = c.bias ? Math.abs(bias.view[j]) : 0;
          for (let k = 0; k < c.K; k++) m += Math.abs(a.view[i * c.K + k] * b.view[k * c.N + j]);
          const e = i * c.N + j;
          const bound = c.N % 4 === 0 ? 2 * c.K * 2 ** -24 * m + 1e-30 : 0;
          expect(Math.abs(x[e] - y[e]), `${JSON.stringify(c)} [${i}, ${j}]`).toBeLessThanOrEqual(
            bound,
          );
          if (c.act === ACTIVATION_RELU) expect(x[e]).toBeGreaterThanOrEqual(0);
        }
      for (const buf of [theirs, ours, bias, b, a]) kernels.free(buf);
    });
    kernels.dispose();
  });

  it('stays on XNNPACK when HTLNET_RELAXED_SIMD is 0', () => {
    if (tf.getBackend() !== 'wasm') return;
    const before = process.env.HTLNET_RELAXED_SIMD;
    process.env.HTLNET_RELAXED_SIMD = '0';
    try {
      const kernels = new WasmKernels(tf.backend() as unknown as WasmBackendHandle);
      expect(kernels.gemm).toBeNull();
      kernels.dispose();
    } finally {
      if (before === undefined) delete process.env.HTLNET_RELAXED_SIMD;
      else process.env.HTLNET_RELAXED_SIMD = before;
    }
  });
});
