// The model as a flat program for the executor (executor.ts): a list of operations over
// numbered values, with dense parameters by index and every width worked out. Plain data, so a
// worker thread can build the same executor from it. It computes exactly what
// HtlnetModel.forward computes with tfjs ops, block by block, in the same order (the random
// numbers for dropout and Gumbel noise are drawn in the same order too).

import { parseIntList } from '../../shared/catalog';
import type { Block } from '../../shared/project';
import type { HtlnetModel } from './model';
import { isStopGradientPort } from './plan';
import { calibratorPairs, headOutputs } from './objective';
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

/** Activations the executor implements. */
const ACTIVATIONS = new Set(['relu', 'linear', 'tanh', 'sigmoid', 'gelu']);

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
  const cutPort = (block: Block, port: string) => sg && isStopGradientPort(block, port);

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
    const p = plan.params.get(block.id)!;
    switch (block.type) {
      case 'tower': {
        const activation = String(p.activation);
        if (!ACTIVATIONS.has(activation)) return { reason: `activation ${activation}` };
        const input = vectorInput(block, 'in');
        const inWidth = widthOf(input);
        const units = parseIntList(p.units) ?? [];
        if (units.length === 0) return { reason: 'a tower without layers' };
        const rate = Number(p.dropout);
        const dropout = units.map((u) => {
          if (!(rate > 0)) return -1;
          noise.push({ kind: 'dropout', rate, columns: u });
          return noise.length - 1;
        });
        const v = newValue({ kind: 'vector', width: units[units.length - 1] }, true);
        ops.push({
          op: 'mlp',
          input,
          inWidth,
          layers: layersOf(block.id, '', inWidth, units),
          activation,
          dropout,
          out: v,
        });
        out.set(block.id, v);
        break;
      }
      case 'expert-group': {
        const activation = String(p.activation);
        if (!ACTIVATIONS.has(activation)) return { reason: `activation ${activation}` };
        const input = vectorInput(block, 'in');
        const inWidth = widthOf(input);
        const units = parseIntList(p.units) ?? [];
        if (units.length === 0) return { reason: 'experts without layers' };
        const experts: DenseLayer[][] = [];
        const outs: number[] = [];
        for (let e = 0; e < Number(p.experts); e++) {
          experts.push(layersOf(block.id, `expert${e}/`, inWidth, units));
          outs.push(newValue({ kind: 'vector', width: units[units.length - 1] }, true));
        }
        ops.push({ op: 'experts', input, inWidth, experts, activation, outs });
        out.set(block.id, outs);
        break;
      }
      case 'gate': {
        const experts: number[] = [];
        for (const e of edgesInto(block, 'experts')) {
          const v = out.get(e.source.block);
          if (!Array.isArray(v)) return { reason: 'a gate over something other than experts' };
          experts.push(...v);
        }
        if (experts.length === 0) return { reason: 'a gate without experts' };
        const selector = vectorInput(block, 'selector');
        const width = (values[experts[0]] as { width: number }).width;
        const v = newValue({ kind: 'vector', width }, true);
        ops.push({
          op: 'gate',
          experts,
          selector,
          selectorWidth: widthOf(selector),
          kernel: param(block.id, 'kernel'),
          bias: param(block.id, 'bias'),
          width,
          out: v,
        });
        out.set(block.id, v);
        break;
      }
      case 'task-head': {
        const input = vectorInput(block, 'in');
        const binary = p.kind !== 'regression';
        const outputs = headOutputs(p);
        const v = newValue(
          binary ? { kind: 'binary', exactLogit: true } : { kind: 'regression', outputs },
          true,
        );
        ops.push({
          op: 'head',
          input,
          inWidth: widthOf(input),
          kernel: param(block.id, 'kernel'),
          bias: param(block.id, 'bias'),
          binary,
          outputs,
          out: v,
        });
        out.set(block.id, v);
        break;
      }
      case 'esmm-link': {
        const prior = out.get(edgesInto(block, 'prior')[0]?.source.block ?? '');
        const conditional = out.get(edgesInto(block, 'conditional')[0]?.source.block ?? '');
        if (typeof prior !== 'number' || typeof conditional !== 'number')
          return { reason: 'an ESMM link without inputs' };
        if (values[prior].kind !== 'binary' || values[conditional].kind !== 'binary')
          return { reason: 'an ESMM link over non-binary inputs' };
        const v = newValue(
          { kind: 'binary', exactLogit: false },
          wantsGrad[prior] || wantsGrad[conditional],
        );
        ops.push({ op: 'esmm', prior, conditional, out: v });
        out.set(block.id, v);
        break;
      }
      case 'label-embedding': {
        const source = out.get(edgesInto(block, 'prediction')[0]?.source.block ?? '');
        if (typeof source !== 'number' || values[source].kind !== 'binary')
          return { reason: 'a label embedding without a binary prediction' };
        let noiseIndex = -1;
        if (p.gumbel) {
          noise.push({ kind: 'logistic' });
          noiseIndex = noise.length - 1;
        }
        const dim = Number(p.dim);
        const v = newValue({ kind: 'vector', width: dim }, true);
        ops.push({
          op: 'leu',
          source,
          cut: sg || !wantsGrad[source],
          table: param(block.id, 'table'),
          dim,
          temperature: Number(p.temperature),
          noise: noiseIndex,
          out: v,
        });
        out.set(block.id, v);
        break;
      }
      case 'fusion': {
        const ports: Extract<Op, { op: 'fusion' }>['ports'] = [];
        let width = 0;
        let grad = false;
        for (const port of ['reps', 'labels'] as const) {
          const parts = vectorInput(block, port);
          if (parts.length === 0) continue;
          if (parts.some((x) => x.kind !== 'value'))
            return { reason: 'a fusion unit fed straight from an embedding' };
          const items = parts.map((x) => (x as { value: number }).value);
          const cut = cutPort(block, port);
          const attention =
            p.mode === 'concat'
              ? null
              : {
                  query: param(block.id, `${port}/query`),
                  key: param(block.id, `${port}/key`),
                  value: param(block.id, `${port}/value`),
                };
          const itemWidth = parts[0].width;
          if (attention && parts.some((x) => x.width !== itemWidth))
            return { reason: 'attention over items of different widths' };
          const portWidth = attention ? itemWidth : widthOf(parts);
          ports.push({ items, width: portWidth, cut, attention });
          width += portWidth;
          grad ||= attention !== null || (!cut && parts.some((x) => x.grad));
        }
        const v = newValue({ kind: 'vector', width }, grad);
        ops.push({ op: 'fusion', ports, width, out: v });
        out.set(block.id, v);
        break;
      }
      default:
        break;
    }
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
