// Label embedding unit (LEU): a binary task's own prediction turned into a soft label
// embedding. ptilde = sigmoid((z + noise) / tau), with logistic noise while training when
// Gumbel is on; out = ptilde E[1] + (1 - ptilde) E[0] with `table` [2, L]. Stop-gradient cuts
// the logit it reads (HTLNET.md). Label embeddings exist only for binary tasks: its check
// words a regression head on its input (which the generic port-type check then leaves alone).

import { labelEmbedding as spec } from '../../shared/blocks/label-embedding';
import { UNKNOWN } from '../graph/dims';
import { blockName, taskIndexOfHead } from '../graph/graph';
import { defineBlock } from './define';
import type * as tfc from '@tensorflow/tfjs-core';

export const labelEmbedding = defineBlock({
  spec,
  hasParams: true,
  memory: ({ number }) => {
    const d = number('dim', 16);
    return { dense: 2 * d + d, perRow: 2 * d };
  },
  stopGradientPorts: ['prediction'],
  checkedPortTypes: ['regression'],
  check: ({ project, index, block, sources, error }) => {
    for (const source of sources('prediction')) {
      // A head of regression kind, or a head of a regression task.
      if (source.type !== 'task-head') continue;
      const task = project.data.tasks[taskIndexOfHead(project, source)];
      if (index.params(source).kind !== 'regression' && task?.type !== 'regression') continue;
      error(
        'leu-on-regression',
        `${blockName(block)} is an LEU on a regression task (fed by ${blockName(source)}): label embeddings exist only for binary tasks; connect it to a binary task head.`,
        [block.id, source.id],
      );
    }
  },
  // Shapes are read while the graph is validated: a value may not be checked yet.
  outputDims: ({ params }) => [typeof params.dim === 'number' ? params.dim : UNKNOWN],
  params: (ctx) => {
    ctx.addParam('table', [2, ctx.params.dim], 'small');
    return ctx.params.dim;
  },
  forward: ({ ops, params: p, inputs, param, stopGradient, logisticNoise }) => {
    const source = inputs('prediction')[0];
    if (source.kind !== 'binary')
      throw new Error('A label embedding unit needs a binary prediction');
    const z = stopGradient ? (ops.stopGradient(source.logit) as tfc.Tensor1D) : source.logit;
    const noise = p.gumbel ? logisticNoise(z.shape[0]) : null;
    return {
      kind: 'label',
      t: ops.labelEmbedding(z, param('table') as tfc.Tensor2D, p.temperature, noise),
    };
  },
  lower: (ctx) => {
    const source = ctx.sources('prediction')[0];
    if (typeof source !== 'number' || ctx.valueKind(source).kind !== 'binary')
      return { reason: 'a label embedding without a binary prediction' };
    const noise = ctx.params.gumbel ? ctx.addNoise({ kind: 'logistic' }) : -1;
    const dim = ctx.params.dim;
    const v = ctx.newValue({ kind: 'vector', width: dim }, true);
    ctx.emit({
      op: 'leu',
      source,
      cut: ctx.stopGradient || !ctx.wantsGrad(source),
      table: ctx.param('table'),
      dim,
      temperature: ctx.params.temperature,
      noise,
      out: v,
    });
    return { out: v };
  },
  onnx: ({ g, block, params: p, inputs, weight, floatInitializer, f32, axes }) => {
    const id = block.id;
    const source = inputs('prediction')[0];
    if (source?.kind !== 'binary')
      throw new Error('A label embedding unit needs a binary prediction');
    // Stop-gradient is the identity in the forward pass; no Gumbel noise at inference.
    const z = source.logit();
    const ptilde = g.node(
      'Unsqueeze',
      [
        g.node(
          'Sigmoid',
          [g.node('Div', [z, f32(p.temperature)], `${id}/scaled`)],
          `${id}/ptilde1`,
        ),
        axes(1),
      ],
      `${id}/ptilde`,
    );
    const table = weight('table');
    const dim = table.shape[1];
    const e0 = floatInitializer(`${id}/table/row0`, [1, dim], table.data.subarray(0, dim));
    const e1 = floatInitializer(`${id}/table/row1`, [1, dim], table.data.subarray(dim, 2 * dim));
    return {
      kind: 'label',
      t: g.node(
        'Add',
        [
          g.node('Mul', [ptilde, e1], `${id}/pos`),
          g.node('Mul', [g.node('Sub', [f32(1), ptilde], `${id}/1mp`), e0], `${id}/neg`),
        ],
        `${id}/out`,
      ),
    };
  },
});
