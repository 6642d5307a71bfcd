// Inference over dataset rows and the metrics of HTLNET.md, on the raw target scale.

import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { EncodedDataset, TargetEncoder } from '../data/types';
import {
  logMeanOutput,
  smearingFactor,
  meanCalibration,
  totalCalibration,
  transformTarget,
  untransformTarget,
} from '../data/encoders';
import { tweedieLoss } from '../model/objective';
import type { HtlnetModel } from '../model/model';
import { Executor, worthProjecting } from '../model/executor';
import type { WasmKernels } from '../model/kernels';
import type { Program } from '../model/program';
import { startPredictor } from './parallel';
import { PROJECTION_BUDGET } from '../workers/protocol';
import { tableSources } from '../workers/shard';
import { fastSetup } from './fast';
import {
  binaryMetrics,
  quantileCalibrationCurve,
  decileCalibration,
  logLoss,
  lorenzCurve,
  predictedVsActual,
  regressionMetrics,
  rocCurve,
  type BinaryMetrics,
  type CalibrationCurve,
  type DecileCalibration,
  type LorenzCurve,
  type RegressionMetrics,
  type RocCurve,
  type ScatterSample,
} from './metrics';

const EVAL_BATCH = 8192;

export interface Predictions {
  /** Per task: probability (binary) or the prediction on the raw target scale (regression). */
  raw: Float64Array[];
  /** Per task, regression only: the prediction on the transformed (training) scale. */
  transformed: (Float32Array | null)[];
}

/** Predicts every row in `rows` (inference mode: no dropout, no Gumbel noise), on this thread. */
export function predictRows(
  model: HtlnetModel,
  data: EncodedDataset,
  rows: Int32Array,
  targetEncoders: TargetEncoder[],
  batchSize = EVAL_BATCH,
  options: { engine?: 'fast' | 'tfjs' } = {},
): Predictions {
  const out = model.plan.tasks.map(() => new Float32Array(rows.length));
  const fast = options.engine === 'tfjs' ? null : fastSetup(model);
  if (fast) predictFast(model, data, rows, fast, batchSize, out);
  else predictTfjs(model, data, rows, batchSize, out);
  return predictionsFrom(model, out, targetEncoders);
}

/** Per-task predictions on the model's scale -> raw and transformed predictions. */
function predictionsFrom(
  model: HtlnetModel,
  out: Float32Array[],
  targetEncoders: TargetEncoder[],
): Predictions {
  return {
    raw: model.plan.tasks.map((task, t) =>
      task.type === 'binary'
        ? Float64Array.from(out[t])
        : untransformTarget(out[t], targetEncoders[t]),
    ),
    transformed: model.plan.tasks.map((task, t) => (task.type === 'regression' ? out[t] : null)),
  };
}

/** Fills out[t] (per task: probability, or the value on the training scale) for `rows`. */
export type RowPredictor = (rows: Int32Array, out: Float32Array[]) => Promise<void>;

/** Below this many rows, predicting on worker threads costs more than it saves. */
const PARALLEL_PREDICT_MIN_ROWS = 100_000;

/**
 * Predicts every row in `rows`: with `predict` when given (a training step's threads), else on
 * `threads` threads (default: from PARALLEL_PREDICT_MIN_ROWS rows, the cores present, at most
 * one per PARALLEL_PREDICT_MIN_ROWS / 2 rows), else on this thread.
 */
export async function predictRowsAsync(
  model: HtlnetModel,
  data: EncodedDataset,
  rows: Int32Array,
  targetEncoders: TargetEncoder[],
  options: { predict?: RowPredictor; threads?: number } = {},
): Promise<Predictions> {
  if (options.predict) {
    const out = model.plan.tasks.map(() => new Float32Array(rows.length));
    await options.predict(rows, out);
    return predictionsFrom(model, out, targetEncoders);
  }
  const cores =
    typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const threads =
    options.threads ??
    (rows.length >= PARALLEL_PREDICT_MIN_ROWS
      ? Math.max(1, Math.min(cores, Math.floor(rows.length / (PARALLEL_PREDICT_MIN_ROWS / 2))))
      : 1);
  const fast = threads > 1 ? fastSetup(model) : null;
  if (!fast) return predictRows(model, data, rows, targetEncoders);
  const predictor = await startPredictor(model, data, fast.program, fast.kernels, threads);
  try {
    const out = model.plan.tasks.map(() => new Float32Array(rows.length));
    await predictor.predict(rows, out);
    return predictionsFrom(model, out, targetEncoders);
  } finally {
    predictor.dispose();
  }
}

