// Cross layer (DCN-v2, Wang et al. 2021, "DCN V2: Improved Deep & Cross Network"): explicit
// bounded-degree feature crosses over the concatenated input x_0 [batch, d]:
//   x_{l+1} = x_0 * (x_l W_l + b_l) + x_l,   l = 0 .. layers - 1   (* elementwise)
// W_l is `layer<l>/kernel` [d, d] (glorot), or with rank r > 0 the product of
// `layer<l>/u` [d, r] and `layer<l>/v` [r, d] (both glorot); `layer<l>/bias` [d] starts at 0.
// The output is as wide as the input. This module is the worked example of README "Adding a
// block": every path of the block is here (the executor's op is model/executor/ops/cross.ts,
// the PyTorch twin is export/torch/python/blocks/cross_layer.py).

import { crossLayer as spec } from '../../shared/blocks/cross-layer';
import { sumWidths, widthOf } from '../graph/dims';
import type { ParamsOf } from '../../shared/catalog';
import { defineBlock } from './define';
import type * as tfc from '@tensorflow/tfjs-core';

type Cross = ParamsOf<'cross-layer'>;
const layersOf = (p: Cross): number => Math.max(1, Math.floor(p.layers));
const rankOf = (p: Cross): number => Math.max(0, Math.floor(p.rank || 0));

export const crossLayer = defineBlock({
  spec,
  hasParams: true,
  // Per layer: W (d x d, or U and V of rank r) and b; kept for the backward pass per row: x W
  // (or x U, r wide, and then d), the sum with b and the layer's output.
  memory: ({ number, inputWidth }) => {
    const d = inputWidth('in');
    const layers = Math.max(1, Math.floor(number('layers', 1)));
    const r = Math.max(0, Math.floor(number('rank', 0)));
    const perLayer = r > 0 ? 2 * d * r + d : d * d + d;
    return { dense: layers * perLayer, perRow: layers * (3 * d + r) };
  },
  outputDims: ({ inputDims }) => [sumWidths(inputDims('in').map(widthOf))],
  params: (ctx) => {
    const d = ctx.inputWidth('in');
    const r = rankOf(ctx.params);
    for (let l = 0; l < layersOf(ctx.params); l++) {
      if (r > 0) {
        ctx.addParam(`layer${l}/u`, [d, r], 'glorot');
        ctx.addParam(`layer${l}/v`, [r, d], 'glorot');
      } else ctx.addParam(`layer${l}/kernel`, [d, d], 'glorot');
      ctx.addParam(`layer${l}/bias`, [d], 'zeros');
    }
    return d;
  },
  forward: ({ tf, ops, params: p, vectors, param }) => {
    const x0 = ops.concatColumns(vectors('in'));
    const r = rankOf(p);
    let x = x0;
    for (let l = 0; l < layersOf(p); l++) {
      const linear =
        r > 0
          ? tf.matMul(tf.matMul(x, param(`layer${l}/u`) as tfc.Tensor2D), param(`layer${l}/v`))
          : tf.matMul(x, param(`layer${l}/kernel`));
      const u = tf.add(linear, param(`layer${l}/bias`));
      x = tf.add(tf.mul(x0, u), x) as tfc.Tensor2D;
    }
    return { kind: 'vector', t: x };
  },
  lower: (ctx) => {
    const input = ctx.vectorInput('in');
    const width = ctx.widthOf(input);
    const rank = rankOf(ctx.params);
    const layers = Array.from({ length: layersOf(ctx.params) }, (_, l) => ({
      kernel: rank > 0 ? -1 : ctx.param(`layer${l}/kernel`),
      u: rank > 0 ? ctx.param(`layer${l}/u`) : -1,
      v: rank > 0 ? ctx.param(`layer${l}/v`) : -1,
      bias: ctx.param(`layer${l}/bias`),
    }));
    const v = ctx.newValue({ kind: 'vector', width }, true);
    ctx.emit({ op: 'cross', input, width, rank, layers, out: v });
    return { out: v };
  },
  onnx: ({ g, block, params: p, vectors, concatColumns, param }) => {
    const id = block.id;
    const x0 = concatColumns(vectors('in'), `${id}/in`);
    const r = rankOf(p);
    let x = x0;
    for (let l = 0; l < layersOf(p); l++) {
      const base = `${id}/layer${l}`;
      const linear =
        r > 0
          ? g.node(
              'MatMul',
              [g.node('MatMul', [x, param(`layer${l}/u`)], `${base}/low`), param(`layer${l}/v`)],
              `${base}/matmul`,
            )
          : g.node('MatMul', [x, param(`layer${l}/kernel`)], `${base}/matmul`);
      const u = g.node('Add', [linear, param(`layer${l}/bias`)], `${base}/linear`);
      x = g.node('Add', [g.node('Mul', [x0, u], `${base}/cross`), x], `${base}/out`);
    }
    return { kind: 'vector', t: x };
  },
});
