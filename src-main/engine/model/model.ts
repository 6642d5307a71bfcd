// The compiled model: dense parameters as tfjs variables, embedding tables as flat
// Float32Arrays (looked up and updated sparsely, in place), and a forward pass that walks the
// block graph in topological order with tfjs ops.

import * as tf from '@tensorflow/tfjs-core';
import type { Block } from '../../shared/project';
import type { EncodedDataset, FieldEncoder } from '../data/types';
import { createRng, type Rng } from '../../shared/random';
import * as ops from './ops';
import { blockModule, type BlockValue } from '../blocks';
import type { ParamInit } from '../blocks/define';
import { fieldKey, datasetFields, type ModelPlan } from './plan';
import { ZILN_SPREAD_BIAS } from './objective';

/** One embedding table: `rows` x `dim` floats, row-major. Linear fields have 2 rows (weight, bias). */
export interface EmbeddingTable {
  name: string;
  column: string;
  kind: 'lookup' | 'linear';
  rows: number;
  dim: number;
  data: Float32Array;
}

export interface EmbeddingState {
  blockId: string;
  dim: number;
  tables: EmbeddingTable[];
  /** Index of each table's field in the dataset's field list. */
  datasetField: number[];
}

/** What a block produced in the forward pass (blocks/define.ts). */
export type { BlockValue };
type Value = BlockValue;

export interface TaskOutput {
  /** Binary: the logit of the final prediction (undefined for an ESMM product). */
  logit?: tf.Tensor1D;
  /** Binary: probability. */
  prob?: tf.Tensor1D;
  /** Regression: prediction on the transformed scale (ZILN, Tweedie: the log of the mean). */
  value?: tf.Tensor1D;
  /** ZILN: the head's three outputs [batch, 3] (q, m, s), which its loss reads. */
  parts?: tf.Tensor2D;
}

export interface ForwardOptions {
  training: boolean;
  /** Dropout masks and Gumbel noise (training only). */
  rng?: Rng;
  /** Overrides of dense parameters (the differentiable arguments of a gradient computation). */
  params?: Map<string, tf.Tensor>;
  /** Sees each block's output as it is computed (explanations read the funnel from it). */
  onBlock?: (blockId: string, value: BlockValue) => void;
}

export interface Batch {
  size: number;
  /** Rows of the dataset in this batch. */
  rows: Int32Array;
}

const INIT_RANGE = 0.05;

export class HtlnetModel {
  readonly plan: ModelPlan;
  readonly dense = new Map<string, tf.Variable>();
  /** The block each dense parameter belongs to (block ids may contain any character). */
  readonly blockOfParam = new Map<string, string>();
  readonly embeddings: EmbeddingState[];
  /** Width of each vector-valued block output (for shapes and parameter sizes). */
  private readonly widths = new Map<string, number>();
  private readonly prefix: string;
  private static counter = 0;

  constructor(plan: ModelPlan, encoders: FieldEncoder[]) {
    this.plan = plan;
    this.prefix = `m${HtlnetModel.counter++}`;
    const rng = createRng(plan.optimizer.seed);
    const fields = datasetFields(plan);
    const fieldIndex = new Map(fields.map((f, i) => [fieldKey(f), i]));
    const encoderOf = new Map(encoders.map((e) => [e.column, e]));

    this.embeddings = plan.embeddings.map((e) => ({
      blockId: e.blockId,
      dim: e.dim,
      datasetField: e.fields.map((f) => fieldIndex.get(fieldKey(f))!),
      tables: e.fields.map((f) => {
        const enc = encoderOf.get(f.column);
        if (!enc) throw new Error(`No encoder for column "${f.column}"`);
        const rows =
          enc.kind === 'vocab'
            ? enc.values.length + 1
            : enc.kind === 'buckets'
              ? enc.edges.length + 2
              : 2;
        const data = new Float32Array(rows * e.dim);
        for (let i = 0; i < data.length; i++) data[i] = (rng.next() * 2 - 1) * INIT_RANGE;
        if (enc.kind === 'linear') data.fill(0, e.dim); // bias row starts at 0
        return {
          name: `${e.blockId}/${f.column}`,
          column: f.column,
          kind: enc.kind === 'linear' ? 'linear' : 'lookup',
          rows,
          dim: e.dim,
          data,
        } satisfies EmbeddingTable;
      }),
    }));

    for (const [i, e] of plan.embeddings.entries())
      this.widths.set(e.blockId, e.fields.length * this.embeddings[i].dim);
    for (const block of plan.order) this.createParams(block, rng);
  }