/** The executor, forward only, with first-layer projections. */
function predictFast(
  model: HtlnetModel,
  data: EncodedDataset,
  rows: Int32Array,
  fast: { program: Program; kernels: WasmKernels },
  batchSize: number,
  out: Float32Array[],
): void {
  const capacity = Math.max(1, Math.min(batchSize, rows.length));
  const projected = worthProjecting(fast.program, rows.length);
  const ex = new Executor(fast.program, fast.kernels, {
    capacity,
    training: false,
    projectionBudget: projected ? PROJECTION_BUDGET : 0,
  });
  try {
    ex.setParams((i) => model.dense.get(fast.program.params[i].name)!.dataSync());
    const sources = tableSources(model, data);
    const dims = model.embeddings.map((e) => e.dim);
    if (projected) ex.prepareProjections(sources);
    for (let start = 0; start < rows.length; start += capacity) {
      const end = Math.min(rows.length, start + capacity);
      ex.lookup(sources, dims, rows, start, end);
      ex.forward(null, 0, null);
      out.forEach((o, t) => o.set(ex.output(t).subarray(0, end - start), start));
    }
  } finally {
    ex.dispose();
  }
}

/** tfjs ops (HtlnetModel.forward): the straightforward path. */
function predictTfjs(
  model: HtlnetModel,
  data: EncodedDataset,
  rows: Int32Array,
  batchSize: number,
  out: Float32Array[],
): void {
  const { plan } = model;
  const T = plan.tasks.length;
  const widths = model.embeddings.map((e) => e.tables.length * e.dim);
  for (let start = 0; start < rows.length; start += batchSize) {
    const size = Math.min(batchSize, rows.length - start);
    const batch = { size, rows: rows.subarray(start, start + size) };
    const embedded = model.lookup(data, batch);
    const values = tf.tidy(() => {
      const shared = embedded.map((e, k) => tf.tensor2d(e, [size, widths[k]]));
      const consumers = new Map(plan.consumers.map((c) => [c.edgeId, shared[c.embedding]]));
      const outs = model.forward(consumers, { training: false });
      return tf.stack(outs.map((o, t) => (plan.tasks[t].type === 'binary' ? o.prob! : o.value!)));
    });
    const v = values.dataSync();
    values.dispose();
    for (let t = 0; t < T; t++) out[t].set(v.subarray(t * size, (t + 1) * size), start);
  }
}

export type TaskMetrics = BinaryMetrics | RegressionMetrics;

export interface TaskCurves {
  roc?: RocCurve;
  calibration?: CalibrationCurve;
  lorenz?: LorenzCurve;
  scatter?: ScatterSample;
  /** Regression: mean prediction vs mean actual per decile of the prediction. */
  deciles?: DecileCalibration;
}

export interface Evaluation {
  /** Per task name. */
  metrics: Record<string, TaskMetrics>;
  /**
   * Per task name: the loss as training defines it (cross-entropy; squared error on the
   * transformed scale; the Tweedie loss), except ZILN: the squared error of its predicted mean on
   * the scaled target.
   */
  losses: Record<string, number>;
  predictions: Predictions;
}

export function evaluateRows(
  model: HtlnetModel,
  data: EncodedDataset,
  rows: Int32Array,
  targetEncoders: TargetEncoder[],
): Evaluation {
  return evaluation(
    model,
    data,
    rows,
    targetEncoders,
    predictRows(model, data, rows, targetEncoders),
  );
}

/** evaluateRows with predictRowsAsync (threads, or a training step's predictor). */
export async function evaluateRowsAsync(
  model: HtlnetModel,
  data: EncodedDataset,
  rows: Int32Array,
  targetEncoders: TargetEncoder[],
  options: {
    predict?: RowPredictor;
    threads?: number;
    fitMeanCorrection?: boolean;
    /** With fitMeanCorrection: see fitMeanCorrections. */
    targetMeans?: ArrayLike<number>;
  } = {},
): Promise<Evaluation> {
  const predictions = await predictRowsAsync(model, data, rows, targetEncoders, options);
  if (options.fitMeanCorrection)
    fitMeanCorrections(model, data, rows, targetEncoders, predictions, options.targetMeans);
  return evaluation(model, data, rows, targetEncoders, predictions);
}

