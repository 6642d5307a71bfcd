// A WebAssembly SIMD matrix product, assembled here at start-up like simd.ts's kernel (no
// toolchain), in two variants:
//
//   - 'simd':    acc = f32x4.add(acc, f32x4.mul(a, b))   (two roundings, the same bits as a
//                scalar float32 loop summing k in order);
//   - 'relaxed': acc = f32x4.relaxed_madd(a, b, acc)    (relaxed SIMD: one fused multiply-add
//                where the CPU has FMA, so one rounding; Electron 45's V8 has it by default,
//                Node 20 behind --experimental-wasm-relaxed-simd).
//
//   out[M x N] = act(a[M x K] . b[K x N] + bias[N]), row-major, N a multiple of 4.
//
// Tiles of 4 rows x 8 columns are held in eight v128 accumulators (4 load-splats of a and 2
// loads of b per k feed 8 multiply-adds); the last M % 4 rows go one at a time, the last N % 8
// columns four at a time. Every output sums k = 0 .. K-1 in order, from the bias (or 0).
//
// WasmKernels.matmul (kernels.ts) uses the relaxed variant where the runtime has it: bench/
// matmul.ts measures it at par with XNNPACK's product (packed operands) on the training step's
// shapes on this machine, within its noise; the plain variant is slower and only a reference.

import {
  vec,
  I32,
  V128,
  END,
  get,
  set,
  i32,
  ADD,
  MUL,
  SHL,
  GT_U,
  GE_U,
  IF,
  ELSE,
  simdOp,
  V128_ZERO,
  F32X4_PMAX,
  uleb,
  whileNot,
  memoryModule,
} from './wasm-asm';

export type GemmVariant = 'simd' | 'relaxed';

export interface GemmKernel {
  readonly variant: GemmVariant;
  /**
   * Byte offsets on the kernel's memory; `bias` 0 for none. N must be a multiple of 4 (throws
   * otherwise). With `relu`, out = 0 < x ? x : 0 (NaN becomes 0).
   */
  matmul(
    a: number,
    M: number,
    K: number,
    b: number,
    N: number,
    out: number,
    bias: number,
    relu: boolean,
  ): void;
}

// ---- the kernel's own encodings (the rest: wasm-asm.ts) --------------------------------------

const V128_LOAD = (offset: number) => [...simdOp(0x00), 4, ...uleb(offset)];
const V128_STORE = (offset: number) => [...simdOp(0x0b), 4, ...uleb(offset)];
const V128_LOAD32_SPLAT = [...simdOp(0x09), 2, 0];
const F32X4_ADD = simdOp(0xe4);
const F32X4_MUL = simdOp(0xe6);
const F32X4_RELAXED_MADD = simdOp(0x105);

const inc = (local: number, by: number[]) => [...get(local), ...by, ADD, ...set(local)];

// Parameters: 0 a, 1 M, 2 K, 3 b, 4 N, 5 out, 6 bias, 7 relu.
const [A, M, K, B, N, OUT, BIAS, RELU] = [0, 1, 2, 3, 4, 5, 6, 7];
// Locals: 8 i, 9 j (bytes within a row), 10 k, 11 aptr, 12 bptr, 13 Nbytes, 14 Kbytes, 15 optr.
const [I, J, KK, APTR, BPTR, NB, KB, OPTR] = [8, 9, 10, 11, 12, 13, 14, 15];
const ACC = [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27];
const SPLAT = [28];
const BV = [29, 30, 31];

