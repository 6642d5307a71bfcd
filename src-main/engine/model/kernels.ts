// Direct access to the wasm backend's compiled module: buffers on its heap and XNNPACK's fully
// connected operator, called without tfjs tensors, tapes or per-op allocations. The fast
// training step and inference (executor/) run on these; tfjs itself is not imported here, so
// a worker thread can use the module of its own tfjs instance.
//
// XNNPACK caches the operator it builds for a product (with the right-hand operand packed into
// its own layout) under the right-hand operand's tensor id, until that id is disposed. Buffers
// whose contents change between calls (weights after an update, activations, gradients) are
// therefore re-registered (`fresh`) before they are used as the right-hand operand again.

import { createProjectKernel, type ProjectKernel } from './simd';
import { createGemmKernel, type GemmKernel } from './simd-gemm';

/** The parts of the emscripten module of @tensorflow/tfjs-backend-wasm used here. */
export interface WasmModule {
  HEAPF32: Float32Array;
  HEAP32: Int32Array;
  /** The module's exports; `memory` is the heap the SIMD kernel (simd.ts) imports. */
  asm?: { memory?: WebAssembly.Memory };
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  _register_tensor(id: number, size: number, offset: number): void;
  _dispose_data(id: number): void;
  __FusedMatMul(
    aId: number,
    aShape: number,
    aRank: number,
    bId: number,
    bShape: number,
    bRank: number,
    transposeA: number,
    transposeB: number,
    activation: number,
    biasId: number,
    preluId: number,
    leakyAlpha: number,
    outId: number,
  ): void;
}

/** What the tfjs wasm backend object offers (its module and its tensor id counter). */
export interface WasmBackendHandle {
  wasm: WasmModule;
  dataIdNextNumber: number;
}

/** A float32 buffer on the wasm heap, registered under its own tensor id. */
export interface HeapBuffer {
  /** Set for a view into another buffer's memory (freeing it only drops its id). */
  readonly view_of?: HeapBuffer;
  /** Byte offset on the heap. */
  readonly offset: number;
  /** Tensor id the C++ side knows the buffer by. */
  readonly id: number;
  /** Length in floats. */
  readonly length: number;
  /** A view of the buffer; refreshed by WasmKernels.refresh() after the heap grows. */
  view: Float32Array;
}

export const ACTIVATION_LINEAR = 0;
export const ACTIVATION_RELU = 1;

export class WasmKernels {
  readonly wasm: WasmModule;
  private projectKernel: ProjectKernel | null | undefined;
  private gemmKernel: GemmKernel | null | undefined;
  private readonly backend: WasmBackendHandle;
  private readonly buffers: HeapBuffer[] = [];
  private heap: ArrayBuffer;
  /** Six int32 shape slots: [1, M, K] and [1, K, N]. */
  private readonly shapes: number;

  constructor(backend: WasmBackendHandle) {
    this.backend = backend;
    this.wasm = backend.wasm;
    this.shapes = this.wasm._malloc(24) >>> 0;
    this.heap = this.wasm.HEAPF32.buffer as ArrayBuffer;
  }

  /** The SIMD projection kernel over this heap, or null where it cannot load. */
  get project(): ProjectKernel | null {
    if (this.projectKernel === undefined)
      this.projectKernel = createProjectKernel(this.wasm.asm?.memory);
    return this.projectKernel;
  }

  /**
   * The relaxed-SIMD product (simd-gemm.ts) over this heap where the runtime has relaxed SIMD
   * (Electron's V8; Node 20 with --experimental-wasm-relaxed-simd) and HTLNET_RELAXED_SIMD is
   * not 0, else null. bench/matmul.ts measures it at par with XNNPACK's product on the
   * executor's shapes (fused multiply-adds, no packing); matmul() uses it for widths that are
   * multiples of 4.
   */
  get gemm(): GemmKernel | null {
    if (this.gemmKernel === undefined)
      this.gemmKernel =
        process.env.HTLNET_RELAXED_SIMD === '0'
          ? null
          : createGemmKernel(this.wasm.asm?.memory, 'relaxed');
    return this.gemmKernel;
  }

  /** Sets the product matmul() uses where it can (null: XNNPACK always). */
  set gemm(kernel: GemmKernel | null) {
    this.gemmKernel = kernel;
  }

  /** Allocates a zeroed buffer of `length` floats (at least one). */
  alloc(length: number): HeapBuffer {
    const n = Math.max(1, length);
    const offset = this.wasm._malloc(n * 4) >>> 0;
    const id = this.backend.dataIdNextNumber++;
    this.wasm._register_tensor(id, n, offset);
    this.refresh();
    const view = new Float32Array(this.wasm.HEAPF32.buffer, offset, n);
    view.fill(0);
    const buffer: HeapBuffer = { offset, id, length: n, view };
    this.buffers.push(buffer);
    return buffer;
  }

  /**
   * A buffer over `length` floats of `parent` from float `start`, under its own id (a product
   * can read or write part of a buffer).
   */
  view(parent: HeapBuffer, start: number, length: number): HeapBuffer {
    if (start < 0 || start + length > parent.length) throw new Error('view out of range');
    const offset = parent.offset + 4 * start;
    const id = this.backend.dataIdNextNumber++;
    this.wasm._register_tensor(id, Math.max(1, length), offset);
    this.refresh();
    const buffer: HeapBuffer = {
      view_of: parent,
      offset,
      id,
      length: Math.max(1, length),
      view: new Float32Array(this.wasm.HEAPF32.buffer, offset, Math.max(1, length)),
    };
    this.buffers.push(buffer);
    return buffer;
  }

