// Data-parallel training and inference on worker threads. The main thread computes the first
// slice of every batch and each worker (worker.ts, its own wasm module and executor) the next
// ones; the embedding tables, the dataset's columns, the targets and the dense weights are
// shared memory (SharedArrayBuffer), never copied per worker. Per step: the main thread
// publishes the batch and wakes the workers through an Atomics word, computes its slice, waits
// (asynchronously) for theirs, and sums the slices' dense gradients (the edge gradients land
// side by side in shared full-batch arrays). The update itself then runs once, on the main
// thread, into the shared weights the workers read at the next step. The slicing and the
// summation order are fixed, so a run is reproducible for a given seed and number of threads.
// Predictions are split the same way (INFER jobs of up to INFER_CHUNK rows).

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EncodedDataset } from '../data/types';
import type { Batch, HtlnetModel } from '../model/model';
import { Executor, worthProjecting } from '../model/executor';
import type { WasmKernels } from '../model/kernels';
import type { Program } from '../model/program';
import {
  COMMAND_INFER,
  COMMAND_STEP,
  COMMAND_STOP,
  CONTROL,
  INFER_BATCH,
  PROJECTION_BUDGET,
  RELOAD,
  RELOAD_PROJECTED,
  INFER_CHUNK,
  shardRange,
  waitAsync,
  type SharedTableSource,
  type WorkerInit,
} from './parallel-protocol';
import {
  allocateOutputs,
  InferenceRunner,
  ShardRunner,
  tableSources,
  type ShardOutputs,
} from './shard';
import type { GradientEngine, RawGradients, StreamGrads } from './step';

/** A typed array over shared memory: `a` itself when it already is, else a shared copy. */
export function shared<T extends Int32Array | Float32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as { new (buffer: SharedArrayBuffer): T };
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

const sharedF32 = (n: number) => new Float32Array(new SharedArrayBuffer(4 * Math.max(1, n)));

/**
 * Starts a training worker: the script next to the running bundle (out/cli/train-worker.cjs,
 * out/main/train-worker.js), or, when running from the TypeScript sources (tests), worker.ts
 * through tsx's require hook. Null when there is no worker script.
 */
export function startTrainWorker(workerData: WorkerInit): Worker | null {
  let here: string;
  try {
    here = fileURLToPath(import.meta.url);
  } catch {
    return null;
  }
  const dir = path.dirname(here);
  if (here.endsWith('.ts')) {
    const file = path.join(dir, 'worker.ts');
    if (!existsSync(file)) return null;
    let api: string;
    try {
      api = createRequire(here).resolve('tsx/cjs/api');
    } catch {
      return null;
    }
    const code = `require(${JSON.stringify(api)}).register(); require(${JSON.stringify(file)});`;
    return new Worker(code, { eval: true, workerData });
  }
  for (const d of [dir, path.dirname(dir)]) {
    for (const name of ['train-worker.cjs', 'train-worker.js']) {
      const file = path
        .join(d, name)
        .replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
      if (existsSync(file)) return new Worker(file, { workerData });
    }
  }
  return null;
}

interface WorkerHandle {
  worker: Worker;
  error: string | null;
  exited: boolean;
}

/**
 * Moves the model's tables and the dataset's columns into shared memory (in place: the model
 * and the dataset keep using them) and describes them for the workers.
 */
function shareInputs(model: HtlnetModel, data: EncodedDataset): SharedTableSource[][] {
  for (const emb of model.embeddings) for (const t of emb.tables) t.data = shared(t.data);
  for (const f of data.fields) {
    if (f.kind === 'lookup') f.ids = shared(f.ids);
    else f.values = shared(f.values);
  }
  return model.embeddings.map((emb) =>
    emb.tables.map((table, f) => {
      const field = data.fields[emb.datasetField[f]];
      return field.kind === 'lookup'
        ? { kind: 'lookup', ids: field.ids, data: table.data }
        : { kind: 'linear', values: field.values, data: table.data };
    }),
  );
}

