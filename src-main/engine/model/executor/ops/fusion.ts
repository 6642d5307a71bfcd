// The fusion op: its ports side by side in one vector value. A concatenation port copies its
// items; an attention port (AITM form, HTLNET.md) weighs its items' V projections by the
// softmax over items of <Q u_j, K u_j> / sqrt(width). Training stacks the items (row b * n + j
// holds item j of row b) for single products over all of them; inference multiplies each
// item in its own buffer (planar blocks) and sums in the same order, so both give the same
// bits. Backward to Q, K, V and, unless the port is cut, to the items.

import { transposeInto, type HeapBuffer } from '../../kernels';
import { addInto, softmaxBackwardRows, softmaxRows } from '../activations';
import type { OpKind, OpOf } from '../op';
import { trainingPart, type ExecutorState, type VectorState } from '../state';

type Port = OpOf<'fusion'>['ports'][number];
type Attention = NonNullable<Port['attention']>;

/** Buffers of an attention port while training (the items stacked). */
interface TrainingPort {
  mode: 'training';
  /** The items stacked, row b * n + j holding item j of row b. */
  u: HeapBuffer;
  /** Q u, K u (only with more than one item) and V u, stacked like u. */
  qu: HeapBuffer | null;
  ku: HeapBuffer | null;
  vu: HeapBuffer;
  weights: Float32Array;
  uT: HeapBuffer;
  dqu: HeapBuffer | null;
  dku: HeapBuffer | null;
  dvu: HeapBuffer;
  du: HeapBuffer;
  du2: HeapBuffer | null;
}

/** Buffers of an attention port for inference: per item, its blocks of Q u, K u and V u. */
interface InferencePort {
  mode: 'inference';
  items: { q: HeapBuffer | null; k: HeapBuffer | null; v: HeapBuffer }[];
  weights: Float32Array;
}

export interface FusionOpState {
  /** Per port: its items' values; and for an attention port, its buffers. */
  ports: { items: VectorState[]; attention: TrainingPort | InferencePort | null }[];
  out: VectorState;
}

