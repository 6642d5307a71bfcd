// A trained model as a folder:
//   model.json     tfjs model artifacts: the block graph as topology + the weights manifest
//   weights.bin    every weight, float32, in the manifest's order (tf.io.encodeWeights)
//   manifest.json  everything needed to score raw CSV rows: the project, the encoders
//                  (vocabularies, buckets, scalers), target transforms, test metrics, backend,
//                  versions.
// Writes go to a temporary folder renamed into place, so a failed save never leaves half a model.

import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ProjectFile } from '../../shared/project';
import type { FieldEncoder, FieldSpec, TargetEncoder } from '../data/types';
import { UserError } from '../errors';
import { HtlnetModel } from '../model/model';
import { withLegacyObjectives } from '../model/objective';
import { planModel } from '../model/plan';
import type { TaskMetrics } from '../train/evaluate';
import { APP_VERSION } from '../version';

export const MODEL_FORMAT = 'htlnet-studio-model';
export const MANIFEST_VERSION = 1;

/** What a trained run records about itself (everything in the manifest but file bookkeeping). */
export interface RunRecord {
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

  const target = path.resolve(dir);
  const parent = path.dirname(target);
  await fs.mkdir(parent, { recursive: true });
  const tmp = await fs.mkdtemp(path.join(parent, `.${path.basename(target)}.tmp-`));
  try {
    await fs.writeFile(path.join(tmp, 'model.json'), JSON.stringify(modelJson, null, 2) + '\n');
    await fs.writeFile(path.join(tmp, 'weights.bin'), new Uint8Array(data as ArrayBuffer));
    await fs.writeFile(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    await replaceDirectory(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return manifest;
}

/** Moves `from` to `to`, replacing an existing model folder only once the new one is complete. */
async function replaceDirectory(from: string, to: string): Promise<void> {
  const exists = await fs
    .stat(to)
    .then((s) => s.isDirectory())
    .catch(() => false);
  if (!exists) {
    await fs.rename(from, to);
    return;
  }
  const entries = await fs.readdir(to);
  const ours = entries.every((e) => ['model.json', 'weights.bin', 'manifest.json'].includes(e));
  if (!ours) {
    throw new UserError(
      `${to} exists and is not an HTLNet Studio model folder; choose another --out so nothing is overwritten.`,
      { file: to },
    );
  }
  const old = `${to}.old-${process.pid}`;
  await fs.rename(to, old);
  await fs.rename(from, to);
  await fs.rm(old, { recursive: true, force: true });
}

export interface LoadedModel {
  model: HtlnetModel;
  manifest: ModelManifest;
}

export async function loadModel(dir: string): Promise<LoadedModel> {
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
  const specs = modelJson.weightsManifest.flatMap((g) => g.weights);
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
        table.data.set(t.dataSync() as Float32Array);
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
