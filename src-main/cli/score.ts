// `htlnet predict` and `htlnet eval`: a saved model on a CSV. predict writes the predictions
// (beside the kept input columns) to --out, which must be new, an earlier predictions file, or
// replaced with --force; eval prints the metrics of the model on labelled data.

import path from 'node:path';
import { initBackend } from '../engine/backend';
import { checkOutputFile } from '../engine/export/outputs';
import { predictCsv, evaluateCsv, isPredictionsFile, parseKeep } from '../engine/export/predict';
import { loadModel } from '../engine/export/saved-model';
import {
  columnNotes,
  json,
  metricsTable,
  Progress,
  required,
  sweepFolder,
  type Flags,
} from './kit';

export async function predict(flags: Flags): Promise<number> {
  const progress = new Progress(Boolean(flags.json));
  const modelDir = required(flags, 'model');
  const dataFile = required(flags, 'data');
  const outFile = required(flags, 'out');
  const keep = typeof flags.keep === 'string' ? parseKeep(flags.keep) : 'all';
  await initBackend();
  const { model, manifest } = await loadModel(modelDir);
  await checkOutputFile(outFile, {
    inputs: [dataFile, modelDir],
    replace: Boolean(flags.force),
    ours: (file) => isPredictionsFile(file, manifest),
    allowWith: 'Use --force to replace it.',
  });
  await sweepFolder(path.dirname(path.resolve(outFile)));
  const result = await predictCsv(model, manifest, dataFile, outFile, {
    keep,
    onTable: (table) => {
      progress.done();
      for (const line of columnNotes(table)) progress.line(line);
    },
    onProgress: (read, total) =>
      progress.bar('reading', total ? read / total : 0, `${(read / 1e6).toFixed(0)} MB`),
  });
  progress.done();
  progress.line(
    `wrote ${result.rows.toLocaleString('en-US')} predictions (${result.columns.join(', ')}) to ${outFile}` +
      ` (${Math.round(result.rowsPerSecond).toLocaleString('en-US')} rows/s)`,
  );
  if (flags.json)
    process.stdout.write(
      json({
        rows: result.rows,
        columns: result.columns,
        keptColumns: result.keptColumns,
        out: path.resolve(outFile),
      }) + '\n',
    );
  model.dispose();
  return 0;
}

export async function evaluate(flags: Flags): Promise<number> {
  const modelDir = required(flags, 'model');
  const dataFile = required(flags, 'data');
  await initBackend();
  const { model, manifest } = await loadModel(modelDir);
  const result = await evaluateCsv(model, manifest, dataFile);
  if (flags.json) process.stdout.write(json({ tasks: result.metrics, rows: result.rows }) + '\n');
  else
    process.stdout.write(
      `${result.rows.toLocaleString('en-US')} rows:\n${metricsTable(result.metrics)}\n`,
    );
  model.dispose();
  return 0;
}
