// Through the funnel: for graphs with information fusion units (HTLNet, AITM-like), how much of
// each later task's prediction comes from the earlier tasks and how much from the inputs
// directly. Two readings per fusion unit, averaged over the rows with their spread, and by
// segment of the earlier task's predicted probability:
// - the attention weights the unit gives each earlier task's representation and label embedding
//   (attention mode; they sum to 1 over the earlier tasks, per port);
// - the share of the first layer reading the unit's output (the task's tower, or its head) that
//   comes from each part of its input: for part g with input x_g and weight rows W_g, the size
//   |x_g W_g| of what it adds to the layer's pre-activation, over the sum of the parts' sizes.
// Computed on the tfjs forward (inference mode), which hands each block's output to onBlock.
// It names the block types it reads (fusion units, label embeddings, the tower or head a unit
// feeds): they are what it explains, not behaviour of theirs that belongs in their modules.

import * as tf from '@tensorflow/tfjs-core';
import type { FunnelPart, FunnelResult, FunnelSegment, TaskFunnel } from '../../shared/explain';
import { blockParams } from '../../shared/catalog';
import type { Block, Edge } from '../../shared/project';
import { createRng } from '../../shared/random';
import { CancelledError } from '../errors';
import type { BlockValue } from '../model/model';
import { setAttention } from '../model/ops';
import type { ExplainData } from './context';
import { sampleRows } from './shapley';

export interface FunnelOptions {
  /** Rows summarised [5000]. */
  rows?: number;
  /** Segments of the earlier task's probability [5]. */
  segments?: number;
  seed?: number;
  signal?: AbortSignal;
}

const PORTS = ['reps', 'labels'] as const;
type Port = (typeof PORTS)[number];
const PARTS: FunnelPart[] = ['representations', 'label embeddings', 'inputs'];

interface FusionInfo {
  block: Block;
  task: number;
  mode: 'attention' | 'concat';
  sources: Record<Port, { edge: Edge; name: string }[]>;
  consumer: Block | null;
  kernel: string | null;
  /** The last binary task before this one (segments its rows), or -1. */
  segmentTask: number;
}

