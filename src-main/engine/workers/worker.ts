// A worker thread for training and inference: its own wasm module and executor, computing its
// slice of every batch or chunk of rows (shard.ts) when the main thread signals a job through
// shared memory, and signalling back when done. Started by pool.ts; bundled as train-worker
// (out/cli, out/main).

import { parentPort, workerData } from 'node:worker_threads';
import { Executor, type TableSource } from '../model/executor';
import { WasmKernels } from '../model/kernels';
import { startWasmBackend } from '../model/wasm-runtime';
import {
  COMMAND_INFER,
  COMMAND_STOP,
  CONTROL,
  INFER_BATCH,
  PROJECTION_BUDGET,
  RELOAD_PROJECTED,
  shardRange,
  waitAsync,
  type WorkerInit,
} from './protocol';
import { InferenceRunner, ShardRunner, type ShardJob } from './shard';

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const port = parentPort!;
  const handle = await startWasmBackend();
  const kernels = new WasmKernels(handle);
  const sources: TableSource[][] = init.sources.map((fields) =>
    fields.map((f) =>
      f.kind === 'lookup'
        ? { kind: 'lookup', ids: f.ids!, data: f.data }
        : { kind: 'linear', values: f.values!, data: f.data },
    ),
  );
  // Executors are built on first use: a training worker may predict too (validation).
  let runner: ShardRunner | null = null;
  let trainExecutor: Executor | null = null;
  let predictor: InferenceRunner | null = null;
  let inferExecutor: Executor | null = null;
  const training = () => {
    if (!runner) {
      trainExecutor = new Executor(init.program, kernels, {
        capacity: init.capacity,
        training: true,
      });
      runner = new ShardRunner(trainExecutor, {
        sources,
        dims: init.dims,
        targets: init.targets,
        dense: init.dense,
      });
    }
    return runner;
  };
  const inference = () => {
    if (!predictor) {
      inferExecutor = new Executor(init.program, kernels, {
        capacity: INFER_BATCH,
        training: false,
        projectionBudget: PROJECTION_BUDGET,
      });
      predictor = new InferenceRunner(inferExecutor, {
        sources,
        dims: init.dims,
        dense: init.dense,
      });
    }
    return predictor;
  };
  const control = init.control;
  const T = init.program.tasks.length;
  // The job count before saying ready: a job published right after must not be missed.
  let seen = Atomics.load(control, CONTROL.seq);
  // A listening port keeps this thread alive while it waits for jobs.
  port.on('message', () => {});
  port.postMessage({ type: 'ready' });
  for (;;) {
    // Waiting asynchronously keeps this thread's event loop (and V8's tasks on it) running.
    const wait = waitAsync(control, CONTROL.seq, seen);
    if (wait.async) await wait.value;
    const seq = Atomics.load(control, CONTROL.seq);
    if (seq === seen) continue;
    seen = seq;
    const command = Atomics.load(control, CONTROL.command);
    if (command === COMMAND_STOP) break;
    try {
      const batchSize = control[CONTROL.batchSize];
      if (command === COMMAND_INFER) {
        const [from, to] = shardRange(batchSize, init.shards, init.shard);
        const predictor = inference();
        const reload = control[CONTROL.reload];
        if (reload) predictor.load(reload === RELOAD_PROJECTED);
        predictor.run(init.inference.rows, from, to, init.inference.outputs);
        Atomics.store(control, CONTROL.done + init.shard, seq);
        Atomics.notify(control, CONTROL.done + init.shard);
        continue;
      }
      const [from, to] = shardRange(batchSize, init.shards, init.shard);
      const passes = Array.from({ length: control[CONTROL.passes] }, (_, p) =>
        init.passWeights.subarray(p * T, (p + 1) * T),
      );
      const job: ShardJob = {
        rows: init.rows,
        batchSize,
        from,
        to,
        seed: control[CONTROL.seed],
        passes,
      };
      training().run(job, init.outputs!);
      Atomics.store(control, CONTROL.done + init.shard, seq);
    } catch (e) {
      port.postMessage({ type: 'error', message: (e as Error).stack ?? String(e) });
      Atomics.store(control, CONTROL.done + init.shard, -1);
    }
    Atomics.notify(control, CONTROL.done + init.shard);
  }
  (trainExecutor as Executor | null)?.dispose();
  (inferExecutor as Executor | null)?.dispose();
  port.close();
}

main().catch((e) => {
  parentPort?.postMessage({ type: 'error', message: (e as Error).stack ?? String(e) });
});
