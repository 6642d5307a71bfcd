// Partial dependence (Friedman 2001) of each numeric input: for a grid of values x, every
// sampled row gets the input set to x and the predictions are averaged, per task; the spread of
// the individual curves (10th to 90th percentile) and the input's own distribution come with it,
// so a reader sees where the curve rests on data and where on few rows.

import type { PartialDependence } from '../../shared/explain';
import { bucketOf, slog1p } from '../data/encoders';
import { createRng } from '../../shared/random';
import type { FieldEncoder } from '../data/types';
import { CancelledError } from '../errors';
import {
  allRows,
  availableCores,
  blankDataset,
  copyFieldValue,
  startExplainPredictor,
  type ExplainData,
  type Feature,
} from './context';
import { sampleRows } from './shapley';

export interface PdpOptions {
  /** Rows averaged over [500]. */
  rows?: number;
  /** Grid points at most [20]. */
  points?: number;
  seed?: number;
  /** Threads to predict on (default: 2 on a machine with 2 cores, for enough rows). */
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** The numeric inputs (single columns the model reads as numbers, with values in the data). */
function numericFeatures(ctx: ExplainData): Feature[] {
  const numeric = new Set(
    ctx.manifest.fields.filter((f) => f.kind === 'numeric').map((f) => f.column),
  );
  return ctx.features.filter(
    (f) =>
      f.columns.length === 1 &&
      numeric.has(f.columns[0]) &&
      ctx.raw.has(f.columns[0]) &&
      f.fields.every((i) => ctx.manifest.encoders[i].kind !== 'vocab'),
  );
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Grid of raw values: one representative (median) per bucket, else quantiles. */
function gridFor(encoders: FieldEncoder[], present: Float64Array, points: number): number[] {
  const buckets = encoders.find((e) => e.kind === 'buckets');
  let grid: number[] = [];
  if (buckets && buckets.kind === 'buckets') {
    const byBucket = new Map<number, number[]>();
    for (const v of present) {
      const b = bucketOf(v, buckets.edges);
      let list = byBucket.get(b);
      if (!list) byBucket.set(b, (list = []));
      list.push(v);
    }
    grid = [...byBucket.keys()]
      .sort((a, b) => a - b)
      .map((b) => {
        const values = Float64Array.from(byBucket.get(b)!).sort();
        return quantile(values, 0.5);
      });
  }
  if (grid.length === 0 || grid.length > points) {
    grid = [];
    for (let i = 0; i < points; i++) grid.push(quantile(present, 0.05 + (0.9 * i) / (points - 1)));
  }
  return [...new Set(grid)].sort((a, b) => a - b);
}

function encodeValue(enc: FieldEncoder, x: number): number {
  if (enc.kind === 'buckets') return bucketOf(x, enc.edges);
  if (enc.kind === 'linear') return (slog1p(x) - enc.mean) / enc.std;
  return 0;
}

function histogram(
  present: Float64Array,
  lo: number,
  hi: number,
  bins = 20,
): { edges: number[]; counts: number[] } {
  if (!(hi > lo)) {
    return { edges: [lo, lo], counts: [present.length] };
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  const counts = new Array<number>(bins).fill(0);
  for (const v of present) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)));
    counts[i]++;
  }
  return { edges, counts };
}

export async function partialDependence(
  ctx: ExplainData,
  options: PdpOptions = {},
): Promise<PartialDependence[]> {
  const rng = createRng(options.seed ?? 11);
  const sample = sampleRows(ctx.data.rows, options.rows ?? 500, rng);
  const P = sample.length;
  const features = numericFeatures(ctx);
  const tasks = ctx.model.plan.tasks;
  // Every input's grid goes into one dataset, predicted in one call (on the worker threads when
  // it is large enough), so the model is loaded once.
  const plans: {
    feature: Feature;
    grid: number[];
    encoders: FieldEncoder[];
    present: Float64Array;
    missing: number;
    start: number;
  }[] = [];
  let total = 0;
  for (const feature of features) {
    const raw = ctx.raw.get(feature.columns[0])!;
    const present = Float64Array.from(raw.filter((v) => !Number.isNaN(v))).sort();
    if (present.length === 0) continue;
    const encoders = feature.fields.map((f) => ctx.manifest.encoders[f]);
    const grid = gridFor(encoders, present, options.points ?? 20);
    plans.push({
      feature,
      grid,
      encoders,
      present,
      missing: raw.length - present.length,
      start: total,
    });
    total += grid.length * P;
  }
  if (total === 0) return [];
  options.onProgress?.(0, 1);
  const data = blankDataset(ctx.data, total);
  for (const plan of plans) {
    for (let x = 0; x < plan.grid.length; x++) {
      for (let s = 0; s < P; s++) {
        const r = plan.start + x * P + s;
        for (let f = 0; f < data.fields.length; f++)
          copyFieldValue(data.fields[f], r, ctx.data.fields[f], sample[s]);
        for (const [j, f] of plan.feature.fields.entries()) {
          const field = data.fields[f];
          const v = encodeValue(plan.encoders[j], plan.grid[x]);
          if (field.kind === 'lookup') field.ids[r] = v;
          else field.values[r] = v;
        }
      }
    }
  }
  if (options.signal?.aborted) throw new CancelledError();
  const threads = options.threads ?? (availableCores() >= 2 && total >= 50_000 ? 2 : 1);
  const predictor = await startExplainPredictor(
    ctx.model,
    data,
    ctx.manifest.targetEncoders,
    threads,
  );
  let p: Float64Array[];
  try {
    p = await predictor.predict(allRows(total));
  } finally {
    predictor.dispose();
  }
  options.onProgress?.(1, 1);
  return plans.map((plan) => {
    const X = plan.grid.length;
    const lo = plan.grid[0];
    const hi = plan.grid[X - 1];
    return {
      feature: plan.feature.name,
      x: plan.grid,
      tasks: tasks.map((task, t) => {
        const mean: number[] = [];
        const low: number[] = [];
        const high: number[] = [];
        for (let x = 0; x < X; x++) {
          const at = plan.start + x * P;
          const slice = p[t].slice(at, at + P).sort();
          mean.push(slice.reduce((a, b) => a + b, 0) / P);
          low.push(quantile(slice, 0.1));
          high.push(quantile(slice, 0.9));
        }
        return { task: task.name, type: task.type, mean, low, high };
      }),
      histogram: histogram(
        plan.present.filter((v) => v >= lo && v <= hi),
        lo,
        hi,
      ),
      missing: plan.missing,
    };
  });
}
