// First-layer projections, an exact rewrite of an MLP's first layer for inference. With
// x = [rest | e_1 .. e_F] (e_f the looked-up row of field f's table) the layer's product is
// x.W = rest.W_rest + sum_f e_f.W_f, and e_f.W_f is row id_f of P_f = E_f.W_f, computed once per
// table: the product over the embedding becomes a gather and a sum of F rows (the SIMD kernel
// of simd.ts where it loads). Built within a float budget, op by op; the mlp op
// (ops/mlp.ts) runs its first layer through its projection when the executor is projecting.

import type { HeapBuffer } from '../kernels';
import type { InputPart, Program } from '../program';
import { activate } from './activations';
import type { MlpState } from './dense';
import type { ExecutorState, TableSource } from './state';

/**
 * Whether predicting `rows` rows is worth the projections: they cost a product per table row,
 * and save one per predicted row. Every inference path decides by this alone, so the same rows
 * get the same sums (and the same bits) whichever path predicts them.
 */
export function worthProjecting(program: Program, rows: number): boolean {
  const tableRows = program.tableRows.flat().reduce((a, b) => a + b, 0);
  return rows >= 2 * tableRows;
}

export interface Projection {
  N: number;
  /** Non-embedding parts (e.g. a fusion output), multiplied as usual. */
  rest: InputPart[];
  restWidth: number;
  /** Rows of W1 for the rest parts, in order: [restWidth, N]. */
  restW: HeapBuffer | null;
  restX: HeapBuffer | null;
  /** Row offset of each rest part in W1. */
  restRows: number[];
  fields: { embedding: number; field: number; row: number; P: HeapBuffer | null; rows: number }[];
  z: HeapBuffer;
  /** Indices into `fields` of the looked-up fields (summed by the SIMD kernel) and the others. */
  lookup: number[];
  linear: number[];
  /** For the kernel: the byte offset of each looked-up field's P (int32s)... */
  tables: HeapBuffer;
  /** ...and this call's ids, row by row: [rows, lookup.length] int32s. */
  ids: HeapBuffer;
  /**
   * The ids the kernel reads, shared by every projection that looks up the same fields (the
   * towers over one embedding): filled once per call (ExecutorState.call), by the first.
   */
  gather: IdGather;
}

/** One call's ids of a list of looked-up fields, [rows, fields] int32s on the heap. */
interface IdGather {
  ids: HeapBuffer;
  /** (embedding, field) of each column. */
  fields: { embedding: number; field: number }[];
  /** The call whose ids the buffer holds (-1: none yet). */
  filled: number;
}

/** Per op: its projection within `budget` floats (first come, first served), or null. */
export function buildProjections(s: ExecutorState, budget: number): (Projection | null)[] {
  const program = s.program;
  const cap = s.capacity;
  return program.ops.map((op) => {
    if (op.op !== 'mlp' || !op.input.some((p) => p.kind === 'embedding')) return null;
    const N = op.layers[0].out;
    const fields: Projection['fields'] = [];
    const rest: InputPart[] = [];
    const restRows: number[] = [];
    let col = 0;
    let floats = 0;
    for (const part of op.input) {
      if (part.kind === 'embedding') {
        const tables = program.tableRows[part.embedding];
        const dim = part.width / tables.length;
        tables.forEach((rows, f) => {
          fields.push({ embedding: part.embedding, field: f, row: col + f * dim, P: null, rows });
          floats += rows * N;
        });
      } else {
        rest.push(part);
        restRows.push(col);
      }
      col += part.width;
    }
    if (floats > budget) return null;
    budget -= floats;
    const restWidth = rest.reduce((n, p) => n + p.width, 0);
    const ids = s.alloc(cap * fields.length);
    return {
      N,
      rest,
      restWidth,
      restW: restWidth > 0 ? s.alloc(restWidth * N) : null,
      restX: restWidth > 0 && rest.length > 1 ? s.alloc(cap * restWidth) : null,
      restRows,
      fields,
      z: s.alloc(cap * N),
      lookup: [],
      linear: [],
      tables: s.alloc(fields.length),
      ids,
      gather: { ids, fields: [], filled: -1 },
    };
  });
}

/**
 * Per embedding: whether some op reads its looked-up output (`projected`: with the
 * projections in use, so the projected towers read the ids instead).
 */
export function embeddingsRead(
  program: Program,
  projections: (Projection | null)[],
  projected: boolean,
): boolean[] {
  const read = program.embeddingWidths.map(() => false);
  program.ops.forEach((op, i) => {
    const parts =
      op.op === 'mlp' || op.op === 'experts' || op.op === 'head' || op.op === 'cross'
        ? op.input
        : op.op === 'gate'
          ? op.selector
          : [];
    if (projected && op.op === 'mlp' && projections[i]) return;
    for (const p of parts) if (p.kind === 'embedding') read[p.embedding] = true;
  });
  return read;
}

/**
 * Computes P_f = E_f . W_f for every projected field from the current tables and dense
 * parameters (after setParams, and again when either changes).
 */
