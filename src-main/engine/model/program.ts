// The model as a flat program for the executor (executor.ts): a list of operations over
// numbered values, with dense parameters by index and every width worked out. Plain data, so a
// worker thread can build the same executor from it. It computes exactly what
// HtlnetModel.forward computes with tfjs ops, block by block, in the same order (the random
// numbers for dropout and Gumbel noise are drawn in the same order too).

import type { Block } from '../../shared/project';
import type { HtlnetModel } from './model';
import { blockModule, isStopGradientPort } from '../blocks';
import { calibratorPairs } from './objective';
import type { Objective } from '../../shared/catalog';

/** One part of an operation's (column-concatenated) input. */
export type InputPart =
  | { kind: 'embedding'; embedding: number; consumer: number; width: number; grad: boolean }
  | { kind: 'value'; value: number; width: number; grad: boolean };

export interface DenseLayer {
  kernel: number;
  bias: number;
  in: number;
  out: number;
}

export type Op =
  | {
      op: 'mlp';
      input: InputPart[];
      inWidth: number;
      layers: DenseLayer[];
      activation: string;
      /** Per layer: index of its dropout mask in the noise list, or -1. */
      dropout: number[];
      out: number;
    }
  | {
      op: 'experts';
      input: InputPart[];
      inWidth: number;
      experts: DenseLayer[][];
      activation: string;
      /** One vector value per expert. */
      outs: number[];
    }
  | {
      op: 'gate';
      /** The experts' vector values, in the order the gate stacks them. */
      experts: number[];
      selector: InputPart[];
      selectorWidth: number;
      kernel: number;
      bias: number;
      width: number;
      out: number;
    }
  | {
      op: 'head';
      input: InputPart[];
      inWidth: number;
      kernel: number;
      bias: number;
      binary: boolean;
      /** Outputs per row: 3 for a ZILN head (q, m, s; the value is combined from them), else 1. */
      outputs: number;
      out: number;
    }
  | {
      /** DCN-v2 cross layers (blocks/cross-layer.ts): x_{l+1} = x_0 * (x_l W_l + b_l) + x_l. */
      op: 'cross';
      input: InputPart[];
      /** Input and output width d. */
      width: number;
      /** 0: W_l is `kernel` [d, d]; r > 0: W_l = U_l V_l with `u` [d, r] and `v` [r, d]. */
      rank: number;
      /** Per layer: parameter indices (-1 where unused) and the bias [d]. */
      layers: { kernel: number; u: number; v: number; bias: number }[];
      out: number;
    }
  | { op: 'esmm'; prior: number; conditional: number; out: number }
  | {
      op: 'leu';
      source: number;
      /** The logit does not carry gradient back (stop-gradient). */
      cut: boolean;
      table: number;
      dim: number;
      temperature: number;
      /** Index of its logistic noise in the noise list, or -1. */
      noise: number;
      out: number;
    }
  | {
      op: 'fusion';
      ports: {
        items: number[];
        width: number;
        cut: boolean;
        /** Q, K, V parameter indices; null for concatenation. */
        attention: { query: number; key: number; value: number } | null;
      }[];
      width: number;
      out: number;
    };

export type ValueKind =
  /** [batch, width] floats (tower, fusion, gate and label-embedding outputs). */
  | { kind: 'vector'; width: number }
  /** A binary prediction: logit and probability ([batch] each); `exactLogit` for a plain head. */
  | { kind: 'binary'; exactLogit: boolean }
  /** A regression prediction, [batch]; a ZILN head's also keeps its three outputs. */
  | { kind: 'regression'; outputs: number };

/** Random numbers of one training forward pass, in the order the tfjs forward draws them. */
export type NoiseSpec =
  /** A dropout mask over [batch, columns]: 0 with probability `rate`, else 1 / (1 - rate). */
  | { kind: 'dropout'; rate: number; columns: number }
  /** Logistic noise log u - log(1 - u), one per row. */
  | { kind: 'logistic' };

export interface Program {
  values: ValueKind[];
  ops: Op[];
  params: { name: string; shape: number[]; size: number }[];
  noise: NoiseSpec[];
  /** Per shared embedding: its output width (fields x dim). */
  embeddingWidths: number[];
  /** Per shared embedding, per field: its table's rows. */
  tableRows: number[][];
  /** Per consumer edge (plan.consumers order): its embedding and whether gradient flows back. */
  consumers: { embedding: number; grad: boolean }[];
  tasks: {
    type: 'binary' | 'regression';
    lossWeight: number;
    value: number;
    logit: boolean;
    /** Regression: the loss (model/objective.ts). */
    objective: Objective;
    tweediePower: number;
  }[];
  /** The calibrator (objective.ts calibratorPairs): its weight (0: off) and task pairs. */
  calibrator: { weight: number; pairs: [number, number][] };
}

/**
 * Compiles the model into a program, or returns null (with the reason) when it uses something
 * the executor does not implement: then training falls back to the tfjs path.
 */
