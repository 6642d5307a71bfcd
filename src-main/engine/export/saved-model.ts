// A trained model as a folder:
//   model.json     tfjs model artifacts: the block graph as topology + the weights manifest
//   weights.bin    every weight, float32, in the manifest's order (tf.io.encodeWeights)
//   manifest.json  everything needed to score raw CSV rows: the project, the encoders
//                  (vocabularies, buckets, scalers), target transforms, test metrics, backend,
//                  versions.
// Writes go to a temporary folder (every file flushed to disk) renamed into place, so a failed
// save never leaves half a model; replacing a model keeps the old folder until the new one is in
// place, and an interrupted swap (a kill between the two renames) is finished or rolled back by
// the next save or load of that folder (recoverModelFolder). The manifest records each file's
// size and SHA-256, so a damaged folder is refused naming the file.

import * as tf from '@tensorflow/tfjs-core';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ProjectFile } from '../../shared/project';
import type { FieldEncoder, FieldSpec, TargetEncoder } from '../data/types';
import { UserError } from '../errors';
import { HtlnetModel } from '../model/model';
import { withLegacyObjectives } from '../model/objective';
import { planModel } from '../model/plan';
import type { TaskMetrics } from '../predict/evaluate';
import { APP_VERSION } from '../version';
import { fsyncPath, isLegacyLeftover, isOrphan, tempPathFor } from './outputs';

const MODEL_FORMAT = 'htlnet-studio-model';
const MANIFEST_VERSION = 1;

/** What a trained run records about itself (everything in the manifest but file bookkeeping). */
interface RunRecord {
  project: ProjectFile;
  fields: FieldSpec[];
  encoders: FieldEncoder[];
  targetEncoders: TargetEncoder[];
  /** Test-split metrics of the saved weights, by task name. */
  metrics: Record<string, TaskMetrics>;
  rows: { train: number; validation: number; test: number };
  epochs: number;
  bestEpoch: number;
  backend: string;
}

export interface ModelManifest extends RunRecord {
  format: typeof MODEL_FORMAT;
  version: number;
  createdAt: string;
  versions: { app: string; tfjs: string; node: string };
  /** Weights in weights.bin order: dense parameters then embedding tables. */
  weights: { name: string; shape: number[]; kind: 'dense' | 'table' }[];
  /** Size and SHA-256 (hex) of the other files (absent in models saved before checksums). */
  files?: Record<string, { size: number; sha256: string }>;
}

