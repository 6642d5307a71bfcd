// Engine results as plain data for the renderer: metrics as name -> number, curves without
// what JSON cannot carry (the ROC's +Infinity threshold) or the renderer does not need.

import type { TaskCurves, TaskMetrics } from '../engine/predict/evaluate';
import type { TrainEvent } from '../engine/train/trainer';
import type { EpochRecord, TaskCurvesWire, TaskMetricsWire, TrainProgress } from '../ipc/api';

function metricsWire(metrics: TaskMetrics): TaskMetricsWire {
  const out: TaskMetricsWire = {};
  for (const [k, v] of Object.entries(metrics)) if (typeof v === 'number') out[k] = v;
  return out;
}

export function metricsByTask(
  metrics: Record<string, TaskMetrics>,
): Record<string, TaskMetricsWire> {
  return Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, metricsWire(v)]));
}

export function curvesWire(curves: Record<string, TaskCurves>): Record<string, TaskCurvesWire> {
  const out: Record<string, TaskCurvesWire> = {};
  for (const [task, c] of Object.entries(curves)) {
    const w: TaskCurvesWire = {};
    if (c.roc) w.roc = { fpr: c.roc.fpr, tpr: c.roc.tpr };
    if (c.calibration) w.calibration = c.calibration;
    if (c.lorenz) w.lorenz = c.lorenz;
    if (c.scatter) w.scatter = { actual: c.scatter.actual, predicted: c.scatter.predicted };
    if (c.deciles) w.deciles = c.deciles;
    out[task] = w;
  }
  return out;
}

export function epochRecord(e: Extract<TrainEvent, { type: 'epoch' }>): EpochRecord {
  return {
    epoch: e.epoch,
    trainLoss: e.trainLoss,
    validationLoss: e.validationLoss,
    validation: metricsByTask(e.validation),
    gradients: e.gradients,
    samplesPerSecond: e.samplesPerSecond,
    seconds: e.seconds,
  };
}

export function progressWire(e: TrainEvent): TrainProgress {
  switch (e.type) {
    case 'start':
      return e;
    case 'batch':
      return e;
    case 'epoch':
      return { type: 'epoch', epochs: e.epochs, bestEpoch: e.bestEpoch, ...epochRecord(e) };
  }
}
