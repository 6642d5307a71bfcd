// The SIMD projection kernel (src-main/engine/model/simd.ts) against a plain loop: every width
// (multiples of 4 and not), with and without a bias, with and without relu.

import { describe, expect, it } from 'vitest';
import { createProjectKernel } from '../../../src-main/engine/model/simd';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

describe('the SIMD projection kernel', () => {
  const memory = new WebAssembly.Memory({ initial: 16 });
  const kernel = createProjectKernel(memory);

  it('assembles and loads in Node', () => {
    expect(kernel).not.toBeNull();
  });

  for (const N of [1, 4, 6, 13, 37, 40, 128]) {
    for (const bias of [true, false]) {
      for (const relu of N % 4 === 0 ? [false, true] : [false]) {
        it(`sums projected rows: N=${N}, ${bias ? 'bias' : 'onto out'}${relu ? ', relu' : ''}`, () => {
          const random = rng(N * 7 + (bias ? 1 : 0) + (relu ? 2 : 0));
          const B = 37;
          const vocab = [3, 1, 50];
          const F = vocab.length;
          let top = 64;
          const alloc = (bytes: number) => {
            const at = top;
            top += Math.ceil(bytes / 16) * 16 + 4; // unaligned on purpose
            return at;
          };
          const f32 = new Float32Array(memory.buffer);
          const i32 = new Int32Array(memory.buffer);
          const tables = vocab.map((v) => {
            const at = alloc(v * N * 4);
            for (let k = 0; k < v * N; k++) f32[at / 4 + k] = random();
            return at;
          });
          const tablePtr = alloc(F * 4);
          tables.forEach((t, f) => (i32[tablePtr / 4 + f] = t));
          const ids = alloc(B * F * 4);
          for (let b = 0; b < B; b++)
            for (let f = 0; f < F; f++)
              i32[ids / 4 + b * F + f] = Math.floor((random() + 0.5) * vocab[f]);
          const biasPtr = bias ? alloc(N * 4) : 0;
          if (bias) for (let j = 0; j < N; j++) f32[biasPtr / 4 + j] = random();
          const out = alloc(B * N * 4);
          for (let k = 0; k < B * N; k++) f32[out / 4 + k] = random();
          // A NaN goes to 0 under relu, as x > 0 ? x : 0 does.
          if (!bias) f32[out / 4 + 2] = NaN;

          const expected = new Float32Array(B * N);
          for (let b = 0; b < B; b++) {
            for (let j = 0; j < N; j++) {
              let z = bias ? f32[biasPtr / 4 + j] : f32[out / 4 + b * N + j];
              for (let f = 0; f < F; f++) {
                const id = i32[ids / 4 + b * F + f];
                z = Math.fround(z + f32[tables[f] / 4 + id * N + j]);
              }
              expected[b * N + j] = relu ? (z > 0 ? z : 0) : z;
            }
          }
          kernel!.project(out, N, B, F, tablePtr, ids, biasPtr, relu);
          const got = new Float32Array(memory.buffer, out, B * N);
          expect(Array.from(got)).toEqual(Array.from(expected));
        });
      }
    }
  }

  it('refuses relu on a width that is not a multiple of 4', () => {
    expect(() => kernel!.project(64, 6, 1, 0, 0, 0, 0, true)).toThrow(/multiple of 4/);
  });

  it('is not offered over shared memory', () => {
    const shared = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
    expect(createProjectKernel(shared)).toBeNull();
    expect(createProjectKernel(undefined)).toBeNull();
  });
});
