// Expert group: several MLP experts over the same concatenated input (MMoE, PLE), stacked as
// [batch, experts, width]. Expert e's layers are `expert<e>/dense<i>/{kernel,bias}`; experts
// have no dropout. In the executor each expert is its own vector value. Each expert is a dense
// stack (dense-stack.ts, shared with the tower).

import { expertGroup as spec } from '../../shared/blocks/expert-group';
import { UNKNOWN } from '../graph/dims';
import { defineBlock } from './define';
import {
  addStacks,
  expertPrefixes,
  forwardStacks,
  layerUnits,
  lowerStacks,
  onnxStacks,
  stackWidth,
} from './dense-stack';
import type * as tfc from '@tensorflow/tfjs-core';

export const expertGroup = defineBlock({
  spec,
  hasParams: true,
  memory: ({ params, number, inputWidth, mlp }) => {
    const experts = number('experts', 1);
    const m = mlp(inputWidth('in'), layerUnits({ units: String(params.units ?? '') }));
    return { dense: experts * m.params, perRow: experts * m.widths };
  },
  // Shapes are read while the graph is validated: a value may not be checked yet.
  outputDims: ({ params }) => [
    typeof params.experts === 'number' ? params.experts : UNKNOWN,
    stackWidth(params),
  ],
  params: (ctx) => addStacks(ctx, expertPrefixes(ctx.params.experts)),
  forward: (ctx) => {
    const outs = forwardStacks(ctx, expertPrefixes(ctx.params.experts), 0);
    return { kind: 'experts', t: ctx.tf.stack(outs, 1) as tfc.Tensor3D };
  },
  lower: (ctx) => {
    const stack = lowerStacks(ctx, expertPrefixes(ctx.params.experts), 'experts without layers');
    if ('reason' in stack) return stack;
    const { input, inWidth, units, activation, layers: experts } = stack;
    const width = units[units.length - 1];
    const outs = experts.map(() => ctx.newValue({ kind: 'vector', width }, true));
    ctx.emit({ op: 'experts', input, inWidth, experts, activation, outs });
    return { out: outs };
  },
  onnx: (ctx) => ({
    kind: 'experts',
    t: ctx.stack(onnxStacks(ctx, expertPrefixes(ctx.params.experts)), ctx.block.id),
  }),
});
