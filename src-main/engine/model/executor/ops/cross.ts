// The cross op (DCN-v2 cross layers, engine/blocks/cross-layer.ts): its buffers, forward and
// backward, on plain row-major Float32Arrays. For row b and layer l:
//   u_l = x_l W_l + b_l  (W_l = U_l V_l when low-rank),   x_{l+1} = x_0 * u_l + x_l
// Backward, with g = dL/dx_{l+1}: du = g * x_0, dx_0 += g * u_l, db += sum_b du,
// dW += x_l^T du, dx_l = g + du W^T (low rank: dt = du V^T, dV += t^T du, dU += x_l^T dt,
// dx_l = g + dt U^T).

import type { HeapBuffer } from '../../kernels';
import type { OpKind, OpOf } from '../op';
import type { VectorState } from '../state';

type CrossOp = OpOf<'cross'>;

export interface CrossState {
  /** The concatenated input when it has several parts. */
  x: HeapBuffer | null;
  out: VectorState;
  /** Per layer: its input x_l (x_0 is the block input), [cap, d]. */
  xs: Float32Array[];
  /** Per layer: u_l = x_l W_l + b_l, [cap, d]. */
  us: Float32Array[];
  /** Per layer, low rank: t_l = x_l U_l, [cap, r]. */
  ts: Float32Array[];
  /** One row's sums. */
  acc: Float64Array;
  /** Training: two gradient buffers [cap, d] used in turn, dx_0's sum, du, dt. */
  g: [Float32Array, Float32Array] | null;
  gx0: Float32Array | null;
  du: Float32Array | null;
  dt: Float32Array | null;
}

function crossState(
  op: CrossOp,
  cap: number,
  training: boolean,
  x: HeapBuffer | null,
  out: VectorState,
): CrossState {
  const d = op.width;
  const r = op.rank;
  const rows = (n: number) => new Float32Array(cap * n);
  return {
    x,
    out,
    xs: op.layers.map(() => rows(d)),
    us: op.layers.map(() => rows(d)),
    ts: op.layers.map(() => rows(r)),
    acc: new Float64Array(Math.max(d, r)),
    g: training ? [rows(d), rows(d)] : null,
    gx0: training ? rows(d) : null,
    du: training ? rows(d) : null,
    dt: training && r > 0 ? rows(r) : null,
  };
}

/** acc[0..n) = bias (or 0) + row a [K] times b [K, n]. */
function rowTimes(
  acc: Float64Array,
  a: Float32Array,
  aRow: number,
  K: number,
  b: Float32Array,
  n: number,
  bias: Float32Array | null,
): void {
  for (let j = 0; j < n; j++) acc[j] = bias ? bias[j] : 0;
  for (let k = 0; k < K; k++) {
    const ak = a[aRow + k];
    if (ak === 0) continue;
    const o = k * n;
    for (let j = 0; j < n; j++) acc[j] += ak * b[o + j];
  }
}

function crossForward(
  op: CrossOp,
  s: CrossState,
  input: Float32Array,
  out: Float32Array,
  params: HeapBuffer[],
  B: number,
): void {
  const d = op.width;
  const r = op.rank;
  const n = B * d;
  const x0 = s.xs[0];
  x0.set(input.subarray(0, n));
  const acc = s.acc;
  op.layers.forEach((layer, l) => {
    const x = s.xs[l];
    const u = s.us[l];
    const bias = params[layer.bias].view;
    for (let b = 0; b < B; b++) {
      const row = b * d;
      if (r > 0) {
        const t = s.ts[l];
        rowTimes(acc, x, row, d, params[layer.u].view, r, null);
        for (let q = 0; q < r; q++) t[b * r + q] = acc[q];
        rowTimes(acc, t, b * r, r, params[layer.v].view, d, bias);
      } else rowTimes(acc, x, row, d, params[layer.kernel].view, d, bias);
      for (let j = 0; j < d; j++) u[row + j] = acc[j];
    }
    const next = l + 1 < op.layers.length ? s.xs[l + 1] : out;
    for (let i = 0; i < n; i++) next[i] = x0[i] * u[i] + x[i];
  });
}