/** A pool of worker threads and the shared control block they watch. */
class WorkerPool {
  private seq = 0;
  private stopped = false;
  constructor(
    readonly workers: WorkerHandle[],
    readonly control: Int32Array,
  ) {}

  get size(): number {
    return this.workers.length;
  }

  /** Starts workers 1 .. threads - 1 (null when any cannot start). */
  static async start(
    threads: number,
    initFor: (shard: number, control: Int32Array) => WorkerInit,
  ): Promise<WorkerPool | null> {
    const control = new Int32Array(new SharedArrayBuffer(4 * (CONTROL.done + threads)));
    const workers: WorkerHandle[] = [];
    const ready: Promise<void>[] = [];
    for (let s = 1; s < threads; s++) {
      const worker = startTrainWorker(initFor(s, control));
      if (!worker) break;
      // Never keeps the process alive by itself (referenced only while it works).
      worker.unref();
      const handle: WorkerHandle = { worker, error: null, exited: false };
      workers.push(handle);
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.on('message', (m: { type: string; message?: string }) => {
            if (m.type === 'ready') resolve();
            else if (m.type === 'error') {
              handle.error = m.message ?? 'worker error';
              reject(new Error(handle.error));
            }
          });
          worker.on('error', (e) => {
            handle.error = e.message;
            reject(e);
          });
          worker.on('exit', () => {
            handle.exited = true;
            reject(new Error('worker exited'));
          });
        }),
      );
    }
    try {
      if (workers.length !== threads - 1) throw new Error('no worker script');
      await Promise.all(ready);
    } catch {
      for (const w of workers) await w.worker.terminate();
      return null;
    }
    return new WorkerPool(workers, control);
  }

  /** Publishes a job (command and its words) and wakes the workers. */
  publish(command: number, words: Partial<Record<keyof typeof CONTROL, number>>): number {
    const c = this.control;
    c[CONTROL.command] = command;
    for (const [k, v] of Object.entries(words)) c[CONTROL[k as keyof typeof CONTROL]] = v!;
    const seq = ++this.seq;
    for (const w of this.workers) w.worker.ref();
    Atomics.store(c, CONTROL.seq, seq);
    Atomics.notify(c, CONTROL.seq);
    return seq;
  }

  /**
   * Waits for every worker to finish job `seq`, without blocking this thread (a thread stuck in
   * Atomics.wait can hold up work V8 shares between threads, and the event loop stays live).
   */
  async wait(seq: number): Promise<void> {
    try {
      await Promise.all(this.workers.map((_, i) => this.waitFor(i + 1, seq)));
    } finally {
      for (const w of this.workers) w.worker.unref();
    }
  }

  private async waitFor(shard: number, seq: number): Promise<void> {
    const c = this.control;
    const word = CONTROL.done + shard;
    const handle = this.workers[shard - 1];
    const limit = Number(process.env.HTLNET_WORKER_TIMEOUT ?? 300_000);
    const start = Date.now();
    for (;;) {
      const v = Atomics.load(c, word);
      if (v === seq) return;
      if (v === -1 || handle.error || handle.exited) {
        throw new Error(`A training worker failed: ${handle.error ?? 'it exited'}`);
      }
      // A step takes milliseconds; a worker silent for minutes has died without a word.
      if (Date.now() - start > limit) throw new Error('A training worker stopped responding.');
      const w = waitAsync(c, word, v, 1000);
      if (w.async) await w.value;
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.publish(COMMAND_STOP, {});
    for (const w of this.workers) {
      w.worker.unref();
      void w.worker.terminate();
    }
  }
}

/** Predictions split over the main thread and the pool's workers. */
class ParallelPredictor {
  private executor: Executor | null = null;
  private runner: InferenceRunner | null = null;
  constructor(
    private readonly program: Program,
    private readonly kernels: WasmKernels,
    private readonly pool: WorkerPool | null,
    private readonly inputs: {
      sources: SharedTableSource[][];
      dims: number[];
      dense: Float32Array[];
    },
    private readonly shared: { rows: Int32Array; outputs: Float32Array[] } | null,
  ) {}

