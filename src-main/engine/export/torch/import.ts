// Importing what a PyTorch training package exported (OUT/export: export.json + weights.bin,
// see python/export.py) as an app model folder (export/saved-model.ts), so the app scores,
// charts and compares it like a model it trained itself. The weights carry the engine's names
// and shapes; each is checked against the model the project compiles to.

import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../backend';
import type { FieldEncoder, TargetEncoder } from '../../data/types';
import { UserError } from '../../errors';
import { validateProjectDocument } from '../../graph/project-file';
import { HtlnetModel } from '../../model/model';
import { datasetFields, planModel } from '../../model/plan';
import type { TaskMetrics } from '../../predict/evaluate';
import { saveModel } from '../saved-model';

const TORCH_EXPORT_FORMAT = 'htlnet-studio-torch-export';
const TORCH_EXPORT_VERSION = 1;

export interface TorchImportOptions {
  /** The export folder a training run wrote (OUT/export), or the run's OUT folder itself. */
  dir: string;
  /** The model folder to write. */
  out: string;
}

export interface TorchImportResult {
  /** The model folder, absolute. */
  out: string;
  /** The files written, relative to `out`. */
  files: string[];
  manifest: {
    name: string;
    tasks: { name: string; type: 'binary' | 'regression' }[];
    metrics: Record<string, TaskMetrics>;
    rows: { train: number; validation: number; test: number };
    epochs: number;
    bestEpoch: number;
    backend: string;
    createdAt: string;
  };
}

interface ExportDocument {
  format: string;
  version: number;
  project: unknown;
  fields: unknown;
  encoders: FieldEncoder[];
  targetEncoders: TargetEncoder[];
  metrics: Record<string, TaskMetrics>;
  rows: { train: number; validation: number; test: number };
  epochs: number;
  bestEpoch: number;
  backend: string;
  weights: { name: string; shape: number[]; offset: number; kind: 'dense' | 'table' }[];
}

const EXPORT_FILE = 'export.json';
const WEIGHTS_FILE = 'weights.bin';

/** The folder holding export.json: `dir` itself, or `dir/export`. */
async function exportFolder(dir: string): Promise<string> {
  for (const candidate of [dir, path.join(dir, 'export')]) {
    const found = await fs
      .stat(path.join(candidate, EXPORT_FILE))
      .then((s) => s.isFile())
      .catch(() => false);
    if (found) return candidate;
  }
  throw new UserError(
    `${dir} holds no PyTorch export: neither ${path.join(dir, EXPORT_FILE)} nor ${path.join(dir, 'export', EXPORT_FILE)} exists.`,
    { file: dir },
  );
}

export async function importTorchModel(options: TorchImportOptions): Promise<TorchImportResult> {
  const dir = await exportFolder(options.dir);
  const file = path.join(dir, EXPORT_FILE);
  let doc: ExportDocument;
  try {
    doc = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    throw new UserError(`${file} is not valid JSON (${(e as Error).message}).`, { file });
  }
  if (doc?.format !== TORCH_EXPORT_FORMAT || !(doc.version <= TORCH_EXPORT_VERSION)) {
    throw new UserError(`${file} is not a PyTorch export this version of HTLNet Studio reads.`, {
      file,
    });
  }
  const project = validateProjectDocument(doc.project, file);
  const plan = planModel(project);
  const fields = datasetFields(plan);
  const damaged = (what: string) =>
    new UserError(`${file}: ${what}; the export does not match its project.`, { file });
  if (JSON.stringify(doc.fields) !== JSON.stringify(fields)) throw damaged('the fields differ');
  if (
    !Array.isArray(doc.encoders) ||
    doc.encoders.length !== fields.length ||
    doc.encoders.some((e, i) => e.column !== fields[i].column || e.kind !== fields[i].encoding)
  ) {
    throw damaged('the encoders do not fit the fields');
  }
  if (!Array.isArray(doc.targetEncoders) || doc.targetEncoders.length !== plan.tasks.length) {
    throw damaged('the target transforms do not fit the tasks');
  }

  const bytes = await fs.readFile(path.join(dir, WEIGHTS_FILE)).catch(() => {
    throw new UserError(`${dir}: ${WEIGHTS_FILE} is missing.`, { file: dir });
  });
  const listed = new Map(doc.weights.map((w) => [w.name, w]));
  const read = (name: string, shape: readonly number[]): Float32Array => {
    const w = listed.get(name);
    const size = shape.reduce((a, b) => a * b, 1);
    if (!w || w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i]))
      throw damaged(`weight "${name}" is missing or has the wrong shape`);
    if (w.offset + size * 4 > bytes.length) throw damaged(`${WEIGHTS_FILE} is too short`);
    listed.delete(name);
    // A copy: Float32Array needs 4-byte alignment, which a Buffer's offset need not have.
    const start = bytes.byteOffset + w.offset;
    return new Float32Array(bytes.buffer.slice(start, start + size * 4));
  };

  await initBackend();
  const model = new HtlnetModel(plan, doc.encoders);
  try {
    for (const [name, v] of model.dense) v.assign(tf.tensor(read(name, v.shape), v.shape));
    for (const emb of model.embeddings) {
      for (const table of emb.tables) {
        table.data.set(read(`embedding/${table.name}`, [table.rows, table.dim]));
      }
    }
    if (listed.size > 0) throw damaged(`weight "${[...listed.keys()][0]}" belongs to no block`);
    const manifest = await saveModel(options.out, {
      model,
      project,
      fields,
      encoders: doc.encoders,
      targetEncoders: doc.targetEncoders,
      metrics: doc.metrics,
      rows: doc.rows,
      epochs: doc.epochs,
      bestEpoch: doc.bestEpoch,
      backend: doc.backend,
    });
    return {
      out: path.resolve(options.out),
      files: ['manifest.json', 'model.json', 'weights.bin'],
      manifest: {
        name: project.name,
        tasks: project.data.tasks.map((t) => ({ name: t.name, type: t.type })),
        metrics: manifest.metrics,
        rows: manifest.rows,
        epochs: manifest.epochs,
        bestEpoch: manifest.bestEpoch,
        backend: manifest.backend,
        createdAt: manifest.createdAt,
      },
    };
  } finally {
    model.dispose();
  }
}
