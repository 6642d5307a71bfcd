// Data-parallel training and inference on worker threads. The main thread computes the first
// slice of every batch and each worker (workers/worker.ts, its own wasm module and executor) the next
// ones; the embedding tables, the dataset's columns, the targets and the dense weights are
// shared memory (SharedArrayBuffer), never copied per worker. Per step: the main thread
// publishes the batch and wakes the workers through an Atomics word, computes its slice, waits
// (asynchronously) for theirs, and sums the slices' dense gradients (the edge gradients land
// side by side in shared full-batch arrays). The update itself then runs once, on the main
// thread, into the shared weights the workers read at the next step. The slicing and the
// summation order are fixed, so a run is reproducible for a given seed and number of threads.
// Predictions with the trained weights run on the same threads (predict/parallel.ts).

import type { EncodedDataset } from '../data/types';
import type { Batch, HtlnetModel } from '../model/model';
import { Executor } from '../model/executor';
import type { WasmKernels } from '../model/kernels';
import type { Program } from '../model/program';
import { ParallelPredictor } from '../predict/parallel';
import { shared, shareInputs, sharedF32, WorkerPool } from '../workers/pool';
import { COMMAND_STEP, INFER_CHUNK, shardRange } from '../workers/protocol';
import { allocateOutputs, ShardRunner, tableSources, type ShardOutputs } from '../workers/shard';
import type { GradientEngine, RawGradients, StreamGrads } from './gradients';

export class ExecutorEngine implements GradientEngine {
  readonly name = 'fast' as const;
  readonly threads: number;
  private readonly runner: ShardRunner;
  private readonly executor: Executor;
  private readonly rows: Int32Array;
  private readonly passWeights: Float64Array;
  /** Main thread's outputs (edges shared with the workers' outputs). */
  private readonly mainOut: ShardOutputs;
  private readonly workerOut: ShardOutputs[];
  /** Per pass, per param: the summed dense gradient. */
  private readonly reduced: Float32Array[][];
  private disposed = false;
  /** Single-thread engines: rebuilds for a larger batch. */
  grow: ((rows: number) => ExecutorEngine) | null = null;
  private replacement: ExecutorEngine | null = null;
  /** Predictions with the current weights, on the same threads. */
  readonly predictor: ParallelPredictor;

  private constructor(
    private readonly program: Program,
    private readonly capacity: number,
    private readonly pool: WorkerPool | null,
    parts: {
      executor: Executor;
      runner: ShardRunner;
      rows: Int32Array;
      passWeights: Float64Array;
      mainOut: ShardOutputs;
      workerOut: ShardOutputs[];
      predictor: ParallelPredictor;
    },
  ) {
    this.threads = (pool?.size ?? 0) + 1;
    this.executor = parts.executor;
    this.runner = parts.runner;
    this.rows = parts.rows;
    this.passWeights = parts.passWeights;
    this.mainOut = parts.mainOut;
    this.workerOut = parts.workerOut;
    this.predictor = parts.predictor;
    this.reduced = parts.mainOut.dense.map((list) => list.map((a) => new Float32Array(a.length)));
  }

  /** On this thread only: one executor, outputs in ordinary memory. */
  static single(
    model: HtlnetModel,
    data: EncodedDataset,
    targets: Float32Array[],
    dense: Float32Array[],
    program: Program,
    kernels: WasmKernels,
    batchSize: number,
  ): ExecutorEngine {
    const T = program.tasks.length;
    const executor = new Executor(program, kernels, { capacity: batchSize, training: true });
    const sources = tableSources(model, data);
    const dims = model.embeddings.map((e) => e.dim);
    const runner = new ShardRunner(executor, { sources, dims, targets, dense });
    const engine = new ExecutorEngine(program, batchSize, null, {
      executor,
      runner,
      rows: new Int32Array(batchSize),
      passWeights: new Float64Array(T * T),
      mainOut: allocateOutputs(program, batchSize, Math.max(1, T), false),
      workerOut: [],
      predictor: new ParallelPredictor(program, kernels, null, { sources, dims, dense }, null),
    });
    engine.grow = (rows) =>
      ExecutorEngine.single(model, data, targets, dense, program, kernels, rows);
    return engine;
  }

