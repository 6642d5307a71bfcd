// Compute backend: @tensorflow/tfjs-node when it loads (native TensorFlow), otherwise
// @tensorflow/tfjs-backend-wasm with the kernels it lacks registered here. The stock cpu
// backend is never used: it is pathologically slow for training.

import * as tf from '@tensorflow/tfjs-core';
// tfjs-core leaves gradients out of its main entry (for tree shaking): training needs them all.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { wasmDirectory } from './model/wasm-runtime';

export interface BackendInfo {
  /** 'tensorflow' (tfjs-node) or 'wasm'. */
  name: string;
  /** wasm only: whether the SIMD build is in use. */
  simd?: boolean;
  /** wasm only: XNNPACK threads. */
  threads?: number;
  /** A one-line description for reports: "wasm (SIMD, 1 thread)". */
  description: string;
}

let current: Promise<BackendInfo> | null = null;

/**
 * Loads the fastest available backend once and reports it. Set HTLNET_BACKEND=wasm to skip
 * tfjs-node (for side-by-side measurements).
 */
export function initBackend(): Promise<BackendInfo> {
  current ??= load();
  return current;
}

async function load(): Promise<BackendInfo> {
  if (process.env.HTLNET_BACKEND !== 'wasm' && nativeBindingPresent()) {
    try {
      // Optional dependency: its install downloads libtensorflow, which fails offline.
      const nodeBackendModule = '@tensorflow/tfjs-node';
      await import(/* @vite-ignore */ nodeBackendModule);
      if (await tf.setBackend('tensorflow')) {
        await tf.ready();
        return { name: 'tensorflow', description: 'tensorflow (tfjs-node, native)' };
      }
      nativeNote('its backend did not initialise');
    } catch (error) {
      // Installed but its native library is missing or built for another runtime: say so once,
      // on one line, and use wasm.
      nativeNote(error instanceof Error ? error.message : String(error));
    }
  }
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = wasmDirectory();
  if (dir) {
    const binaries = safeList(dir).filter((f) => f.endsWith('.wasm'));
    if (binaries.length === 0) {
      throw new Error(
        `Could not start the WebAssembly compute backend: no .wasm files in ${dir}. Reinstall the app.`,
      );
    }
    wasm.setWasmPaths(dir + path.sep);
  }
  registerWasmKernels();
  if (!(await tf.setBackend('wasm'))) {
    throw new Error(
      'Could not start the WebAssembly compute backend (@tensorflow/tfjs-backend-wasm). Reinstall the app.',
    );
  }
  await tf.ready();
  // After the backend's kernels are set up: wrap its matmul.
  overrideWasmMatMul();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = wasm.getThreadsCount();
  return {
    name: 'wasm',
    simd,
    threads,
    description: `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'})`,
  };
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The one-line note when an installed tfjs-node does not load (printed once per process, by
 * the main thread only: worker threads load the backend too).
 */
function nativeNote(reason: string): void {
  if (!isMainThread) return;
  const firstLine = reason.split('\n')[0].trim();
  console.warn(
    `HTLNet Studio: @tensorflow/tfjs-node did not load (${firstLine}); using the WebAssembly backend.`,
  );
}

/**
 * Whether @tensorflow/tfjs-node is installed with its native binding. Its install step
 * downloads libtensorflow; where that failed (offline, or install scripts not run) the package
 * is present without lib/napi-v*, and importing it would load the whole tfjs bundle for nothing.
 */
function nativeBindingPresent(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-node/package.json'));
    return fs.readdirSync(path.join(dir, 'lib')).some((d) => d.startsWith('napi-v'));
  } catch {
    return false;
  }
}

let kernelsRegistered = false;

/** Kernels the wasm backend lacks. Idempotent. */
function registerWasmKernels(): void {
  if (kernelsRegistered) return;
  kernelsRegistered = true;
  tf.registerKernel({
    kernelName: tf.UnsortedSegmentSum,
    backendName: 'wasm',
    kernelFunc: unsortedSegmentSumWasm as unknown as tf.KernelFunc,
  });
}