  get threads(): number {
    return (this.pool?.size ?? 0) + 1;
  }

  /** Predicts `rows` into out[t] (per task: probability, or the value on the training scale). */
  async predict(rows: Int32Array, out: Float32Array[]): Promise<void> {
    if (!this.runner) {
      this.executor = new Executor(this.program, this.kernels, {
        capacity: INFER_BATCH,
        training: false,
        projectionBudget: PROJECTION_BUDGET,
      });
      this.runner = new InferenceRunner(this.executor, {
        sources: this.inputs.sources.map((fields) =>
          fields.map((f) =>
            f.kind === 'lookup'
              ? { kind: 'lookup', ids: f.ids!, data: f.data }
              : { kind: 'linear', values: f.values!, data: f.data },
          ),
        ),
        dims: this.inputs.dims,
        dense: this.inputs.dense,
      });
    }
    const pool = this.pool;
    const projected = worthProjecting(this.program, rows.length);
    this.runner.load(projected);
    if (!pool || !this.shared) {
      this.runner.run(rows, 0, rows.length, out);
      return;
    }
    const W = pool.size + 1;
    for (let start = 0; start < rows.length; start += INFER_CHUNK) {
      const n = Math.min(INFER_CHUNK, rows.length - start);
      this.shared.rows.set(rows.subarray(start, start + n));
      const seq = pool.publish(COMMAND_INFER, {
        batchSize: n,
        reload: start > 0 ? 0 : projected ? RELOAD_PROJECTED : RELOAD,
      });
      const [from, to] = shardRange(n, W, 0);
      this.runner.run(this.shared.rows, from, to, out, -start);
      await pool.wait(seq);
      for (let s = 1; s < W; s++) {
        const [a, b] = shardRange(n, W, s);
        out.forEach((o, t) => o.set(this.shared!.outputs[t].subarray(a, b), start + a));
      }
    }
  }

  dispose(): void {
    this.executor?.dispose();
  }
}

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

/**
 * Predictions of a trained or loaded model on `threads` threads (the model's tables and the
 * dataset's columns move into shared memory). Falls back to this thread alone when workers
 * cannot start. Dispose when done.
 */
export async function startPredictor(
  model: HtlnetModel,
  data: EncodedDataset,
  program: Program,
  kernels: WasmKernels,
  threads: number,
): Promise<{
  predict: (rows: Int32Array, out: Float32Array[]) => Promise<void>;
  threads: number;
  dispose: () => void;
}> {
  const dense = program.params.map((p) => {
    const v = model.dense.get(p.name)!.dataSync() as Float32Array;
    const out = sharedF32(v.length);
    out.set(v);
    return out;
  });
  const dims = model.embeddings.map((e) => e.dim);
  let pool: WorkerPool | null = null;
  let sources: SharedTableSource[][];
  let inference: { rows: Int32Array; outputs: Float32Array[] } | null = null;
  if (threads > 1) {
    sources = shareInputs(model, data);
    inference = {
      rows: new Int32Array(new SharedArrayBuffer(4 * INFER_CHUNK)),
      outputs: program.tasks.map(() => sharedF32(INFER_CHUNK)),
    };
    const inf = inference;
    pool = await WorkerPool.start(threads, (s, control) => ({
      shard: s,
      shards: threads,
      capacity: 1,
      program,
      sources,
      dims,
      targets: [],
      dense,
      control,
      rows: new Int32Array(1),
      passWeights: new Float64Array(1),
      outputs: null,
      inference: inf,
    }));
  } else {
    sources = tableSources(model, data);
  }
  const predictor = new ParallelPredictor(
    program,
    kernels,
    pool,
    { sources, dims, dense },
    pool ? inference : null,
  );
  return {
    predict: (rows, out) => predictor.predict(rows, out),
    threads: predictor.threads,
    dispose: () => {
      predictor.dispose();
      pool?.stop();
    },
  };
}
