// Predictions on worker threads: the main thread predicts the first slice of every chunk of
// rows and each worker (workers/worker.ts, its own wasm module and executor) the next ones,
// reading the model's tables, the dataset's columns and the dense weights from shared memory.
// A trained model predicts on the threads it trained on (train/parallel.ts hands its pool over);
// a loaded one starts its own pool (startPredictor).

import type { EncodedDataset } from '../data/types';
import type { HtlnetModel } from '../model/model';
import { Executor, worthProjecting } from '../model/executor';
import type { WasmKernels } from '../model/kernels';
import type { Program } from '../model/program';
import { shareInputs, sharedF32, WorkerPool } from '../workers/pool';
import {
  COMMAND_INFER,
  INFER_BATCH,
  INFER_CHUNK,
  PROJECTION_BUDGET,
  RELOAD,
  RELOAD_PROJECTED,
  shardRange,
  type SharedTableSource,
} from '../workers/protocol';
import { InferenceRunner, tableSources } from '../workers/shard';

/** Predictions split over the main thread and the pool's workers. */
export class ParallelPredictor {
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