export function funnelSummary(ctx: ExplainData, options: FunnelOptions = {}): FunnelResult | null {
  const { model } = ctx;
  const plan = model.plan;
  const fusions = plan.order.filter((b) => b.type === 'fusion');
  if (fusions.length === 0) return null;
  const edges = plan.project.graph.edges;
  const outgoing = (id: string) => edges.filter((e) => e.source.block === id);
  const taskOfHead = new Map(plan.tasks.map((t) => [t.headId, t.index]));
  /** The task a block leads to directly (not through a fusion unit or a label embedding). */
  const taskReached = (id: string): number => {
    const seen = new Set<string>();
    const queue = [id];
    while (queue.length > 0) {
      const b = queue.shift()!;
      if (taskOfHead.has(b)) return taskOfHead.get(b)!;
      if (seen.has(b)) continue;
      seen.add(b);
      for (const e of outgoing(b)) {
        const type = plan.blocks.get(e.target.block)?.type;
        if (type !== 'fusion' && type !== 'label-embedding') queue.push(e.target.block);
      }
    }
    return -1;
  };
  const sourceName = (blockId: string): string => {
    const block = plan.blocks.get(blockId);
    let t = -1;
    if (block?.type === 'label-embedding') {
      const e = plan.incoming.get(`${blockId}:prediction`)?.[0];
      if (e) t = taskReached(e.source.block);
    } else t = taskReached(blockId);
    return t >= 0 ? plan.tasks[t].name : (block?.label ?? blockId);
  };

  const infos: FusionInfo[] = fusions.map((block) => {
    const out = outgoing(block.id);
    const consumer = out.length > 0 ? (plan.blocks.get(out[0].target.block) ?? null) : null;
    const task = consumer ? taskReached(consumer.id) : -1;
    const kernel =
      consumer?.type === 'tower'
        ? `${consumer.id}/dense0/kernel`
        : consumer?.type === 'task-head'
          ? `${consumer.id}/kernel`
          : null;
    let segmentTask = -1;
    for (let j = 0; j < task; j++) if (plan.tasks[j].type === 'binary') segmentTask = j;
    return {
      block,
      task,
      mode: blockParams('fusion', block).mode,
      sources: {
        reps: (plan.incoming.get(`${block.id}:reps`) ?? []).map((edge) => ({
          edge,
          name: sourceName(edge.source.block),
        })),
        labels: (plan.incoming.get(`${block.id}:labels`) ?? []).map((edge) => ({
          edge,
          name: sourceName(edge.source.block),
        })),
      },
      consumer,
      kernel: kernel && model.dense.has(kernel) ? kernel : null,
      segmentTask,
    };
  });

  const rng = createRng(options.seed ?? 13);
  const rows = sampleRows(ctx.data.rows, options.rows ?? 5000, rng);
  const N = rows.length;
  // Per fusion unit: attention weights per port [N x sources], shares [N x 3], segment probability.
  const attention = infos.map((info) =>
    PORTS.map((port) => new Float32Array(N * info.sources[port].length)),
  );
  const shares = infos.map(() => new Float32Array(N * 3));
  const hasShares = infos.map(() => true);
  const segmentProb = infos.map(() => new Float32Array(N));

  const widths = model.embeddings.map((e) => e.tables.length * e.dim);
  const BATCH = 1024;
  for (let start = 0; start < N; start += BATCH) {
    if (options.signal?.aborted) throw new CancelledError();
    const size = Math.min(BATCH, N - start);
    const batchRows = rows.subarray(start, start + size);
    const embedded = model.lookup(ctx.data, { size, rows: batchRows });
    tf.tidy(() => {
      const sharedInputs = embedded.map((e, k) => tf.tensor2d(e, [size, widths[k]]));
      const consumers = new Map(plan.consumers.map((c) => [c.edgeId, sharedInputs[c.embedding]]));
      const captured = new Map<string, BlockValue>();
      const outs = model.forward(consumers, {
        training: false,
        onBlock: (id, v) => captured.set(id, v),
      });
      const vectorOf = (edge: Edge): tf.Tensor2D | null => {
        const fromEmbedding = consumers.get(edge.id);
        if (fromEmbedding) return fromEmbedding;
        const v = captured.get(edge.source.block);
        return v && (v.kind === 'vector' || v.kind === 'label') ? v.t : null;
      };
      infos.forEach((info, i) => {
        const sets: Record<Port, tf.Tensor2D[]> = { reps: [], labels: [] };
        for (const port of PORTS) {
          sets[port] = info.sources[port].map((s) => vectorOf(s.edge)).filter((t) => t !== null);
          if (info.mode === 'attention' && sets[port].length > 0) {
            const { weights } = setAttention(
              tf.stack(sets[port], 1) as tf.Tensor3D,
              model.dense.get(`${info.block.id}/${port}/query`) as tf.Tensor2D,
              model.dense.get(`${info.block.id}/${port}/key`) as tf.Tensor2D,
              model.dense.get(`${info.block.id}/${port}/value`) as tf.Tensor2D,
            );
            attention[i][PORTS.indexOf(port)].set(weights.dataSync(), start * sets[port].length);
          }
        }
        if (info.segmentTask >= 0) {
          const prob = outs[info.segmentTask].prob;
          if (prob) segmentProb[i].set(prob.dataSync(), start);
        }
        // The parts of the consumer's input, in its order: the fusion output splits into its
        // representation and label parts; everything else reaches it directly.
        const parts: { part: number; x: tf.Tensor2D }[] = [];
        for (const edge of info.consumer
          ? (plan.incoming.get(`${info.consumer.id}:in`) ?? [])
          : []) {
          if (edge.source.block === info.block.id) {
            const fused = vectorOf(edge);
            if (!fused) continue;
            let offset = 0;
            for (const port of PORTS) {
              const list = info.mode === 'attention' ? sets[port].slice(0, 1) : sets[port];
              for (const t of list) {
                const w = t.shape[1];
                parts.push({
                  part: port === 'reps' ? 0 : 1,
                  x: tf.slice(fused, [0, offset], [size, w]) as tf.Tensor2D,
                });
                offset += w;
              }
            }
          } else {
            const x = vectorOf(edge);
            if (x) parts.push({ part: 2, x });
          }
        }
        const kernel = info.kernel ? model.dense.get(info.kernel)! : null;
        const inWidth = parts.reduce((a, p) => a + p.x.shape[1], 0);
        if (!kernel || kernel.shape[0] !== inWidth || parts.length === 0) {
          hasShares[i] = false;
          return;
        }
        let offset = 0;
        const sizes = parts.map(({ x }) => {
          const w = x.shape[1];
          const slice = tf.slice(kernel, [offset, 0], [w, kernel.shape[1]!]) as tf.Tensor2D;
          offset += w;
          return tf.norm(tf.matMul(x, slice), 'euclidean', 1);
        });
        const values = sizes.map((s) => s.dataSync());
        for (let r = 0; r < size; r++) {
          const byPart = [0, 0, 0];
          parts.forEach((p, k) => (byPart[p.part] += values[k][r]));
          const total = byPart[0] + byPart[1] + byPart[2];
          for (let k = 0; k < 3; k++)
            shares[i][(start + r) * 3 + k] = total > 0 ? byPart[k] / total : 0;
        }
      });
    });
  }

  const tasks: TaskFunnel[] = infos
    .filter((info) => info.task >= 0)
    .map((info) => {
      const i = infos.indexOf(info);
      const att = PORTS.filter(
        (port) => info.mode === 'attention' && info.sources[port].length > 0,
      ).map((port) => {
        const n = info.sources[port].length;
        const w = attention[i][PORTS.indexOf(port)];
        return {
          port,
          items: info.sources[port].map((s, j) => {
            const { mean, sd } = meanSd((r) => w[r * n + j], N);
            return { source: s.name, mean, sd };
          }),
        };
      });
      const shareSummary = hasShares[i]
        ? PARTS.map((part, k) => ({ part, ...meanSd((r) => shares[i][r * 3 + k], N) }))
        : [];
      const segments =
        info.segmentTask >= 0
          ? segmentRows(segmentProb[i], options.segments ?? 5).map((seg): FunnelSegment => {
              const pick = seg.rows;
              return {
                label: `p(${plan.tasks[info.segmentTask].name}) ${fmt(seg.low)}–${fmt(seg.high)}`,
                low: seg.low,
                high: seg.high,
                rows: pick.length,
                attention: att.flatMap(({ port }) => {
                  const n = info.sources[port].length;
                  const w = attention[i][PORTS.indexOf(port)];
                  return info.sources[port].map((s, j) => ({
                    port,
                    source: s.name,
                    mean: meanOf(pick, (r) => w[r * n + j]),
                  }));
                }),
                shares: hasShares[i]
                  ? PARTS.map((part, k) => ({
                      part,
                      mean: meanOf(pick, (r) => shares[i][r * 3 + k]),
                    }))
                  : [],
              };
            })
          : [];
      return {
        task: plan.tasks[info.task].name,
        fusionBlock: info.block.label ?? info.block.id,
        mode: info.mode,
        attention: att,
        shares: shareSummary,
        segmentBy: info.segmentTask >= 0 ? plan.tasks[info.segmentTask].name : null,
        segments,
      };
    });
  return { rows: N, tasks };
}

