// Where the wasm backend's binaries are, and starting a wasm backend in a worker thread (each
// worker has its own tfjs instance and its own wasm module; the executor only needs the module).

import { createRequire } from 'node:module';
import path from 'node:path';
import type { WasmBackendHandle } from './kernels';

/**
 * Where the .wasm binaries are: HTLNET_WASM_DIR when set (the Electron main process sets it to
 * the copies beside its bundle, out/main/wasm, unpacked from the asar; worker threads inherit
 * it), else the installed @tensorflow/tfjs-backend-wasm package (the CLI, tests).
 */
export function wasmDirectory(): string | null {
  const given = process.env.HTLNET_WASM_DIR;
  if (given) return path.resolve(given);
  try {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@tensorflow/tfjs-backend-wasm');
    const dir = path.dirname(entry);
    return dir.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
  } catch {
    return null;
  }
}

/** Starts tfjs on its wasm backend (in a thread that has no backend yet) and returns its module. */
export async function startWasmBackend(): Promise<WasmBackendHandle> {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = wasmDirectory();
  if (dir) wasm.setWasmPaths(dir + path.sep);
  if (!(await tf.setBackend('wasm')))
    throw new Error('Could not start the wasm backend in a worker.');
  await tf.ready();
  const backend = tf.backend() as unknown as WasmBackendHandle;
  if (!backend.wasm || typeof backend.wasm.__FusedMatMul !== 'function')
    throw new Error('The wasm backend has no fused matmul.');
  return backend;
}