/**
 * Fits the mean correction of every regression task that asks for one on these rows (the
 * validation split): Duan's smearing factor (log1p targets), then the total calibration;
 * stores them in its target encoder and redoes its raw predictions with them.
 *
 * The calibration makes the mean prediction on these rows equal the actual mean: the mean of
 * the actual targets over `targetMeans` when given (the trainer passes the training and
 * validation rows' means), else over these rows. A heavy-tailed target's mean over a few
 * thousand validation rows is as noisy as their few large values (census-kdd dividends: ±13%
 * on 5,000 rows); over train + validation it is three times steadier, and, being data and not
 * predictions, it is not flattered by a model that memorises its training rows. The
 * predictions' mean still comes from rows the model did not train on.
 */
function fitMeanCorrections(
  model: HtlnetModel,
  data: EncodedDataset,
  rows: Int32Array,
  targetEncoders: TargetEncoder[],
  predictions: Predictions,
  targetMeans?: ArrayLike<number>,
): void {
  model.plan.tasks.forEach((task, t) => {
    const enc = targetEncoders[t];
    const transformed = predictions.transformed[t];
    if (task.type !== 'regression' || !enc.meanCorrection || !transformed) return;
    const actual = pick(data.targets[t], rows);
    const smearing = smearingFactor(transformed, actual, enc);
    if (smearing !== 1 || enc.smearing !== undefined) enc.smearing = smearing;
    const uncalibrated = untransformTarget(transformed, enc, smearing, 1);
    enc.calibration =
      targetMeans !== undefined
        ? meanCalibration(uncalibrated, targetMeans[t])
        : totalCalibration(uncalibrated, actual);
    predictions.raw[t] = untransformTarget(transformed, enc);
  });
}

/** The metrics and losses of predictions already made for `rows` (no second prediction). */
export function evaluation(
  model: HtlnetModel,
  data: EncodedDataset,
  rows: Int32Array,
  targetEncoders: TargetEncoder[],
  predictions: Predictions,
): Evaluation {
  const metrics: Record<string, TaskMetrics> = {};
  const losses: Record<string, number> = {};
  model.plan.tasks.forEach((task, t) => {
    const actual = pick(data.targets[t], rows);
    if (task.type === 'binary') {
      metrics[task.name] = binaryMetrics(actual, predictions.raw[t]);
      losses[task.name] = logLoss(actual, predictions.raw[t]);
    } else {
      metrics[task.name] = regressionMetrics(actual, predictions.raw[t]);
      const enc = targetEncoders[t];
      const y = transformTarget(actual, enc);
      const p = predictions.transformed[t]!;
      let sum = 0;
      if (enc.objective === 'tweedie') {
        const power = enc.tweediePower ?? task.tweediePower;
        for (let i = 0; i < y.length; i++) sum += tweedieLoss(p[i], y[i], power, null);
      } else if (logMeanOutput(enc)) {
        // ZILN: the squared error of the predicted mean on the scaled target (its likelihood
        // needs the head's three outputs, which predictions do not keep).
        for (let i = 0; i < y.length; i++) sum += (Math.exp(p[i]) - y[i]) ** 2;
      } else {
        for (let i = 0; i < y.length; i++) sum += (p[i] - y[i]) ** 2;
      }
      losses[task.name] = sum / Math.max(1, y.length);
    }
  });
  return { metrics, losses, predictions };
}

/** Curves for the results screen, from an evaluation's predictions. */
export function taskCurves(
  model: HtlnetModel,
  data: EncodedDataset,
  rows: Int32Array,
  predictions: Predictions,
  seed: number,
): Record<string, TaskCurves> {
  const curves: Record<string, TaskCurves> = {};
  model.plan.tasks.forEach((task, t) => {
    const actual = pick(data.targets[t], rows);
    curves[task.name] =
      task.type === 'binary'
        ? {
            roc: rocCurve(actual, predictions.raw[t]),
            // Quantile bins: a rare event's predictions (all below 5%) still give 10 points.
            calibration: quantileCalibrationCurve(actual, predictions.raw[t]),
          }
        : {
            lorenz: lorenzCurve(actual, predictions.raw[t]),
            scatter: predictedVsActual(actual, predictions.raw[t], 2000, seed),
            deciles: decileCalibration(actual, predictions.raw[t]),
          };
  });
  return curves;
}

function pick(values: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]];
  return out;
}
