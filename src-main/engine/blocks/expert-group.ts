// Expert group: several MLP experts over the same concatenated input (MMoE, PLE), stacked as
// [batch, experts, width]. Expert e's layers are `expert<e>/dense<i>/{kernel,bias}`; experts
// have no dropout. In the executor each expert is its own vector value.

import { parseIntList } from '../../shared/catalog';
import { expertGroup as spec } from '../../shared/blocks/expert-group';
import { UNKNOWN } from '../graph/dims';
import type { DenseLayer } from '../model/program';
import { ACTIVATIONS, defineBlock, type Params } from './define';
import type * as tfc from '@tensorflow/tfjs-core';

const unitsOf = (p: Params): number[] => parseIntList(p.units) ?? [];

export const expertGroup = defineBlock({
  spec,
  hasParams: true,
  memory: ({ params, number, inputWidth, mlp }) => {
    const experts = number('experts', 1);
    const m = mlp(inputWidth('in'), parseIntList(String(params.units ?? '')) ?? []);
    return { dense: experts * m.params, perRow: experts * m.widths };
  },
  outputDims: ({ params }) => {
    const units = parseIntList(params.units ?? '');
    return [
      typeof params.experts === 'number' ? params.experts : UNKNOWN,
      units && units.length > 0 ? units[units.length - 1] : UNKNOWN,
    ];
  },
  params: (ctx) => {
    const inWidth = ctx.inputWidth('in');
    let out = inWidth;
    for (let e = 0; e < Number(ctx.params.experts); e++)
      out = ctx.addMlp(`expert${e}/`, inWidth, unitsOf(ctx.params));
    return out;
  },
  forward: ({ tf, ops, params: p, vectors, mlp }) => {
    const x = ops.concatColumns(vectors('in'));
    const outs: tfc.Tensor2D[] = [];
    for (let e = 0; e < Number(p.experts); e++)
      outs.push(mlp(`expert${e}/`, x, unitsOf(p), String(p.activation), 0));
    return { kind: 'experts', t: tf.stack(outs, 1) as tfc.Tensor3D };
  },
  lower: (ctx) => {
    const p = ctx.params;
    const activation = String(p.activation);
    if (!ACTIVATIONS.has(activation)) return { reason: `activation ${activation}` };
    const input = ctx.vectorInput('in');
    const inWidth = ctx.widthOf(input);
    const units = unitsOf(p);
    if (units.length === 0) return { reason: 'experts without layers' };
    const experts: DenseLayer[][] = [];
    const outs: number[] = [];
    for (let e = 0; e < Number(p.experts); e++) {
      experts.push(ctx.layersOf(`expert${e}/`, inWidth, units));
      outs.push(ctx.newValue({ kind: 'vector', width: units[units.length - 1] }, true));
    }
    ctx.emit({ op: 'experts', input, inWidth, experts, activation, outs });
    return { out: outs };
  },
  onnx: ({ params: p, block, vectors, concatColumns, mlp, stack }) => {
    const x = concatColumns(vectors('in'), `${block.id}/in`);
    const outs: string[] = [];
    for (let e = 0; e < Number(p.experts); e++)
      outs.push(mlp(`expert${e}/`, x, unitsOf(p), String(p.activation)));
    return { kind: 'experts', t: stack(outs, block.id) };
  },
});
