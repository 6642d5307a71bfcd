// `htlnet export --format onnx`, run in-process like test/cli.test.ts: its --json contract, the
// files it writes, agreement with `htlnet predict`, and its one-line errors.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJson, runCli } from '../../helpers/cli';
import { encodeRawRows, type PreprocessingSpec } from '../../../src-main/engine/export/onnx';

let dir: string;
let data: string;
let modelDir: string;

const run = runCli;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-onnx-cli-'));
  data = path.join(dir, 'sample.csv');
  modelDir = path.join(dir, 'model');
  expect((await run('sample', '--out', data, '--rows', '3000', '--seed', '8')).code).toBe(0);
  const trained = await run(
    'train',
    '--data',
    data,
    '--tasks',
    'click:binary,purchase:binary,amount:regression',
    '--model',
    'htlnet',
    '--epochs',
    '1',
    '--batch',
    '256',
    '--out',
    modelDir,
    '--json',
  );
  expect(trained.stderr).toBe('');
  expect(trained.code).toBe(0);
});

afterAll(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('htlnet export --format onnx', () => {
  it('--json prints the export on the last line and writes the model and its preprocessing spec', async () => {
    const out = path.join(dir, 'exported', 'htlnet.onnx');
    const r = await run('export', '--model', modelDir, '--format', 'onnx', '--out', out, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout);
    expect(result.format).toBe('onnx');
    expect(result.out).toBe(out);
    expect(result.model).toBe(path.resolve(modelDir));
    expect(result.preprocessing).toBe(path.join(dir, 'exported', 'htlnet.preprocessing.json'));
    expect(result.opset).toBe(17);
    expect(result.irVersion).toBe(8);
    expect(result.outputs.map((o: { name: string }) => o.name)).toEqual([
      'click',
      'purchase',
      'amount',
    ]);
    expect(result.inputs.length).toBeGreaterThan(10);
    expect((await fs.stat(out)).size).toBe(result.bytes);

    // Its predictions are `htlnet predict`'s (which writes 7 significant digits).
    const predictions = path.join(dir, 'pred.csv');
    expect(
      (
        await run(
          'predict',
          '--model',
          modelDir,
          '--data',
          data,
          '--out',
          predictions,
          '--keep',
          'none',
        )
      ).code,
    ).toBe(0);
    const [head, ...lines] = (await fs.readFile(predictions, 'utf8')).trim().split('\n');
    expect(head).toBe('click_probability,purchase_probability,amount_prediction');
    const expected = lines.map((l) => l.split(',').map(Number));

    const spec = JSON.parse(await fs.readFile(result.preprocessing, 'utf8')) as PreprocessingSpec;
    const [csvHead, ...csvLines] = (await fs.readFile(data, 'utf8')).trim().split('\n');
    const columns = csvHead.split(',');
    const rows = csvLines.map((l) => {
      const cells = l.split(',');
      return Object.fromEntries(columns.map((c, i) => [c, cells[i]]));
    });
    const encoded = encodeRawRows(spec, rows);
    const feeds = Object.fromEntries(
      spec.inputs.map((i) => {
        const v = encoded[i.name];
        return [
          i.name,
          v instanceof BigInt64Array
            ? new ort.Tensor('int64', v, [rows.length])
            : new ort.Tensor('float32', v, [rows.length]),
        ];
      }),
    );
    const session = await ort.InferenceSession.create(out, { intraOpNumThreads: 1 });
    const outputs = await session.run(feeds);
    await session.release();
    spec.outputs.forEach((o, t) => {
      const got = outputs[o.name].data as Float32Array;
      expect(got).toHaveLength(expected.length);
      for (let i = 0; i < got.length; i++) {
        const want = expected[i][t];
        expect(Math.abs(got[i] - want)).toBeLessThanOrEqual(1e-5 * Math.max(Math.abs(want), 1));
      }
    });
  });

  it('prints a readable summary without --json', async () => {
    const out = path.join(dir, 'plain.onnx');
    const r = await run('export', '--model', modelDir, '--format', 'onnx', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote the ONNX model (opset 17`);
    expect(r.stdout).toContain(path.join(dir, 'plain.preprocessing.json'));
  });

  it('fails with one line for a folder that is not a model', async () => {
    const r = await run(
      'export',
      '--model',
      dir,
      '--format',
      'onnx',
      '--out',
      path.join(dir, 'x.onnx'),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toBe(
      `htlnet: ${dir} is not a saved HTLNet Studio model: manifest.json is missing.\n`,
    );
  });

  it('lists the supported formats for an unknown or missing --format', async () => {
    const unknown = await run('export', '--model', modelDir, '--format', 'tflite', '--out', 'x');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('htlnet: --format must be one of onnx, torch; got "tflite".\n');
    const missing = await run('export', '--model', modelDir, '--out', 'x');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'htlnet: Missing --format (one of onnx, torch). Run htlnet --help.\n',
    );
  });

  it('asks for --model and --out, and refuses --project for onnx', async () => {
    const noModel = await run('export', '--format', 'onnx', '--out', 'x.onnx');
    expect(noModel.stderr).toBe('htlnet: Missing --model. Run htlnet --help.\n');
    const noOut = await run('export', '--format', 'onnx', '--model', modelDir);
    expect(noOut.stderr).toBe('htlnet: Missing --out. Run htlnet --help.\n');
    const project = await run('export', '--format', 'onnx', '--project', 'p.json', '--out', 'x');
    expect(project.code).toBe(1);
    expect(project.stderr).toBe('htlnet: --format onnx exports from --model, not --project.\n');
  });

  it('is listed in --help', async () => {
    const r = await run('--help');
    expect(r.stdout).toContain('htlnet export --model DIR --format onnx --out FILE.onnx');
  });
});