  /**
   * Starts `threads - 1` workers over shared tables, columns and targets. Returns null when no
   * worker script can be found or a worker fails to start.
   */
  static async parallel(
    model: HtlnetModel,
    data: EncodedDataset,
    targets: Float32Array[],
    dense: Float32Array[],
    program: Program,
    kernels: WasmKernels,
    options: { threads: number; batchSize: number },
  ): Promise<ExecutorEngine | null> {
    if (options.threads < 2) return null;
    const W = options.threads;
    const B = options.batchSize;
    const sources = shareInputs(model, data);
    const sharedTargets = targets.map((t) => shared(t));
    const dims = model.embeddings.map((e) => e.dim);
    const T = program.tasks.length;
    const rows = new Int32Array(new SharedArrayBuffer(4 * B));
    const passWeights = new Float64Array(new SharedArrayBuffer(8 * T * T));
    const maxPasses = Math.max(1, T);
    const mainOut = allocateOutputs(program, B, maxPasses, true);
    const inference = {
      rows: new Int32Array(new SharedArrayBuffer(4 * INFER_CHUNK)),
      outputs: program.tasks.map(() => sharedF32(INFER_CHUNK)),
    };
    const workerOut: ShardOutputs[] = [];
    const pool = await WorkerPool.start(W, (s, control) => {
      // The edge gradients are one set of full-batch arrays, shared by every shard.
      const out: ShardOutputs = {
        ...allocateOutputs(program, 0, maxPasses, true),
        edges: mainOut.edges,
      };
      workerOut.push(out);
      const [from, to] = shardRange(B, W, s);
      return {
        shard: s,
        shards: W,
        capacity: Math.max(1, to - from + 1),
        program,
        sources,
        dims,
        targets: sharedTargets,
        dense,
        control,
        rows,
        passWeights,
        outputs: out,
        inference,
      };
    });
    if (!pool) return null;
    const [, to0] = shardRange(B, W, 0);
    const executor = new Executor(program, kernels, {
      capacity: Math.max(1, to0 + 1),
      training: true,
    });
    const runner = new ShardRunner(executor, {
      sources: sources.map((fields) =>
        fields.map((f) =>
          f.kind === 'lookup'
            ? { kind: 'lookup', ids: f.ids!, data: f.data }
            : { kind: 'linear', values: f.values!, data: f.data },
        ),
      ),
      dims,
      targets: sharedTargets,
      dense,
    });
    return new ExecutorEngine(program, B, pool, {
      executor,
      runner,
      rows,
      passWeights,
      mainOut,
      workerOut,
      predictor: new ParallelPredictor(program, kernels, pool, { sources, dims, dense }, inference),
    });
  }

  gradients(batch: Batch, seed: number, passes: number[][]): RawGradients | Promise<RawGradients> {
    const B = batch.size;
    if (this.replacement) return this.replacement.gradients(batch, seed, passes);
    if (B > this.capacity) {
      if (!this.grow) throw new Error(`Batch of ${B} rows exceeds ${this.capacity}`);
      this.executor.dispose();
      this.replacement = this.grow(B);
      return this.replacement.gradients(batch, seed, passes);
    }
    const T = this.program.tasks.length;
    const W = this.threads;
    this.rows.set(batch.rows);
    const weights = passes.map((tasks, p) => {
      const w = this.passWeights.subarray(p * T, (p + 1) * T);
      w.fill(0);
      for (const t of tasks) w[t] = this.program.tasks[t].lossWeight;
      return w;
    });
    const seq = this.pool?.publish(COMMAND_STEP, {
      batchSize: B,
      seed,
      passes: passes.length,
    });
    const [from, to] = shardRange(B, W, 0);
    this.runner.run(
      { rows: this.rows, batchSize: B, from, to, seed, passes: weights },
      this.mainOut,
    );
    if (!this.pool || seq === undefined) return this.reduce(B, passes);
    return this.pool.wait(seq).then(() => this.reduce(B, passes));
  }

  /** Losses and dense gradients summed over the slices (in shard order). */
  private reduce(B: number, passes: number[][]): RawGradients {
    const W = this.threads;
    const losses = Array.from(this.mainOut.lossSums, (v, t) => {
      let sum = v;
      for (const o of this.workerOut) sum += o.lossSums[t];
      return sum / B;
    });
    const names = this.program.params.map((p) => p.name);
    const streams: StreamGrads[] = passes.map((_, p) => {
      const edges = new Map<number, Float32Array>();
      this.program.consumers.forEach((cons, i) => {
        if (!this.mainOut.edgeTouched[p][i]) return;
        const width = this.program.embeddingWidths[cons.embedding];
        edges.set(i, this.mainOut.edges[p][i].subarray(0, B * width));
      });
      const dense = new Map<string, Float32Array>();
      this.program.params.forEach((_, i) => {
        if (!this.mainOut.denseTouched[p][i]) return;
        if (W === 1) {
          dense.set(names[i], this.mainOut.dense[p][i]);
          return;
        }
        const out = this.reduced[p][i];
        out.set(this.mainOut.dense[p][i]);
        for (const o of this.workerOut) {
          if (!o.denseTouched[p][i]) continue;
          const g = o.dense[p][i];
          for (let j = 0; j < out.length; j++) out[j] += g[j];
        }
        dense.set(names[i], out);
      });
      return { edges, dense };
    });
    return { losses, streams };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.replacement) this.replacement.dispose();
    else this.executor.dispose();
    this.predictor.dispose();
    this.pool?.stop();
  }
}