export const fusionOp: OpKind<'fusion', FusionOpState> = {
  alloc(op, s) {
    const cap = s.capacity;
    const training = s.training;
    const ports = op.ports.map((port) => {
      const items = port.items.map((v) => s.vector(v));
      if (!port.attention) return { items, attention: null };
      const n = port.items.length;
      s.transposedParam(port.attention.query);
      s.transposedParam(port.attention.key);
      s.transposedParam(port.attention.value);
      const rows = cap * n;
      const w = port.width;
      const many = n > 1;
      const qu = many ? s.alloc(rows * w) : null;
      const ku = many ? s.alloc(rows * w) : null;
      const vu = s.alloc(rows * w);
      if (!training) {
        // Item j's projections in block j (planar), products straight from the item's own
        // buffer, no stacked copy.
        const block = (b: HeapBuffer, j: number) => s.k.view(b, j * cap * w, cap * w);
        const attention: InferencePort = {
          mode: 'inference',
          items: port.items.map((_, j) => ({
            q: qu ? block(qu, j) : null,
            k: ku ? block(ku, j) : null,
            v: block(vu, j),
          })),
          weights: new Float32Array(rows),
        };
        return { items, attention };
      }
      const attention: TrainingPort = {
        mode: 'training',
        u: s.alloc(rows * w),
        qu,
        ku,
        vu,
        weights: new Float32Array(rows),
        uT: s.alloc(rows * w),
        dqu: many ? s.alloc(rows * w) : null,
        dku: many ? s.alloc(rows * w) : null,
        dvu: s.alloc(rows * w),
        du: s.alloc(rows * w),
        du2: many ? s.alloc(rows * w) : null,
      };
      return { items, attention };
    });
    return { ports, out: s.vector(op.out) };
  },

  forward(op, st, s) {
    const B = s.rows;
    const o = st.out.val.view;
    const W = op.width;
    let col = 0;
    op.ports.forEach((port, pi) => {
      const ps = st.ports[pi];
      const a = ps.attention;
      if (!port.attention || !a) {
        let c = col;
        for (const src of ps.items) {
          const iw = src.width;
          const sv = src.val.view;
          for (let b = 0; b < B; b++) {
            const d = b * W + c;
            const q = b * iw;
            for (let j = 0; j < iw; j++) o[d + j] = sv[q + j];
          }
          c += iw;
        }
      } else if (a.mode === 'inference') {
        fusionPortInference(s, port.width, port.attention, ps.items, a, o, W, col, B);
      } else {
        fusionPortTraining(s, port.width, port.attention, ps.items, a, o, W, col, B);
      }
      col += port.width;
    });
  },

  backward(op, st, s) {
    const v = st.out;
    if (!v.touched) return;
    const B = s.rows;
    const W = op.width;
    const dout = s.gradOf(v).view;
    let col = 0;
    op.ports.forEach((port, pi) => {
      const n = port.items.length;
      const w = port.width;
      const pstate = st.ports[pi];
      const attention = pstate.attention;
      if (!port.attention || !attention) {
        let c = col;
        for (const iv of pstate.items) {
          const iw = iv.width;
          if (!port.cut) {
            const dst = s.touchVector(iv, B);
            for (let b = 0; b < B; b++) {
              const q = b * W + c;
              const d = b * iw;
              for (let j = 0; j < iw; j++) dst[d + j] += dout[q + j];
            }
          }
          c += iw;
        }
        col += w;
        return;
      }
      const ps = trainingPart(attention.mode === 'training' ? attention : null);
      const rows = B * n;
      const a = port.attention;
      const dvu = ps.dvu.view;
      const vu = ps.vu.view;
      const many = n > 1;
      const dqu = many ? trainingPart(ps.dqu) : null;
      const dku = many ? trainingPart(ps.dku) : null;
      if (dqu && dku) {
        const dw = s.scratch(rows);
        for (let b = 0; b < B; b++) {
          const q = b * W + col;
          for (let j = 0; j < n; j++) {
            const r = b * n + j;
            const wt = ps.weights[r];
            const o = r * w;
            let dot = 0;
            for (let c = 0; c < w; c++) {
              const g = dout[q + c];
              dvu[o + c] = wt * g;
              dot += g * vu[o + c];
            }
            dw[r] = dot;
          }
        }
        softmaxBackwardRows(ps.weights, dw, B, n);
        const scale = Math.sqrt(w);
        const qu = trainingPart(ps.qu).view;
        const ku = trainingPart(ps.ku).view;
        const dq = dqu.view;
        const dk = dku.view;
        for (let r = 0; r < rows; r++) {
          const ds = dw[r] / scale;
          const o = r * w;
          for (let c = 0; c < w; c++) {
            dq[o + c] = ds * ku[o + c];
            dk[o + c] = ds * qu[o + c];
          }
        }
      } else {
        for (let b = 0; b < B; b++) {
          const q = b * W + col;
          const o = b * w;
          for (let c = 0; c < w; c++) dvu[o + c] = dout[q + c];
        }
      }
      const k = s.k;
      transposeInto(ps.u.view, 0, rows, w, ps.uT.view, 0);
      k.fresh(ps.dvu);
      s.touchGrad(a.value);
      k.matmul(ps.uT, w, rows, ps.dvu, w, s.grads[a.value]);
      s.touchGrad(a.query);
      s.touchGrad(a.key);
      if (dqu && dku) {
        k.fresh(dqu);
        k.fresh(dku);
        k.matmul(ps.uT, w, rows, dqu, w, s.grads[a.query]);
        k.matmul(ps.uT, w, rows, dku, w, s.grads[a.key]);
      }
      if (!port.cut) {
        k.matmul(ps.dvu, rows, w, transposed(s, a.value), w, ps.du);
        if (dqu && dku) {
          const du2 = trainingPart(ps.du2);
          k.matmul(dqu, rows, w, transposed(s, a.query), w, du2);
          addInto(ps.du.view, du2.view, rows * w);
          k.matmul(dku, rows, w, transposed(s, a.key), w, du2);
          addInto(ps.du.view, du2.view, rows * w);
        }
        const du = ps.du.view;
        pstate.items.forEach((iv, j) => {
          const dst = s.touchVector(iv, B);
          for (let b = 0; b < B; b++) {
            const q = (b * n + j) * w;
            const d = b * w;
            for (let c = 0; c < w; c++) dst[d + c] += du[q + c];
          }
        });
      }
      col += w;
    });
  },
};

function transposed(s: ExecutorState, param: number): HeapBuffer {
  return trainingPart(s.paramsT[param]);
}

/** One attention port of a fusion, training: the items stacked, one product per Q, K, V. */
function fusionPortTraining(
  s: ExecutorState,
  w: number,
  a: Attention,
  items: VectorState[],
  ps: TrainingPort,
  o: Float32Array,
  W: number,
  col: number,
  B: number,
): void {
  const n = items.length;
  const rows = B * n;
  // U: row b * n + j holds item j of row b (tf.stack(set, 1) then reshape).
  const u = ps.u.view;
  items.forEach((item, j) => {
    const sv = item.val.view;
    for (let b = 0; b < B; b++) {
      const d = (b * n + j) * w;
      const q = b * w;
      for (let c = 0; c < w; c++) u[d + c] = sv[q + c];
    }
  });
  s.k.matmul(ps.u, rows, w, s.params[a.value], w, ps.vu);
  if (n > 1) {
    const quB = trainingPart(ps.qu);
    const kuB = trainingPart(ps.ku);
    s.k.matmul(ps.u, rows, w, s.params[a.query], w, quB);
    s.k.matmul(ps.u, rows, w, s.params[a.key], w, kuB);
    const qu = quB.view;
    const ku = kuB.view;
    const scale = Math.sqrt(w);
    for (let r = 0; r < rows; r++) {
      let dot = 0;
      const o2 = r * w;
      for (let c = 0; c < w; c++) dot += qu[o2 + c] * ku[o2 + c];
      ps.weights[r] = dot / scale;
    }
    softmaxRows(ps.weights, ps.weights, B, n);
  } else {
    ps.weights.fill(1, 0, rows);
  }
  const vu = ps.vu.view;
  for (let b = 0; b < B; b++) {
    const d = b * W + col;
    for (let c = 0; c < w; c++) o[d + c] = 0;
    for (let j = 0; j < n; j++) {
      const a2 = ps.weights[b * n + j];
      const q = (b * n + j) * w;
      for (let c = 0; c < w; c++) o[d + c] += a2 * vu[q + c];
    }
  }
}

