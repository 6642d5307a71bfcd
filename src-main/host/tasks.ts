// The heavy work of the app's jobs (training a run, scoring a file), written once and run in a
// worker thread by the app (host/worker.ts) so the window never freezes, or in-process by tests.
// Messages are plain data.

import { initBackend } from '../engine/backend';
import { readTable } from '../engine/data/csv';
import { splitSizes } from '../engine/data/split';
import { CancelledError } from '../engine/errors';
import { scoreCsv, type KeepColumns } from '../engine/export/predict';
import { loadModel } from '../engine/export/saved-model';
import { saveRun, trainProject } from '../engine/pipeline';
import { outOfMemoryMessage } from '../engine/resources';
import type { TrainEvent } from '../engine/train/trainer';
import type {
  EpochRecord,
  ScoreResult,
  TaskCurvesWire,
  TaskMetricsWire,
  TrainProgress,
} from '../ipc/api';
import type { ProjectFile } from '../shared/project';
import { curvesWire, epochRecord, metricsByTask, progressWire } from './wire';
import { explainTask, type ExplainTaskInput, type ExplainTaskMessage } from './explain-task';

export type TaskInput =
  | { type: 'train'; project: ProjectFile; dataPath: string; modelDir: string }
  | {
      type: 'score';
      modelDir: string;
      dataPath: string;
      out: string;
      /** Input columns kept before the predictions (default: all). */
      keep?: KeepColumns;
    }
  | ExplainTaskInput;

interface TrainResult {
  reason: 'completed' | 'early-stopping' | 'cancelled' | 'diverged';
  message: string;
  epochs: number;
  bestEpoch: number;
  samplesPerSecond: number;
  rows: { train: number; validation: number; test: number };
  history: EpochRecord[];
  test: Record<string, TaskMetricsWire>;
  curves: Record<string, TaskCurvesWire>;
  backend: string;
}

export type TaskMessage =
  | { type: 'progress'; stage: string; done: number; total: number }
  | { type: 'train'; progress: TrainProgress }
  | { type: 'train-result'; result: TrainResult }
  | { type: 'score-result'; result: ScoreResult }
  | { type: 'failed'; error: string; cancelled: boolean }
  | ExplainTaskMessage;

/** Batch events reach the window at most this often; epoch events always. */
const BATCH_EVENT_INTERVAL_MS = 200;

export async function runTask(
  input: TaskInput,
  post: (message: TaskMessage) => void,
  signal: AbortSignal,
): Promise<void> {
  try {
    if (input.type === 'train') await train(input, post, signal);
    else if (input.type === 'explain') await explainTask(input, post, signal);
    else await score(input, post, signal);
  } catch (error) {
    const cancelled = error instanceof CancelledError || signal.aborted;
    post({
      type: 'failed',
      error: cancelled
        ? 'Cancelled.'
        : (outOfMemoryMessage(error) ?? (error instanceof Error ? error.message : String(error))),
      cancelled,
    });
  }
}

function reading(post: (m: TaskMessage) => void) {
  return (done: number, total: number) => post({ type: 'progress', stage: 'reading', done, total });
}

async function train(
  input: Extract<TaskInput, { type: 'train' }>,
  post: (m: TaskMessage) => void,
  signal: AbortSignal,
): Promise<void> {
  const table = await readTable(input.dataPath, { signal, onProgress: reading(post) });
  if (signal.aborted) throw new CancelledError();
  let lastBatch = 0;
  let epochs = 0;
  const onEvent = (e: TrainEvent) => {
    if (e.type === 'batch') {
      const now = Date.now();
      if (now - lastBatch < BATCH_EVENT_INTERVAL_MS && e.batch !== e.batches) return;
      lastBatch = now;
    }
    if (e.type === 'start') epochs = e.epochs;
    post({ type: 'train', progress: progressWire(e) });
    if (e.type === 'epoch' && (e.epoch === epochs || signal.aborted)) {
      post({ type: 'train', progress: { type: 'evaluating' } });
    }
  };
  // Cancelling stops training after the current batch; the best weights are kept and
  // evaluated, so a stopped run still has results.
  const run = await trainProject({ project: input.project, table, onEvent, signal });
  post({ type: 'progress', stage: 'saving', done: 0, total: 1 });
  await saveRun(input.modelDir, run);
  post({
    type: 'train-result',
    result: {
      reason: run.outcome.reason,
      message: run.outcome.message,
      epochs: run.outcome.epochs,
      bestEpoch: run.outcome.bestEpoch,
      samplesPerSecond: run.outcome.trainSamplesPerSecond,
      rows: splitSizes(run.split),
      history: run.outcome.history.map(epochRecord),
      test: metricsByTask(run.test.metrics),
      curves: curvesWire(run.curves),
      backend: run.backend.name,
    },
  });
}

async function score(
  input: Extract<TaskInput, { type: 'score' }>,
  post: (m: TaskMessage) => void,
  signal: AbortSignal,
): Promise<void> {
  await initBackend();
  const { model, manifest } = await loadModel(input.modelDir);
  // One read and one prediction of the file; the metrics too when it holds the targets.
  const scored = await scoreCsv(model, manifest, input.dataPath, input.out, {
    keep: input.keep ?? 'all',
    signal,
    onProgress: reading(post),
    onEvaluate: () => post({ type: 'progress', stage: 'evaluating', done: 0, total: 1 }),
  });
  const metrics: ScoreResult['metrics'] = scored.metrics ? metricsByTask(scored.metrics) : null;
  post({
    type: 'score-result',
    result: {
      out: input.out,
      rows: scored.rows,
      columns: scored.columns,
      keptColumns: scored.keptColumns,
      metrics,
    },
  });
}
