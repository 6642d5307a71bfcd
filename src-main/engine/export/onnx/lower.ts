// Lowering of the block graph to ONNX nodes: the eval-mode forward pass of model/model.ts
// (HtlnetModel.forward with training = false), op by op, in the same order and with the same
// constants, so the ONNX graph computes the numbers predictTable reports. Each block's nodes
// come from its module's `onnx` (engine/blocks/<block>.ts); this file holds the shared parts
// (embeddings, MLPs, activations, the raw-scale mapping of regression outputs):
//   shared embedding  per field Gather(table, index) or x * w + b, concatenated field-major
//   tower / experts   MatMul + bias + activation per layer (dropout: identity at inference)
//   gate              softmax(selector W + b) weighting the stacked experts
//   label embedding   ptilde = sigmoid(z / tau) (no Gumbel noise), ptilde E[1] + (1 - ptilde) E[0]
//   fusion            attention over the stacked set (or concatenation); stop-gradient = identity
//   task head         x w + b; binary: sigmoid; ESMM link: prior * conditional
// Only blocks a task's prediction depends on are emitted. Regression outputs are mapped back to
// the raw target scale inside the graph (z-score, expm1, clamp at 0), in float64 like
// untransformTarget, then cast to float32.

import type { Block, Edge } from '../../../shared/project';
import type { TargetEncoder } from '../../data/types';
import { PROB_EPSILON } from '../../model/ops';
import { logMeanOutput } from '../../data/encoders';
import { fieldKey, type ModelPlan } from '../../model/plan';
import { blockModule, type OnnxValue } from '../../blocks';
import type { OnnxGraphBuilder } from './graph';
import { DataType } from './schema';
import type { ExportWeights } from './weights';

/** What a block's output is in the ONNX graph (tensor names). */
type Value = OnnxValue;

/** The graph input carrying one dataset field (by fieldKey). */
export interface FieldInput {
  name: string;
  kind: 'lookup' | 'linear';
}

export interface LoweredTask {
  /** Tensor holding the task's output: probability, or the raw-scale prediction (float32, [N]). */
  tensor: string;
  type: 'binary' | 'regression';
}

