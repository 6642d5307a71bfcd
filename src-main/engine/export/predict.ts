// Scoring raw CSV rows with a saved model: encode with the saved encoders, predict in
// batches, stream the predictions out as CSV (probabilities; amounts on the raw scale), and
// measure the model on the same predictions when the file holds the targets (scoreCsv: the file
// is read and predicted once).

import { createWriteStream } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { formatSeven, readTable, type ReadOptions } from '../data/csv';
import { UserError } from '../errors';
import { fsyncPath, tempPathFor } from './outputs';
import { encodeFields } from '../data/encoders';
import { parseTargets } from '../data/targets';
import type { Column, EncodedDataset, Table } from '../data/types';
import type { HtlnetModel } from '../model/model';
import {
  evaluateRowsAsync,
  evaluation,
  predictRowsAsync,
  type TaskMetrics,
} from '../predict/evaluate';
import type { ModelManifest } from './saved-model';

/** Names of the prediction columns: click_probability, amount_prediction, ... */
function predictionColumns(manifest: ModelManifest): string[] {
  return manifest.project.data.tasks.map((t) =>
    t.type === 'binary' ? `${t.name}_probability` : `${t.name}_prediction`,
  );
}

function encode(table: Table, manifest: ModelManifest, withTargets: boolean): EncodedDataset {
  return {
    rows: table.rows,
    fields: encodeFields(table, manifest.encoders),
    targets: withTargets ? parseTargets(table, manifest.project.data.tasks) : [],
  };
}

function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

/**
 * Which input columns the predictions file keeps before the prediction columns: every one
 * (the default, so rows join back to their input), none, or the named ones.
 */
export type KeepColumns = 'all' | 'none' | readonly string[];

/** Parses `all`, `none` or `a,b,c` (the CLI's --keep and the app's score option). */
export function parseKeep(value: string): KeepColumns {
  const v = value.trim();
  if (v === 'all' || v === 'none') return v;
  const names = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UserError('--keep must be all, none or column names (a,b).');
  return names;
}

function keptColumns(table: Table, keep: KeepColumns, predicted: string[]): Column[] {
  let kept: Column[];
  if (keep === 'none') kept = [];
  else if (keep === 'all') kept = table.columns;
  else {
    const byName = new Map(table.columns.map((c) => [c.name, c]));
    kept = keep.map((name) => {
      const c = byName.get(name);
      if (!c) {
        throw new UserError(
          `${table.file} has no column "${name}" to keep; its columns: ${table.columns
            .map((x) => x.name)
            .slice(0, 20)
            .join(', ')}.`,
          { file: table.file, column: name },
        );
      }
      return c;
    });
  }
  const clash = kept.find((c) => predicted.includes(c.name));
  if (clash) {
    throw new UserError(
      `${table.file} already has a column "${clash.name}", the name of a prediction column; keep other columns (--keep) or rename it.`,
      { file: table.file, column: clash.name },
    );
  }
  return kept;
}

