// Why this prediction: Shapley values of the inputs for one row, against a background sample of
// rows (interventional Shapley, as KernelSHAP and TreeSHAP's interventional mode define it).
// The value of a set S of inputs is the mean prediction over the background rows with the
// inputs in S set to this row's values: v(S) = mean_b f(x_S, b_rest). Contributions then sum to
// v(all) - v(none) = f(x) - mean_b f(b): from the average prediction to this one.
//
// - Up to EXACT_MAX_FEATURES inputs: exact, every subset (2^G subsets x background rows, one
//   batched prediction).
// - More inputs: permutation sampling (Strumbelj & Kononenko 2014) with antithetic pairs: each
//   sample walks one permutation from the background row to this row, switching one input at a
//   time; the steps of one walk sum to f(x) - f(b) exactly, so the efficiency property holds by
//   construction, not only in expectation. Each background row gets the same number of walks, so
//   the start is exactly the background's mean prediction.
//
// Chosen over integrated gradients on the embeddings: it treats categorical inputs as what they
// are (a path between two vocabulary rows through the embedding space passes through no real
// category), needs no gradients (every graph, including ESMM products, is explained alike), and
// its sum is exact; with batched prediction a row costs a few thousand forward rows.

import type { ContributionMethod, RowExplanation, TaskContributions } from '../../shared/explain';
import { createRng, type Rng } from '../../shared/random';
import type { EncodedDataset } from '../data/types';
import { UserError } from '../errors';
import { predictRows } from '../predict/evaluate';
import { allRows, blankDataset, copyFieldValue, type ExplainData } from './context';

const EXACT_MAX_FEATURES = 10;

export interface RowOptions {
  /** Background rows, drawn from the explained rows [100]. */
  background?: number;
  /** Sampling method: walks (permutations) per background row, rounded up to even [4]. */
  permutations?: number;
  method?: 'auto' | 'exact' | 'sampling';
  seed?: number;
}

/** `count` distinct rows of 0..n-1 (all of them when count >= n), seeded. */
export function sampleRows(n: number, count: number, rng: Rng): Int32Array {
  const all = allRows(n);
  if (count >= n) return all;
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(n - i);
    const t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  return all.slice(0, count);
}

/** Shapley weight |S|! (G - |S| - 1)! / G! of a subset of size s among G players. */
function shapleyWeights(G: number): Float64Array {
  const logFact = new Float64Array(G + 1);
  for (let i = 1; i <= G; i++) logFact[i] = logFact[i - 1] + Math.log(i);
  const w = new Float64Array(G);
  for (let s = 0; s < G; s++) w[s] = Math.exp(logFact[s] + logFact[G - s - 1] - logFact[G]);
  return w;
}

function popcount(x: number): number {
  let c = 0;
  while (x) {
    x &= x - 1;
    c++;
  }
  return c;
}

