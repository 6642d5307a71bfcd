// `htlnet export` and `htlnet import`: a saved model to ONNX (with its preprocessing spec), a
// project to a PyTorch training package, and a model that package trained back into the app.
// Each export format names what it reads (--model or --project) in EXPORT_FORMATS.

import { promises as fs } from 'node:fs';
import { initBackend } from '../engine/backend';
import { UserError } from '../engine/errors';
import { exportOnnx, preprocessingPathFor } from '../engine/export/onnx';
import { checkOutputFile } from '../engine/export/outputs';
import { exportTorchJob, importTorchModel } from '../engine/export/torch';
import { json, required, type Flags } from './kit';

/** One export format: what it reads (a saved --model folder, or a --project file) and how. */
interface ExportFormat {
  source: 'model' | 'project';
  run: (input: string, out: string) => Promise<{ out: string } & Record<string, unknown>>;
  describe: (result: Record<string, unknown>) => string;
}

const EXPORT_FORMATS: Record<string, ExportFormat> = {
  onnx: {
    source: 'model',
    run: async (modelDir, out) => ({ ...(await exportOnnx(modelDir, out)) }),
    describe: (r) =>
      `wrote the ONNX model (opset ${String(r.opset)}, ${String(r.nodes)} nodes) to ${String(r.out)}\n` +
      `wrote how to encode its inputs to ${String(r.preprocessing)}`,
  },
  torch: {
    source: 'project',
    run: async (project, out) => ({ ...(await exportTorchJob({ project, out })) }),
    describe: (r) =>
      `wrote the PyTorch training package to ${String(r.out)} (${(r.files as string[]).length} files)\n` +
      `run it with: python3 train.py --data FILES  (or: torchrun --nproc_per_node N train.py --data FILES)`,
  },
};

export async function importModel(flags: Flags): Promise<number> {
  const dir = required(flags, 'torch');
  const out = required(flags, 'out');
  await initBackend();
  const result = await importTorchModel({ dir, out });
  if (flags.json) process.stdout.write(json({ format: 'torch', ...result }) + '\n');
  else {
    process.stdout.write(
      `imported the PyTorch model from ${dir} as an app model in ${result.out}\n`,
    );
  }
  return 0;
}

export async function exportModel(flags: Flags): Promise<number> {
  const formats = Object.keys(EXPORT_FORMATS);
  const name = flags.format;
  if (typeof name !== 'string' || name === '')
    throw new UserError(`Missing --format (one of ${formats.join(', ')}). Run htlnet --help.`);
  const format = Object.hasOwn(EXPORT_FORMATS, name) ? EXPORT_FORMATS[name] : undefined;
  if (!format) throw new UserError(`--format must be one of ${formats.join(', ')}; got "${name}".`);
  const other = format.source === 'model' ? 'project' : 'model';
  if (typeof flags[other] === 'string')
    throw new UserError(`--format ${name} exports from --${format.source}, not --${other}.`);
  const input = required(flags, format.source);
  const out = required(flags, 'out');
  if (name === 'onnx') {
    // Never over the model, inside it, or over a file that is not an earlier ONNX export.
    await checkOutputFile(out, {
      inputs: [input],
      replace: Boolean(flags.force),
      ours: (file) =>
        fs.stat(preprocessingPathFor(file)).then(
          (s) => s.isFile(),
          () => false,
        ),
      allowWith: 'Use --force to replace it.',
    });
  }
  const result = await format.run(input, out);
  if (flags.json) process.stdout.write(json({ format: name, ...result }) + '\n');
  else process.stdout.write(format.describe(result) + '\n');
  return 0;
}
