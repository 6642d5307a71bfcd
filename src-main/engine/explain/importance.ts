// Permutation importance per task (Breiman 2001; Fisher, Rudin, Dominici 2019's "model
// reliance"): shuffle one input (or a group of inputs, with the same shuffle) across the rows,
// predict again and measure how much worse each task gets: the drop in AUC for binary tasks, the
// drop in normalised Gini (or the rise in RMSE) for regression tasks. Repeated with different
// shuffles for an interval. The shuffle only moves the input's encoded column (ids or scaled
// values) in place and re-runs the forward; the worker threads read the columns from shared
// memory, so they start once for every shuffle.

import type {
  FeatureImportance,
  ImportanceMetric,
  ImportanceResult,
  TaskImportance,
} from '../../shared/explain';
import { createRng, shuffleInPlace } from '../../shared/random';
import type { EncodedDataset } from '../data/types';
import { CancelledError } from '../errors';
import { auc, normalizedGini, rmse } from '../predict/metrics';
import {
  allRows,
  availableCores,
  startExplainPredictor,
  type ExplainData,
  type Predictor,
} from './context';

export interface ImportanceOptions {
  /** Shuffles per input [3]. */
  repeats?: number;
  seed?: number;
  /** Regression tasks: 'gini-drop' [default] or 'rmse-rise'. */
  regressionMetric?: 'gini-drop' | 'rmse-rise';
  /** Threads to predict on (default: 2 on a machine with 2 cores, for enough work). */
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom. */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

/** Mean and a 95% t interval of the mean. */
export function meanInterval(values: readonly number[]): {
  mean: number;
  low: number;
  high: number;
} {
  const k = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, k);
  if (k < 2) return { mean, low: mean, high: mean };
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (k - 1);
  const half = (T95[Math.min(k - 1, T95.length) - 1] ?? 1.96) * Math.sqrt(variance / k);
  return { mean, low: mean - half, high: mean + half };
}

interface Scorer {
  metric: ImportanceMetric;
  /** The metric of a set of predictions (null when there is none: prediction-change). */
  value: (p: Float64Array) => number | null;
  /** Importance of predictions `p` given the unshuffled predictions and their metric. */
  importance: (p: Float64Array, base: Float64Array, baseValue: number | null) => number;
}

function scorers(ctx: ExplainData, regressionMetric: 'gini-drop' | 'rmse-rise'): Scorer[] {
  return ctx.model.plan.tasks.map((task, t): Scorer => {
    if (!ctx.hasTargets) {
      return {
        metric: 'prediction-change',
        value: () => null,
        importance: (p, base) => {
          let sum = 0;
          for (let i = 0; i < p.length; i++) sum += Math.abs(p[i] - base[i]);
          return sum / Math.max(1, p.length);
        },
      };
    }
    const y = ctx.data.targets[t];
    if (task.type === 'binary') {
      return {
        metric: 'auc-drop',
        value: (p) => auc(y, p),
        importance: (p, _b, v) => v! - auc(y, p),
      };
    }
    if (regressionMetric === 'rmse-rise') {
      return {
        metric: 'rmse-rise',
        value: (p) => rmse(y, p),
        importance: (p, _b, v) => rmse(y, p) - v!,
      };
    }
    return {
      metric: 'gini-drop',
      value: (p) => normalizedGini(y, p),
      importance: (p, _b, v) => v! - normalizedGini(y, p),
    };
  });
}

/**
 * Predictions of the K copies of the rows, with only the `changed` rows predicted again (the
 * others are the unshuffled prediction `base` of their row).
 */
async function predictChanged(
  predictor: Predictor,
  base: Float64Array[],
  changed: Uint8Array,
): Promise<Float64Array[]> {
  const n = base[0]?.length ?? 0;
  let count = 0;
  for (let i = 0; i < changed.length; i++) count += changed[i];
  if (count === changed.length) return predictor.predict(allRows(changed.length));
  const rows = new Int32Array(count);
  for (let i = 0, k = 0; i < changed.length; i++) if (changed[i]) rows[k++] = i;
  const some = count > 0 ? await predictor.predict(rows) : [];
  return base.map((b, t) => {
    const out = new Float64Array(changed.length);
    for (let c = 0; c < changed.length; c += n) out.set(b, c);
    for (let k = 0; k < count; k++) out[rows[k]] = some[t][k];
    return out;
  });
}

