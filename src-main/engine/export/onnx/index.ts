// ONNX export of a trained model, for serving: the network as an ONNX graph (opset 17) whose
// inputs are the encoded features and whose outputs are the tasks' predictions as predictTable
// reports them, plus a preprocessing spec (vocabularies, buckets, scalers, missing values) so
// a service in any language can encode raw rows.
//
//   buildOnnx(model, manifest)      in memory: the ONNX bytes and the spec
//   exportOnnx(modelDir, outFile)   from a saved model folder to FILE.onnx and
//                                   FILE.preprocessing.json beside it (the CLI's
//                                   `htlnet export --format onnx` and the app's Export menu)

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../backend';
import { UserError } from '../../errors';
import type { HtlnetModel } from '../../model/model';
import { datasetFields, fieldKey } from '../../model/plan';
import { APP_VERSION } from '../../version';
import { loadModel, type ModelManifest } from '../saved-model';
import { fsyncPath, tempPathFor } from '../outputs';
import { OnnxGraphBuilder } from './graph';
import { lowerModel, type FieldInput } from './lower';
import {
  inputSpec,
  outputSpec,
  PREPROCESSING_FORMAT,
  PREPROCESSING_VERSION,
  RAW_VALUE_RULES,
  type InputSpec,
  type OutputSpec,
  type PreprocessingSpec,
} from './preprocessing';
import { DataType, encodeModel, ONNX_IR_VERSION, ONNX_OPSET } from './schema';
import { readWeights } from './weights';

export { ONNX_IR_VERSION, ONNX_OPSET, decodeModel } from './schema';
export { encodeRawRows, type PreprocessingSpec } from './preprocessing';

/** Metadata key of the ONNX model holding the preprocessing spec (the same JSON as the file). */
export const PREPROCESSING_METADATA_KEY = 'htlnet.preprocessing';

interface OnnxTensorInfo {
  name: string;
  dtype: 'int64' | 'float32';
  shape: ['N'];
}

interface BuiltOnnx {
  bytes: Uint8Array;
  preprocessing: PreprocessingSpec;
  inputs: OnnxTensorInfo[];
  outputs: (OnnxTensorInfo & { task: string; type: 'binary' | 'regression' })[];
  nodes: number;
  initializers: number;
}

export interface OnnxExportResult {
  format: 'onnx';
  /** Absolute paths. */
  model: string;
  out: string;
  preprocessing: string;
  opset: number;
  irVersion: number;
  inputs: OnnxTensorInfo[];
  outputs: BuiltOnnx['outputs'];
  nodes: number;
  initializers: number;
  bytes: number;
}

/** Picks names from `wanted`, adding a suffix where one is taken. */
function uniqueNames(wanted: string[], taken: Set<string>, suffix: string): string[] {
  return wanted.map((w) => {
    let name = w;
    for (let i = 2; taken.has(name); i++) name = i === 2 ? `${w}${suffix}` : `${w}${suffix}${i}`;
    taken.add(name);
    return name;
  });
}

