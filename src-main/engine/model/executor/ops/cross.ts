// The cross op (DCN-v2 cross layers, engine/blocks/cross-layer.ts): its buffers, forward and
// backward. For row b and layer l:
//   u_l = x_l W_l + b_l  (W_l = U_l V_l when low-rank),   x_{l+1} = x_0 * u_l + x_l
// Backward, with g = dL/dx_{l+1}: du = g * x_0, dx_0 += g * u_l, db += sum_b du,
// dW += x_l^T du, dx_l = g + du W^T (low rank: dt = du V^T, dV += t^T du, dU += x_l^T dt,
// dx_l = g + dt U^T).
// The buffers live on the wasm heap and every product goes through the executor's matmul
// (kernels.ts), as the mlp's do; the elementwise parts stay plain loops. Backward reads the
// transposed weights the executor keeps up to date (state.ts transposedParam) and transposes
// x_l and t_l once per layer for the weight gradients.

import { transposeInto, type HeapBuffer, type WasmKernels } from '../../kernels';
import type { OpKind, OpOf } from '../op';
import type { ExecutorState, VectorState } from '../state';

type CrossOp = OpOf<'cross'>;

/** Training-only buffers. */
interface CrossGrads {
  /** Two gradient buffers [cap, d] used in turn. */
  g: [HeapBuffer, HeapBuffer];
  /** The sum of dL/dx_0 over the layers, [cap, d]. */
  gx0: HeapBuffer;
  /** du [cap, d]; low rank, dt [cap, r]. */
  du: HeapBuffer;
  dt: HeapBuffer | null;
  /** x_l^T [d, cap]; low rank, t_l^T [r, cap]. */
  xT: HeapBuffer;
  tT: HeapBuffer | null;
  /** A product into a weight's gradient shape, before it is added: [d, d] or [d, r]. */
  pw: HeapBuffer;
  /** du W^T (or dt U^T), [cap, d]. */
  back: HeapBuffer;
}

export interface CrossState {
  /** The concatenated input when it has several parts. */
  x: HeapBuffer | null;
  out: VectorState;
  /** Per layer: its input x_l (x_0 is a copy of the block input), [cap, d]. */
  xs: HeapBuffer[];
  /** Per layer: u_l = x_l W_l + b_l, [cap, d]. */
  us: HeapBuffer[];
  /** Per layer, low rank: t_l = x_l U_l, [cap, r]. */
  ts: HeapBuffer[];
  grads: CrossGrads | null;
}

function crossState(
  op: CrossOp,
  s: ExecutorState,
  x: HeapBuffer | null,
  out: VectorState,
): CrossState {
  const d = op.width;
  const r = op.rank;
  const cap = s.capacity;
  const rows = (n: number) => s.alloc(cap * n);
  let grads: CrossGrads | null = null;
  if (s.training) {
    for (const layer of op.layers) {
      if (r > 0) {
        s.transposedParam(layer.u);
        s.transposedParam(layer.v);
      } else s.transposedParam(layer.kernel);
    }
    grads = {
      g: [rows(d), rows(d)],
      gx0: rows(d),
      du: rows(d),
      dt: r > 0 ? rows(r) : null,
      xT: s.alloc(d * cap),
      tT: r > 0 ? s.alloc(r * cap) : null,
      pw: s.alloc(d * (r > 0 ? r : d)),
      back: rows(d),
    };
  }
  return {
    x,
    out,
    xs: op.layers.map(() => rows(d)),
    us: op.layers.map(() => rows(d)),
    ts: r > 0 ? op.layers.map(() => rows(r)) : [],
    grads,
  };
}

function crossForward(
  op: CrossOp,
  st: CrossState,
  k: WasmKernels,
  input: HeapBuffer,
  out: HeapBuffer,
  params: HeapBuffer[],
  B: number,
): void {
  const d = op.width;
  const r = op.rank;
  const n = B * d;
  st.xs[0].view.set(input.view.subarray(0, n));
  op.layers.forEach((layer, l) => {
    const x = st.xs[l];
    const u = st.us[l];
    const bias = params[layer.bias];
    if (r > 0) {
      const t = st.ts[l];
      k.matmul(x, B, d, params[layer.u], r, t);
      k.matmul(t, B, r, params[layer.v], d, u, bias);
    } else k.matmul(x, B, d, params[layer.kernel], d, u, bias);
    // Views after the products: a product may grow the heap (kernels.ts refresh).
    const next = (l + 1 < op.layers.length ? st.xs[l + 1] : out).view;
    const x0v = st.xs[0].view;
    const uv = u.view;
    const xv = x.view;
    for (let i = 0; i < n; i++) next[i] = x0v[i] * uv[i] + xv[i];
  });
}

