// The training loop: seeded shuffled batches, epochs, validation after each epoch, early
// stopping that restores the best epoch, cancellation, divergence detection and progress events.

import os from 'node:os';
import type { EncodedDataset, Split, TargetEncoder } from '../data/types';
import { createRng, shuffleInPlace } from '../../shared/random';
import { splitSizes } from '../data/split';
import { CancelledError } from '../errors';
import type { HtlnetModel, ModelSnapshot } from '../model/model';
import type { TaskGradientStats } from './adjust';
import { transformTarget } from '../data/encoders';
import { evaluateRowsAsync, type TaskMetrics } from '../predict/evaluate';
import { TrainStep } from './step';
import type { Selection } from '../../shared/catalog';

interface GradientReport {
  /** |G_t|: the task's gradient norm on the shared parameters. */
  norm: number;
  /** cos(G_t, G_core). */
  cosine: number;
}

export type TrainEvent =
  | {
      type: 'start';
      rows: { train: number; validation: number; test: number };
      epochs: number;
      batchesPerEpoch: number;
      batchSize: number;
      tasks: { name: string; type: 'binary' | 'regression' }[];
      core: string;
    }
  | {
      type: 'batch';
      epoch: number;
      batch: number;
      batches: number;
      /** Per task name: this batch's loss. */
      loss: Record<string, number>;
      samplesPerSecond: number;
      /**
       * Per task name: the gradient on the parameters all tasks share. Every batch for HTLNet-like
       * graphs; every `diagnosticsEvery` batches where tasks share dense blocks; null otherwise,
       * and always null when the tasks share no parameters (single-task DNN).
       */
      gradients: Record<string, GradientReport> | null;
    }
  | {
      type: 'epoch';
      epoch: number;
      epochs: number;
      trainLoss: Record<string, number>;
      validationLoss: Record<string, number>;
      validation: Record<string, TaskMetrics>;
      /** Mean over the epoch's batches. */
      gradients: Record<string, GradientReport> | null;
      samplesPerSecond: number;
      /** The early-stopping score (see earlyStoppingScore; higher is better). */
      score: number;
      /** What the score measures, in words ("all tasks: ..."). */
      selection: string;
      bestEpoch: number;
      seconds: number;
    };

type StopReason = 'completed' | 'early-stopping' | 'cancelled' | 'diverged';

export interface TrainOutcome {
  reason: StopReason;
  /** Human-readable: why the run ended. */
  message: string;
  epochs: number;
  bestEpoch: number;
  /** Samples per second over all training steps (excluding validation). */
  trainSamplesPerSecond: number;
  /** How the steps ran: 'fast' (the executor) or 'tfjs', on how many threads. */
  engine: { name: 'fast' | 'tfjs'; threads: number };
  history: Extract<TrainEvent, { type: 'epoch' }>[];
}

export interface TrainOptions {
  onEvent?: (event: TrainEvent) => void;
  signal?: AbortSignal;
  /** Overrides of the optimizer block's settings. */
  epochs?: number;
  batchSize?: number;
  /** Emit a batch event at most every N batches (default 1). */
  batchEventEvery?: number;
  /**
   * For graphs where one backward pass cannot separate the tasks' gradients: measure them
   * every N batches (default 20). Ignored where one pass does (HTLNet), which measures every batch.
   */
  diagnosticsEvery?: number;
  /**
   * Threads computing each step (data-parallel slices of every batch). Default:
   * defaultThreads() (HTLNET_THREADS when set, else as many cores as the batch and the training
   * split keep busy). A run is reproducible for a given seed and thread count.
   */
  threads?: number;
  /** 'fast' (default) or 'tfjs' (the straightforward path, for checks). */
  engine?: 'fast' | 'tfjs';
}

/**
 * Rows of each batch a thread needs at least: below this, the products of a slice are too
 * small for the per-step hand-over between threads to pay (bench: at batch 1024 the default
 * HTLNet gains from 1 to 2 threads; slices under ~128 rows lose to the synchronisation).
 */
export const MIN_BATCH_ROWS_PER_THREAD = 128;

/**
 * Training rows per additional thread: starting a worker (its own wasm module and copies of
 * the model's programs, ~0.1-0.3 s) pays for itself once it takes over at least about this many
 * rows per epoch (1 thread trains the default HTLNet at ~7-15k rows/s on this class of machine).
 */
