// Information fusion unit (IFU): fuses what earlier tasks produced, separately for their
// representations (`reps`) and their label embeddings (`labels`), then concatenates the two.
// Attention per port (`<port>/{query,key,value}` [w, w]): a_j = <Q u_j, K u_j> / sqrt(w),
// softmax over j, sum_j w_j V u_j; or plain concatenation (ablation). Stop-gradient cuts the
// representations (HTLNET.md).

import { fusion as spec } from '../../shared/blocks/fusion';
import type { Dim } from '../../shared/problems';
import { sumWidths, UNKNOWN, widthOf } from '../graph/dims';
import type { Op } from '../model/program';
import { defineBlock } from './define';
import type * as tfc from '@tensorflow/tfjs-core';

const PORTS = ['reps', 'labels'] as const;

export const fusion = defineBlock({
  spec,
  hasParams: true,
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
