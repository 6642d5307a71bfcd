// Information fusion unit (IFU): fuses what earlier tasks produced, separately for their
// representations (`reps`) and their label embeddings (`labels`), then concatenates the two.
// Attention per port (`<port>/{query,key,value}` [w, w]): a_j = <Q u_j, K u_j> / sqrt(w),
// softmax over j, sum_j w_j V u_j; or plain concatenation (ablation). Stop-gradient cuts the
// representations (HTLNET.md). Its checks: something connected, information flowing forward in
// chain order, and (attention) members of one width.

import { fusion as spec } from '../../shared/blocks/fusion';
import type { Dim } from '../../shared/problems';
import type { ProjectFile } from '../../shared/project';
import { blockName, predictionTaskIndex, taskIndexOfHead, type GraphIndex } from '../graph/graph';
import { sumWidths, UNKNOWN, widthOf } from '../graph/dims';
import type { Op } from '../model/program';
import { defineBlock } from './define';
import type * as tfc from '@tensorflow/tfjs-core';

const PORTS = ['reps', 'labels'] as const;

/**
 * The earliest task (chain index) whose head is reachable from a block's output, following
 * edges up to heads; with `direct`, not through fusion units. -1 when none.
 */
function firstTaskReached(
  project: ProjectFile,
  index: GraphIndex,
  start: string,
  direct: boolean,
): number {
  let best = -1;
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const e of index.outgoing(id)) {
      const next = index.block(e.target.block)!;
      if (seen.has(next.id)) continue;
      seen.add(next.id);
      if (direct && next.type === 'fusion') continue;
      if (next.type === 'task-head') {
        const t = taskIndexOfHead(project, next);
        if (t >= 0 && (best < 0 || t < best)) best = t;
        continue;
      }
      stack.push(next.id);
    }
  }
  return best;
}