/**
 * Adds the parameter gradients (through `grad`, which zeroes a gradient on first touch) and
 * returns dL/dx_0 [B, d] when `wantsDx` (a buffer of the state; valid until the next call).
 */
function crossBackward(
  op: CrossOp,
  s: CrossState,
  dout: Float32Array,
  params: HeapBuffer[],
  B: number,
  wantsDx: boolean,
  grad: (param: number) => Float32Array,
): Float32Array {
  const d = op.width;
  const r = op.rank;
  const n = B * d;
  const x0 = s.xs[0];
  const buffers = s.g!;
  let cur = 0;
  let g = buffers[cur];
  g.set(dout.subarray(0, n));
  const gx0 = s.gx0!;
  gx0.fill(0, 0, n);
  const du = s.du!;
  for (let l = op.layers.length - 1; l >= 0; l--) {
    const layer = op.layers[l];
    const x = s.xs[l];
    const u = s.us[l];
    for (let i = 0; i < n; i++) {
      du[i] = g[i] * x0[i];
      gx0[i] += g[i] * u[i];
    }
    const gb = grad(layer.bias);
    for (let b = 0; b < B; b++) {
      const row = b * d;
      for (let j = 0; j < d; j++) gb[j] += du[row + j];
    }
    // The gradient into x_l is needed below layer 0, and at layer 0 only when the input wants it.
    const needDx = l > 0 || wantsDx;
    const gn = buffers[1 - cur];
    if (r > 0) {
      const U = params[layer.u].view;
      const V = params[layer.v].view;
      const gU = grad(layer.u);
      const gV = grad(layer.v);
      const t = s.ts[l];
      const dt = s.dt!;
      for (let b = 0; b < B; b++) {
        const row = b * d;
        for (let q = 0; q < r; q++) {
          const tq = t[b * r + q];
          const o = q * d;
          let sum = 0;
          for (let j = 0; j < d; j++) {
            const dj = du[row + j];
            sum += dj * V[o + j];
            gV[o + j] += tq * dj;
          }
          dt[b * r + q] = sum;
        }
        for (let k = 0; k < d; k++) {
          const xk = x[row + k];
          const o = k * r;
          let sum = 0;
          for (let q = 0; q < r; q++) {
            const dq = dt[b * r + q];
            gU[o + q] += xk * dq;
            sum += dq * U[o + q];
          }
          if (needDx) gn[row + k] = g[row + k] + sum;
        }
      }
    } else {
      const W = params[layer.kernel].view;
      const gW = grad(layer.kernel);
      for (let b = 0; b < B; b++) {
        const row = b * d;
        for (let k = 0; k < d; k++) {
          const xk = x[row + k];
          const o = k * d;
          let sum = 0;
          for (let j = 0; j < d; j++) {
            const dj = du[row + j];
            gW[o + j] += xk * dj;
            sum += dj * W[o + j];
          }
          if (needDx) gn[row + k] = g[row + k] + sum;
        }
      }
    }
    cur = 1 - cur;
    g = gn;
  }
  if (wantsDx) for (let i = 0; i < n; i++) g[i] += gx0[i];
  return g;
}

export const crossOp: OpKind<'cross', CrossState> = {
  inputs: (op) => op.input,
  // Its kernels are not dense layers: their gradients have buffers of their own.
  denseStacks: () => [],

  alloc(op, s) {
    const x = s.inputBufferFor(op.input, op.width);
    return crossState(op, s.capacity, s.training, x, s.vector(op.out));
  },

  forward(op, st, s) {
    const x0 = s.input(op.input, op.width, st.x).view;
    crossForward(op, st, x0, st.out.val.view, s.params, s.rows);
  },

  backward(op, st, s) {
    const v = st.out;
    if (!v.touched) return;
    const wantsDx = s.inputWantsGrad(op.input);
    const dx = crossBackward(op, st, s.gradOf(v).view, s.params, s.rows, wantsDx, (i) =>
      s.touchGrad(i),
    );
    if (wantsDx) s.inputGrad(op.input, op.width, dx);
  },
};