export const MIN_TRAIN_ROWS_PER_THREAD = 4_000;

/** Cores this process may use. */
export function availableCores(): number {
  return typeof os.availableParallelism === 'function'
    ? os.availableParallelism()
    : os.cpus().length;
}

/** HTLNET_THREADS as a thread count (a positive integer), or null when unset or invalid. */
export function threadsFromEnvironment(
  value: string | undefined = process.env.HTLNET_THREADS,
): number | null {
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 1024 ? n : null;
}

/**
 * The default number of training threads for a training split and batch size: HTLNET_THREADS
 * when set; else the cores present, limited so that every thread gets at least
 * MIN_BATCH_ROWS_PER_THREAD rows of each batch and MIN_TRAIN_ROWS_PER_THREAD training rows.
 * Small data sets therefore still use 2 threads from 8,000 rows (batch >= 256), and a 16-core
 * desktop uses its 16 cores for a batch of 2048 or more on 64,000 rows or more.
 */
export function defaultThreads(
  trainRows: number,
  batchSize: number,
  cores: number = availableCores(),
  override: number | null = threadsFromEnvironment(),
): number {
  if (override !== null) return override;
  const byBatch = Math.floor(Math.min(batchSize, trainRows) / MIN_BATCH_ROWS_PER_THREAD);
  const byRows = Math.floor(trainRows / MIN_TRAIN_ROWS_PER_THREAD);
  return Math.max(1, Math.min(cores, byBatch, byRows));
}

