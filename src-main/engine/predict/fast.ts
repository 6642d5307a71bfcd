// Whether the fast executor can run a model: the wasm backend in use and the model compiled to
// a program. Training (train/step.ts), prediction (evaluate.ts, parallel.ts) and explanations
// all ask here, and share one set of wasm kernels per wasm module.

import * as tf from '@tensorflow/tfjs-core';
import type { HtlnetModel } from '../model/model';
import { WasmKernels, type WasmBackendHandle } from '../model/kernels';
import { compileProgram, type Program } from '../model/program';

/** The compiled program and the wasm kernels, when the fast engine can run this model. */
export function fastSetup(model: HtlnetModel): { program: Program; kernels: WasmKernels } | null {
  const handle = wasmBackendHandle();
  if (!handle) return null;
  const compiled = compileProgram(model);
  if (!('program' in compiled)) return null;
  return { program: compiled.program, kernels: kernelsFor(handle) };
}

let sharedKernels: { handle: WasmBackendHandle; kernels: WasmKernels } | null = null;
/** One WasmKernels per wasm module (it owns a small scratch block on the heap). */
function kernelsFor(handle: WasmBackendHandle): WasmKernels {
  if (sharedKernels?.handle !== handle)
    sharedKernels = { handle, kernels: new WasmKernels(handle) };
  return sharedKernels.kernels;
}

/** The wasm backend's module and id counter, when the wasm backend is the one in use. */
function wasmBackendHandle(): WasmBackendHandle | null {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as Partial<WasmBackendHandle>;
  if (!backend.wasm || typeof backend.wasm.__FusedMatMul !== 'function') return null;
  return backend as WasmBackendHandle;
}
