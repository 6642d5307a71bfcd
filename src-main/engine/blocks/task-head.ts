// Task head: one task's prediction from its concatenated input, x w + b (`kernel` [in, k],
// `bias` [k]). Binary: a logit and its sigmoid. Regression: a value on the transformed scale;
// a ZILN head has k = 3 outputs (q, m, s) combined into log E[y] (model/objective.ts). Its
// check: it names a task of the data binding, of its own kind (validate.ts checks that every
// task has exactly one head).

import { taskHead as spec } from '../../shared/blocks/task-head';
import { showValue } from '../../shared/validity/params';
import { blockName } from '../graph/graph';
import { headOutputs, SIGMA_MIN, SIGMA_SPAN } from '../model/objective';
import { defineBlock } from './define';
import type * as tfc from '@tensorflow/tfjs-core';

/** ZILN: log sigmoid(q) + m + sigma^2 / 2 per row, from the head's outputs [batch, 3]. */
function zilnValues(tf: typeof tfc, z: tfc.Tensor2D): tfc.Tensor1D {
  const [q, m, s] = tf.split(z, 3, 1).map((t) => tf.reshape(t, [-1]) as tfc.Tensor1D);
  const sigma = tf.add(tf.mul(tf.sigmoid(s), SIGMA_SPAN), SIGMA_MIN);
  return tf.add(
    tf.add(tf.neg(tf.softplus(tf.neg(q))), m),
    tf.mul(tf.square(sigma), 0.5),
  ) as tfc.Tensor1D;
}

export const taskHead = defineBlock({
  spec,
  hasParams: true,
  memory: ({ inputWidth }) => ({ dense: inputWidth('in') + 1, perRow: 2 }),
  outputDims: () => [1],
  check: ({ project, block, params, error }) => {
    const tasks = project.data.tasks;
    const name = String(params.task).trim();
    if (name === '') {
      error(
        'head-without-target',
        `${blockName(block)} has no target: choose the task it predicts.`,
        [block.id],
        { field: 'task' },
      );
      return;
    }
    const task = tasks.find((t) => t.name === name);
    if (!task) {
      const known = tasks.length > 0 ? ` (tasks: ${tasks.map((t) => t.name).join(', ')})` : '';
      error(
        'head-without-target',
        `${blockName(block)} predicts "${name}", which is not a task of the data binding${known}.`,
        [block.id],
        { field: 'task' },
      );
      return;
    }
    if (params.kind !== task.type) {
      const kind = typeof params.kind === 'string' ? params.kind : showValue(params.kind);
      error(
        'head-kind-mismatch',
        `${blockName(block)} is a ${kind} head, but task "${name}" is ${task.type}: set its kind to ${task.type}.`,
        [block.id],
        { field: 'kind' },
      );
    }
  },
  params: (ctx) => {
    const k = headOutputs(ctx.params);
    ctx.addParam('kernel', [ctx.inputWidth('in'), k], 'glorot');
    ctx.addParam('bias', [k], k === 3 ? 'ziln' : 'zeros');
    return undefined;
  },
  forward: ({ tf, ops, params: p, vectors, param }) => {
    const x = ops.concatColumns(vectors('in'));
    const z = tf.add(tf.matMul(x, param('kernel') as tfc.Tensor2D), param('bias')) as tfc.Tensor2D;
    if (headOutputs(p) === 3) return { kind: 'regression', value: zilnValues(tf, z), parts: z };
    const out = tf.reshape(z, [-1]) as tfc.Tensor1D;
    return p.kind === 'regression'
      ? { kind: 'regression', value: out }
      : { kind: 'binary', logit: out, prob: tf.sigmoid(out) };
  },
  lower: (ctx) => {
    const input = ctx.vectorInput('in');
    const binary = ctx.params.kind !== 'regression';
    const outputs = headOutputs(ctx.params);
    const v = ctx.newValue(
      binary ? { kind: 'binary', exactLogit: true } : { kind: 'regression', outputs },
      true,
    );
    ctx.emit({
      op: 'head',
      input,
      inWidth: ctx.widthOf(input),
      kernel: ctx.param('kernel'),
      bias: ctx.param('bias'),
      binary,
      outputs,
      out: v,
    });
    return { out: v };
  },
  onnx: ({ g, block, params: p, vectors, concatColumns, param, f32 }) => {
    const id = block.id;
    const x = concatColumns(vectors('in'), `${id}/in`);
    if (headOutputs(p) === 3) {
      // ZILN: q, m, s columns; value = -softplus(-q) + m + sigma^2 / 2 (objective.ts).
      const z = g.node(
        'Add',
        [g.node('MatMul', [x, param('kernel')], `${id}/matmul`), param('bias')],
        `${id}/outputs`,
      );
      const column = (k: number, name: string) =>
        g.node(
          'Reshape',
          [
            g.node('Gather', [z, g.constInt64([k])], `${id}/${name}2`, { axis: { int: 1 } }),
            g.constInt64([-1]),
          ],
          `${id}/${name}`,
        );
      const q = column(0, 'q');
      const m = column(1, 'm');
      const sigma = g.node(
        'Add',
        [
          g.node(
            'Mul',
            [g.node('Sigmoid', [column(2, 's')], `${id}/sigmoids`), f32(SIGMA_SPAN)],
            `${id}/spread`,
          ),
          f32(SIGMA_MIN),
        ],
        `${id}/sigma`,
      );
      const logP = g.node(
        'Neg',
        [g.node('Softplus', [g.node('Neg', [q], `${id}/negq`)], `${id}/softplusnegq`)],
        `${id}/logp`,
      );
      const half = g.node(
        'Mul',
        [g.node('Mul', [sigma, sigma], `${id}/sigma2`), f32(0.5)],
        `${id}/halfsigma2`,
      );
      const value = g.node('Add', [g.node('Add', [logP, m], `${id}/logpm`), half], `${id}/value`);
      return { kind: 'regression', value };
    }
    const out = g.node(
      'Reshape',
      [
        g.node(
          'Add',
          [g.node('MatMul', [x, param('kernel')], `${id}/matmul`), param('bias')],
          `${id}/add`,
        ),
        g.constInt64([-1]),
      ],
      p.kind === 'regression' ? `${id}/value` : `${id}/logit`,
    );
    if (p.kind === 'regression') return { kind: 'regression', value: out };
    let prob: string | null = null;
    return {
      kind: 'binary',
      logit: () => out,
      prob: () => (prob ??= g.node('Sigmoid', [out], `${id}/prob`)),
    };
  },
});
