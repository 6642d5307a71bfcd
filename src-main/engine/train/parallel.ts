// Data-parallel training on worker threads. The main thread computes the first slice of every
// batch and each worker (worker.ts, its own wasm module and executor) the next ones; the
// embedding tables, the dataset's columns, the targets and the dense weights are shared
// memory (SharedArrayBuffer), never copied per worker. Per step: the main thread publishes the
// batch and wakes the workers through an Atomics word, computes its slice, waits for theirs,
// and sums the slices' dense gradients (the edge gradients land side by side in shared
// full-batch arrays). The update itself then runs once, on the main thread, into the shared
// weights the workers read at the next step. The slicing and the summation order are fixed,
// so a run is reproducible for a given seed and number of threads.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EncodedDataset } from '../data/types';
import type { Batch, HtlnetModel } from '../model/model';
import { Executor } from '../model/executor';
import type { WasmKernels } from '../model/kernels';
import type { Program } from '../model/program';
import {
  COMMAND_STEP,
  COMMAND_STOP,
  CONTROL,
  shardRange,
  waitAsync,
  type SharedTableSource,
  type WorkerInit,
} from './parallel-protocol';
import { allocateOutputs, ShardRunner, tableSources, type ShardOutputs } from './shard';
import type { GradientEngine, RawGradients, StreamGrads } from './step';

/** A typed array over shared memory: `a` itself when it already is, else a shared copy. */
export function shared<T extends Int32Array | Float32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as { new (buffer: SharedArrayBuffer): T };
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

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

export class ExecutorEngine implements GradientEngine {
  readonly name = 'fast' as const;
  readonly threads: number;
  private readonly runner: ShardRunner;
  private readonly executor: Executor;
  private readonly control: Int32Array;
  private readonly rows: Int32Array;
  private readonly passWeights: Float64Array;
  /** Main thread's outputs (edges shared with the workers' outputs). */
  private readonly mainOut: ShardOutputs;
  private readonly workerOut: ShardOutputs[];
  /** Per pass, per param: the summed dense gradient. */
  private readonly reduced: Float32Array[][];
  private seq = 0;
  private disposed = false;
  /** Single-thread engines: rebuilds for a larger batch. */
  grow: ((rows: number) => ExecutorEngine) | null = null;
  private replacement: ExecutorEngine | null = null;

  private constructor(
    private readonly program: Program,
    private readonly capacity: number,
    private readonly workers: WorkerHandle[],
    parts: {
      executor: Executor;
      runner: ShardRunner;
      control: Int32Array;
      rows: Int32Array;
      passWeights: Float64Array;
      mainOut: ShardOutputs;
      workerOut: ShardOutputs[];
    },
  ) {
    this.threads = workers.length + 1;
    this.executor = parts.executor;
    this.runner = parts.runner;
    this.control = parts.control;
    this.rows = parts.rows;
    this.passWeights = parts.passWeights;
    this.mainOut = parts.mainOut;
    this.workerOut = parts.workerOut;
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
    const runner = new ShardRunner(executor, {
      sources: tableSources(model, data),
      dims: model.embeddings.map((e) => e.dim),
      targets,
      dense,
    });
    const engine = new ExecutorEngine(program, batchSize, [], {
      executor,
      runner,
      control: new Int32Array(CONTROL.done + 1),
      rows: new Int32Array(batchSize),
      passWeights: new Float64Array(T * T),
      mainOut: allocateOutputs(program, batchSize, Math.max(1, T), false),
      workerOut: [],
    });
    engine.grow = (rows) =>
      ExecutorEngine.single(model, data, targets, dense, program, kernels, rows);
    return engine;
  }