function fileRecord(bytes: Uint8Array): { size: number; sha256: string } {
  return { size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
}

async function writeSynced(file: string, bytes: Uint8Array | string): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface SaveInput extends RunRecord {
  model: HtlnetModel;
}

function weightTensors(
  model: HtlnetModel,
): { name: string; tensor: tf.Tensor; kind: 'dense' | 'table' }[] {
  const out: { name: string; tensor: tf.Tensor; kind: 'dense' | 'table' }[] = [];
  for (const [name, v] of model.dense) out.push({ name, tensor: v, kind: 'dense' });
  for (const emb of model.embeddings) {
    for (const t of emb.tables) {
      out.push({
        name: `embedding/${t.name}`,
        tensor: tf.tensor2d(t.data, [t.rows, t.dim]),
        kind: 'table',
      });
    }
  }
  return out;
}

export async function saveModel(dir: string, input: SaveInput): Promise<ModelManifest> {
  const tensors = weightTensors(input.model);
  const named = tensors.map((t) => ({ name: t.name, tensor: t.tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  for (const t of tensors) if (t.kind === 'table') t.tensor.dispose();
  const { model: _model, ...record } = input;
  const manifest: ModelManifest = {
    format: MODEL_FORMAT,
    version: MANIFEST_VERSION,
    createdAt: new Date().toISOString(),
    ...record,
    versions: { app: APP_VERSION, tfjs: tf.version_core, node: process.versions.node },
    weights: tensors.map((t) => ({ name: t.name, shape: t.tensor.shape, kind: t.kind })),
  };
  const modelJson = {
    format: MODEL_FORMAT,
    generatedBy: `HTLNet Studio ${APP_VERSION}`,
    convertedBy: null,
    modelTopology: {
      graph: input.project.graph,
      tasks: input.project.data.tasks,
      fields: input.fields,
    },
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };

  const modelText = JSON.stringify(modelJson, null, 2) + '\n';
  const weightsBytes = new Uint8Array(data);
  manifest.files = {
    'model.json': fileRecord(Buffer.from(modelText)),
    'weights.bin': fileRecord(weightsBytes),
  };

  const target = path.resolve(dir);
  const parent = path.dirname(target);
  await fs.mkdir(parent, { recursive: true });
  await recoverModelFolder(target);
  await checkReplaceable(target);
  const tmp = tempPathFor(target);
  await fs.mkdir(tmp);
  try {
    await writeSynced(path.join(tmp, 'model.json'), modelText);
    await writeSynced(path.join(tmp, 'weights.bin'), weightsBytes);
    // The manifest last: a staged folder with a manifest is complete (see recoverModelFolder).
    await writeSynced(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    await fsyncPath(tmp);
    await replaceDirectory(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return manifest;
}

const MODEL_FILES = ['model.json', 'weights.bin', 'manifest.json'];

/** A model folder may be replaced when it is one (or empty); anything else is refused. */
async function checkReplaceable(to: string): Promise<void> {
  const stat = await fs.stat(to).catch(() => null);
  if (!stat) return;
  if (!stat.isDirectory()) {
    throw new UserError(
      `${to} exists and is a file, not a model folder; choose another --out so nothing is overwritten.`,
      { file: to },
    );
  }
  const entries = await fs.readdir(to);
  if (!entries.every((e) => MODEL_FILES.includes(e))) {
    throw new UserError(
      `${to} exists and is not an HTLNet Studio model folder; choose another --out so nothing is overwritten.`,
      { file: to },
    );
  }
}

/** Whether `to` may be written as a model folder (checked before training, not after). */
export async function checkModelOutput(to: string): Promise<void> {
  await checkReplaceable(path.resolve(to));
}

/** Moves `from` to `to`, replacing an existing model folder only once the new one is complete. */
async function replaceDirectory(from: string, to: string): Promise<void> {
  const exists = await fs
    .stat(to)
    .then((s) => s.isDirectory())
    .catch(() => false);
  if (!exists) {
    await fs.rename(from, to);
    await fsyncPath(path.dirname(to));
    return;
  }
  await checkReplaceable(to);
  const old = `${to}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
  await fs.rename(to, old);
  try {
    await fs.rename(from, to);
  } catch (e) {
    await fs.rename(old, to); // put the old model back
    throw e;
  }
  await fsyncPath(path.dirname(to));
  await fs.rm(old, { recursive: true, force: true });
}

/**
 * Finishes or rolls back a model swap a killed writer left behind, and removes its leftovers:
 * when `dir` is missing, a complete staged folder (`.NAME.tmp-PID-*` with its manifest) takes
 * its place, else the kept old folder (`NAME.old-PID-*`) goes back. Only leftovers of writers
 * that are no longer running are touched.
 */
export async function recoverModelFolder(
  dir: string,
): Promise<'intact' | 'finished' | 'rolled back' | 'none'> {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  const names = await fs.readdir(parent).catch(() => [] as string[]);
  const ours = (n: string) => isOrphan(n) || isLegacyLeftover(n);
  const staged = names.filter((n) => n.startsWith(`.${base}.tmp-`) && ours(n));
  const olds = names.filter((n) => n.startsWith(`${base}.old-`) && ours(n));
  if (staged.length === 0 && olds.length === 0) return 'intact';
  let outcome: 'intact' | 'finished' | 'rolled back' | 'none' = 'intact';
  const exists = await fs.stat(target).then(
    () => true,
    () => false,
  );
  if (!exists) {
    const complete: { name: string; mtime: number }[] = [];
    for (const n of staged) {
      const m = await fs.stat(path.join(parent, n, 'manifest.json')).catch(() => null);
      if (m) complete.push({ name: n, mtime: m.mtimeMs });
    }
    complete.sort((a, b) => b.mtime - a.mtime);
    const oldest = olds[0];
    if (complete.length > 0) {
      await fs.rename(path.join(parent, complete[0].name), target);
      outcome = 'finished';
    } else if (oldest) {
      await fs.rename(path.join(parent, oldest), target);
      outcome = 'rolled back';
    } else outcome = 'none';
    await fsyncPath(parent);
  }
  for (const n of [...staged, ...olds]) {
    await fs.rm(path.join(parent, n), { recursive: true, force: true });
  }
  return outcome;
}

export interface LoadedModel {
  model: HtlnetModel;
  manifest: ModelManifest;
}

export async function loadModel(dir: string): Promise<LoadedModel> {
  const missing = await fs.stat(dir).then(
    () => false,
    () => true,
  );
  if (missing) await recoverModelFolder(dir);
  const read = async (name: string): Promise<Buffer> => {
    try {
      return await fs.readFile(path.join(dir, name));
    } catch {
      throw new UserError(`${dir} is not a saved HTLNet Studio model: ${name} is missing.`, {
        file: dir,
      });
    }
  };
  let manifest: ModelManifest;
  let modelJson: { weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  try {
    manifest = JSON.parse((await read('manifest.json')).toString('utf8'));
    modelJson = JSON.parse((await read('model.json')).toString('utf8'));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${dir}: the model files are not valid JSON (${(e as Error).message}).`, {
      file: dir,
    });
  }
  if (manifest.format !== MODEL_FORMAT) {
    throw new UserError(`${dir}/manifest.json is not an HTLNet Studio model manifest.`, {
      file: dir,
    });
  }
  if (manifest.version > MANIFEST_VERSION) {
    throw new UserError(
      `${dir} was saved by a newer HTLNet Studio (model format ${manifest.version}; this app reads up to ${MANIFEST_VERSION}).`,
      { file: dir },
    );
  }
  // Saved before heads had objectives: they keep the squared error they were trained with.
  manifest.project = withLegacyObjectives(manifest.project);
  const weightsBuffer = await read('weights.bin');
  if (manifest.files) {
    const files: Record<string, Buffer> = {
      'model.json': await read('model.json'),
      'weights.bin': weightsBuffer,
    };
    for (const [name, expected] of Object.entries(manifest.files)) {
      const bytes = files[name] ?? (await read(name));
      const found = fileRecord(bytes);
      if (found.size !== expected.size || found.sha256 !== expected.sha256) {
        throw new UserError(
          `${path.join(dir, name)} is damaged: ${
            found.size !== expected.size
              ? `${found.size} bytes, expected ${expected.size}`
              : 'its checksum does not match the manifest'
          }. The model folder cannot be used; export or train it again.`,
          { file: path.join(dir, name) },
        );
      }
    }
  }
  const specs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const plain = specs.every(
    (w) => (w.dtype === 'float32' || w.dtype === 'int32') && w.quantization === undefined,
  );
  const expectedBytes = specs.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (plain && weightsBuffer.length !== expectedBytes) {
    throw new UserError(
      `${path.join(dir, 'weights.bin')} is damaged: ${weightsBuffer.length} bytes, expected ${expectedBytes}. The model folder cannot be used; export or train it again.`,
      { file: path.join(dir, 'weights.bin') },
    );
  }
  const buffer = new Uint8Array(weightsBuffer).buffer; // a fresh ArrayBuffer holding exactly the file
  const tensors = tf.io.decodeWeights(buffer, specs);
  const model = new HtlnetModel(planModel(manifest.project), manifest.encoders);
  try {
    for (const [name, v] of model.dense) {
      const t = tensors[name];
      if (!t || !sameShape(t.shape, v.shape)) throw mismatch(dir, name);
      v.assign(t);
    }
    for (const emb of model.embeddings) {
      for (const table of emb.tables) {
        const t = tensors[`embedding/${table.name}`];
        if (!t || !sameShape(t.shape, [table.rows, table.dim])) throw mismatch(dir, table.name);
        table.data.set(t.dataSync());
      }
    }
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
  return { model, manifest };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function mismatch(dir: string, name: string): UserError {
  return new UserError(
    `${dir}: weight "${name}" is missing or has the wrong shape; the model folder is damaged.`,
    {
      file: dir,
    },
  );
}