export const fusion = defineBlock({
  spec,
  hasParams: true,
  memory: ({ width: w, connections }) => {
    const n = connections('reps') + connections('labels');
    return { dense: 3 * w * w + 3 * w, perRow: (n + 3) * w };
  },
  stopGradientPorts: ['reps'],
  outputDims: ({ params, inputDims }) => {
    const parts: Dim[] = [];
    for (const port of PORTS) {
      const widths = inputDims(port).map(widthOf);
      if (widths.length === 0) continue;
      // Attention fuses a set into one vector of the set's width; concatenation keeps all.
      parts.push(params.mode === 'concat' ? sumWidths(widths) : widths[0]);
    }
    return [parts.length > 0 ? sumWidths(parts) : UNKNOWN];
  },
  params: (ctx) => {
    let width = 0;
    for (const port of PORTS) {
      const widths = ctx.sourceWidths(port);
      if (widths.length === 0) continue;
      if (ctx.params.mode === 'concat') {
        width += ctx.inputWidth(port);
        continue;
      }
      const w = widths[0];
      for (const m of ['query', 'key', 'value']) ctx.addParam(`${port}/${m}`, [w, w], 'glorot');
      width += w;
    }
    return width;
  },
  forward: ({ tf, ops, params: p, vectors, param, stopGradient }) => {
    const parts: tfc.Tensor2D[] = [];
    for (const port of PORTS) {
      let set = vectors(port);
      if (set.length === 0) continue;
      if (port === 'reps' && stopGradient)
        set = set.map((t) => ops.stopGradient(t) as tfc.Tensor2D);
      if (p.mode === 'concat') {
        parts.push(...set);
        continue;
      }
      const stacked = tf.stack(set, 1) as tfc.Tensor3D;
      const { out } = ops.setAttention(
        stacked,
        param(`${port}/query`) as tfc.Tensor2D,
        param(`${port}/key`) as tfc.Tensor2D,
        param(`${port}/value`) as tfc.Tensor2D,
      );
      parts.push(out);
    }
    return { kind: 'vector', t: ops.concatColumns(parts) };
  },
  lower: (ctx) => {
    const ports: Extract<Op, { op: 'fusion' }>['ports'] = [];
    let width = 0;
    let grad = false;
    for (const port of PORTS) {
      const parts = ctx.vectorInput(port);
      if (parts.length === 0) continue;
      if (parts.some((x) => x.kind !== 'value'))
        return { reason: 'a fusion unit fed straight from an embedding' };
      const items = parts.map((x) => (x as { value: number }).value);
      const cut = ctx.cutPort(port);
      const attention =
        ctx.params.mode === 'concat'
          ? null
          : {
              query: ctx.param(`${port}/query`),
              key: ctx.param(`${port}/key`),
              value: ctx.param(`${port}/value`),
            };
      const itemWidth = parts[0].width;
      if (attention && parts.some((x) => x.width !== itemWidth))
        return { reason: 'attention over items of different widths' };
      const portWidth = attention ? itemWidth : ctx.widthOf(parts);
      ports.push({ items, width: portWidth, cut, attention });
      width += portWidth;
      grad ||= attention !== null || (!cut && parts.some((x) => x.grad));
    }
    const v = ctx.newValue({ kind: 'vector', width }, grad);
    ctx.emit({ op: 'fusion', ports, width, out: v });
    return { out: v };
  },
  /**
   * Something connected, and information flowing forward in chain order. A fusion unit serves
   * the first task its output reaches; every input must come from an earlier task. A label
   * embedding comes from its head's task; a representation from the first task it reaches
   * directly (without passing through a fusion unit). A representation that reaches heads only
   * through fusion units (AITM: a task's own tower fused with the transferred one) is the served
   * task's own and is allowed. Attention needs the members of each set to share a width.
   */
  check: ({ project, index, block, params, error, incoming, widthMismatch, taskWords }) => {
    const reps = incoming('reps');
    const labels = incoming('labels');
    if (reps.length === 0 && labels.length === 0) {
      error(
        'fusion-without-inputs',
        `${blockName(block)} has neither representations nor label embeddings connected: connect what earlier tasks produce.`,
        [block.id],
      );
      return;
    }
    const served = firstTaskReached(project, index, block.id, false);
    for (const e of served < 0 ? [] : [...reps, ...labels]) {
      const source = index.block(e.source.block)!;
      let origin: number;
      if (source.type === 'label-embedding') {
        const prediction = index.sources(source.id, 'prediction')[0];
        origin = prediction ? predictionTaskIndex(project, index, prediction) : -1;
      } else {
        origin = firstTaskReached(project, index, source.id, true);
      }
      if (origin < 0 || origin < served) continue;
      const which = origin === served ? 'the same task' : 'a later task';
      error(
        'fusion-order',
        `${blockName(block)} serves ${taskWords(served)} but is fed by ${blockName(source)} from ${which}, ${taskWords(origin)}: information must flow forward in chain order.`,
        [block.id, source.id],
        { edge: e.id },
      );
    }
    if (params.mode === 'concat') return;
    for (const port of PORTS) {
      const mismatch = widthMismatch(port);
      if (!mismatch) continue;
      const what = port === 'reps' ? 'representations' : 'label embeddings';
      error(
        'fusion-width-mismatch',
        `${blockName(block)} fuses ${what} of different widths with attention: ${mismatch.words}. Make them the same width or use concatenation.`,
        [block.id, ...mismatch.blocks.map((s) => s.id)],
      );
    }
  },
  onnx: (ctx) => {
    const { g, block, params: p, vectors, concatColumns, stack, param, weight, f32, axes } = ctx;
    const id = block.id;
    /** ops.ts setAttention over the stacked set. */
    const attention = (port: string, set: string[]): string => {
      const base = `${id}/${port}`;
      const stacked = stack(set, base); // [N, n, w]
      const q = param(`${port}/query`);
      const width = weight(`${port}/query`).shape[0];
      const qu = g.node('MatMul', [stacked, q], `${base}/q`);
      const ku = g.node('MatMul', [stacked, param(`${port}/key`)], `${base}/k`);
      const vu = g.node('MatMul', [stacked, param(`${port}/value`)], `${base}/v`);
      const dots = g.node(
        'ReduceSum',
        [g.node('Mul', [qu, ku], `${base}/qk`), axes(2)],
        `${base}/dots`,
        { keepdims: { int: 0 } },
      );
      const scores = g.node('Div', [dots, f32(Math.sqrt(width))], `${base}/scores`);
      const w = g.node('Softmax', [scores], `${base}/weights`, { axis: { int: -1 } });
      const weighted = g.node(
        'Mul',
        [g.node('Unsqueeze', [w, axes(2)], `${base}/weights3`), vu],
        `${base}/weighted`,
      );
      return g.node('ReduceSum', [weighted, axes(1)], `${base}/out`, { keepdims: { int: 0 } });
    };
    const parts: string[] = [];
    for (const port of PORTS) {
      const set = vectors(port);
      if (set.length === 0) continue;
      if (p.mode === 'concat') {
        parts.push(...set);
        continue;
      }
      parts.push(attention(port, set));
    }
    return { kind: 'vector', t: concatColumns(parts, `${id}/out`) };
  },
});