/**
 * The wasm backend runs a matmul through XNNPACK only when neither operand is transposed;
 * otherwise it falls back to a scalar loop about ten times slower. Training's backward pass is
 * all transposed matmuls (dX = dY W^T, dW = X^T dY), so this wrapper transposes the operand
 * first (a cheap O(n) copy) and hands a plain matmul to XNNPACK.
 */
let matMulOverridden = false;
function overrideWasmMatMul(): void {
  if (matMulOverridden) return;
  const original = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (!original) return;
  matMulOverridden = true;
  const originalFunc = original.kernelFunc;
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel({
    kernelName: tf.BatchMatMul,
    backendName: 'wasm',
    kernelFunc: ((args: {
      inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
      backend: WasmBackendLike;
      attrs: { transposeA: boolean; transposeB: boolean };
    }) => {
      const { a, b } = args.inputs;
      const { transposeA, transposeB } = args.attrs;
      const plain = (x: tf.TensorInfo) =>
        x.shape.length === 2 || (x.shape.length === 3 && x.shape[0] === 1);
      if (
        (!transposeA && !transposeB) ||
        !plain(a) ||
        !plain(b) ||
        a.dtype !== 'float32' ||
        b.dtype !== 'float32'
      ) {
        return originalFunc(args);
      }
      const backend = args.backend;
      const aT = transposeA ? transpose2d(backend, a) : a;
      const bT = transposeB ? transpose2d(backend, b) : b;
      try {
        return originalFunc({
          ...args,
          inputs: { a: aT, b: bT },
          attrs: { ...args.attrs, transposeA: false, transposeB: false },
        }) as tf.TensorInfo;
      } finally {
        if (aT !== a) backend.disposeData(aT.dataId);
        if (bT !== b) backend.disposeData(bT.dataId);
      }
    }) as unknown as tf.KernelFunc,
  });
}

/** Transposes the last two axes of a [rows, cols] or [1, rows, cols] tensor on the wasm heap. */
function transpose2d(backend: WasmBackendLike, x: tf.TensorInfo): tf.TensorInfo {
  const rank = x.shape.length;
  const rows = x.shape[rank - 2];
  const cols = x.shape[rank - 1];
  const shape = rank === 3 ? [1, cols, rows] : [cols, rows];
  const out = backend.makeOutput(shape, 'float32');
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(x);
  const B = 32; // cache blocking
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++) {
        const r = i * cols;
        for (let j = j0; j < j1; j++) dst[j * rows + i] = src[r + j];
      }
    }
  }
  return out;
}

interface WasmBackendLike {
  disposeData(dataId: tf.DataId): boolean;
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeOutput(
    shape: number[],
    dtype: tf.DataType,
    memoryOffset?: number,
    values?: tf.backend_util.BackendValues,
  ): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/**
 * UnsortedSegmentSum for the wasm backend (the gradient of a gather / embedding lookup):
 * out[segmentIds[i], :] += x[i, :]. One pass over x, writing straight into the output on the
 * wasm heap; ids outside [0, numSegments) are dropped, as TensorFlow does.
 */
function unsortedSegmentSumWasm(args: {
  inputs: { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  backend: WasmBackendLike;
  attrs: { numSegments: number };
}): tf.TensorInfo {
  const { x, segmentIds } = args.inputs;
  const { numSegments } = args.attrs;
  const backend = args.backend;
  const n = segmentIds.shape.reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(segmentIds.shape.length);
  const width = inner.reduce((a, b) => a * b, 1);
  const outShape = [numSegments, ...inner];
  const out = backend.makeOutput(outShape, x.dtype);
  const dst = backend.typedArrayFromHeap(out);
  dst.fill(0);
  // Read inputs after allocating the output: allocation may grow (and move) the heap.
  const src = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  for (let i = 0; i < n; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const o = s * width;
    const p = i * width;
    for (let j = 0; j < width; j++) dst[o + j] += src[p + j];
  }
  return out;
}