/** Explains row `tableRow` of the table (0-based data row). */
export function explainRow(
  ctx: ExplainData,
  tableRow: number,
  options: RowOptions = {},
): RowExplanation {
  if (!Number.isInteger(tableRow) || tableRow < 0 || tableRow >= ctx.table.rows) {
    throw new UserError(
      `${ctx.table.file}: there is no data row ${tableRow} (the file has rows 0 to ${ctx.table.rows - 1}).`,
      { file: ctx.table.file },
    );
  }
  const rng = createRng(options.seed ?? 7);
  const G = ctx.features.length;
  const background = sampleRows(ctx.data.rows, Math.max(1, options.background ?? 100), rng);
  const B = background.length;
  const method: ContributionMethod =
    options.method === 'exact' || (options.method !== 'sampling' && G <= EXACT_MAX_FEATURES)
      ? 'exact-shapley'
      : 'sampling-shapley';
  const tasks = ctx.model.plan.tasks;
  const T = tasks.length;
  let phi: Float64Array[];
  let stderr: Float64Array[];
  let baseline: Float64Array;
  let prediction: Float64Array;
  let permutations = 0;

  if (method === 'exact-shapley') {
    if (G > 20) throw new UserError(`Exact Shapley values of ${G} inputs would take too long.`);
    const subsets = 1 << G;
    const hybrid = blankDataset(ctx.data, subsets * B);
    fill(hybrid, ctx, background, tableRow, (r) => {
      const s = Math.floor(r / B);
      return (g: number) => ((s >> g) & 1) === 1;
    });
    const p = predictRows(ctx.model, hybrid, allRows(hybrid.rows), ctx.manifest.targetEncoders).raw;
    const v = p.map((pt) => {
      const out = new Float64Array(subsets);
      for (let s = 0; s < subsets; s++) {
        let sum = 0;
        for (let b = 0; b < B; b++) sum += pt[s * B + b];
        out[s] = sum / B;
      }
      return out;
    });
    const w = shapleyWeights(G);
    phi = v.map((vt) => {
      const out = new Float64Array(G);
      for (let s = 0; s < subsets; s++) {
        const size = popcount(s);
        for (let g = 0; g < G; g++) {
          if ((s >> g) & 1) continue;
          out[g] += w[size] * (vt[s | (1 << g)] - vt[s]);
        }
      }
      return out;
    });
    stderr = tasks.map(() => new Float64Array(G));
    baseline = Float64Array.from(v, (vt) => vt[0]);
    prediction = Float64Array.from(v, (vt) => vt[subsets - 1]);
  } else {
    const pairs = Math.max(1, Math.ceil((options.permutations ?? 4) / 2));
    permutations = pairs * 2;
    const walks = B * permutations;
    // Walk w: row w * (G + 1) + k holds the background row with the first k inputs of the
    // walk's order switched to this row's values.
    const orders: Int32Array[] = [];
    for (let b = 0; b < B; b++) {
      for (let q = 0; q < pairs; q++) {
        const order = allRows(G);
        for (let i = G - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          const t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
        orders.push(order, order.slice().reverse());
      }
    }
    const position = orders.map((order) => {
      const pos = new Int32Array(G);
      order.forEach((g, k) => (pos[g] = k));
      return pos;
    });
    const hybrid = blankDataset(ctx.data, walks * (G + 1));
    fill(
      hybrid,
      ctx,
      Int32Array.from({ length: walks }, (_, w) => background[Math.floor(w / permutations)]),
      tableRow,
      (r) => {
        const w = Math.floor(r / (G + 1));
        const k = r % (G + 1);
        const pos = position[w];
        return (g: number) => pos[g] < k;
      },
      G + 1,
    );
    const p = predictRows(ctx.model, hybrid, allRows(hybrid.rows), ctx.manifest.targetEncoders).raw;
    phi = [];
    stderr = [];
    baseline = new Float64Array(T);
    prediction = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      const pt = p[t];
      const sum = new Float64Array(G);
      const sum2 = new Float64Array(G);
      const pair = new Float64Array(G);
      for (let w = 0; w < walks; w++) {
        const order = orders[w];
        const base = w * (G + 1);
        baseline[t] += pt[base];
        prediction[t] += pt[base + G];
        for (let k = 0; k < G; k++) {
          const g = order[k];
          const d = pt[base + k + 1] - pt[base + k];
          if (w % 2 === 0) pair[g] = d;
          else {
            // An antithetic pair is one sample (its two walks are not independent).
            const m = (pair[g] + d) / 2;
            sum[g] += m;
            sum2[g] += m * m;
          }
        }
      }
      baseline[t] /= walks;
      prediction[t] /= walks;
      const samples = walks / 2;
      const mean = Float64Array.from(sum, (s) => s / samples);
      phi.push(mean);
      stderr.push(
        Float64Array.from(sum2, (s2, g) =>
          samples > 1 ? Math.sqrt(Math.max(0, (s2 / samples - mean[g] ** 2) / (samples - 1))) : 0,
        ),
      );
    }
  }

  const out: TaskContributions[] = tasks.map((task, t) => ({
    task: task.name,
    type: task.type,
    baseline: baseline[t],
    prediction: prediction[t],
    contributions: ctx.features
      .map((f, g) => ({
        feature: f.name,
        value: f.columns.map((c) => ctx.text(c, tableRow)).join(', '),
        contribution: phi[t][g],
        stderr: stderr[t][g],
      }))
      .sort(
        (a, b) =>
          Math.abs(b.contribution) - Math.abs(a.contribution) || a.feature.localeCompare(b.feature),
      ),
  }));
  return {
    file: ctx.table.file,
    row: tableRow,
    line: ctx.table.lineOfRow(tableRow),
    method,
    background: B,
    permutations,
    tasks: out,
  };
}

/**
 * Fills hybrid rows: row r takes, for each input g, this row's value when fromRow(r)(g), else
 * the background row's (background[floor(r / per)]).
 */
function fill(
  hybrid: EncodedDataset,
  ctx: ExplainData,
  background: Int32Array,
  tableRow: number,
  fromRow: (r: number) => (g: number) => boolean,
  per = 0,
): void {
  const B = background.length;
  for (let r = 0; r < hybrid.rows; r++) {
    const b = per > 0 ? background[Math.floor(r / per)] : background[r % B];
    const takes = fromRow(r);
    for (const [g, feature] of ctx.features.entries()) {
      const own = takes(g);
      for (const f of feature.fields) {
        if (own) copyFieldValue(hybrid.fields[f], r, ctx.all.fields[f], tableRow);
        else copyFieldValue(hybrid.fields[f], r, ctx.data.fields[f], b);
      }
    }
  }
}