export function prepareProjections(
  s: ExecutorState,
  projections: (Projection | null)[],
  sources: TableSource[][],
): void {
  const k = s.k;
  s.program.ops.forEach((op, i) => {
    const proj = projections[i];
    if (!proj || op.op !== 'mlp') return;
    const W = s.params[op.layers[0].kernel];
    const N = proj.N;
    const restW = proj.restW;
    if (restW) {
      let r = 0;
      proj.rest.forEach((part, j) => {
        const from = proj.restRows[j] * N;
        restW.view.set(W.view.subarray(from, from + part.width * N), r * N);
        r += part.width;
      });
      k.fresh(restW);
    }
    for (const fp of proj.fields) {
      const src = sources[fp.embedding][fp.field];
      const dim =
        s.program.embeddingWidths[fp.embedding] / s.program.tableRows[fp.embedding].length;
      const rows = src.kind === 'lookup' ? fp.rows : 2;
      const P = fp.P ?? s.alloc(rows * N);
      fp.P = P;
      const e = k.alloc(rows * dim);
      const w = k.alloc(dim * N);
      e.view.set(src.data.subarray(0, rows * dim));
      w.view.set(W.view.subarray(fp.row * N, (fp.row + dim) * N));
      k.matmul(e, rows, dim, w, N, P);
      k.free(e);
      k.free(w);
    }
    proj.lookup = [];
    proj.linear = [];
    proj.fields.forEach((fp, f) => {
      const kind = sources[fp.embedding][fp.field].kind;
      (kind === 'lookup' ? proj.lookup : proj.linear).push(f);
    });
    const tables = k.wasm.HEAP32;
    proj.lookup.forEach((f, j) => {
      tables[(proj.tables.offset >> 2) + j] = preparedP(proj.fields[f]).offset;
    });
  });
  // Projections that look up the same fields share one gather of their ids.
  const gathers = new Map<string, IdGather>();
  for (const proj of projections) {
    if (!proj) continue;
    const fields = proj.lookup.map((f) => ({
      embedding: proj.fields[f].embedding,
      field: proj.fields[f].field,
    }));
    const key = fields.map((f) => `${f.embedding}:${f.field}`).join(',');
    const shared = gathers.get(key);
    proj.gather = shared ?? { ids: proj.ids, fields, filled: -1 };
    if (!shared) gathers.set(key, proj.gather);
  }
}

/**
 * Writes the call's ids of the gather's fields, row by row, unless this call's are there
 * already (another tower's projection gathered them).
 */
function gatherIds(s: ExecutorState, gather: IdGather, B: number): void {
  if (gather.filled === s.call) return;
  gather.filled = s.call;
  const F = gather.fields.length;
  const srcs: Int32Array[] = [];
  for (const f of gather.fields) {
    const src = s.sources[f.embedding][f.field];
    srcs.push(src.kind === 'lookup' ? src.ids : new Int32Array(0));
  }
  const ids = s.k.wasm.HEAP32;
  const rows = s.rowIndex;
  const from = s.batchFrom;
  let at = gather.ids.offset >> 2;
  for (let b = 0; b < B; b++) {
    const r = rows[from + b];
    for (let j = 0; j < F; j++) ids[at + j] = srcs[j][r];
    at += F;
  }
}

/**
 * The first layer of an MLP through its projection (inference): z = rest.W_rest + bias +
 * sum_f P_f[id_f], then the activation. The looked-up fields are summed by the SIMD kernel
 * (simd.ts), row by row, with relu fused when nothing is added after them; numeric fields and
 * a module without the kernel take the scalar loops.
 */
export function projectedFirstLayer(
  s: ExecutorState,
  proj: Projection,
  m: MlpState,
  B: number,
): void {
  const layer = m.layers[0];
  const N = proj.N;
  const bias = s.params[layer.spec.bias];
  const kernel = s.simd && proj.lookup.length > 0 ? s.k.project : null;
  // The kernel applies relu on rows of whole 16-byte steps only.
  const fused =
    kernel !== null && m.activation === 'relu' && proj.linear.length === 0 && N % 4 === 0;
  const target = fused ? layer.hpre : proj.z;
  if (proj.restW) {
    const x = s.input(proj.rest, proj.restWidth, proj.restX);
    s.k.matmul(x, B, proj.restWidth, proj.restW, N, target, bias);
  } else if (!kernel) {
    const z = target.view;
    const b0 = bias.view.subarray(0, N);
    for (let b = 0; b < B; b++) z.set(b0, b * N);
  }
  const rows = s.rowIndex;
  const from = s.batchFrom;
  if (kernel) {
    const F = proj.lookup.length;
    gatherIds(s, proj.gather, B);
    const tables = proj.tables.offset;
    kernel.project(
      target.offset,
      N,
      B,
      F,
      tables,
      proj.gather.ids.offset,
      proj.restW ? 0 : bias.offset,
      fused,
    );
  }
  const z = target.view;
  for (const fp of proj.fields) {
    const src = s.sources[fp.embedding][fp.field];
    const P = preparedP(fp).view;
    if (src.kind === 'lookup') {
      if (kernel) continue;
      const ids = src.ids;
      for (let b = 0; b < B; b++) {
        const p = ids[rows[from + b]] * N;
        const o = b * N;
        for (let j = 0; j < N; j++) z[o + j] += P[p + j];
      }
    } else {
      const values = src.values;
      for (let b = 0; b < B; b++) {
        const x = values[rows[from + b]];
        const o = b * N;
        for (let j = 0; j < N; j++) z[o + j] += x * P[j] + P[N + j];
      }
    }
  }
  if (!fused) activate(m.activation, z, layer.hpre.view, B * N);
  if (layer.h !== layer.hpre) layer.h.view.set(layer.hpre.view.subarray(0, B * N));
}

function preparedP(fp: Projection['fields'][number]): HeapBuffer {
  if (!fp.P) throw new Error('Executor: projections used before prepareProjections');
  return fp.P;
}
