// One thread's share of a training step: the executor's forward and backward passes over a
// contiguous slice of the batch, writing its rows of the full-batch edge gradients and its
// dense gradients where the caller says. The main thread runs this for the first slice and each
// worker thread (worker.ts) for its own; summing the slices' dense gradients and putting their
// edge rows side by side gives exactly the full batch's gradients (every loss is a mean over
// the full batch, and random numbers are drawn for the full batch, then sliced). No tfjs here.

import { createRng } from '../../shared/random';
import type { EncodedDataset } from '../data/types';
import type { Executor, TableSource } from '../model/executor';
import type { HtlnetModel } from '../model/model';
import type { NoiseSpec, Program } from '../model/program';

/** What a shard reads: the model's tables, the dataset's targets and the dense weights. */
export interface ShardInputs {
  /** Per embedding, per field. */
  sources: TableSource[][];
  dims: number[];
  /** Per task: the training target of every dataset row. */
  targets: Float32Array[];
  /** Dense weights, program.params order. */
  dense: Float32Array[];
}

/** One step's work. */
export interface ShardJob {
  /** The batch's dataset rows (the full batch). */
  rows: Int32Array;
  batchSize: number;
  /** This shard's slice of the batch. */
  from: number;
  to: number;
  seed: number;
  /** Backward passes: per pass, the weight of each task's loss (0 = not in the pass). */
  passes: Float64Array[];
}

/** Where a shard writes. */
export interface ShardOutputs {
  /** Per pass, per consumer edge: the full batch's edge gradients [batch, width]. */
  edges: Float32Array[][];
  /** Per pass, per consumer edge: 1 when the pass reached the edge. */
  edgeTouched: Uint8Array[];
  /** Per pass, per dense parameter: this shard's gradient. */
  dense: Float32Array[][];
  /** Per pass, per dense parameter: 1 when the pass reached it. */
  denseTouched: Uint8Array[];
  /** Per task: the loss summed over this shard's rows. */
  lossSums: Float64Array;
}

/** Per embedding, per field: where the executor reads its rows. */
export function tableSources(model: HtlnetModel, data: EncodedDataset): TableSource[][] {
  return model.embeddings.map((emb) =>
    emb.tables.map((table, f) => {
      const field = data.fields[emb.datasetField[f]];
      return field.kind === 'lookup'
        ? { kind: 'lookup' as const, ids: field.ids, data: table.data }
        : { kind: 'linear' as const, values: field.values, data: table.data };
    }),
  );
}

/** Draws one step's random numbers (dropout masks, Gumbel noise) for a full batch. */
function drawNoise(specs: NoiseSpec[], seed: number, rows: number): Float32Array[] {
  const rng = createRng(seed);
  return specs.map((spec) => {
    if (spec.kind === 'dropout') {
      const mask = new Float32Array(rows * spec.columns);
      const keep = 1 / (1 - spec.rate);
      for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < spec.rate ? 0 : keep;
      return mask;
    }
    const noise = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      let u = rng.next();
      if (u < 1e-7) u = 1e-7;
      noise[i] = Math.log(u) - Math.log(1 - u);
    }
    return noise;
  });
}

/** Allocates outputs for `passes` passes (in shared memory when `shared`). */
export function allocateOutputs(
  program: Program,
  capacity: number,
  passes: number,
  shared: boolean,
): ShardOutputs {
  const f32 = (n: number) =>
    shared ? new Float32Array(new SharedArrayBuffer(4 * n)) : new Float32Array(n);
  const u8 = (n: number) => (shared ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n));
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  return {
    edges: range(passes).map(() =>
      program.consumers.map((c) => f32(capacity * program.embeddingWidths[c.embedding])),
    ),
    edgeTouched: range(passes).map(() => u8(program.consumers.length)),
    dense: range(passes).map(() => program.params.map((p) => f32(p.size))),
    denseTouched: range(passes).map(() => u8(program.params.length)),
    lossSums: shared
      ? new Float64Array(new SharedArrayBuffer(8 * program.tasks.length))
      : new Float64Array(program.tasks.length),
  };
}

export class ShardRunner {
  private readonly y: Float32Array[];
  constructor(
    private readonly executor: Executor,
    private readonly inputs: ShardInputs,
  ) {
    this.y = inputs.targets.map(() => new Float32Array(executor.capacity));
  }

  run(job: ShardJob, out: ShardOutputs): void {
    const ex = this.executor;
    const { program } = ex;
    const { from, to } = job;
    const n = to - from;
    ex.setParams(this.inputs.dense);
    ex.lookup(this.inputs.sources, this.inputs.dims, job.rows, from, to);
    const y = this.inputs.targets.map((src, t) => {
      const dst = this.y[t];
      for (let b = 0; b < n; b++) dst[b] = src[job.rows[from + b]];
      return dst;
    });
    const noise =
      program.noise.length > 0 ? drawNoise(program.noise, job.seed, job.batchSize) : null;
    ex.forward(noise, from, y);
    out.lossSums.set(ex.lossSums);
    job.passes.forEach((weights, p) => {
      ex.setEdgeTargets(out.edges[p], from);
      ex.backward(weights, y, job.batchSize);
      ex.edgeTouched.forEach((t, i) => (out.edgeTouched[p][i] = t ? 1 : 0));
      ex.gradTouched.forEach((t, i) => {
        out.denseTouched[p][i] = t ? 1 : 0;
        if (t) out.dense[p][i].set(ex.grads[i].view);
      });
    });
  }
}

/** Forward passes over rows for predictions (one thread's share of an inference job). */
export class InferenceRunner {
  constructor(
    private readonly executor: Executor,
    private readonly inputs: Omit<ShardInputs, 'targets'>,
  ) {}

  /**
   * Loads the current weights: the dense parameters and, with `projected`, from them and the
   * tables, the first layers' projections (if the executor has any; see worthProjecting).
   * Once per prediction job, before run().
   */
  load(projected: boolean): void {
    this.executor.setParams(this.inputs.dense);
    if (projected) this.executor.prepareProjections(this.inputs.sources);
    else this.executor.stopProjecting();
  }

  /** Predicts rows[from, to) into out[t][i - outOffset] (per task: probability or value). */
  run(rows: Int32Array, from: number, to: number, out: Float32Array[], outOffset = 0): void {
    const ex = this.executor;
    const cap = ex.capacity;
    for (let start = from; start < to; start += cap) {
      const end = Math.min(to, start + cap);
      ex.lookup(this.inputs.sources, this.inputs.dims, rows, start, end);
      ex.forward(null, 0, null);
      out.forEach((o, t) => o.set(ex.output(t).subarray(0, end - start), start - outOffset));
    }
  }
}
