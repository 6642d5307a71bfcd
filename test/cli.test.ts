// The htlnet command line, run in-process: its commands, its --json contract and its errors.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv } from '../src-main/host/data';
import type { ProjectFile } from '../src-main/shared/project';
import { lastJson, runCli } from './helpers/cli';

let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-cli-'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const run = runCli;

describe('htlnet', () => {
  it('sample writes the built-in funnel sample', async () => {
    const file = path.join(dir, 'sample.csv');
    const r = await run('sample', '--out', file, '--rows', '3000', '--seed', '5', '--json');
    expect(r.code).toBe(0);
    const header = (await fs.readFile(file, 'utf8')).split('\n')[0].split(',');
    expect(header.slice(-3)).toEqual(['click', 'purchase', 'amount']);
    expect(lastJson(r.stdout).rows).toBe(3000);
  });

  it('train --json prints the documented object and saves a model; eval and predict use it', async () => {
    const data = path.join(dir, 'sample.csv');
    const modelDir = path.join(dir, 'model');
    const r = await run(
      'train',
      '--data',
      data,
      '--tasks',
      'click:binary,purchase:binary,amount:regression',
      '--model',
      'htlnet',
      '--epochs',
      '2',
      '--batch',
      '256',
      '--seed',
      '3',
      '--out',
      modelDir,
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout);
    expect(Object.keys(result.tasks)).toEqual(['click', 'purchase', 'amount']);
    expect(Object.keys(result.tasks.click).sort()).toEqual(['auc', 'logloss']);
    expect(Object.keys(result.tasks.amount).sort()).toEqual([
      'gini',
      'mae',
      'nmae',
      'nrmse',
      'r2',
      'rmse',
      'spearman',
      'totalRatio',
    ]);
    // The additions keep the existing keys' meaning: R^2 = 1 - NRMSE^2.
    const amount = result.tasks.amount;
    expect(amount.r2).toBeCloseTo(1 - amount.nrmse ** 2, 10);
    expect(amount.totalRatio).toBeGreaterThan(0);
    expect(result.rows).toEqual({ train: 2400, validation: 300, test: 300 });
    expect(result.epochs).toBe(2);
    expect(result.bestEpoch).toBeGreaterThanOrEqual(1);
    expect(result.trainSamplesPerSecond).toBeGreaterThan(0);
    expect(['wasm', 'tensorflow']).toContain(result.backend);

    const e = await run('eval', '--model', modelDir, '--data', data, '--json');
    expect(e.code).toBe(0);
    expect(lastJson(e.stdout).rows).toBe(3000);
    expect(lastJson(e.stdout).tasks.click.auc).toBeGreaterThan(0.5);

    const out = path.join(dir, 'pred.csv');
    const p = await run('predict', '--model', modelDir, '--data', data, '--out', out);
    expect(p.code).toBe(0);
    const lines = (await fs.readFile(out, 'utf8')).trim().split('\n');
    // The input's columns come first (by default all of them), then the predictions.
    const inputHeader = (await fs.readFile(data, 'utf8')).split('\n')[0];
    expect(lines[0]).toBe(
      `${inputHeader},click_probability,purchase_probability,amount_prediction`,
    );
    expect(lines).toHaveLength(3001);
    const none = await run(
      'predict',
      '--model',
      modelDir,
      '--data',
      data,
      '--out',
      out,
      '--keep',
      'none',
    );
    expect(none.code).toBe(0);
    const only = (await fs.readFile(out, 'utf8')).trim().split('\n');
    expect(only[0]).toBe('click_probability,purchase_probability,amount_prediction');
    expect(only).toHaveLength(3001);
  });

  it('train sets the learning-rate schedule and weight decay from flags, checked by the catalog', async () => {
    const data = path.join(dir, 'sample.csv');
    const modelDir = path.join(dir, 'model-schedule');
    const flags = ['--data', data, '--tasks', 'click:binary,purchase:binary,amount:regression'];
    const r = await run(
      'train',
      ...flags,
      '--epochs',
      '1',
      '--batch',
      '512',
      '--schedule',
      'cosine',
      '--warmup',
      '0.5',
      '--cosine-floor',
      '0.1',
      '--weight-decay',
      '0.01',
      '--embedding-weight-decay',
      '0.001',
      '--out',
      modelDir,
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const manifest = JSON.parse(await fs.readFile(path.join(modelDir, 'manifest.json'), 'utf8'));
    const optimizer = (manifest.project as ProjectFile).graph.blocks.find(
      (b) => b.type === 'optimizer',
    )!;
    expect(optimizer.params).toMatchObject({
      schedule: 'cosine',
      warmupEpochs: 0.5,
      cosineFloor: 0.1,
      weightDecay: 0.01,
      embeddingWeightDecay: 0.001,
    });

    const bad = await run('train', ...flags, '--schedule', 'linear');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim()).toBe(
      'htlnet: --schedule (Learning-rate schedule) must be one of "constant", "step", "cosine", got "linear".',
    );
    const negative = await run('train', ...flags, '--warmup=-1');
    expect(negative.code).not.toBe(0);
    expect(negative.stderr).toMatch(/--warmup \(Warm-up \(epochs\)\) must be a number .*got -1/);
    const word = await run('train', ...flags, '--decay-every', 'two');
    expect(word.stderr).toMatch(/--decay-every \(Step every \(epochs\)\) must be a whole number/);
  });

  it('binds a file as the app does: the saved binding is the wizard suggestion', async () => {
    // The model trained above from --tasks alone; the app's import of the same file suggests
    // the same tasks and the same feature kinds (ids such as user_id as categories).
    const data = path.join(dir, 'sample.csv');
    const manifest = JSON.parse(
      await fs.readFile(path.join(dir, 'model', 'manifest.json'), 'utf8'),
    ) as { project: ProjectFile };
    const suggested = (await importCsv(data)).suggested;
    expect(manifest.project.data.tasks).toEqual(suggested.tasks);
    expect(manifest.project.data.features).toEqual(suggested.features);
    expect(manifest.project.data.excluded).toEqual(suggested.excluded);
    const kinds = new Map(suggested.features.map((f) => [f.column, f.kind]));
    expect([kinds.get('user_id'), kinds.get('price'), kinds.get('hour')]).toEqual([
      'categorical',
      'numeric',
      'categorical',
    ]);
  });

  it('trains a baseline from --model and honours --features, --exclude and --split time', async () => {
    const data = path.join(dir, 'sample.csv');
    const r = await run(
      'train',
      '--data',
      data,
      '--tasks',
      'click:binary,purchase:binary,amount:regression',
      '--model',
      'mmoe',
      '--epochs',
      '1',
      '--exclude',
      'user_id,item_id',
      '--split',
      'time:day',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout).rows.train).toBeGreaterThan(0);
  });

  it('prints a results table without --json', async () => {
    const r = await run(
      'train',
      '--data',
      path.join(dir, 'sample.csv'),
      '--tasks',
      'click:binary,amount:regression',
      '--exclude',
      'purchase',
      '--epochs',
      '1',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/test split \(\d+ rows\)/);
    expect(r.stdout).toMatch(/click\s+auc\s+0\.\d{4}/);
    expect(r.stdout).toMatch(/amount\s+nrmse/);
  });

  it('trains a saved project file on a gzip CSV and reads dates for a time split', async () => {
    const lines = (await fs.readFile(path.join(dir, 'sample.csv'), 'utf8')).trim().split('\n');
    // Replace the integer day column by ISO dates to check that a time split reads them.
    const header = lines[0].split(',');
    const day = header.indexOf('day');
    const dated = lines.map((line, i) => {
      if (i === 0) return line;
      const cells = line.split(',');
      cells[day] = `2026-03-${String(Number(cells[day]) + 1).padStart(2, '0')}`;
      return cells.join(',');
    });
    const gz = path.join(dir, 'dated.csv.gz');
    await fs.writeFile(gz, gzipSync(dated.join('\n') + '\n'));
    const r = await run(
      'train',
      '--data',
      gz,
      '--project',
      'resources/templates/esmm.htlnet.json',
      '--epochs',
      '1',
      '--split',
      'time:day',
      '--json',
    );
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout);
    expect(result.model).toBe('project');
    expect(result.rows).toEqual({ train: 2400, validation: 300, test: 300 });
    expect(Object.keys(result.tasks)).toEqual(['click', 'purchase', 'amount']);
  });

  it('refuses a project whose heads do not match the tasks, naming the head', async () => {
    const r = await run(
      'train',
      '--data',
      path.join(dir, 'sample.csv'),
      '--project',
      'resources/templates/htlnet.htlnet.json',
      '--tasks',
      'click:binary,amount:regression',
      '--epochs',
      '1',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /Purchase head predicts "purchase", which is not a task of the data binding/,
    );
  });

  it('sample creates missing folders, and a path it cannot write is one readable line', async () => {
    const nested = path.join(dir, 'a', 'b', 'sample.csv');
    expect((await run('sample', '--out', nested, '--rows', '10')).code).toBe(0);
    expect((await fs.readFile(nested, 'utf8')).trim().split('\n')).toHaveLength(11);
    // A file where a folder should be.
    const r = await run('sample', '--out', path.join(nested, 'inside.csv'), '--rows', '10');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^htlnet: Cannot create the folder for .*inside\.csv/);
  });

  it('lists the templates', async () => {
    const r = await run('templates', '--json');
    expect(lastJson(r.stdout).map((t: { kind: string }) => t.kind)).toEqual([
      'htlnet',
      'dnn',
      'shared-bottom',
      'mmoe',
      'ple',
      'esmm',
      'aitm',
    ]);
  });

  it('fails with one readable line and a non-zero exit, a stack trace only with --verbose', async () => {
    const bad = path.join(dir, 'ragged.csv');
    await fs.writeFile(bad, 'a,b,click\n1,2,0\n3,4\n');
    const r = await run('train', '--data', bad, '--tasks', 'click:binary');
    expect(r.code).not.toBe(0);
    // Progress lines may come first; the error is one line, and there is no stack trace.
    const errors = r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('htlnet:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/ragged\.csv, line 3: has 2 fields, expected 3/);
    expect(r.stderr).not.toMatch(/^\s+at /m);

    const v = await run('train', '--data', bad, '--tasks', 'click:binary', '--verbose');
    expect(v.stderr).toMatch(/^\s+at /m);

    const t = await run('train', '--data', path.join(dir, 'sample.csv'), '--tasks', 'click:binry');
    expect(t.code).not.toBe(0);
    expect(t.stderr).toMatch(/NAME:binary or NAME:regression/);

    const m = await run(
      'train',
      '--data',
      path.join(dir, 'missing.csv'),
      '--tasks',
      'click:binary',
      '--json',
    );
    expect(m.code).not.toBe(0);
    expect(m.stderr.trim().split('\n')).toHaveLength(1);
    expect(m.stderr).toMatch(/missing\.csv: no such file/);

    const u = await run('frobnicate');
    expect(u.code).not.toBe(0);
    expect(u.stderr).toMatch(/Unknown command "frobnicate"/);

    const o = await run('train', '--bogus');
    expect(o.code).not.toBe(0);
    expect(o.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('htlnet export --format torch and import --torch', () => {
  it('writes the PyTorch package for a project file', async () => {
    const project = path.resolve(import.meta.dirname, '../resources/templates/htlnet.htlnet.json');
    const out = path.join(dir, 'torch-job');
    const r = await run(
      'export',
      '--project',
      project,
      '--format',
      'torch',
      '--out',
      out,
      '--json',
    );
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout);
    expect(result.format).toBe('torch');
    expect(result.files).toEqual(expect.arrayContaining(['train.py', 'model.py', 'project.json']));
    await expect(fs.stat(path.join(out, 'train.py'))).resolves.toBeTruthy();
  });

  it('refuses a torch export from --model, and an import from a folder that is not a run', async () => {
    const wrong = await run('export', '--model', dir, '--format', 'torch', '--out', 'x');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/exports from --project/);
    const notRun = await run('import', '--torch', dir, '--out', path.join(dir, 'imported'));
    expect(notRun.code).toBe(1);
    expect(notRun.stderr.trim().split('\n')).toHaveLength(1);
    const missing = await run('import', '--out', path.join(dir, 'imported'));
    expect(missing.stderr).toMatch(/Missing --torch/);
  });
});