  /** Names of dense parameters, in creation order. */
  get denseNames(): string[] {
    return [...this.dense.keys()];
  }

  outputWidth(blockId: string): number {
    const w = this.widths.get(blockId);
    if (w === undefined) throw new Error(`No width for block "${blockId}"`);
    return w;
  }

  private inputWidth(block: Block, port: string): number {
    return (this.plan.incoming.get(`${block.id}:${port}`) ?? []).reduce(
      (sum, e) => sum + this.outputWidth(e.source.block),
      0,
    );
  }

  private addParam(block: Block, name: string, shape: number[], init: ParamInit, rng: Rng): void {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (init === 'glorot') {
      const fanIn = shape[0];
      const fanOut = shape[shape.length - 1];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < size; i++) values[i] = (rng.next() * 2 - 1) * limit;
    } else if (init === 'small') {
      for (let i = 0; i < size; i++) values[i] = (rng.next() * 2 - 1) * INIT_RANGE;
    } else if (init === 'ziln') {
      values[2] = ZILN_SPREAD_BIAS; // q 0, m 0 (the scaled geometric mean), sigma about 0.6
    }
    const key = `${block.id}/${name}`;
    this.blockOfParam.set(key, block.id);
    this.dense.set(key, tf.variable(tf.tensor(values, shape), true, `${this.prefix}/${key}`));
  }

  private addMlp(block: Block, prefix: string, inWidth: number, units: number[], rng: Rng): number {
    let width = inWidth;
    units.forEach((u, i) => {
      this.addParam(block, `${prefix}dense${i}/kernel`, [width, u], 'glorot', rng);
      this.addParam(block, `${prefix}dense${i}/bias`, [u], 'zeros', rng);
      width = u;
    });
    return width;
  }

  private createParams(block: Block, rng: Rng): void {
    const module = blockModule(block.type);
    if (!module.params) return;
    const edges = (port: string) => this.plan.incoming.get(`${block.id}:${port}`) ?? [];
    const width = module.params({
      block,
      params: this.plan.params.get(block.id)!,
      inputWidth: (port) => this.inputWidth(block, port),
      sourceWidths: (port) => edges(port).map((e) => this.outputWidth(e.source.block)),
      sourceParams: (port) => edges(port).map((e) => this.plan.params.get(e.source.block)!),
      addParam: (name, shape, init) => this.addParam(block, name, shape, init, rng),
      addMlp: (prefix, inWidth, units) => this.addMlp(block, prefix, inWidth, units, rng),
    });
    if (width !== undefined) this.widths.set(block.id, width);
  }

  /**
   * Looks up each embedding block's output for a batch: [batch, fields * dim], field-major,
   * as a flat Float32Array (row b, field f, component j at b * F * d + f * d + j).
   */
  lookup(data: EncodedDataset, batch: Batch): Float32Array[] {
    return this.embeddings.map((emb) => {
      const { dim, tables } = emb;
      const width = tables.length * dim;
      const out = new Float32Array(batch.size * width);
      tables.forEach((table, f) => {
        const field = data.fields[emb.datasetField[f]];
        const src = table.data;
        if (field.kind === 'lookup') {
          const ids = field.ids;
          for (let b = 0; b < batch.size; b++) {
            const from = ids[batch.rows[b]] * dim;
            const to = b * width + f * dim;
            for (let j = 0; j < dim; j++) out[to + j] = src[from + j];
          }
        } else {
          const values = field.values;
          for (let b = 0; b < batch.size; b++) {
            const x = values[batch.rows[b]];
            const to = b * width + f * dim;
            for (let j = 0; j < dim; j++) out[to + j] = x * src[j] + src[dim + j];
          }
        }
      });
      return out;
    });
  }

  /**
   * The forward pass. `consumerInputs` holds, per edge leaving a shared embedding, the tensor
   * that edge carries (copies of the same values, so gradients can be read per edge).
   */
  forward(consumerInputs: Map<string, tf.Tensor2D>, options: ForwardOptions): TaskOutput[] {
    const { plan } = this;
    const values = new Map<string, Value>();
    const param = (blockId: string, name: string): tf.Tensor => {
      const key = `${blockId}/${name}`;
      return options.params?.get(key) ?? this.dense.get(key)!;
    };
    const sg = plan.optimizer.stopGradient;

    const inputs = (block: Block, port: string): { edgeId: string; value: Value }[] =>
      (plan.incoming.get(`${block.id}:${port}`) ?? []).map((e) => {
        const fromEmbedding = consumerInputs.get(e.id);
        if (fromEmbedding) return { edgeId: e.id, value: { kind: 'vector', t: fromEmbedding } };
        const v = values.get(e.source.block);
        if (!v) throw new Error(`Block "${e.source.block}" has no output yet`);
        return { edgeId: e.id, value: v };
      });
    const vectors = (block: Block, port: string): tf.Tensor2D[] =>
      inputs(block, port).map(({ value }) => {
        if (value.kind !== 'vector' && value.kind !== 'label')
          throw new Error(`Expected a vector into ${block.id}.${port}`);
        return value.t;
      });

    const mlp = (
      blockId: string,
      prefix: string,
      x: tf.Tensor2D,
      units: number[],
      act: string,
      dropout: number,
    ): tf.Tensor2D => {
      let h = x;
      units.forEach((_, i) => {
        const z = tf.add(
          tf.matMul(h, param(blockId, `${prefix}dense${i}/kernel`) as tf.Tensor2D),
          param(blockId, `${prefix}dense${i}/bias`),
        ) as tf.Tensor2D;
        h = ops.activate(z, act);
        if (options.training && dropout > 0 && options.rng)
          h = applyDropout(h, dropout, options.rng);
      });
      return h;
    };

    for (const block of plan.order) {
      const module = blockModule(block.type);
      if (module.forward) {
        values.set(
          block.id,
          module.forward({
            tf,
            ops,
            block,
            params: plan.params.get(block.id)!,
            training: options.training,
            stopGradient: sg,
            inputs: (port) => inputs(block, port).map(({ value }) => value),
            vectors: (port) => vectors(block, port),
            param: (name) => param(block.id, name),
            mlp: (prefix, x, units, act, dropout) => mlp(block.id, prefix, x, units, act, dropout),
            logisticNoise: (n) =>
              options.training && options.rng ? logisticNoise(n, options.rng) : null,
            rng: options.rng,
          }),
        );
      }
      const produced = options.onBlock && values.get(block.id);
      if (produced) options.onBlock!(block.id, produced);
    }

    return plan.tasks.map((task) => {
      const v = values.get(task.finalId);
      if (!v) throw new Error(`Task "${task.name}" produced no prediction`);
      if (v.kind === 'binary') {
        // A plain head's logit is exact; an ESMM product is only known as a probability.
        return task.finalId === task.headId ? { logit: v.logit, prob: v.prob } : { prob: v.prob };
      }
      if (v.kind === 'regression')
        return v.parts ? { value: v.value, parts: v.parts } : { value: v.value };
      throw new Error(`Task "${task.name}" ends in a block that is not a head`);
    });
  }

  /** A copy of every weight (for early stopping's best epoch and divergence recovery). */
  snapshot(): ModelSnapshot {
    return {
      dense: new Map([...this.dense].map(([k, v]) => [k, v.dataSync().slice() as Float32Array])),
      tables: this.embeddings.map((e) => e.tables.map((t) => t.data.slice())),
    };
  }

  restore(s: ModelSnapshot): void {
    for (const [k, v] of this.dense) v.assign(tf.tensor(s.dense.get(k)!, v.shape));
    this.embeddings.forEach((e, i) => e.tables.forEach((t, j) => t.data.set(s.tables[i][j])));
  }

  dispose(): void {
    for (const v of this.dense.values()) v.dispose();
    this.dense.clear();
  }
}

export interface ModelSnapshot {
  dense: Map<string, Float32Array>;
  tables: Float32Array[][];
}

/** Logistic noise log u - log(1 - u), u ~ U(0, 1): the binary Gumbel-softmax perturbation. */
function logisticNoise(n: number, rng: Rng): tf.Tensor1D {
  const noise = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let u = rng.next();
    if (u < 1e-7) u = 1e-7;
    noise[i] = Math.log(u) - Math.log(1 - u);
  }
  return tf.tensor1d(noise);
}

function applyDropout(x: tf.Tensor2D, rate: number, rng: Rng): tf.Tensor2D {
  const mask = new Float32Array(x.size);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < rate ? 0 : keep;
  return tf.mul(x, tf.tensor(mask, x.shape)) as tf.Tensor2D;
}