function fmt(x: number): string {
  return x >= 0.1 ? x.toFixed(2) : x.toPrecision(2);
}

function meanSd(value: (r: number) => number, n: number): { mean: number; sd: number } {
  let sum = 0;
  let sum2 = 0;
  for (let r = 0; r < n; r++) {
    const v = value(r);
    sum += v;
    sum2 += v * v;
  }
  const mean = n > 0 ? sum / n : NaN;
  return { mean, sd: n > 1 ? Math.sqrt(Math.max(0, sum2 / n - mean * mean)) : 0 };
}

function meanOf(rows: number[], value: (r: number) => number): number {
  let sum = 0;
  for (const r of rows) sum += value(r);
  return rows.length > 0 ? sum / rows.length : NaN;
}

/** Rows split into `k` segments of equal size by probability (ties kept together). */
function segmentRows(
  prob: Float32Array,
  k: number,
): { low: number; high: number; rows: number[] }[] {
  const order = Array.from(prob.keys()).sort((a, b) => prob[a] - prob[b]);
  const out: { low: number; high: number; rows: number[] }[] = [];
  let start = 0;
  for (let s = 0; s < k && start < order.length; s++) {
    let end = Math.max(start + 1, Math.round(((s + 1) * order.length) / k));
    while (end < order.length && prob[order[end]] === prob[order[end - 1]]) end++;
    const rows = order.slice(start, end);
    out.push({ low: prob[rows[0]], high: prob[rows[rows.length - 1]], rows });
    start = end;
  }
  return out;
}
