// Gate: a softmax over the experts of its expert groups, computed from a selector input
// (`kernel` [selector width, experts], `bias` [experts]); outputs the experts' weighted sum.
// Several expert groups are concatenated along the expert axis in connection order (PLE), so
// they must share a width.

import { gate as spec } from '../../shared/blocks/gate';
import { UNKNOWN, widthOf } from '../graph/dims';
import { blockName } from '../graph/graph';
import { defineBlock } from './define';
import type * as tfc from '@tensorflow/tfjs-core';

export const gate = defineBlock({
  spec,
  hasParams: true,
  // Counted as 8 experts per connected group (the estimate does not read the groups).
  memory: ({ inputWidth, connections, width }) => {
    const experts = connections('experts') || 1;
    return { dense: inputWidth('selector') * experts * 8 + experts, perRow: width + experts * 8 };
  },
  outputDims: ({ inputDims }) => {
    const first = inputDims('experts')[0];
    return [first ? widthOf(first) : UNKNOWN];
  },
  params: (ctx) => {
    const experts = ctx.sourceParams('experts').reduce((n, p) => n + Number(p.experts), 0);
    ctx.addParam('kernel', [ctx.inputWidth('selector'), experts], 'glorot');
    ctx.addParam('bias', [experts], 'zeros');
    return ctx.sourceWidths('experts')[0] ?? 0;
  },
  forward: ({ tf, ops, inputs, vectors, param }) => {
    const stacks = inputs('experts').map((value) => (value as { t: tfc.Tensor3D }).t);
    const experts = stacks.length === 1 ? stacks[0] : (tf.concat(stacks, 1) as tfc.Tensor3D);
    const selector = ops.concatColumns(vectors('selector'));
    const logits = tf.add(tf.matMul(selector, param('kernel') as tfc.Tensor2D), param('bias'));
    const weights = tf.softmax(logits as tfc.Tensor2D);
    return {
      kind: 'vector',
      t: tf.sum(tf.mul(tf.expandDims(weights, 2), experts), 1) as tfc.Tensor2D,
    };
  },
  lower: (ctx) => {
    const experts: number[] = [];
    for (const v of ctx.sources('experts')) {
      if (!Array.isArray(v)) return { reason: 'a gate over something other than experts' };
      experts.push(...v);
    }
    if (experts.length === 0) return { reason: 'a gate without experts' };
    const selector = ctx.vectorInput('selector');
    const width = (ctx.valueKind(experts[0]) as { width: number }).width;
    const v = ctx.newValue({ kind: 'vector', width }, true);
    ctx.emit({
      op: 'gate',
      experts,
      selector,
      selectorWidth: ctx.widthOf(selector),
      kernel: ctx.param('kernel'),
      bias: ctx.param('bias'),
      width,
      out: v,
    });
    return { out: v };
  },
  check: ({ block, error, widthMismatch }) => {
    const mismatch = widthMismatch('experts');
    if (!mismatch) return;
    error(
      'gate-width-mismatch',
      `${blockName(block)} chooses between experts of different widths: ${mismatch.words}. Give the expert groups the same last layer size.`,
      [block.id, ...mismatch.blocks.map((s) => s.id)],
    );
  },
  onnx: ({ g, block, inputs, vectors, concatColumns, param, axes }) => {
    const id = block.id;
    const stacks = inputs('experts').map((v) => {
      if (v.kind !== 'experts') throw new Error(`Expected experts into ${id}.experts`);
      return v.t;
    });
    const experts =
      stacks.length === 1
        ? stacks[0]
        : g.node('Concat', stacks, `${id}/experts`, { axis: { int: 1 } });
    const selector = concatColumns(vectors('selector'), `${id}/selector`);
    const logits = g.node(
      'Add',
      [g.node('MatMul', [selector, param('kernel')], `${id}/matmul`), param('bias')],
      `${id}/logits`,
    );
    const w = g.node('Softmax', [logits], `${id}/weights`, { axis: { int: -1 } });
    const weighted = g.node(
      'Mul',
      [g.node('Unsqueeze', [w, axes(2)], `${id}/weights3`), experts],
      `${id}/weighted`,
    );
    return {
      kind: 'vector',
      t: g.node('ReduceSum', [weighted, axes(1)], `${id}/out`, { keepdims: { int: 0 } }),
    };
  },
});