/** One R x C tile (C v128 columns) at row i, column byte j: sum over k, then store. */
function tile(R: number, C: number, variant: GemmVariant): number[] {
  const acc = (r: number, c: number) => ACC[r * C + c];
  const code: number[] = [];
  // Start from the bias (or zero).
  code.push(...get(BIAS), ...IF);
  for (let r = 0; r < R; r++)
    for (let c = 0; c < C; c++)
      code.push(...get(BIAS), ...get(J), ADD, ...V128_LOAD(c * 16), ...set(acc(r, c)));
  code.push(ELSE);
  for (let r = 0; r < R; r++)
    for (let c = 0; c < C; c++) code.push(...V128_ZERO, ...set(acc(r, c)));
  code.push(END);
  // aptr = a + i * Kbytes; bptr = b + j; k = 0
  code.push(...get(A), ...get(I), ...get(KB), MUL, ADD, ...set(APTR));
  code.push(...get(B), ...get(J), ADD, ...set(BPTR));
  code.push(...i32(0), ...set(KK));
  const body: number[] = [];
  for (let c = 0; c < C; c++) body.push(...get(BPTR), ...V128_LOAD(c * 16), ...set(BV[c]));
  // One row's a_ik at a time (loaded and splat in one instruction), used at once: R x C
  // accumulators, C columns of b and one splat are live.
  for (let r = 0; r < R; r++) {
    body.push(...get(APTR));
    if (r > 0) body.push(...get(KB), ...i32(r), MUL, ADD);
    body.push(...V128_LOAD32_SPLAT, ...set(SPLAT[0]));
    for (let c = 0; c < C; c++) {
      if (variant === 'relaxed')
        body.push(
          ...get(SPLAT[0]),
          ...get(BV[c]),
          ...get(acc(r, c)),
          ...F32X4_RELAXED_MADD,
          ...set(acc(r, c)),
        );
      else
        body.push(
          ...get(acc(r, c)),
          ...get(SPLAT[0]),
          ...get(BV[c]),
          ...F32X4_MUL,
          ...F32X4_ADD,
          ...set(acc(r, c)),
        );
    }
  }
  body.push(...inc(APTR, i32(4)), ...inc(BPTR, get(NB)), ...inc(KK, i32(1)));
  code.push(...whileNot([...get(KK), ...get(K), GE_U], body));
  // relu, then store: out + (i + r) * Nbytes + j + c * 16
  code.push(...get(RELU), ...IF);
  for (let r = 0; r < R; r++)
    for (let c = 0; c < C; c++)
      code.push(...V128_ZERO, ...get(acc(r, c)), ...F32X4_PMAX, ...set(acc(r, c)));
  code.push(END);
  code.push(...get(OUT), ...get(I), ...get(NB), MUL, ADD, ...get(J), ADD, ...set(OPTR));
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) code.push(...get(OPTR), ...get(acc(r, c)), ...V128_STORE(c * 16));
    if (r < R - 1) code.push(...inc(OPTR, get(NB)));
  }
  return code;
}

/**
 * v128 columns of the wide tiles: 4 rows x 8 floats, 8 accumulators, 2 columns of b and a splat
 * live (4 x 12 measured no faster on this machine, within its noise).
 */
const WIDE = 2;

/** Rows in steps of R while R rows remain: columns in 8-wide, then 4-wide tiles. */
function rowBlocks(R: number, variant: GemmVariant): number[] {
  const columns = (C: number) =>
    whileNot(
      [...get(J), ...i32(C * 16), ADD, ...get(NB), GT_U],
      [...tile(R, C, variant), ...inc(J, i32(C * 16))],
    );
  return whileNot(
    [...get(I), ...i32(R), ADD, ...get(M), GT_U],
    [...i32(0), ...set(J), ...columns(WIDE), ...columns(1), ...inc(I, i32(R))],
  );
}

function functionBody(variant: GemmVariant): number[] {
  return [
    ...vec([
      [8, I32],
      [ACC.length + SPLAT.length + BV.length, V128],
    ]),
    ...get(N),
    ...i32(2),
    SHL,
    ...set(NB),
    ...get(K),
    ...i32(2),
    SHL,
    ...set(KB),
    ...i32(0),
    ...set(I),
    ...rowBlocks(4, variant),
    ...rowBlocks(1, variant),
    END,
  ];
}

/** The module's bytes: `matmul` over an imported (non-shared) memory `env.memory`. */
export function gemmModuleBytes(variant: GemmVariant): Uint8Array<ArrayBuffer> {
  return memoryModule('matmul', functionBody(variant));
}

/** Whether this runtime has WebAssembly SIMD, and relaxed SIMD (f32x4.relaxed_madd). */
export function wasmSimdSupport(): { simd: boolean; relaxed: boolean } {
  const ok = (v: GemmVariant) => {
    try {
      return WebAssembly.validate(gemmModuleBytes(v));
    } catch {
      return false;
    }
  };
  return { simd: ok('simd'), relaxed: ok('relaxed') };
}

/**
 * The product over `memory` (not shared), in `variant` ('relaxed' falls back to null where the
 * runtime lacks relaxed SIMD; 'simd' to null without SIMD).
 */
export function createGemmKernel(
  memory: WebAssembly.Memory | undefined,
  variant: GemmVariant,
): GemmKernel | null {
  if (
    !memory ||
    (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer)
  )
    return null;
  try {
    const bytes = gemmModuleBytes(variant);
    if (!WebAssembly.validate(bytes)) return null;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      env: { memory },
    });
    const fn = instance.exports.matmul as (...args: number[]) => void;
    return {
      variant,
      matmul: (a, m, k, b, n, out, bias, relu) => {
        if (n % 4 !== 0) throw new Error(`the SIMD product needs N a multiple of 4, not ${n}`);
        fn(a, m, k, b, n, out, bias, relu ? 1 : 0);
      },
    };
  } catch {
    return null;
  }
}

/** The best variant this runtime has: relaxed SIMD, else SIMD, else null. */
export function createBestGemmKernel(memory: WebAssembly.Memory | undefined): GemmKernel | null {
  return createGemmKernel(memory, 'relaxed') ?? createGemmKernel(memory, 'simd');
}