export async function trainModel(
  model: HtlnetModel,
  data: EncodedDataset,
  split: Split,
  targetEncoders: TargetEncoder[],
  options: TrainOptions = {},
): Promise<TrainOutcome> {
  const { plan } = model;
  const settings = plan.optimizer;
  const epochs = options.epochs ?? settings.epochs;
  const batchSize = Math.min(options.batchSize ?? settings.batchSize, split.train.length);
  const emit = options.onEvent ?? (() => {});
  const every = Math.max(1, options.batchEventEvery ?? 1);
  const diagnosticsEvery = Math.max(1, options.diagnosticsEvery ?? 20);
  const tasks = plan.tasks;
  const targets = tasks.map((_, t) => transformTarget(data.targets[t], targetEncoders[t]));
  const order = split.train.slice();
  const batches = Math.ceil(order.length / batchSize);
  const step = await TrainStep.create(model, data, targets, {
    threads: options.threads ?? defaultThreads(split.train.length, batchSize),
    batchSize,
    engine: options.engine,
    // The schedule runs over the planned epochs: early stopping cuts it short, never rescales it.
    schedule: { epochs, stepsPerEpoch: batches },
  });
  const rng = createRng(settings.seed ^ 0x5eed);
  emit({
    type: 'start',
    rows: splitSizes(split),
    epochs,
    batchesPerEpoch: batches,
    batchSize,
    tasks: tasks.map((t) => ({ name: t.name, type: t.type })),
    core: tasks[plan.core].name,
  });

  const history: Extract<TrainEvent, { type: 'epoch' }>[] = [];
  let best: {
    score: number;
    epoch: number;
    snapshot: ModelSnapshot;
    /** The mean corrections fitted at that epoch. */
    corrections: { smearing?: number; calibration?: number }[];
  } | null = null;
  const correcting = targetEncoders.some((e) => e.meanCorrection);
  const targetMeans = correcting ? pooledTargetMeans(data, split) : undefined;
  // What a run that diverges before its first epoch ends falls back to.
  const initial = model.snapshot();
  let trainSeconds = 0;
  let trainSamples = 0;
  let reason: StopReason = 'completed';
  let message = '';
  let epoch = 0;
  const byName = <T>(values: ArrayLike<T>): Record<string, T> =>
    Object.fromEntries(tasks.map((t, i) => [t.name, values[i]]));

  try {
    for (epoch = 1; epoch <= epochs; epoch++) {
      const epochStart = performance.now();
      let epochTrainSeconds = 0;
      shuffleInPlace(order, rng);
      const lossSums = new Float64Array(tasks.length);
      const gradSums = tasks.map(() => ({ norm: 0, cosine: 0, n: 0 }));
      let gradientsSeen = false;
      for (let b = 0; b < batches; b++) {
        if (options.signal?.aborted) throw new CancelledError();
        const rows = order.subarray(b * batchSize, Math.min(order.length, (b + 1) * batchSize));
        const t0 = performance.now();
        // Graphs that share dense blocks (shared-bottom, MMoE, PLE) need one pass per task to
        // tell the tasks' gradients apart: do so every `diagnosticsEvery` batches.
        const diagnose = !plan.singlePassCapture && b % diagnosticsEvery === 0;
        const { losses, stats } = await step.run({ size: rows.length, rows }, rng.int(2 ** 31), {
          perTaskPasses: diagnose,
        });
        const dt = (performance.now() - t0) / 1000;
        epochTrainSeconds += dt;
        trainSamples += rows.length;
        const bad = losses.findIndex((l) => !Number.isFinite(l));
        if (bad >= 0) {
          reason = 'diverged';
          message =
            `Training diverged at epoch ${epoch}, batch ${b + 1}: the loss of task "${tasks[bad].name}" became ${losses[bad]}. ` +
            (best
              ? `Kept the weights of epoch ${best.epoch}.`
              : 'No epoch had finished: the model is back at its initial weights.') +
            ' Try a lower learning rate or a stronger target transform.';
          break;
        }
        for (let t = 0; t < tasks.length; t++) lossSums[t] += losses[t] * rows.length;
        if (stats) {
          gradientsSeen = true;
          stats.forEach((s, t) => {
            if (!Number.isFinite(s.cosine)) return;
            gradSums[t].norm += s.norm;
            gradSums[t].cosine += s.cosine;
            gradSums[t].n++;
          });
        }
        if (b % every === 0 || b === batches - 1) {
          emit({
            type: 'batch',
            epoch,
            batch: b + 1,
            batches,
            loss: byName(losses),
            samplesPerSecond: rows.length / Math.max(dt, 1e-9),
            gradients: stats ? gradientReport(tasks, stats) : null,
          });
        }
        // Let cancellation and progress through.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      trainSeconds += epochTrainSeconds;
      if (reason === 'diverged') break;

      step.syncModel();
      const validation = await evaluateRowsAsync(model, data, split.validation, targetEncoders, {
        predict: step.predict ?? undefined,
        fitMeanCorrection: correcting,
        targetMeans,
      });
      const score = earlyStoppingScore(
        tasks,
        validation.metrics,
        validation.losses,
        settings.selection,
        plan.core,
      );
      if (!best || score > best.score)
        best = {
          score,
          epoch,
          snapshot: model.snapshot(),
          corrections: targetEncoders.map((e) => ({
            smearing: e.smearing,
            calibration: e.calibration,
          })),
        };
      const event: Extract<TrainEvent, { type: 'epoch' }> = {
        type: 'epoch',
        epoch,
        epochs,
        trainLoss: byName(Array.from(lossSums, (s) => s / order.length)),
        validationLoss: validation.losses,
        validation: validation.metrics,
        gradients: gradientsSeen
          ? byName(
              gradSums.map((g) => ({
                norm: g.n ? g.norm / g.n : NaN,
                cosine: g.n ? g.cosine / g.n : NaN,
              })),
            )
          : null,
        samplesPerSecond: order.length / Math.max(epochTrainSeconds, 1e-9),
        score,
        selection: selectionText(settings.selection, tasks[plan.core].name),
        bestEpoch: best.epoch,
        seconds: (performance.now() - epochStart) / 1000,
      };
      history.push(event);
      emit(event);
      if (settings.patience > 0 && epoch - best.epoch >= settings.patience) {
        reason = 'early-stopping';
        message = `Stopped early after epoch ${epoch}: no validation improvement for ${settings.patience} epoch${settings.patience === 1 ? '' : 's'}; kept epoch ${best.epoch}.`;
        break;
      }
    }
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    reason = 'cancelled';
    message = best
      ? `Stopped by the user during epoch ${epoch}; kept the best epoch so far (${best.epoch}).`
      : `Stopped by the user during epoch ${epoch}, before any epoch finished.`;
  } finally {
    step.syncModel();
    step.dispose();
  }
  if (best) {
    model.restore(best.snapshot);
    const kept = best.corrections;
    targetEncoders.forEach((e, t) => {
      if (kept[t].smearing !== undefined) e.smearing = kept[t].smearing;
      if (kept[t].calibration !== undefined) e.calibration = kept[t].calibration;
    });
  } else if (reason === 'diverged') model.restore(initial);
  if (reason === 'completed')
    message = `Trained ${epochs} epoch${epochs === 1 ? '' : 's'}; kept epoch ${best?.epoch ?? epochs}.`;
  return {
    reason,
    message,
    epochs: history.length,
    bestEpoch: best?.epoch ?? 0,
    trainSamplesPerSecond: trainSamples / Math.max(trainSeconds, 1e-9),
    engine: { name: step.engineName, threads: step.threads },
    history,
  };
}

/**
 * Each task's mean target over the training and validation rows together: what the mean
 * correction calibrates the validation predictions to (see fitMeanCorrections).
 */
export function pooledTargetMeans(data: EncodedDataset, split: Split): Float64Array {
  const means = new Float64Array(data.targets.length);
  const n = split.train.length + split.validation.length;
  data.targets.forEach((y, t) => {
    let sum = 0;
    for (const rows of [split.train, split.validation])
      for (let i = 0; i < rows.length; i++) sum += y[rows[i]];
    means[t] = n > 0 ? sum / n : NaN;
  });
  return means;
}

function gradientReport(
  tasks: { name: string }[],
  stats: TaskGradientStats[],
): Record<string, GradientReport> {
  return Object.fromEntries(
    tasks.map((t, i) => [t.name, { norm: stats[i].norm, cosine: stats[i].cosine }]),
  );
}

/** A task's validation score: binary 2 AUC - 1 (Gini), regression 1 - NRMSE; higher is better. */
function taskScore(task: { type: 'binary' | 'regression' }, m: TaskMetrics | undefined): number {
  if (!m) return NaN;
  if (task.type === 'binary') return 2 * (m as { auc: number }).auc - 1;
  return 1 - (m as { nrmse: number }).nrmse;
}

/** The early-stopping score in words, for the Train tab and the run's history. */
export function selectionText(selection: Selection, core: string): string {
  switch (selection) {
    case 'core':
      return `core task "${core}": 1 - NRMSE (AUC-based for a binary core)`;
    case 'core-loss':
      return `core task "${core}": validation loss`;
    case 'binary-auc':
      return 'mean AUC of the binary tasks';
    default:
      return 'all tasks: weighted mean of 2 x AUC - 1 (binary) and 1 - NRMSE (regression)';
  }
}

/**
 * The early-stopping score (higher is better), by the optimizer's `selection`:
 * - all: the mean over tasks, weighted by loss weight, of each task's score (binary: 2 AUC - 1,
 *   regression: 1 - NRMSE);
 * - core: the core task's score;
 * - core-loss: minus the core task's validation loss;
 * - binary-auc: the mean validation AUC of the binary tasks (without any: minus the mean loss).
 * A task whose score is not a number (one class only in the validation split) is left out.
 */
export function earlyStoppingScore(
  tasks: { name: string; type: 'binary' | 'regression'; lossWeight?: number }[],
  metrics: Record<string, TaskMetrics>,
  losses: Record<string, number>,
  selection: Selection = 'binary-auc',
  core = tasks.length - 1,
): number {
  const meanLoss = () => {
    const l = tasks.map((t) => losses[t.name]);
    return -l.reduce((a, b) => a + b, 0) / l.length;
  };
  if (selection === 'core-loss') return -losses[tasks[core].name];
  if (selection === 'core') {
    const s = taskScore(tasks[core], metrics[tasks[core].name]);
    return Number.isFinite(s) ? s : -losses[tasks[core].name];
  }
  if (selection === 'all') {
    let sum = 0;
    let weights = 0;
    for (const t of tasks) {
      const w = t.lossWeight ?? 1;
      const s = taskScore(t, metrics[t.name]);
      if (!(w > 0) || !Number.isFinite(s)) continue;
      sum += w * s;
      weights += w;
    }
    return weights > 0 ? sum / weights : meanLoss();
  }
  const aucs = tasks
    .filter((t) => t.type === 'binary')
    .map((t) => (metrics[t.name] as { auc: number }).auc)
    .filter((a) => Number.isFinite(a));
  if (aucs.length > 0) return aucs.reduce((a, b) => a + b, 0) / aucs.length;
  return meanLoss();
}