export function compileProgram(model: HtlnetModel): { program: Program } | { reason: string } {
  const { plan } = model;
  const sg = plan.optimizer.stopGradient;
  const paramIndex = new Map(model.denseNames.map((n, i) => [n, i]));
  const params = model.denseNames.map((name) => {
    const v = model.dense.get(name)!;
    return { name, shape: v.shape.slice(), size: v.size };
  });
  const param = (blockId: string, name: string): number => {
    const i = paramIndex.get(`${blockId}/${name}`);
    if (i === undefined) throw new Error(`No parameter ${blockId}/${name}`);
    return i;
  };
  const embeddingIndex = new Map(plan.embeddings.map((e, i) => [e.blockId, i]));
  const consumerOf = new Map(plan.consumers.map((c, i) => [c.edgeId, i]));
  const values: ValueKind[] = [];
  const ops: Op[] = [];
  const noise: NoiseSpec[] = [];
  /** Per block: its value id (experts: the per-expert values). */
  const out = new Map<string, number | number[]>();
  /** Whether a value's producer has trainable parameters upstream (so it wants a gradient). */
  const wantsGrad: boolean[] = [];
  const newValue = (kind: ValueKind, grad: boolean): number => {
    values.push(kind);
    wantsGrad.push(grad);
    return values.length - 1;
  };

  const edgesInto = (block: Block, port: string) => plan.incoming.get(`${block.id}:${port}`) ?? [];
  const cutPort = (block: Block, port: string) => sg && isStopGradientPort(block.type, port);

  /** The parts of a concatenated vector input. */
  const vectorInput = (block: Block, port: string): InputPart[] =>
    edgesInto(block, port).map((e) => {
      const k = embeddingIndex.get(e.source.block);
      if (k !== undefined) {
        const consumer = consumerOf.get(e.id)!;
        return {
          kind: 'embedding',
          embedding: k,
          consumer,
          width: model.outputWidth(e.source.block),
          grad: plan.consumers[consumer].tasks.length > 0,
        };
      }
      const v = out.get(e.source.block);
      if (typeof v !== 'number') throw new Error(`Block "${e.source.block}" has no vector output`);
      const kind = values[v];
      if (kind.kind !== 'vector') throw new Error(`Expected a vector into ${block.id}.${port}`);
      return {
        kind: 'value',
        value: v,
        width: kind.width,
        grad: wantsGrad[v] && !cutPort(block, port),
      };
    });
  const widthOf = (parts: InputPart[]) => parts.reduce((s, p) => s + p.width, 0);
  const layersOf = (blockId: string, prefix: string, inWidth: number, units: number[]) => {
    let width = inWidth;
    return units.map((u, i) => {
      const layer: DenseLayer = {
        kernel: param(blockId, `${prefix}dense${i}/kernel`),
        bias: param(blockId, `${prefix}dense${i}/bias`),
        in: width,
        out: u,
      };
      width = u;
      return layer;
    });
  };

  for (const block of plan.order) {
    const module = blockModule(block.type);
    if (!module.lower) continue;
    const result = module.lower({
      block,
      params: plan.params.get(block.id)!,
      stopGradient: sg,
      vectorInput: (port) => vectorInput(block, port),
      widthOf,
      layersOf: (prefix, inWidth, units) => layersOf(block.id, prefix, inWidth, units),
      param: (name) => param(block.id, name),
      sources: (port) => edgesInto(block, port).map((e) => out.get(e.source.block)),
      valueKind: (v) => values[v],
      wantsGrad: (v) => wantsGrad[v],
      cutPort: (port) => cutPort(block, port),
      newValue,
      addNoise: (spec) => {
        noise.push(spec);
        return noise.length - 1;
      },
      emit: (op) => {
        ops.push(op);
      },
    });
    if ('reason' in result) return result;
    out.set(block.id, result.out);
  }

  const tasks: Program['tasks'] = [];
  for (const task of plan.tasks) {
    const v = out.get(task.finalId);
    if (typeof v !== 'number') return { reason: `task "${task.name}" has no prediction` };
    const kind = values[v];
    if (kind.kind === 'vector') return { reason: `task "${task.name}" ends in a vector` };
    if ((kind.kind === 'binary') !== (task.type === 'binary'))
      return { reason: `task "${task.name}" has a head of the wrong kind` };
    tasks.push({
      type: task.type,
      lossWeight: task.lossWeight,
      value: v,
      logit: kind.kind === 'binary' && kind.exactLogit,
      objective: task.objective,
      tweediePower: task.tweediePower,
    });
  }
  return {
    program: {
      values,
      ops,
      params,
      noise,
      embeddingWidths: plan.embeddings.map(
        (_, k) => model.embeddings[k].tables.length * model.embeddings[k].dim,
      ),
      tableRows: model.embeddings.map((e) => e.tables.map((t) => t.rows)),
      consumers: plan.consumers.map((c) => ({ embedding: c.embedding, grad: c.tasks.length > 0 })),
      tasks,
      calibrator: {
        weight: plan.optimizer.calibrator,
        pairs: calibratorPairs(plan.tasks.map((t) => t.type)),
      },
    },
  };
}