  /**
   * Starts `threads - 1` workers. Moves the model's tables, the dataset's columns and the
   * targets into shared memory (in place: the model and dataset keep using them). Returns null
   * when no worker script can be found or a worker fails to start.
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
    // Tables, columns and targets in shared memory.
    for (const emb of model.embeddings) for (const t of emb.tables) t.data = shared(t.data);
    for (const f of data.fields) {
      if (f.kind === 'lookup') f.ids = shared(f.ids);
      else f.values = shared(f.values);
    }
    const sharedTargets = targets.map((t) => shared(t));
    const sources: SharedTableSource[][] = model.embeddings.map((emb) =>
      emb.tables.map((table, f) => {
        const field = data.fields[emb.datasetField[f]];
        return field.kind === 'lookup'
          ? { kind: 'lookup', ids: field.ids, data: table.data }
          : { kind: 'linear', values: field.values, data: table.data };
      }),
    );
    const dims = model.embeddings.map((e) => e.dim);
    const T = program.tasks.length;
    const control = new Int32Array(new SharedArrayBuffer(4 * (CONTROL.done + W)));
    const rows = new Int32Array(new SharedArrayBuffer(4 * B));
    const passWeights = new Float64Array(new SharedArrayBuffer(8 * T * T));
    const maxPasses = Math.max(1, T);
    const mainOut = allocateOutputs(program, B, maxPasses, true);
    const workerOut: ShardOutputs[] = [];
    const workers: WorkerHandle[] = [];
    const ready: Promise<void>[] = [];
    for (let s = 1; s < W; s++) {
      const own = allocateOutputs(program, 0, maxPasses, true);
      // The edge gradients are one set of full-batch arrays, shared by every shard.
      const out: ShardOutputs = { ...own, edges: mainOut.edges };
      workerOut.push(out);
      const [from, to] = shardRange(B, W, s);
      const init: WorkerInit = {
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
      };
      const worker = startTrainWorker(init);
      if (!worker) break;
      // Never keeps the process alive by itself (dispose() stops it).
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
      if (workers.length !== W - 1) throw new Error('no worker script');
      await Promise.all(ready);
    } catch {
      for (const w of workers) await w.worker.terminate();
      return null;
    }
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
    return new ExecutorEngine(program, B, workers, {
      executor,
      runner,
      control,
      rows,
      passWeights,
      mainOut,
      workerOut,
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
    const c = this.control;
    this.rows.set(batch.rows);
    const weights = passes.map((tasks, p) => {
      const w = this.passWeights.subarray(p * T, (p + 1) * T);
      w.fill(0);
      for (const t of tasks) w[t] = this.program.tasks[t].lossWeight;
      return w;
    });
    const seq = ++this.seq;
    if (W > 1) {
      c[CONTROL.command] = COMMAND_STEP;
      c[CONTROL.batchSize] = B;
      c[CONTROL.seed] = seed;
      c[CONTROL.passes] = passes.length;
      Atomics.store(c, CONTROL.seq, seq);
      Atomics.notify(c, CONTROL.seq);
    }

    const [from, to] = shardRange(B, W, 0);
    this.runner.run(
      { rows: this.rows, batchSize: B, from, to, seed, passes: weights },
      this.mainOut,
    );
    if (W === 1) return this.reduce(B, passes);
    // Wait without blocking this thread: a thread stuck in Atomics.wait can hold up work V8
    // shares between threads (compiled wasm code), and the event loop stays live. The workers
    // keep the process alive while they work (they are unreferenced in between).
    for (const w of this.workers) w.worker.ref();
    const done = Promise.all(Array.from({ length: W - 1 }, (_, i) => this.waitFor(i + 1, seq)));
    return done.then(
      () => {
        for (const w of this.workers) w.worker.unref();
        return this.reduce(B, passes);
      },
      (e) => {
        for (const w of this.workers) w.worker.unref();
        throw e;
      },
    );
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

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.replacement) this.replacement.dispose();
    else this.executor.dispose();
    if (this.workers.length === 0) return;
    this.control[CONTROL.command] = COMMAND_STOP;
    Atomics.store(this.control, CONTROL.seq, ++this.seq);
    Atomics.notify(this.control, CONTROL.seq);
    for (const w of this.workers) void w.worker.terminate();
  }
}
