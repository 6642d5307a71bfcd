// What the main thread and the training worker threads share: the layout of the control words
// and what a worker is given at start. Plain data; no tfjs.

import type { Program } from '../model/program';
import type { ShardOutputs } from './shard';

/** Int32 words of the control block. */
export const CONTROL = {
  /** Incremented by the main thread for every job. */
  seq: 0,
  /** 1: run a step; 2: stop. */
  command: 1,
  batchSize: 2,
  seed: 3,
  passes: 4,
  /**
   * Inference: on a job's first chunk, load the current weights first, with the projections
   * (RELOAD_PROJECTED) or without (RELOAD); 0 on the other chunks.
   */
  reload: 5,
  /** Word `done + shard`: the last job the shard finished (-1 after an error). */
  done: 8,
} as const;

export const COMMAND_STEP = 1;
export const COMMAND_STOP = 2;
/** Predict this worker's share of inference.rows[0, batchSize). */
export const COMMAND_INFER = 3;

export const RELOAD = 1;
export const RELOAD_PROJECTED = 2;

/** Rows per inference job (the shared row and output buffers hold this many). */
export const INFER_CHUNK = 1 << 16;
/** Rows per forward pass in inference. */
export const INFER_BATCH = 2048;

/**
 * Floats of first-layer projections (see Executor) an inference executor may keep: 64 MB by
 * default (the built-in sample's three towers take 24 MB; 20 fields of 10,000 values do not
 * fit and keep the product). HTLNET_PROJECTION_BUDGET overrides it (0: none).
 */
export const PROJECTION_BUDGET = Number(process.env.HTLNET_PROJECTION_BUDGET ?? 16 * 1024 * 1024);

export interface SharedTableSource {
  kind: 'lookup' | 'linear';
  ids?: Int32Array;
  values?: Float32Array;
  data: Float32Array;
}

/** workerData of a training worker. */
export interface WorkerInit {
  shard: number;
  shards: number;
  /** Most rows this worker's slice can have. */
  capacity: number;
  program: Program;
  sources: SharedTableSource[][];
  dims: number[];
  targets: Float32Array[];
  dense: Float32Array[];
  control: Int32Array;
  rows: Int32Array;
  /** [maxPasses * tasks]: per pass, the weight of each task's loss. */
  passWeights: Float64Array;
  /** Training workers only. */
  outputs: ShardOutputs | null;
  /** Inference jobs: the rows to predict and, per task, the predictions (INFER_CHUNK each). */
  inference: { rows: Int32Array; outputs: Float32Array[] };
}

/** The slice of a batch of `batchSize` rows that shard `s` of `shards` computes. */
export function shardRange(batchSize: number, shards: number, s: number): [number, number] {
  return [Math.floor((s * batchSize) / shards), Math.floor(((s + 1) * batchSize) / shards)];
}

/** Atomics.waitAsync (ES2024; Node 16+), typed here for the ES2023 library settings. */
export function waitAsync(
  array: Int32Array,
  index: number,
  value: number,
  timeout?: number,
): { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<string> } {
  const atomics = Atomics as unknown as {
    waitAsync: (
      a: Int32Array,
      i: number,
      v: number,
      t?: number,
    ) =>
      { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<string> };
  };
  return atomics.waitAsync(array, index, value, timeout);
}