/**
 * One attention port of a fusion, inference: per item j, q_j, k_j and v_j from the item's
 * own buffer; per row, the softmax over j of q_j.k_j / sqrt(w) weighs the v_j into out's
 * columns [col, col + w). The same sums as the stacked training path, in the same order.
 */
function fusionPortInference(
  s: ExecutorState,
  w: number,
  a: Attention,
  values: VectorState[],
  ps: InferencePort,
  o: Float32Array,
  W: number,
  col: number,
  B: number,
): void {
  const items = ps.items;
  const n = items.length;
  const k = s.k;
  items.forEach((it, j) => k.matmul(values[j].val, B, w, s.params[a.value], w, it.v));
  if (n === 1) {
    const v = items[0].v.view;
    for (let b = 0; b < B; b++) {
      const d = b * W + col;
      const r = b * w;
      for (let c = 0; c < w; c++) o[d + c] = v[r + c];
    }
    return;
  }
  items.forEach((it, j) => {
    k.matmul(values[j].val, B, w, s.params[a.query], w, itemBlock(it.q));
    k.matmul(values[j].val, B, w, s.params[a.key], w, itemBlock(it.k));
  });
  const qs = items.map((it) => itemBlock(it.q).view);
  const ks = items.map((it) => itemBlock(it.k).view);
  const vs = items.map((it) => it.v.view);
  const scale = Math.sqrt(w);
  if (n === 2) {
    attendPairs(qs, ks, vs, scale, o, W, col, w, B);
    return;
  }
  const weights = ps.weights;
  for (let j = 0; j < n; j++) {
    const q = qs[j];
    const kj = ks[j];
    for (let b = 0; b < B; b++) {
      let dot = 0;
      const r = b * w;
      for (let c = 0; c < w; c++) dot += q[r + c] * kj[r + c];
      weights[b * n + j] = dot / scale;
    }
  }
  softmaxRows(weights, weights, B, n);
  for (let b = 0; b < B; b++) {
    const d = b * W + col;
    const r = b * w;
    const a0 = weights[b * n];
    const v0 = vs[0];
    for (let c = 0; c < w; c++) o[d + c] = a0 * v0[r + c];
    for (let j = 1; j < n; j++) {
      const aj = weights[b * n + j];
      const v = vs[j];
      for (let c = 0; c < w; c++) o[d + c] += aj * v[r + c];
    }
  }
}

/**
 * The attention of a port of two items, row by row in one pass: the same operations as the
 * general path (scores rounded to float32, softmaxRows' max, exp, sum and division, then
 * a0 v0 rounded before a1 v1 is added), so the same bits, without its passes over the batch.
 */
function attendPairs(
  qs: Float32Array[],
  ks: Float32Array[],
  vs: Float32Array[],
  scale: number,
  o: Float32Array,
  W: number,
  col: number,
  w: number,
  B: number,
): void {
  const [q0, q1] = qs;
  const [k0, k1] = ks;
  const [v0, v1] = vs;
  const f32 = Math.fround;
  for (let b = 0; b < B; b++) {
    const r = b * w;
    let d0 = 0;
    let d1 = 0;
    for (let c = 0; c < w; c++) {
      d0 += q0[r + c] * k0[r + c];
      d1 += q1[r + c] * k1[r + c];
    }
    const s0 = f32(d0 / scale);
    const s1 = f32(d1 / scale);
    let max = -Infinity;
    if (s0 > max) max = s0;
    if (s1 > max) max = s1;
    const e0 = Math.exp(s0 - max);
    const e1 = Math.exp(s1 - max);
    const sum = e0 + e1;
    const a0 = f32(f32(e0) / sum);
    const a1 = f32(f32(e1) / sum);
    const d = b * W + col;
    for (let c = 0; c < w; c++) o[d + c] = f32(a0 * v0[r + c]) + a1 * v1[r + c];
  }
}

/** A port with several items has its Q and K blocks. */
function itemBlock(b: HeapBuffer | null): HeapBuffer {
  if (!b) throw new Error('Executor: an attention port of several items lacks Q or K');
  return b;
}
