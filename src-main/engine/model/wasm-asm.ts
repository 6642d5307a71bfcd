// A minimal WebAssembly assembler: the encodings and opcodes that the hand-assembled SIMD
// kernels (simd.ts: projected-row sums; simd-gemm.ts: the matrix product) are written in. The
// kernels are built at start-up from these bytes, with no toolchain.

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** Signed LEB128. */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export const END = 0x0b;
export const get = (i: number) => [0x20, i];
export const set = (i: number) => [0x21, i];
export const i32 = (n: number) => [0x41, ...sleb(n)];
export const ADD = 0x6a;
export const MUL = 0x6c;
export const SHL = 0x74;
export const GT_U = 0x4b;
export const GE_U = 0x4f;
export const IF = [0x04, 0x40];
export const ELSE = 0x05;
export const simdOp = (op: number) => [0xfd, ...uleb(op)];
export const V128_ZERO = [...simdOp(0x0c), ...new Array<number>(16).fill(0)];
export const F32X4_PMAX = simdOp(0xeb);

/** `for (;;) { if (cond) break; body }`: cond leaves an i32 on the stack. */
export const whileNot = (cond: number[], body: number[]) => [
  0x02,
  0x40,
  0x03,
  0x40,
  ...cond,
  0x0d,
  1,
  ...body,
  0x0c,
  0,
  END,
  END,
];

/**
 * A module of one function taking `params` i32s and returning nothing, exported as `exportName`,
 * over an imported (non-shared) memory `env.memory` of at least one page.
 */
export function memoryModule(
  exportName: string,
  body: number[],
  params = 8,
): Uint8Array<ArrayBuffer> {
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, vec([[0x60, ...vec(new Array<number[]>(params).fill([I32])), 0]])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name(exportName), 0x00, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}
