// The compiled model: dense parameters as tfjs variables, embedding tables as flat
// Float32Arrays (looked up and updated sparsely, in place), and a forward pass that walks the
// block graph in topological order with tfjs ops.

import * as tf from '@tensorflow/tfjs-core';
import { parseIntList } from '../../shared/catalog';
import type { Block } from '../../shared/project';
import type { EncodedDataset, FieldEncoder } from '../data/types';
import { createRng, type Rng } from '../data/random';
import {
  activate,
  concatColumns,
  labelEmbedding,
  logitOf,
  setAttention,
  stopGradient,
} from './ops';
import { fieldKey, datasetFields, type ModelPlan } from './plan';
import { headOutputs, SIGMA_MIN, SIGMA_SPAN, ZILN_SPREAD_BIAS } from './objective';

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

/** What a block produced in the forward pass. */
export type BlockValue = Value;
type Value =
  | { kind: 'vector'; t: tf.Tensor2D }
  | { kind: 'experts'; t: tf.Tensor3D }
  | { kind: 'binary'; logit: tf.Tensor1D; prob: tf.Tensor1D }
  | { kind: 'regression'; value: tf.Tensor1D; parts?: tf.Tensor2D }
  | { kind: 'label'; t: tf.Tensor2D };

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

  private addParam(
    block: Block,
    name: string,
    shape: number[],
    init: 'glorot' | 'zeros' | 'small' | 'ziln',
    rng: Rng,
  ): void {
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
    const p = this.plan.params.get(block.id)!;
    switch (block.type) {
      case 'tower': {
        const units = parseIntList(p.units) ?? [];
        const out = this.addMlp(block, '', this.inputWidth(block, 'in'), units, rng);
        this.widths.set(block.id, out);
        break;
      }
      case 'expert-group': {
        const units = parseIntList(p.units) ?? [];
        const inWidth = this.inputWidth(block, 'in');
        let out = inWidth;
        for (let e = 0; e < Number(p.experts); e++)
          out = this.addMlp(block, `expert${e}/`, inWidth, units, rng);
        this.widths.set(block.id, out);
        break;
      }
      case 'gate': {
        const experts = (this.plan.incoming.get(`${block.id}:experts`) ?? []).reduce(
          (n, e) => n + Number(this.plan.params.get(e.source.block)!.experts),
          0,
        );
        this.addParam(
          block,
          'kernel',
          [this.inputWidth(block, 'selector'), experts],
          'glorot',
          rng,
        );
        this.addParam(block, 'bias', [experts], 'zeros', rng);
        const first = (this.plan.incoming.get(`${block.id}:experts`) ?? [])[0];
        this.widths.set(block.id, first ? this.outputWidth(first.source.block) : 0);
        break;
      }
      case 'label-embedding': {
        this.addParam(block, 'table', [2, Number(p.dim)], 'small', rng);
        this.widths.set(block.id, Number(p.dim));
        break;
      }
      case 'fusion': {
        let width = 0;
        for (const port of ['reps', 'labels'] as const) {
          const edges = this.plan.incoming.get(`${block.id}:${port}`) ?? [];
          if (edges.length === 0) continue;
          if (p.mode === 'concat') {
            width += this.inputWidth(block, port);
            continue;
          }
          const w = this.outputWidth(edges[0].source.block);
          for (const m of ['query', 'key', 'value'])
            this.addParam(block, `${port}/${m}`, [w, w], 'glorot', rng);
          width += w;
        }
        this.widths.set(block.id, width);
        break;
      }
      case 'task-head': {
        const k = headOutputs(p);
        this.addParam(block, 'kernel', [this.inputWidth(block, 'in'), k], 'glorot', rng);
        this.addParam(block, 'bias', [k], k === 3 ? 'ziln' : 'zeros', rng);
        break;
      }
      default:
        break;
    }
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
        h = activate(z, act);
        if (options.training && dropout > 0 && options.rng)
          h = applyDropout(h, dropout, options.rng);
      });
      return h;
    };

    for (const block of plan.order) {
      const p = plan.params.get(block.id)!;
      switch (block.type) {
        case 'tower': {
          const x = concatColumns(vectors(block, 'in'));
          values.set(block.id, {
            kind: 'vector',
            t: mlp(
              block.id,
              '',
              x,
              parseIntList(p.units) ?? [],
              String(p.activation),
              Number(p.dropout),
            ),
          });
          break;
        }
        case 'expert-group': {
          const x = concatColumns(vectors(block, 'in'));
          const outs: tf.Tensor2D[] = [];
          for (let e = 0; e < Number(p.experts); e++) {
            outs.push(
              mlp(block.id, `expert${e}/`, x, parseIntList(p.units) ?? [], String(p.activation), 0),
            );
          }
          values.set(block.id, { kind: 'experts', t: tf.stack(outs, 1) as tf.Tensor3D });
          break;
        }
        case 'gate': {
          const stacks = inputs(block, 'experts').map(
            ({ value }) => (value as { t: tf.Tensor3D }).t,
          );
          const experts = stacks.length === 1 ? stacks[0] : (tf.concat(stacks, 1) as tf.Tensor3D);
          const selector = concatColumns(vectors(block, 'selector'));
          const logits = tf.add(
            tf.matMul(selector, param(block.id, 'kernel') as tf.Tensor2D),
            param(block.id, 'bias'),
          );
          const weights = tf.softmax(logits as tf.Tensor2D);
          values.set(block.id, {
            kind: 'vector',
            t: tf.sum(tf.mul(tf.expandDims(weights, 2), experts), 1) as tf.Tensor2D,
          });
          break;
        }
        case 'task-head': {
          const x = concatColumns(vectors(block, 'in'));
          const z = tf.add(
            tf.matMul(x, param(block.id, 'kernel') as tf.Tensor2D),
            param(block.id, 'bias'),
          ) as tf.Tensor2D;
          if (headOutputs(p) === 3) {
            values.set(block.id, { kind: 'regression', value: zilnValues(z), parts: z });
            break;
          }
          const out = tf.reshape(z, [-1]) as tf.Tensor1D;
          values.set(
            block.id,
            p.kind === 'regression'
              ? { kind: 'regression', value: out }
              : { kind: 'binary', logit: out, prob: tf.sigmoid(out) },
          );
          break;
        }
        case 'esmm-link': {
          const prior = inputs(block, 'prior')[0].value;
          const conditional = inputs(block, 'conditional')[0].value;
          if (prior.kind !== 'binary' || conditional.kind !== 'binary')
            throw new Error('ESMM link needs binary inputs');
          const prob = tf.mul(prior.prob, conditional.prob) as tf.Tensor1D;
          values.set(block.id, { kind: 'binary', prob, logit: logitOf(prob) });
          break;
        }
        case 'label-embedding': {
          const source = inputs(block, 'prediction')[0].value;
          if (source.kind !== 'binary')
            throw new Error('A label embedding unit needs a binary prediction');
          const z: tf.Tensor1D = sg ? (stopGradient(source.logit) as tf.Tensor1D) : source.logit;
          const noise =
            options.training && p.gumbel && options.rng
              ? logisticNoise(z.shape[0], options.rng)
              : null;
          values.set(block.id, {
            kind: 'label',
            t: labelEmbedding(
              z,
              param(block.id, 'table') as tf.Tensor2D,
              Number(p.temperature),
              noise,
            ),
          });
          break;
        }
        case 'fusion': {
          const parts: tf.Tensor2D[] = [];
          for (const port of ['reps', 'labels'] as const) {
            let set = vectors(block, port);
            if (set.length === 0) continue;
            if (port === 'reps' && sg) set = set.map((t) => stopGradient(t) as tf.Tensor2D);
            if (p.mode === 'concat') {
              parts.push(...set);
              continue;
            }
            const stacked = tf.stack(set, 1) as tf.Tensor3D;
            const { out } = setAttention(
              stacked,
              param(block.id, `${port}/query`) as tf.Tensor2D,
              param(block.id, `${port}/key`) as tf.Tensor2D,
              param(block.id, `${port}/value`) as tf.Tensor2D,
            );
            parts.push(out);
          }
          values.set(block.id, { kind: 'vector', t: concatColumns(parts) });
          break;
        }
        default:
          break;
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

/** ZILN: log sigmoid(q) + m + sigma^2 / 2 per row, from the head's outputs [batch, 3]. */
export function zilnValues(z: tf.Tensor2D): tf.Tensor1D {
  const [q, m, s] = tf.split(z, 3, 1).map((t) => tf.reshape(t, [-1]) as tf.Tensor1D);
  const sigma = tf.add(tf.mul(tf.sigmoid(s), SIGMA_SPAN), SIGMA_MIN);
  return tf.add(
    tf.add(tf.neg(tf.softplus(tf.neg(q))), m),
    tf.mul(tf.square(sigma), 0.5),
  ) as tf.Tensor1D;
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
