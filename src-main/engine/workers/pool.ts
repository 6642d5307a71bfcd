// The pool of worker threads that training and inference share: starting a worker (the bundled
// script, or worker.ts from the sources), the control block of shared words they watch, and
// moving a model's tables and a dataset's columns into shared memory so no worker copies them.
// What a job means is the caller's: training (train/parallel.ts) publishes steps, inference
// (predict/parallel.ts) publishes INFER jobs; both read protocol.ts for the words.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EncodedDataset } from '../data/types';
import type { HtlnetModel } from '../model/model';
import {
  COMMAND_STOP,
  CONTROL,
  waitAsync,
  type SharedTableSource,
  type WorkerInit,
} from './protocol';

/** A typed array over shared memory: `a` itself when it already is, else a shared copy. */
export function shared<T extends Int32Array | Float32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as { new (buffer: SharedArrayBuffer): T };
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

/** A Float32Array of n (at least 1) in shared memory. */
export const sharedF32 = (n: number) => new Float32Array(new SharedArrayBuffer(4 * Math.max(1, n)));

/**
 * Starts a training worker: the script next to the running bundle (out/cli/train-worker.cjs,
 * out/main/train-worker.js), or, when running from the TypeScript sources (tests), worker.ts
 * through tsx's require hook. Null when there is no worker script.
 */
function startTrainWorker(workerData: WorkerInit): Worker | null {
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
export function shareInputs(model: HtlnetModel, data: EncodedDataset): SharedTableSource[][] {
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
export class WorkerPool {
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