/** The ONNX model and preprocessing spec of a compiled model and its manifest. */
function buildOnnx(
  model: HtlnetModel,
  manifest: ModelManifest,
  options: { modelFileName?: string } = {},
): BuiltOnnx {
  const { plan } = model;
  const fields = datasetFields(plan);
  // The manifest's encoders are fitted per dataset field, in this order (prepareRun).
  const encoderOf = new Map(manifest.encoders.map((e) => [e.column, e]));
  const encoderAt = (i: number) =>
    manifest.encoders[i]?.column === fields[i].column
      ? manifest.encoders[i]
      : encoderOf.get(fields[i].column);

  // Inputs are named after the feature columns, outputs after the tasks.
  const taken = new Set<string>();
  const inputNames = uniqueNames(
    fields.map((f) => f.column),
    taken,
    '_input',
  );
  const outputNames = uniqueNames(
    plan.tasks.map((t) => t.name),
    taken,
    '_output',
  );

  const inputs: InputSpec[] = fields.map((f, i) => {
    const enc = encoderAt(i);
    if (!enc) throw new UserError(`The model has no encoder for column "${f.column}".`);
    return inputSpec(inputNames[i], enc);
  });
  const outputs: OutputSpec[] = plan.tasks.map((task, t) => {
    const target = manifest.targetEncoders[t];
    if (!target || target.task !== task.name)
      throw new UserError(`The model manifest has no target encoder for task "${task.name}".`);
    return outputSpec(outputNames[t], target);
  });

  const g = new OnnxGraphBuilder(taken);
  const fieldInputs = new Map<string, FieldInput>();
  fields.forEach((f, i) => {
    const spec = inputs[i];
    const lookup = spec.encoding !== 'signed-log1p-standardised';
    const doc = lookup
      ? `${spec.encoding} index of column ${f.column} (0 to ${spec.cardinality - 1})`
      : `standardised signed log1p of column ${f.column}`;
    g.input(spec.name, lookup ? DataType.INT64 : DataType.FLOAT, [], doc);
    fieldInputs.set(fieldKey(f), { name: spec.name, kind: lookup ? 'lookup' : 'linear' });
  });

  const lowered = lowerModel(g, plan, readWeights(model), fieldInputs, manifest.targetEncoders);
  lowered.forEach((task, t) =>
    g.output(outputs[t].name, task.tensor, DataType.FLOAT, [], outputs[t].meaning),
  );

  const modelFileName = options.modelFileName ?? 'model.onnx';
  const preprocessing: PreprocessingSpec = {
    format: PREPROCESSING_FORMAT,
    version: PREPROCESSING_VERSION,
    model: modelFileName,
    project: manifest.project.name,
    producer: `HTLNet Studio ${APP_VERSION}`,
    createdAt: new Date().toISOString(),
    onnx: { opset: ONNX_OPSET, irVersion: ONNX_IR_VERSION, batchDimension: 'N' },
    usage:
      'Feed every input as a tensor of shape [N] (one value per row; [N, 1] is not accepted): ' +
      'int64 indices for vocabulary and buckets inputs, float32 values for signed-log1p-standardised ones, ' +
      'each computed from the raw column by its rule. Every output has shape [N] and is float32: ' +
      'probabilities for binary tasks, predictions on the raw target scale for regression tasks.',
    rawValues: RAW_VALUE_RULES,
    inputs,
    outputs,
  };

  const graph = g.build(
    manifest.project.name || 'htlnet',
    `Trained with HTLNet Studio: ${plan.tasks.map((t) => `${t.name} (${t.type})`).join(' -> ')}. ` +
      'Inputs are encoded features (see the preprocessing spec); outputs are probabilities and raw-scale predictions.',
  );
  const bytes = encodeModel({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'HTLNet Studio',
    producerVersion: APP_VERSION,
    domain: 'htlnet.studio',
    modelVersion: 1,
    docString: graph.docString,
    graph,
    metadataProps: [
      { key: PREPROCESSING_METADATA_KEY, value: JSON.stringify(preprocessing) },
      { key: 'htlnet.tasks', value: JSON.stringify(manifest.project.data.tasks) },
      { key: 'htlnet.backend', value: manifest.backend },
    ],
  });

  return {
    bytes,
    preprocessing,
    inputs: inputs.map((s) => ({ name: s.name, dtype: s.dtype, shape: ['N'] })),
    outputs: outputs.map((s) => ({
      name: s.name,
      dtype: 'float32',
      shape: ['N'],
      task: s.task,
      type: s.type,
    })),
    nodes: g.nodeCount,
    initializers: g.initializerCount,
  };
}

/** FILE.onnx -> FILE.preprocessing.json (any other name: NAME.preprocessing.json). */
export function preprocessingPathFor(outFile: string): string {
  const stem = outFile.toLowerCase().endsWith('.onnx') ? outFile.slice(0, -5) : outFile;
  return `${stem}.preprocessing.json`;
}

/** Writes a file through a temporary file renamed into place. */
async function writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = tempPathFor(file); // unique per writer; flushed before the rename
  try {
    await fs.writeFile(tmp, data);
    await fsyncPath(tmp);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw new UserError(`Cannot write ${file}: ${(e as Error).message}`, { file });
  }
}

/** Exports the saved model folder `modelDir` to `outFile` (ONNX) and its preprocessing spec. */
export async function exportOnnx(modelDir: string, outFile: string): Promise<OnnxExportResult> {
  const out = path.resolve(outFile);
  const isFolder = await fs
    .stat(out)
    .then((s) => s.isDirectory())
    .catch(() => false);
  if (isFolder)
    throw new UserError(`${outFile} is a folder; give the ONNX file's name (e.g. model.onnx).`, {
      file: outFile,
    });
  await initBackend();
  const { model, manifest } = await loadModel(modelDir);
  try {
    const built = buildOnnx(model, manifest, { modelFileName: path.basename(out) });
    const preprocessing = preprocessingPathFor(out);
    await fs.mkdir(path.dirname(out), { recursive: true });
    await writeAtomic(out, built.bytes);
    await writeAtomic(preprocessing, JSON.stringify(built.preprocessing, null, 2) + '\n');
    return {
      format: 'onnx',
      model: path.resolve(modelDir),
      out,
      preprocessing,
      opset: ONNX_OPSET,
      irVersion: ONNX_IR_VERSION,
      inputs: built.inputs,
      outputs: built.outputs,
      nodes: built.nodes,
      initializers: built.initializers,
      bytes: built.bytes.length,
    };
  } finally {
    model.dispose();
  }
}
