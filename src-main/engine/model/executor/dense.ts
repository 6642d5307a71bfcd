// A stack of dense layers on the heap, forward and backward: the body of the mlp op (a tower,
// an expert of a gate) and of the experts op. Products through kernels.ts (ReLU fused into the
// product), other activations and dropout in plain loops; backward, each layer's kernel and
// bias gradients come out of one product over its transposed input with a ones row.

import { ACTIVATION_LINEAR, ACTIVATION_RELU, type HeapBuffer } from '../kernels';
import type { DenseLayer, InputPart } from '../program';
import { activate, geluDerivative, reluMask, transposeWithOnes } from './activations';
import type { ExecutorState } from './state';

/** Buffers of one dense layer. */
export interface LayerState {
  spec: DenseLayer;
  /** Pre-activation (only when the activation is not ReLU). */
  z: HeapBuffer | null;
  /** Activation output before dropout. */
  hpre: HeapBuffer;
  /** After dropout (the layer's output); hpre itself without dropout. */
  h: HeapBuffer;
  /**
   * Layers after the first: the transposed input plus a row of ones, [in + 1, rows], so one
   * product gives the weight gradient and (the ones row) the bias gradient.
   */
  xT: HeapBuffer;
  /** The first layer: per input part, its transposed source and where its gradient rows go. */
  parts: { source: () => HeapBuffer; rows: number; out: HeapBuffer }[];
  dz: HeapBuffer;
  /** Gradient of the layer's input. */
  dx: HeapBuffer;
}

export interface MlpState {
  layers: LayerState[];
  activation: string;
  dropout: number[];
}

/**
 * Allocates a stack's buffers. The last layer writes `outVal` (the op's output value) when
 * given; `input` is the stack's input parts (the first layer's gradient products read them).
 */
export function allocMlp(
  s: ExecutorState,
  layers: DenseLayer[],
  activation: string,
  dropout: number[],
  outVal: HeapBuffer | null,
  input: InputPart[],
): MlpState {
  const cap = s.capacity;
  const training = s.training;
  return {
    activation,
    dropout,
    layers: layers.map((spec, i) => {
      s.transposedParam(spec.kernel);
      const last = i === layers.length - 1;
      const hasDropout = dropout[i] >= 0;
      const z = activation === 'relu' ? null : s.alloc(cap * spec.out);
      const h = last && outVal ? outVal : s.alloc(cap * spec.out);
      const hpre = hasDropout ? s.alloc(cap * spec.out) : h;
      const parts: LayerState['parts'] = [];
      const both = training && i === 0 ? s.layerGrads.get(spec.kernel) : undefined;
      if (both) {
        let col = 0;
        input.forEach((part, j) => {
          // The last part's product also covers the ones row: the bias gradient.
          const rows = part.width + (j === input.length - 1 ? 1 : 0);
          const out = s.view(both, col * spec.out, rows * spec.out);
          parts.push({ source: s.transposedSource(part), rows, out });
          col += part.width;
        });
      }
      return {
        spec,
        z,
        hpre,
        h,
        xT: training && i > 0 ? s.alloc((spec.in + 1) * cap) : h,
        parts,
        dz: training ? s.alloc(cap * spec.out) : h,
        dx: training ? s.alloc(cap * spec.in) : h,
      };
    }),
  };
}

/** Forward through the stack from layer `first` (earlier layers already computed). */
export function mlpForward(
  s: ExecutorState,
  m: MlpState,
  input: HeapBuffer,
  B: number,
  first = 0,
): void {
  const k = s.k;
  let x = input;
  m.layers.forEach((layer, i) => {
    if (i < first) return;
    const { spec } = layer;
    if (m.activation === 'relu') {
      k.matmul(
        x,
        B,
        spec.in,
        s.params[spec.kernel],
        spec.out,
        layer.hpre,
        s.params[spec.bias],
        ACTIVATION_RELU,
      );
    } else {
      const z = preActivation(layer);
      k.matmul(
        x,
        B,
        spec.in,
        s.params[spec.kernel],
        spec.out,
        z,
        s.params[spec.bias],
        ACTIVATION_LINEAR,
      );
      activate(m.activation, z.view, layer.hpre.view, B * spec.out);
    }
    const mask = m.dropout[i];
    if (mask >= 0 && s.noise) {
      const noise = s.noise[mask];
      const n = B * spec.out;
      const o = s.noiseRow * spec.out;
      const hp = layer.hpre.view;
      const h = layer.h.view;
      for (let j = 0; j < n; j++) h[j] = hp[j] * noise[o + j];
    } else if (layer.h !== layer.hpre) {
      layer.h.view.set(layer.hpre.view.subarray(0, B * spec.out));
    }
    x = layer.h;
  });
}

