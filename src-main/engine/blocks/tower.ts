// Tower: an MLP over its concatenated inputs; its last hidden layer is the representation it
// passes on. Parameters `dense<i>/kernel` [in, out] and `dense<i>/bias` [out] per layer,
// glorot and zeros; dropout after each activation while training (one mask per layer).

import { parseIntList } from '../../shared/catalog';
import { tower as spec } from '../../shared/blocks/tower';
import { UNKNOWN } from '../graph/dims';
import { ACTIVATIONS, defineBlock, type Params } from './define';

const unitsOf = (p: Params): number[] => parseIntList(p.units) ?? [];

export const tower = defineBlock({
  spec,
  hasParams: true,
  memory: ({ params, inputWidth, mlp }) => {
    const m = mlp(inputWidth('in'), parseIntList(String(params.units ?? '')) ?? []);
    return { dense: m.params, perRow: m.widths };
  },
  outputDims: ({ params }) => {
    const units = parseIntList(params.units ?? '');
    return [units && units.length > 0 ? units[units.length - 1] : UNKNOWN];
  },
  params: (ctx) => ctx.addMlp('', ctx.inputWidth('in'), unitsOf(ctx.params)),
  forward: ({ params: p, vectors, mlp, ops }) => ({
    kind: 'vector',
    t: mlp(
      '',
      ops.concatColumns(vectors('in')),
      unitsOf(p),
      String(p.activation),
      Number(p.dropout),
    ),
  }),
  lower: (ctx) => {
    const p = ctx.params;
    const activation = String(p.activation);
    if (!ACTIVATIONS.has(activation)) return { reason: `activation ${activation}` };
    const input = ctx.vectorInput('in');
    const inWidth = ctx.widthOf(input);
    const units = unitsOf(p);
    if (units.length === 0) return { reason: 'a tower without layers' };
    const rate = Number(p.dropout);
    const dropout = units.map((u) =>
      rate > 0 ? ctx.addNoise({ kind: 'dropout', rate, columns: u }) : -1,
    );
    const v = ctx.newValue({ kind: 'vector', width: units[units.length - 1] }, true);
    ctx.emit({
      op: 'mlp',
      input,
      inWidth,
      layers: ctx.layersOf('', inWidth, units),
      activation,
      dropout,
      out: v,
    });
    return { out: v };
  },
  onnx: ({ params: p, block, vectors, concatColumns, mlp }) => ({
    kind: 'vector',
    t: mlp('', concatColumns(vectors('in'), `${block.id}/in`), unitsOf(p), String(p.activation)),
  }),
});