/** Whether `file` looks like a predictions file this model wrote (its header ends with them). */
export async function isPredictionsFile(file: string, manifest: ModelManifest): Promise<boolean> {
  let handle;
  try {
    handle = await fs.open(file, 'r');
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const text = buf.toString('utf8', 0, bytesRead);
    const nl = text.indexOf('\n');
    const header = (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '');
    return (
      header === predictionColumns(manifest).join(',') ||
      header.endsWith(',' + predictionColumns(manifest).join(','))
    );
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

export interface PredictResult {
  rows: number;
  /** The prediction columns (after the kept input columns, which keptColumns lists). */
  columns: string[];
  keptColumns: string[];
  seconds: number;
  rowsPerSecond: number;
}

export async function predictTable(model: HtlnetModel, manifest: ModelManifest, table: Table) {
  const data = encode(table, manifest, false);
  return predictRowsAsync(model, data, allRows(table.rows), manifest.targetEncoders);
}

export interface ScoreOptions extends Partial<Pick<ReadOptions, 'signal' | 'onProgress'>> {
  keep?: KeepColumns;
  /** Called once the file is read (the CLI reports its columns' typing). */
  onTable?: (table: Table) => void;
  /**
   * Also measure the model on the file when it holds every task's target column, from the same
   * predictions (the file is read and predicted once); called before the metrics are computed.
   */
  onEvaluate?: () => void;
}

export interface ScoreResult extends PredictResult {
  /** Per task, when asked for and the file holds usable targets; else null. */
  metrics: Record<string, TaskMetrics> | null;
}

/**
 * Scores a CSV: reads it once, predicts every row once, writes the kept input columns and the
 * predictions (atomically), and, when asked (onEvaluate) and the file holds every task's
 * target, the metrics of those predictions. Targets present but unusable (missing values,
 * text) leave the metrics null: the predictions stand.
 */
export async function scoreCsv(
  model: HtlnetModel,
  manifest: ModelManifest,
  dataFile: string,
  outFile: string,
  options: ScoreOptions = {},
): Promise<ScoreResult> {
  const table = await readTable(dataFile, options);
  options.onTable?.(table);
  const columns = predictionColumns(manifest);
  // The library's default keeps none (predictions only); the CLI and the app default to all.
  const kept = keptColumns(table, options.keep ?? 'none', columns);
  const tasks = manifest.project.data.tasks;
  const names = new Set(table.columns.map((c) => c.name));
  const evaluate = options.onEvaluate !== undefined && tasks.every((t) => names.has(t.column));
  let targets: Float64Array[] | null = null;
  if (evaluate) {
    try {
      targets = parseTargets(table, tasks);
    } catch {
      targets = null;
    }
  }
  const data: EncodedDataset = {
    rows: table.rows,
    fields: encodeFields(table, manifest.encoders),
    targets: targets ?? [],
  };
  const rows = allRows(table.rows);
  const t0 = performance.now();
  const predictions = await predictRowsAsync(model, data, rows, manifest.targetEncoders);
  const seconds = (performance.now() - t0) / 1000;
  await writeCsvAtomic(outFile, kept, columns, predictions.raw, table.rows);
  let metrics: Record<string, TaskMetrics> | null = null;
  if (evaluate) {
    options.onEvaluate?.();
    try {
      if (targets)
        metrics = evaluation(model, data, rows, manifest.targetEncoders, predictions).metrics;
    } catch {
      metrics = null;
    }
  }
  return {
    rows: table.rows,
    columns,
    keptColumns: kept.map((c) => c.name),
    seconds,
    rowsPerSecond: table.rows / Math.max(seconds, 1e-9),
    metrics,
  };
}

/** Predictions of a CSV into a CSV (scoreCsv without the metrics). */
export async function predictCsv(
  model: HtlnetModel,
  manifest: ModelManifest,
  dataFile: string,
  outFile: string,
  options: Omit<ScoreOptions, 'onEvaluate'> = {},
): Promise<PredictResult> {
  const { metrics: _metrics, ...result } = await scoreCsv(
    model,
    manifest,
    dataFile,
    outFile,
    options,
  );
  return result;
}

export async function evaluateCsv(
  model: HtlnetModel,
  manifest: ModelManifest,
  dataFile: string,
  options: Partial<Pick<ReadOptions, 'signal' | 'onProgress'>> = {},
): Promise<{ rows: number; metrics: Record<string, TaskMetrics> }> {
  const table = await readTable(dataFile, options);
  const data = encode(table, manifest, true);
  const { metrics } = await evaluateRowsAsync(
    model,
    data,
    allRows(table.rows),
    manifest.targetEncoders,
  );
  return { rows: table.rows, metrics };
}

/** A CSV field: quoted when it holds a comma, a quote, a newline or edge spaces. */
function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A kept input column's cells as CSV fields: its raw text when the column kept it (each
 * distinct value quoted once, not per row), else its number (never needs quotes); a stray text
 * read as missing as it was written.
 */
function cellWriter(c: Column): (row: number) => string {
  if (c.codes && c.dictionary) {
    const codes = c.codes;
    const fields = c.dictionary.map(csvField);
    return (row) => {
      const code = codes[row];
      if (code >= 0) return fields[code];
      const bad = c.invalid?.get(row);
      return bad === undefined ? '' : csvField(bad);
    };
  }
  const values = c.values;
  return (row) => {
    const v = values ? values[row] : Number.NaN;
    if (Number.isNaN(v)) return csvField(c.invalid?.get(row) ?? '');
    return String(v);
  };
}

/**
 * Streams the kept input columns then the predictions to a CSV, through a temporary file of
 * its own (unique per writer) flushed to disk and renamed into place.
 */
async function writeCsvAtomic(
  file: string,
  kept: Column[],
  header: string[],
  columns: Float64Array[],
  rows: number,
): Promise<void> {
  const target = path.resolve(file);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  const out = createWriteStream(tmp);
  try {
    out.write([...kept.map((c) => csvField(c.name)), ...header].join(',') + '\n');
    const cells = kept.map(cellWriter);
    const chunk = 8192;
    for (let start = 0; start < rows; start += chunk) {
      const end = Math.min(rows, start + chunk);
      let text = '';
      for (let r = start; r < end; r++) {
        for (let k = 0; k < cells.length; k++) text += cells[k](r) + ',';
        for (let c = 0; c < columns.length; c++) {
          if (c > 0) text += ',';
          // float32 predictions carry ~7 significant digits
          text += formatSeven(columns[c][r]);
        }
        text += '\n';
      }
      if (!out.write(text)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    await fsyncPath(tmp);
    await fs.rename(tmp, target);
  } catch (e) {
    out.destroy();
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