export function lowerModel(
  g: OnnxGraphBuilder,
  plan: ModelPlan,
  weights: ExportWeights,
  fieldInputs: Map<string, FieldInput>,
  targetEncoders: readonly TargetEncoder[],
): LoweredTask[] {
  const values = new Map<string, Value>();
  const embeddingOutputs = new Map<string, string>();
  const embeddingIndex = new Map(plan.embeddings.map((e, i) => [e.blockId, i]));
  const weightNames = new Map<string, string>();

  /** A dense parameter as an initializer (once), named after its model key. */
  const param = (blockId: string, name: string): string => {
    const key = `${blockId}/${name}`;
    let t = weightNames.get(key);
    if (!t) {
      const w = weights.dense(key);
      t = g.initializer(key, DataType.FLOAT, w.shape, w.data);
      weightNames.set(key, t);
    }
    return t;
  };

  const f32 = (v: number) => g.constFloat([v]);
  const axes = (...a: number[]) => g.constInt64(a);

  const concatColumns = (parts: string[], base: string): string =>
    parts.length === 1 ? parts[0] : g.node('Concat', parts, `${base}/concat`, { axis: { int: 1 } });

  /** Stacks [N, w] tensors along a new axis 1: [N, n, w] (tf.stack(set, 1)). */
  const stack = (parts: string[], base: string): string => {
    const expanded = parts.map((p) => g.node('Unsqueeze', [p, axes(1)], `${base}/expand`));
    return expanded.length === 1
      ? expanded[0]
      : g.node('Concat', expanded, `${base}/stack`, { axis: { int: 1 } });
  };

  const activate = (x: string, activation: string, base: string): string => {
    switch (activation) {
      case 'relu':
        return g.node('Relu', [x], `${base}/relu`);
      case 'tanh':
        return g.node('Tanh', [x], `${base}/tanh`);
      case 'sigmoid':
        return g.node('Sigmoid', [x], `${base}/sigmoid`);
      case 'gelu': {
        // tanh approximation, as ops.ts: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        const cube = g.node('Pow', [x, f32(3)], `${base}/gelu/cube`);
        const inner = g.node(
          'Mul',
          [
            f32(Math.sqrt(2 / Math.PI)),
            g.node(
              'Add',
              [x, g.node('Mul', [f32(0.044715), cube], `${base}/gelu/scaled`)],
              `${base}/gelu/sum`,
            ),
          ],
          `${base}/gelu/inner`,
        );
        const half = g.node('Mul', [f32(0.5), x], `${base}/gelu/half`);
        const gate = g.node(
          'Add',
          [f32(1), g.node('Tanh', [inner], `${base}/gelu/tanh`)],
          `${base}/gelu/gate`,
        );
        return g.node('Mul', [half, gate], `${base}/gelu`);
      }
      case 'linear':
        return x;
      default:
        throw new Error(`Unknown activation "${activation}"`);
    }
  };

  const mlp = (
    blockId: string,
    prefix: string,
    x: string,
    units: number[],
    activation: string,
  ): string => {
    let h = x;
    units.forEach((_, i) => {
      const base = `${blockId}/${prefix}dense${i}`;
      const z = g.node(
        'Add',
        [
          g.node('MatMul', [h, param(blockId, `${prefix}dense${i}/kernel`)], `${base}/matmul`),
          param(blockId, `${prefix}dense${i}/bias`),
        ],
        `${base}/add`,
      );
      h = activate(z, activation, base);
      // Dropout is the identity at inference.
    });
    return h;
  };

  /** The output of a shared embedding: [N, fields * dim], field-major (HtlnetModel.lookup). */
  const embeddingOutput = (blockId: string): string => {
    const known = embeddingOutputs.get(blockId);
    if (known) return known;
    const k = embeddingIndex.get(blockId)!;
    const emb = plan.embeddings[k];
    const parts = emb.fields.map((field, f) => {
      const input = fieldInputs.get(fieldKey(field));
      if (!input) throw new Error(`No graph input for column "${field.column}"`);
      const table = weights.table(k, f);
      const base = `${blockId}/${field.column}`;
      if (table.kind !== input.kind)
        throw new Error(`Column "${field.column}": table and encoder disagree (${table.kind})`);
      if (table.kind === 'lookup') {
        const w = g.initializer(
          `embedding/${blockId}/${field.column}`,
          DataType.FLOAT,
          [table.rows, table.dim],
          table.data,
        );
        return g.node('Gather', [w, input.name], `${base}/gather`, { axis: { int: 0 } });
      }
      // Linear field: x * weight + bias, the 2 x dim table's rows.
      const weight = g.initializer(
        `embedding/${blockId}/${field.column}/weight`,
        DataType.FLOAT,
        [table.dim],
        table.data.subarray(0, table.dim),
      );
      const bias = g.initializer(
        `embedding/${blockId}/${field.column}/bias`,
        DataType.FLOAT,
        [table.dim],
        table.data.subarray(table.dim, 2 * table.dim),
      );
      const x = g.node('Unsqueeze', [input.name, axes(1)], `${base}/column`);
      return g.node('Add', [g.node('Mul', [x, weight], `${base}/scale`), bias], `${base}/linear`);
    });
    const out = concatColumns(parts, blockId);
    embeddingOutputs.set(blockId, out);
    return out;
  };

  const edgesInto = (block: Block, port: string): Edge[] =>
    plan.incoming.get(`${block.id}:${port}`) ?? [];

  const inputs = (block: Block, port: string): Value[] =>
    edgesInto(block, port).map((e) =>
      embeddingIndex.has(e.source.block)
        ? { kind: 'vector', t: embeddingOutput(e.source.block) }
        : valueOf(e.source.block),
    );

  const vectors = (block: Block, port: string): string[] =>
    inputs(block, port).map((v) => {
      if (v.kind !== 'vector' && v.kind !== 'label')
        throw new Error(`Expected a vector into ${block.id}.${port}`);
      return v.t;
    });

  /** ops.ts logitOf: log(p) - log(1 - p) with p clipped to [eps, 1 - eps]. */
  const logitOf = (prob: string, base: string): string => {
    const p = g.node('Clip', [prob, f32(PROB_EPSILON), f32(1 - PROB_EPSILON)], `${base}/clip`);
    return g.node(
      'Sub',
      [
        g.node('Log', [p], `${base}/log_p`),
        g.node('Log', [g.node('Sub', [f32(1), p], `${base}/one_minus_p`)], `${base}/log_1mp`),
      ],
      `${base}/logit`,
    );
  };

  function valueOf(blockId: string): Value {
    const known = values.get(blockId);
    if (known) return known;
    const block = plan.blocks.get(blockId);
    if (!block) throw new Error(`No block "${blockId}"`);
    const value = lowerBlock(block);
    values.set(blockId, value);
    return value;
  }

  function lowerBlock(block: Block): Value {
    const lower = blockModule(block.type).onnx;
    if (!lower) throw new Error(`Block "${block.id}" (${block.type}) computes no value`);
    return lower({
      g,
      block,
      params: plan.params.get(block.id)!,
      inputs: (port) => inputs(block, port),
      vectors: (port) => vectors(block, port),
      param: (name) => param(block.id, name),
      weight: (name) => weights.dense(`${block.id}/${name}`),
      floatInitializer: (name, shape, data) => g.initializer(name, DataType.FLOAT, shape, data),
      concatColumns,
      stack,
      mlp: (prefix, x, units, activation) => mlp(block.id, prefix, x, units, activation),
      logitOf,
      f32,
      axes,
    });
  }

  return plan.tasks.map((task, t) => {
    const v = valueOf(task.finalId);
    if (v.kind === 'binary') return { tensor: v.prob(), type: 'binary' };
    if (v.kind !== 'regression')
      throw new Error(`Task "${task.name}" ends in a block that is not a head`);
    return { tensor: rawScale(g, v.value, targetEncoders[t], task.headId), type: 'regression' };
  });
}

