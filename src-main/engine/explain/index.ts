// Explaining a trained model on a table: which inputs drive each task (permutation importance),
// why a row got its prediction (Shapley values), how each numeric input moves each task
// (partial dependence) and what passes through the funnel (fusion units). One call for the CLI
// and the app's worker thread, with progress and cancel.

import type { ExplainPart, Explanation, FeatureGroup } from '../../shared/explain';
import { createRng } from '../../shared/random';
import { splitRows } from '../data/split';
import type { Table } from '../data/types';
import { CancelledError, UserError } from '../errors';
import type { ModelManifest } from '../export/saved-model';
import type { HtlnetModel } from '../model/model';
import { predictRows } from '../predict/evaluate';
import { explainData } from './context';
import { funnelSummary } from './funnel';
import { permutationImportance } from './importance';
import { partialDependence } from './pdp';
import { explainRow, sampleRows } from './shapley';

export { explainData, explainRow, funnelSummary, partialDependence, permutationImportance };

/**
 * Forward rows permutation importance may spend by default: the rows explained are a seeded
 * sample of budget / (1 + inputs x repeats) rows (at least MIN_DEFAULT_ROWS), so 20 inputs and
 * 3 shuffles explain about 10,000 rows in a few seconds on 2 cores. --rows N asks for more.
 */
const DEFAULT_FORWARD_BUDGET = 600_000;
const MIN_DEFAULT_ROWS = 5_000;
const DEFAULT_REPEATS = 3;

/** Rows explained when the caller does not say (see DEFAULT_FORWARD_BUDGET). */
function defaultRowCount(inputs: number, repeats: number): number {
  return Math.max(MIN_DEFAULT_ROWS, Math.floor(DEFAULT_FORWARD_BUDGET / (1 + inputs * repeats)));
}

/** Rows offered to pick from for row explanations. */
const PICKS = 200;

export interface ExplainOptions {
  /** Which rows: the model's test or validation split of this file (its training data), or all. */
  subset?: 'test' | 'validation' | 'all';
  /** At most this many rows (a seeded sample) [defaultRowCount]. */
  rows?: number;
  /** Shuffles per input for importance [DEFAULT_REPEATS]. */
  repeats?: number;
  /** Columns moved together, by group name. */
  groups?: FeatureGroup[];
  /**
   * Rows of the table (0-based data rows) to explain one by one [the explained row with the
   * highest core-task prediction].
   */
  explainRows?: number[];
  /** What to compute [all]. */
  parts?: ExplainPart[];
  regressionMetric?: 'gini-drop' | 'rmse-rise';
  /** Background rows for row explanations [100]. */
  background?: number;
  seed?: number;
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (stage: string, done: number, total: number) => void;
}

/** Table rows of a part of the data: the model's split (by its own settings), or every row. */
function subsetRows(
  model: HtlnetModel,
  manifest: ModelManifest,
  table: Table,
  subset: 'test' | 'validation' | 'all',
): Int32Array {
  if (subset === 'all') {
    const rows = new Int32Array(table.rows);
    for (let i = 0; i < rows.length; i++) rows[i] = i;
    return rows;
  }
  const training = manifest.project.training;
  const split = splitRows(
    table.rows,
    training.split,
    training.fractions,
    model.plan.optimizer.seed,
    table,
  );
  const trained = manifest.rows.train + manifest.rows.validation + manifest.rows.test;
  if (trained !== table.rows) {
    throw new UserError(
      `${table.file} has ${table.rows} rows but the model was trained on ${trained}: its ${subset} split can only be found in the file it was trained on. Use every row instead.`,
      { file: table.file },
    );
  }
  return split[subset];
}

export async function explainModel(
  model: HtlnetModel,
  manifest: ModelManifest,
  table: Table,
  options: ExplainOptions = {},
): Promise<Explanation> {
  const subset = options.subset ?? 'all';
  const parts = new Set(options.parts ?? ['importance', 'rows', 'pdp', 'funnel']);
  const seed = options.seed ?? 1;
  let rows = subsetRows(model, manifest, table, subset);
  const repeats = options.repeats ?? DEFAULT_REPEATS;
  const columns = new Set(manifest.encoders.map((e) => e.column)).size;
  const grouped = (options.groups ?? []).reduce((a, g) => a + g.columns.length - 1, 0);
  const cap = options.rows ?? defaultRowCount(columns - grouped, repeats);
  const subsetSize = rows.length;
  if (rows.length > cap) {
    const pick = sampleRows(rows.length, cap, createRng(seed));
    pick.sort();
    rows = Int32Array.from(pick, (i) => rows[i]);
  }
  if (rows.length === 0) throw new UserError(`${table.file}: there are no rows to explain.`);
  const ctx = explainData(model, manifest, table, rows, options.groups, {
    needTargets: parts.has('importance'),
  });
  const pickRows = sampleRows(ctx.data.rows, PICKS, createRng(seed + 1)).sort();
  const pickPredictions = predictRows(model, ctx.data, pickRows, manifest.targetEncoders).raw;
  const picks = Array.from(pickRows, (r, i) => ({
    row: ctx.sourceRows[r],
    predictions: pickPredictions.map((p) => p[i]),
  }));
  const progress = options.onProgress ?? (() => undefined);
  const check = () => {
    if (options.signal?.aborted) throw new CancelledError();
  };

  let importance = null;
  if (parts.has('importance')) {
    importance = await permutationImportance(ctx, {
      repeats,
      seed,
      regressionMetric: options.regressionMetric,
      threads: options.threads,
      signal: options.signal,
      onProgress: (d, t) => progress('importance', d, t),
    });
  }
  check();
  const explained = [];
  if (parts.has('rows')) {
    // Not told which: the row with the highest prediction of the core task among the picks.
    const core = model.plan.core;
    const top = picks.reduce<(typeof picks)[number] | null>(
      (best, p) => (best === null || p.predictions[core] > best.predictions[core] ? p : best),
      null,
    );
    const list = options.explainRows ?? (top ? [top.row] : []);
    for (const [i, row] of list.entries()) {
      check();
      progress('contributions', i, list.length);
      explained.push(explainRow(ctx, row, { background: options.background, seed }));
    }
  }
  check();
  const partialDependenceList = parts.has('pdp')
    ? await partialDependence(ctx, {
        seed,
        threads: options.threads,
        signal: options.signal,
        onProgress: (d, t) => progress('partial dependence', d, t),
      })
    : [];
  check();
  if (parts.has('funnel')) progress('funnel', 0, 1);
  const funnel = parts.has('funnel') ? funnelSummary(ctx, { seed, signal: options.signal }) : null;
  return {
    picks,
    data: { path: table.file, subset, rows: rows.length, of: subsetSize },
    createdAt: new Date().toISOString(),
    importance,
    rows: explained,
    partialDependence: partialDependenceList,
    funnel,
  };
}
