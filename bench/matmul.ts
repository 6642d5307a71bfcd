// Matmul peak of this runtime, single-threaded, for `npm run bench`: XNNPACK's product through
// the wasm backend exactly as the executor calls it (WasmKernels.matmul: row-major operands on
// the backend's heap, the right-hand operand packed once and cached), and the assembled SIMD
// products of simd-gemm.ts (plain wasm SIMD, and relaxed SIMD where the runtime has it), on
// square products and on the shapes of the default HTLNet's training step.

import { type WasmBackendHandle, WasmKernels } from '../src-main/engine/model/kernels';
import {
  createGemmKernel,
  type GemmVariant,
  wasmSimdSupport,
} from '../src-main/engine/model/simd-gemm';

export interface MatmulShape {
  M: number;
  K: number;
  N: number;
  /** What the shape stands for. */
  note: string;
}

export interface MatmulPeak {
  runtime: { node: string; simd: boolean; relaxedSimd: boolean; v8Flags: string[] };
  /** GFLOP/s (2 M K N per product), best of three timings, per shape and implementation. */
  results: { shape: string; note: string; gflops: Record<string, number> }[];
  /** The best GFLOP/s any implementation reached on any shape. */
  peakGflops: number;
  peakBy: string;
}

/** Shapes: square products, and the default HTLNet's tower products (forward, weight gradient). */
const SHAPES: MatmulShape[] = [
  { M: 256, K: 256, N: 256, note: 'square 256' },
  { M: 512, K: 512, N: 512, note: 'square 512' },
  { M: 512, K: 160, N: 128, note: 'tower layer 1 (20 fields x 8 -> 128), half of a 1024 batch' },
  { M: 512, K: 128, N: 64, note: 'tower layer 2 (128 -> 64), half of a 1024 batch' },
  { M: 160, K: 512, N: 128, note: 'weight gradient of layer 1 (x^T . dz), half a batch' },
  { M: 128, K: 1024, N: 64, note: 'weight gradient of layer 2 (x^T . dz), a 1024 batch' },
];

/** Seconds per call of `fn`: calls it until ~0.15 s have passed, best of three such rounds. */
function time(fn: () => void): number {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    let calls = 0;
    const t = performance.now();
    let elapsed = 0;
    do {
      fn();
      calls++;
      elapsed = performance.now() - t;
    } while (elapsed < 150);
    best = Math.min(best, elapsed / 1000 / calls);
  }
  return best;
}

function fill(view: Float32Array, seed: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < view.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    view[i] = s / 2 ** 32 - 0.5;
  }
}

/** Measures every implementation on every shape (the wasm backend must be running). */
export async function measureMatmulPeak(shapes: MatmulShape[] = SHAPES): Promise<MatmulPeak> {
  const tf = await import('@tensorflow/tfjs-core');
  const support = wasmSimdSupport();
  const results: MatmulPeak['results'] = [];
  const handle = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as WasmBackendHandle) : null;
  const kernels = handle ? new WasmKernels(handle) : null;
  const variants: GemmVariant[] = support.relaxed ? ['simd', 'relaxed'] : ['simd'];
  for (const { M, K, N, note } of shapes) {
    const flops = 2 * M * K * N;
    const gflops: Record<string, number> = {};
    if (kernels) {
      const a = kernels.alloc(M * K);
      const b = kernels.alloc(K * N);
      const out = kernels.alloc(M * N);
      fill(a.view, 1);
      fill(b.view, 2);
      gflops.xnnpack = +(flops / time(() => kernels.matmul(a, M, K, b, N, out)) / 1e9).toFixed(2);
      kernels.free(out);
      kernels.free(b);
      kernels.free(a);
    }
    const bytes = 4 * (M * K + K * N + M * N) + 64;
    const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) + 1 });
    const f = new Float32Array(memory.buffer);
    const aOff = 16;
    const bOff = aOff + 4 * M * K;
    const outOff = bOff + 4 * K * N;
    fill(f.subarray(aOff / 4, aOff / 4 + M * K), 1);
    fill(f.subarray(bOff / 4, bOff / 4 + K * N), 2);
    for (const variant of variants) {
      const kernel = createGemmKernel(memory, variant);
      if (!kernel) continue;
      const key = variant === 'simd' ? 'wasmSimd' : 'relaxedSimd';
      gflops[key] = +(
        flops /
        time(() => kernel.matmul(aOff, M, K, bOff, N, outOff, 0, false)) /
        1e9
      ).toFixed(2);
    }
    results.push({ shape: `${M}x${K}x${N}`, note, gflops });
  }
  kernels?.dispose();
  let peakGflops = 0;
  let peakBy = '';
  for (const r of results)
    for (const [k, v] of Object.entries(r.gflops))
      if (v > peakGflops) {
        peakGflops = v;
        peakBy = `${k} ${r.shape}`;
      }
  return {
    runtime: {
      node: process.version,
      simd: support.simd,
      relaxedSimd: support.relaxed,
      v8Flags: process.execArgv.filter((a) => a.startsWith('--experimental-wasm')),
    },
    results,
    peakGflops,
    peakBy,
  };
}