/**
 * Backward through the stack: dh is the gradient of its output. Returns the gradient of its
 * input (the first layer's dx), or null when not needed.
 */
export function mlpBackward(
  s: ExecutorState,
  m: MlpState,
  dh: HeapBuffer,
  B: number,
  needInput: boolean,
): HeapBuffer | null {
  const k = s.k;
  let dH = dh;
  for (let i = m.layers.length - 1; i >= 0; i--) {
    const layer = m.layers[i];
    const { spec } = layer;
    const N = spec.out;
    const K = spec.in;
    const n = B * N;
    const dz = layer.dz.view;
    const g = dH.view;
    const mask = m.dropout[i];
    const hp = layer.hpre.view;
    const noise = mask >= 0 && s.noise ? s.noise[mask] : null;
    const o = s.noiseRow * N;
    switch (m.activation) {
      case 'relu':
        if (noise) {
          for (let j = 0; j < n; j++) dz[j] = g[j] * noise[o + j];
          reluMask(dz, hp, n);
        } else {
          dz.set(g.subarray(0, n));
          reluMask(dz, hp, n);
        }
        break;
      case 'linear':
        if (noise) for (let j = 0; j < n; j++) dz[j] = g[j] * noise[o + j];
        else for (let j = 0; j < n; j++) dz[j] = g[j];
        break;
      case 'tanh':
        for (let j = 0; j < n; j++) {
          const gj = noise ? g[j] * noise[o + j] : g[j];
          dz[j] = gj * (1 - hp[j] * hp[j]);
        }
        break;
      case 'sigmoid':
        for (let j = 0; j < n; j++) {
          const gj = noise ? g[j] * noise[o + j] : g[j];
          dz[j] = gj * hp[j] * (1 - hp[j]);
        }
        break;
      case 'gelu': {
        const z = preActivation(layer).view;
        for (let j = 0; j < n; j++) {
          const gj = noise ? g[j] * noise[o + j] : g[j];
          dz[j] = gj * geluDerivative(z[j]);
        }
        break;
      }
    }
    // Weight and bias gradients: [x^T; 1] . dz, one product per input part (the first layer
    // reads its parts' transposed sources: the embedding's is shared by every tower).
    s.gradTouched[spec.kernel] = true;
    s.gradTouched[spec.bias] = true;
    k.fresh(layer.dz);
    if (i === 0) {
      for (const part of layer.parts) k.matmul(part.source(), part.rows, B, layer.dz, N, part.out);
    } else {
      transposeWithOnes(m.layers[i - 1].h.view, B, K, layer.xT.view);
      k.matmul(layer.xT, K + 1, B, layer.dz, N, bothGrads(s, spec));
    }
    if (i > 0 || needInput) {
      k.matmul(layer.dz, B, N, transposedKernel(s, spec), K, layer.dx);
      dH = layer.dx;
    } else {
      return null;
    }
  }
  return dH;
}

function preActivation(layer: LayerState): HeapBuffer {
  if (!layer.z) throw new Error('Executor: a ReLU layer keeps no pre-activation');
  return layer.z;
}

/** The layer's kernel and bias gradients side by side, [in + 1, out] (state.ts layerGrads). */
function bothGrads(s: ExecutorState, spec: DenseLayer): HeapBuffer {
  const both = s.layerGrads.get(spec.kernel);
  if (!both) throw new Error('Backward pass on an executor built for inference');
  return both;
}

function transposedKernel(s: ExecutorState, spec: DenseLayer): HeapBuffer {
  const t = s.paramsT[spec.kernel];
  if (!t) throw new Error('Backward pass on an executor built for inference');
  return t;
}