/** grad[0..len) += src[0..len). */
function addInto(grad: Float32Array, src: Float32Array, len: number): void {
  for (let i = 0; i < len; i++) grad[i] += src[i];
}

/** The executor's transposed copy of a weight (state.ts transposedParam). */
function transposed(s: ExecutorState, param: number): HeapBuffer {
  const t = s.paramsT[param];
  if (!t) throw new Error('Backward pass on an executor built for inference');
  return t;
}

/**
 * Adds the parameter gradients (through touchGrad, which zeroes a gradient on first touch) and
 * returns dL/dx_0 [B, d] when `wantsDx` (a buffer of the state; valid until the next call).
 */
function crossBackward(
  op: CrossOp,
  st: CrossState,
  s: ExecutorState,
  dout: HeapBuffer,
  B: number,
  wantsDx: boolean,
): HeapBuffer {
  const gs = st.grads;
  if (!gs) throw new Error('Backward pass on an executor built for inference');
  const k = s.k;
  const d = op.width;
  const r = op.rank;
  const n = B * d;
  let cur = 0;
  gs.g[cur].view.set(dout.view.subarray(0, n));
  gs.gx0.view.fill(0, 0, n);
  for (let l = op.layers.length - 1; l >= 0; l--) {
    const layer = op.layers[l];
    const x = st.xs[l];
    const g = gs.g[cur];
    const gn = gs.g[1 - cur];
    {
      const gv = g.view;
      const x0v = st.xs[0].view;
      const uv = st.us[l].view;
      const duv = gs.du.view;
      const gx0 = gs.gx0.view;
      for (let i = 0; i < n; i++) {
        duv[i] = gv[i] * x0v[i];
        gx0[i] += gv[i] * uv[i];
      }
      const gb = s.touchGrad(layer.bias);
      for (let b = 0; b < B; b++) {
        const row = b * d;
        for (let j = 0; j < d; j++) gb[j] += duv[row + j];
      }
      transposeInto(x.view, 0, B, d, gs.xT.view, 0);
    }
    // du changed: XNNPACK must not reuse what it packed for its previous contents.
    k.fresh(gs.du);
    // The gradient into x_l is needed below layer 0, and at layer 0 only when the input wants it.
    const needDx = l > 0 || wantsDx;
    if (r > 0) {
      const dt = gs.dt!;
      const tT = gs.tT!;
      // dt = du V^T; dV += t^T du; dU += x^T dt; dx = g + dt U^T.
      k.matmul(gs.du, B, d, transposed(s, layer.v), r, dt);
      k.fresh(dt);
      transposeInto(st.ts[l].view, 0, B, r, tT.view, 0);
      k.matmul(tT, r, B, gs.du, d, gs.pw);
      addInto(s.touchGrad(layer.v), gs.pw.view, r * d);
      k.matmul(gs.xT, d, B, dt, r, gs.pw);
      addInto(s.touchGrad(layer.u), gs.pw.view, d * r);
      if (needDx) k.matmul(dt, B, r, transposed(s, layer.u), d, gs.back);
    } else {
      // dW += x^T du; dx = g + du W^T.
      k.matmul(gs.xT, d, B, gs.du, d, gs.pw);
      addInto(s.touchGrad(layer.kernel), gs.pw.view, d * d);
      if (needDx) k.matmul(gs.du, B, d, transposed(s, layer.kernel), d, gs.back);
    }
    if (needDx) {
      const gnv = gn.view;
      const gv = g.view;
      const bv = gs.back.view;
      for (let i = 0; i < n; i++) gnv[i] = gv[i] + bv[i];
    }
    cur = 1 - cur;
  }
  const g = gs.g[cur];
  if (wantsDx) addInto(g.view, gs.gx0.view, n);
  return g;
}

export const crossOp: OpKind<'cross', CrossState> = {
  inputs: (op) => op.input,
  // Its kernels are not dense layers: their gradients have buffers of their own.
  denseStacks: () => [],

  alloc(op, s) {
    const x = s.inputBufferFor(op.input, op.width);
    return crossState(op, s, x, s.vector(op.out));
  },

  forward(op, st, s) {
    const x0 = s.input(op.input, op.width, st.x);
    crossForward(op, st, s.k, x0, st.out.val, s.params, s.rows);
  },

  backward(op, st, s) {
    const v = st.out;
    if (!v.touched) return;
    const wantsDx = s.inputWantsGrad(op.input);
    const dx = crossBackward(op, st, s, s.gradOf(v), s.rows, wantsDx);
    if (wantsDx) s.inputGrad(op.input, op.width, dx.view);
  },
};