/** `data` with its rows repeated `copies` times (row c * n + i is row i). */
function tiled(data: EncodedDataset, copies: number): EncodedDataset {
  const n = data.rows;
  return {
    rows: n * copies,
    fields: data.fields.map((f) => {
      if (f.kind === 'lookup') {
        const ids = new Int32Array(n * copies);
        for (let c = 0; c < copies; c++) ids.set(f.ids, c * n);
        return { ...f, ids };
      }
      const values = new Float32Array(n * copies);
      for (let c = 0; c < copies; c++) values.set(f.values, c * n);
      return { ...f, values };
    }),
    targets: [],
  };
}

export async function permutationImportance(
  ctx: ExplainData,
  options: ImportanceOptions = {},
): Promise<ImportanceResult> {
  const t0 = performance.now();
  const repeats = Math.max(1, options.repeats ?? 3);
  const rng = createRng(options.seed ?? 1);
  const { model, manifest, features } = ctx;
  const n = ctx.data.rows;
  const total = 1 + features.length * repeats;
  const threads =
    options.threads ?? (availableCores() >= 2 && n * total >= 400_000 && n >= 4096 ? 2 : 1);
  // Every shuffle of one input goes in one prediction call: the rows are repeated once per
  // shuffle, each copy shuffled its own way (a call has a fixed cost: the threads load the
  // weights and the first layers' projections).
  const data = tiled(ctx.data, repeats);
  const predictor = await startExplainPredictor(model, data, manifest.targetEncoders, threads);
  const score = scorers(ctx, options.regressionMetric ?? 'gini-drop');
  try {
    const base = await predictor.predict(allRows(n));
    const baseValue = score.map((s, t) => s.value(base[t]));
    let done = 1;
    options.onProgress?.(done, total);
    const values: number[][][] = model.plan.tasks.map(() => features.map(() => []));
    const perm = new Int32Array(n);
    const changed = new Uint8Array(n * repeats);
    for (const [g, feature] of features.entries()) {
      if (options.signal?.aborted) throw new CancelledError();
      // The dataset's columns may have been moved to shared memory by the predictor: read them now.
      const originals = feature.fields.map((f) => {
        const field = data.fields[f];
        return field.kind === 'lookup' ? field.ids.slice(0, n) : field.values.slice(0, n);
      });
      try {
        changed.fill(0);
        for (let k = 0; k < repeats; k++) {
          for (let i = 0; i < n; i++) perm[i] = i;
          shuffleInPlace(perm, rng);
          const at = k * n;
          feature.fields.forEach((f, j) => {
            const field = data.fields[f];
            const from = originals[j];
            const to = field.kind === 'lookup' ? field.ids : field.values;
            for (let i = 0; i < n; i++) {
              const v = from[perm[i]];
              to[at + i] = v;
              if (v !== from[i]) changed[at + i] = 1;
            }
          });
        }
        // Rows whose input the shuffle left as it was (a common value drawn for itself) keep
        // their prediction: only the others are predicted again.
        const predicted = await predictChanged(predictor, base, changed);
        for (let k = 0; k < repeats; k++) {
          score.forEach((s, t) =>
            values[t][g].push(
              s.importance(predicted[t].subarray(k * n, (k + 1) * n), base[t], baseValue[t]),
            ),
          );
        }
        done += repeats;
        options.onProgress?.(done, total);
      } finally {
        feature.fields.forEach((f, j) => {
          const field = data.fields[f];
          const to = field.kind === 'lookup' ? field.ids : field.values;
          for (let k = 0; k < repeats; k++) to.set(originals[j], k * n);
        });
      }
    }
    const tasks: TaskImportance[] = model.plan.tasks.map((task, t) => {
      const list: FeatureImportance[] = features.map((feature, g) => {
        const { mean, low, high } = meanInterval(values[t][g]);
        return {
          feature: feature.name,
          columns: feature.columns,
          importance: mean,
          low,
          high,
          repeats: values[t][g],
        };
      });
      list.sort((a, b) => b.importance - a.importance || a.feature.localeCompare(b.feature));
      return {
        task: task.name,
        type: task.type,
        metric: score[t].metric,
        baseline: baseValue[t],
        features: list,
      };
    });
    return { rows: n, repeats, seconds: (performance.now() - t0) / 1000, tasks };
  } finally {
    predictor.dispose();
  }
}