  free(buffer: HeapBuffer): void {
    const i = this.buffers.indexOf(buffer);
    if (i < 0) return;
    this.buffers.splice(i, 1);
    this.wasm._dispose_data(buffer.id);
    if (!buffer.view_of) this.wasm._free(buffer.offset);
  }

  dispose(): void {
    // Views first: their memory belongs to their parents.
    for (const b of this.buffers.filter((x) => x.view_of)) this.free(b);
    for (const b of [...this.buffers]) this.free(b);
    this.wasm._free(this.shapes);
  }

  /** Rebuilds the views when the heap has grown (growing detaches the old ArrayBuffer). */
  refresh(): void {
    const heap = this.wasm.HEAPF32.buffer as ArrayBuffer;
    if (heap === this.heap) return;
    this.heap = heap;
    for (const b of this.buffers) b.view = new Float32Array(heap, b.offset, b.length);
  }

  /** Drops XNNPACK's operator cached for this buffer (its contents changed). */
  fresh(buffer: HeapBuffer): void {
    this.wasm._dispose_data(buffer.id);
    this.wasm._register_tensor(buffer.id, buffer.length, buffer.offset);
  }

  /**
   * out[M x N] = act(a[M x K] . b[K x N] + bias), all row-major, through XNNPACK. `b` (and the
   * bias) are packed by XNNPACK on first use and reused while their ids live: call fresh() on
   * them after changing their contents.
   */
  matmul(
    a: HeapBuffer,
    M: number,
    K: number,
    b: HeapBuffer,
    N: number,
    out: HeapBuffer,
    bias: HeapBuffer | null = null,
    activation = ACTIVATION_LINEAR,
  ): void {
    const gemm = N % 4 === 0 ? this.gemm : null;
    if (gemm && (activation === ACTIVATION_LINEAR || activation === ACTIVATION_RELU)) {
      gemm.matmul(
        a.offset,
        M,
        K,
        b.offset,
        N,
        out.offset,
        bias ? bias.offset : 0,
        activation === ACTIVATION_RELU,
      );
      return;
    }
    const s = this.shapes >> 2;
    const h = this.wasm.HEAP32;
    h[s] = 1;
    h[s + 1] = M;
    h[s + 2] = K;
    h[s + 3] = 1;
    h[s + 4] = K;
    h[s + 5] = N;
    this.wasm.__FusedMatMul(
      a.id,
      this.shapes,
      3,
      b.id,
      this.shapes + 12,
      3,
      0,
      0,
      activation,
      bias ? bias.id : 0,
      0,
      0,
      out.id,
    );
    // XNNPACK may have allocated (packed weights), which can grow the heap.
    this.refresh();
  }
}

/**
 * dst[c * rows + r] = src[r * cols + c] for a rows x cols block. Moves 4 x 4 tiles through
 * locals (reading four rows, writing four rows), in column strips that stay in cache: about
 * three times faster than an element-wise blocked loop.
 */
export function transposeInto(
  src: Float32Array,
  srcOffset: number,
  rows: number,
  cols: number,
  dst: Float32Array,
  dstOffset: number,
): void {
  const R = rows & ~3;
  const C = cols & ~3;
  const ld = rows;
  for (let c0 = 0; c0 < C; c0 += 64) {
    const c1 = c0 + 64 < C ? c0 + 64 : C;
    for (let r = 0; r < R; r += 4) {
      const s0 = srcOffset + r * cols;
      const s1 = s0 + cols;
      const s2 = s1 + cols;
      const s3 = s2 + cols;
      for (let c = c0; c < c1; c += 4) {
        const a0 = src[s0 + c];
        const a1 = src[s0 + c + 1];
        const a2 = src[s0 + c + 2];
        const a3 = src[s0 + c + 3];
        const b0 = src[s1 + c];
        const b1 = src[s1 + c + 1];
        const b2 = src[s1 + c + 2];
        const b3 = src[s1 + c + 3];
        const e0 = src[s2 + c];
        const e1 = src[s2 + c + 1];
        const e2 = src[s2 + c + 2];
        const e3 = src[s2 + c + 3];
        const f0 = src[s3 + c];
        const f1 = src[s3 + c + 1];
        const f2 = src[s3 + c + 2];
        const f3 = src[s3 + c + 3];
        let d = dstOffset + c * ld + r;
        dst[d] = a0;
        dst[d + 1] = b0;
        dst[d + 2] = e0;
        dst[d + 3] = f0;
        d += ld;
        dst[d] = a1;
        dst[d + 1] = b1;
        dst[d + 2] = e1;
        dst[d + 3] = f1;
        d += ld;
        dst[d] = a2;
        dst[d + 1] = b2;
        dst[d + 2] = e2;
        dst[d + 3] = f2;
        d += ld;
        dst[d] = a3;
        dst[d + 1] = b3;
        dst[d + 2] = e3;
        dst[d + 3] = f3;
      }
    }
  }
  // Remainders: the last cols % 4 columns of every row, the last rows % 4 rows.
  for (let r = 0; r < rows; r++) {
    const s = srcOffset + r * cols;
    const c2 = r < R ? C : 0;
    for (let c = c2; c < cols; c++) dst[dstOffset + c * ld + r] = src[s + c];
  }
}