/**
 * untransformTarget in the graph, in float64, as float32: z-score and log1p undone (with the
 * smearing factor when there is one), clamped at 0; ZILN and Tweedie: exp(value + mean).
 */
function rawScale(g: OnnxGraphBuilder, value: string, enc: TargetEncoder, base: string): string {
  if (logMeanOutput(enc)) {
    const v = g.node('Cast', [value], `${base}/f64`, { to: { int: DataType.DOUBLE } });
    let e = g.node(
      'Exp',
      [g.node('Add', [v, g.constDouble([enc.mean])], `${base}/logmean`)],
      `${base}/exp`,
    );
    if ((enc.calibration ?? 1) !== 1)
      e = g.node('Mul', [e, g.constDouble([enc.calibration!])], `${base}/calibrated`);
    return g.node('Cast', [e], `${base}/raw`, { to: { int: DataType.FLOAT } });
  }
  const log = enc.transform === 'log1p' || enc.transform === 'log1p-zscore';
  const z = enc.transform === 'zscore' || enc.transform === 'log1p-zscore';
  if (!log && !z && !enc.nonNegative && (enc.calibration ?? 1) === 1) return value;
  let v = g.node('Cast', [value], `${base}/f64`, { to: { int: DataType.DOUBLE } });
  if (z) {
    v = g.node(
      'Add',
      [g.node('Mul', [v, g.constDouble([enc.std])], `${base}/unscaled`), g.constDouble([enc.mean])],
      `${base}/unstandardised`,
    );
  }
  const smearing = enc.smearing ?? 1;
  if (log && smearing !== 1) {
    const scaled = g.node(
      'Mul',
      [g.node('Exp', [v], `${base}/exp`), g.constDouble([smearing])],
      `${base}/smeared`,
    );
    v = g.node('Sub', [scaled, g.constDouble([1])], `${base}/mean`);
  } else if (log)
    v = g.node('Sub', [g.node('Exp', [v], `${base}/exp`), g.constDouble([1])], `${base}/expm1`);
  if (enc.nonNegative) v = g.node('Max', [v, g.constDouble([0])], `${base}/clamped`);
  if ((enc.calibration ?? 1) !== 1)
    v = g.node('Mul', [v, g.constDouble([enc.calibration!])], `${base}/calibrated`);
  return g.node('Cast', [v], `${base}/raw`, { to: { int: DataType.FLOAT } });
}
