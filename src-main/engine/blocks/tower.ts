// Tower: an MLP over its concatenated inputs; its last hidden layer is the representation it
// passes on. Parameters `dense<i>/kernel` [in, out] and `dense<i>/bias` [out] per layer,
// glorot and zeros; dropout after each activation while training (one mask per layer). The
// stack itself is dense-stack.ts (shared with the expert group).

import { tower as spec } from '../../shared/blocks/tower';
import { defineBlock } from './define';
import {
  addStacks,
  forwardStacks,
  layerUnits,
  lowerStacks,
  onnxStacks,
  stackWidth,
} from './dense-stack';

const ONE = [''];

export const tower = defineBlock({
  spec,
  hasParams: true,
  memory: ({ params, inputWidth, mlp }) => {
    const m = mlp(inputWidth('in'), layerUnits({ units: String(params.units ?? '') }));
    return { dense: m.params, perRow: m.widths };
  },
  outputDims: ({ params }) => [stackWidth(params)],
  params: (ctx) => addStacks(ctx, ONE),
  forward: (ctx) => ({ kind: 'vector', t: forwardStacks(ctx, ONE, ctx.params.dropout)[0] }),
  lower: (ctx) => {
    const stack = lowerStacks(ctx, ONE, 'a tower without layers');
    if ('reason' in stack) return stack;
    const { input, inWidth, units, activation, layers } = stack;
    const rate = ctx.params.dropout;
    const dropout = units.map((u) =>
      rate > 0 ? ctx.addNoise({ kind: 'dropout', rate, columns: u }) : -1,
    );
    const v = ctx.newValue({ kind: 'vector', width: units[units.length - 1] }, true);
    ctx.emit({ op: 'mlp', input, inWidth, layers: layers[0], activation, dropout, out: v });
    return { out: v };
  },
  onnx: (ctx) => ({ kind: 'vector', t: onnxStacks(ctx, ONE)[0] }),
});
