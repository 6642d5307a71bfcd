// Scoring raw CSV rows with a saved model: encode with the saved encoders, predict in
// batches, stream the predictions out as CSV (probabilities; amounts on the raw scale).

import { createWriteStream } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { readTable, type ReadOptions } from '../data/csv';
import { encodeFields } from '../data/encoders';
import { parseTargets } from '../data/targets';
import type { EncodedDataset, Table } from '../data/types';
import type { HtlnetModel } from '../model/model';
import { evaluateRowsAsync, predictRowsAsync, type TaskMetrics } from '../train/evaluate';
import type { ModelManifest } from './saved-model';

/** Names of the prediction columns: click_probability, amount_prediction, ... */
export function predictionColumns(manifest: ModelManifest): string[] {
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

export interface PredictResult {
  rows: number;
  columns: string[];
  seconds: number;
  rowsPerSecond: number;
}

export async function predictTable(model: HtlnetModel, manifest: ModelManifest, table: Table) {
  const data = encode(table, manifest, false);
  return predictRowsAsync(model, data, allRows(table.rows), manifest.targetEncoders);
}

export async function predictCsv(
  model: HtlnetModel,
  manifest: ModelManifest,
  dataFile: string,
  outFile: string,
  options: Partial<Pick<ReadOptions, 'signal' | 'onProgress'>> = {},
): Promise<PredictResult> {
  const table = await readTable(dataFile, options);
  const t0 = performance.now();
  const predictions = await predictTable(model, manifest, table);
  const seconds = (performance.now() - t0) / 1000;
  const columns = predictionColumns(manifest);
  await writeCsvAtomic(outFile, columns, predictions.raw, table.rows);
  return {
    rows: table.rows,
    columns,
    seconds,
    rowsPerSecond: table.rows / Math.max(seconds, 1e-9),
  };
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

/** Streams columns of numbers to a CSV, through a temporary file renamed into place. */
async function writeCsvAtomic(
  file: string,
  header: string[],
  columns: Float64Array[],
  rows: number,
): Promise<void> {
  const target = path.resolve(file);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}`;
  const out = createWriteStream(tmp);
  try {
    out.write(header.join(',') + '\n');
    const chunk = 8192;
    for (let start = 0; start < rows; start += chunk) {
      const end = Math.min(rows, start + chunk);
      let text = '';
      for (let r = start; r < end; r++) {
        for (let c = 0; c < columns.length; c++) {
          if (c > 0) text += ',';
          text += formatNumber(columns[c][r]);
        }
        text += '\n';
      }
      if (!out.write(text)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    await fs.rename(tmp, target);
  } catch (e) {
    out.destroy();
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

function formatNumber(x: number): string {
  // float32 predictions carry ~7 significant digits
  return Number.isFinite(x) ? String(Number(x.toPrecision(7))) : '';
}
