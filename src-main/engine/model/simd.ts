// A small WebAssembly SIMD kernel over the wasm backend's own memory, for what XNNPACK has no
// operator for: the first layer of an MLP rewritten as a sum of projected embedding rows
// (Executor's projections, inference only). One call does a whole batch:
//
//   for each row b:  out[b] = (bias or out[b]) + sum_f P_f[ids[b, f]]    (then relu, if asked)
//
// Row by row and, within a row, 32 floats at a time held in eight v128 locals while the F
// projected rows are added to them: each output is loaded and stored once, whatever F is. The
// sums run in field order, as the scalar loop's do, so both give the same bits. The module is assembled here (about 300 bytes, no toolchain) and
// imports the backend's memory, so it reads and writes heap buffers in place: no copies.

import {
  vec,
  I32,
  F32,
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
  V128_ZERO,
  F32X4_PMAX,
  uleb,
  whileNot,
  memoryModule,
} from './wasm-asm';

/** Byte offsets on the backend's heap; widths in floats. */
export interface ProjectKernel {
  /**
   * out[b*N .. b*N+N) = (bias ? bias : out[b]) + sum_f P_f[ids[b*F + f]] for b < B, where P_f
   * starts at the byte offset in tables[f] (int32s at `tables`), ids are int32s at `ids`, and
   * `bias` is a byte offset or 0 (accumulate onto out). With `relu` (N a multiple of 4; else
   * it throws), out = max(out, 0) after the sum (NaN becomes 0, as x > 0 ? x : 0 does).
   */
  project(
    out: number,
    N: number,
    B: number,
    F: number,
    tables: number,
    ids: number,
    bias: number,
    relu: boolean,
  ): void;
}

// ---- the kernel's own encodings (the rest: wasm-asm.ts) --------------------------------------

const LOAD = [0x28, 2, 0];

/** Loads, stores and adds of one lane group: four floats (v128) or one (f32). */
const LANES = {
  v128: {
    bytes: 16,
    load: (offset: number) => [0xfd, 0x00, 0, ...uleb(offset)],
    store: (offset: number) => [0xfd, 0x0b, 0, ...uleb(offset)],
    add: [0xfd, ...uleb(228)],
  },
  f32: {
    bytes: 4,
    load: (offset: number) => [0x2a, 2, ...uleb(offset)],
    store: (offset: number) => [0x38, 2, ...uleb(offset)],
    add: [0x92],
  },
};

const inc = (local: number, by: number) => [...get(local), ...i32(by), ADD, ...set(local)];

// Parameters: 0 out, 1 N (floats, then bytes), 2 B, 3 F, 4 tables, 5 ids, 6 bias, 7 relu.
// Locals: 8 b, 9 dst (the row), 10 c (byte offset in the row), 11 f, 12 src, 13 idrow (the
// row's ids), 14..21 eight v128 accumulators, 22 one f32 accumulator.
const [OUT, NB, B, F, TABLES, IDS, BIAS, RELU] = [0, 1, 2, 3, 4, 5, 6, 7];
const [ROW, DST, COL, FIELD, SRC, IDROW] = [8, 9, 10, 11, 12, 13];
const VACC = [14, 15, 16, 17, 18, 19, 20, 21];
const FACC = [22];

/**
 * One row's columns [c, ..) in chunks of `accs.length` lane groups, while a whole chunk fits:
 * the chunk is summed in locals (the start value, then every field's row in field order, then
 * relu for v128) and stored once.
 */
function chunks(lanes: keyof typeof LANES, accs: number[]): number[] {
  const L = LANES[lanes];
  const step = L.bytes * accs.length;
  const each = (f: (acc: number, offset: number) => number[]) =>
    accs.flatMap((acc, i) => f(acc, i * L.bytes));
  return whileNot(
    [...get(COL), ...i32(step), ADD, ...get(NB), GT_U],
    [
      ...get(BIAS),
      ...IF,
      ...each((acc, o) => [...get(BIAS), ...get(COL), ADD, ...L.load(o), ...set(acc)]),
      ELSE,
      ...each((acc, o) => [...get(DST), ...get(COL), ADD, ...L.load(o), ...set(acc)]),
      END,
      ...i32(0),
      ...set(FIELD),
      ...whileNot(
        [...get(FIELD), ...get(F), GE_U],
        [
          // src = tables[f] + ids[b, f] * Nbytes + c
          ...get(TABLES),
          ...get(FIELD),
          ...i32(2),
          SHL,
          ADD,
          ...LOAD,
          ...get(IDROW),
          ...get(FIELD),
          ...i32(2),
          SHL,
          ADD,
          ...LOAD,
          ...get(NB),
          MUL,
          ADD,
          ...get(COL),
          ADD,
          ...set(SRC),
          ...each((acc, o) => [...get(acc), ...get(SRC), ...L.load(o), ...L.add, ...set(acc)]),
          ...inc(FIELD, 1),
        ],
      ),
      ...(lanes === 'v128'
        ? [
            ...get(RELU),
            ...IF,
            ...each((acc) => [...V128_ZERO, ...get(acc), ...F32X4_PMAX, ...set(acc)]),
            END,
          ]
        : []),
      ...each((acc, o) => [...get(DST), ...get(COL), ADD, ...get(acc), ...L.store(o)]),
      ...inc(COL, step),
    ],
  );
}

const projectBody = [
  ...vec([
    [6, I32],
    [VACC.length, V128],
    [FACC.length, F32],
  ]),
  ...get(NB),
  ...i32(2),
  SHL,
  ...set(NB),
  ...i32(0),
  ...set(ROW),
  ...whileNot(
    [...get(ROW), ...get(B), GE_U],
    [
      // dst = out + b * Nbytes; idrow = ids + b * F * 4; c = 0
      ...get(OUT),
      ...get(ROW),
      ...get(NB),
      MUL,
      ADD,
      ...set(DST),
      ...get(IDS),
      ...get(ROW),
      ...get(F),
      MUL,
      ...i32(2),
      SHL,
      ADD,
      ...set(IDROW),
      ...i32(0),
      ...set(COL),
      ...chunks('v128', VACC),
      ...chunks('v128', VACC.slice(0, 1)),
      ...chunks('f32', FACC),
      ...inc(ROW, 1),
    ],
  ),
  END,
];

function moduleBytes(): Uint8Array<ArrayBuffer> {
  return memoryModule('project', projectBody);
}

/**
 * The kernel over `memory` (the wasm backend's, not shared), or null where WebAssembly SIMD
 * or the memory is not available (the caller keeps its scalar loop).
 */
export function createProjectKernel(memory: WebAssembly.Memory | undefined): ProjectKernel | null {
  if (
    !memory ||
    (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer)
  )
    return null;
  try {
    const bytes = moduleBytes();
    if (!WebAssembly.validate(bytes)) return null;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      env: { memory },
    });
    const fn = instance.exports.project as (...args: number[]) => void;
    return {
      project: (out, N, B, F, tables, ids, bias, relu) => {
        if (relu && N % 4 !== 0)
          throw new Error(`relu needs a width that is a multiple of 4, not ${N}`);
        fn(out, N, B, F, tables, ids, bias, relu ? 1 : 0);
      },
    };
  } catch {
    return null;
  }
}
