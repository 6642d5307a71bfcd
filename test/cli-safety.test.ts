// The htlnet command line never destroys what it did not write: predict and train refuse an
// output that is an input, inside a model folder, or a foreign file (naming the file and the
// flag that allows replacing it), before any work; predictions keep the chosen input columns;
// a stray cell in a numeric column is reported in one line; flag limits hold.

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJson, runCli } from './helpers/cli';

let dir: string;
let data: string;
let model: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-cli-safety-'));
  const sample = path.join(dir, 'sample.csv');
  expect((await runCli('sample', '--out', sample, '--rows', '1500')).code).toBe(0);
  // One stray cell in the numeric "price" column.
  const lines = (await fs.readFile(sample, 'utf8')).split('\n');
  const header = lines[0].split(',');
  const price = header.indexOf('price');
  const cells = lines[5].split(',');
  cells[price] = '4e';
  lines[5] = cells.join(',');
  data = path.join(dir, 'data.csv');
  await fs.writeFile(data, lines.join('\n'));
  model = path.join(dir, 'model');
  const r = await runCli(
    'train',
    '--data',
    data,
    '--tasks',
    'click:binary,purchase:binary,amount:regression',
    '--epochs',
    '1',
    '--batch',
    '256',
    '--out',
    model,
  );
  expect(r.code).toBe(0);
  expect(r.stderr).toContain(
    'column "price": 1 cell is not a number and counts as missing (first: line 6, "4e")',
  );
}, 120_000);

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const predict = (out: string, ...extra: string[]) =>
  runCli('predict', '--model', model, '--data', data, '--out', out, ...extra);

describe('htlnet predict', () => {
  it('refuses to write over its input', async () => {
    const before = await fs.readFile(data, 'utf8');
    const r = await predict(data);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/data\.csv is also an input of this job/);
    expect(await fs.readFile(data, 'utf8')).toBe(before);
  });

  it('refuses to write inside the model folder', async () => {
    const r = await predict(path.join(model, 'weights.bin'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/weights\.bin is inside .*model/);
    const e = await runCli('eval', '--model', model, '--data', data, '--json');
    expect(e.code).toBe(0);
  });

  it('refuses a foreign file naming --force, and replaces it with --force', async () => {
    const notes = path.join(dir, 'notes.csv');
    await fs.writeFile(notes, 'my,own\n1,2\n');
    const r = await predict(notes);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/notes\.csv already exists .* Use --force to replace it\./);
    expect(await fs.readFile(notes, 'utf8')).toBe('my,own\n1,2\n');
    const forced = await predict(notes, '--force', '--keep', 'user_id,price', '--json');
    expect(forced.code).toBe(0);
    expect(lastJson(forced.stdout).keptColumns).toEqual(['user_id', 'price']);
    const lines = (await fs.readFile(notes, 'utf8')).split('\n');
    expect(lines[0]).toBe('user_id,price,click_probability,purchase_probability,amount_prediction');
    // The stray cell is kept as it was written.
    expect(lines[5].split(',')[1]).toBe('4e');
    // Its own predictions file is replaced without --force; the stray cell is reported.
    const again = await predict(notes, '--keep', 'none');
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('column "price": 1 cell is not a number');
  });

  it('refuses a column to keep that the file does not have, and a folder as output', async () => {
    const r = await predict(path.join(dir, 'p.csv'), '--keep', 'nope');
    expect(r.stderr).toMatch(/has no column "nope" to keep/);
    const f = await predict(dir);
    expect(f.stderr).toMatch(/is a folder; give a file name/);
  });
});

describe('htlnet train --out', () => {
  const train = (...extra: string[]) =>
    runCli(
      'train',
      '--data',
      data,
      '--tasks',
      'click:binary,purchase:binary,amount:regression',
      '--epochs',
      '1',
      ...extra,
    );

  it('refuses a folder that is not a model before training', async () => {
    const foreign = path.join(dir, 'photos');
    await fs.mkdir(foreign);
    await fs.writeFile(path.join(foreign, 'a.jpg'), 'x');
    const r = await train('--out', foreign);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not an HTLNet Studio model folder/);
    expect(r.stderr).not.toMatch(/training /);
    const input = await train('--out', data);
    expect(input.stderr).toMatch(/--out .*data\.csv is also an input/);
  });

  it('holds the batch flag to a value that works', async () => {
    const r = await train('--batch', '1048576');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--batch must be a whole number from 1 to 131072/);
  });
});

describe('htlnet export --format onnx', () => {
  it('refuses a foreign file and a path inside the model, replaces its own export', async () => {
    const foreign = path.join(dir, 'thesis.onnx');
    await fs.writeFile(foreign, 'my own');
    const r = await runCli('export', '--model', model, '--format', 'onnx', '--out', foreign);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/thesis\.onnx already exists .* Use --force to replace it\./);
    expect(await fs.readFile(foreign, 'utf8')).toBe('my own');
    const inside = await runCli(
      'export',
      '--model',
      model,
      '--format',
      'onnx',
      '--out',
      path.join(model, 'm.onnx'),
    );
    expect(inside.stderr).toMatch(/is inside/);
    const out = path.join(dir, 'm.onnx');
    expect((await runCli('export', '--model', model, '--format', 'onnx', '--out', out)).code).toBe(
      0,
    );
    expect((await runCli('export', '--model', model, '--format', 'onnx', '--out', out)).code).toBe(
      0,
    );
  });
});
