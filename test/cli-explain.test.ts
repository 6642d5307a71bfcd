// `htlnet explain`: its --json contract (the last line of stdout), its per-row contributions and
// its errors, on a generated funnel whose answer is known.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJson, runCli } from './helpers/cli';
import { knownCsv } from './helpers/explain';

let dir: string;
let data: string;
let modelDir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-explain-'));
  data = path.join(dir, 'known.csv');
  modelDir = path.join(dir, 'model');
  await fs.writeFile(data, knownCsv(4000, 21));
  const r = await runCli(
    'train',
    '--data',
    data,
    '--tasks',
    'click:binary,purchase:binary,amount:regression',
    '--epochs',
    '4',
    '--batch',
    '256',
    '--seed',
    '2',
    '--out',
    modelDir,
    '--json',
  );
  expect(r.code).toBe(0);
}, 120_000);

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('htlnet explain', () => {
  it('--json prints each task inputs, most important first, with intervals', async () => {
    const r = await runCli(
      'explain',
      '--model',
      modelDir,
      '--data',
      data,
      '--repeats',
      '3',
      '--rows',
      '1500',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout);
    expect(Object.keys(result.tasks)).toEqual(['click', 'purchase', 'amount']);
    for (const list of Object.values<Record<string, number | string>[]>(result.tasks)) {
      expect(list).toHaveLength(5);
      for (const item of list) {
        expect(Object.keys(item)).toEqual(['feature', 'importance', 'low', 'high']);
        expect(item.low).toBeLessThanOrEqual(item.importance as number);
        expect(item.high).toBeGreaterThanOrEqual(item.importance as number);
      }
      const values = list.map((i) => i.importance as number);
      expect(values).toEqual([...values].sort((a, b) => b - a));
    }
    expect(result.tasks.click[0].feature).toBe('strong');
    const clickOrder = result.tasks.click.map((i: { feature: string }) => i.feature);
    expect(clickOrder.indexOf('level')).toBeLessThan(clickOrder.indexOf('noise'));
    expect(clickOrder.indexOf('level')).toBeLessThan(clickOrder.indexOf('noise_cat'));
    expect(result.metrics).toEqual({
      click: 'auc-drop',
      purchase: 'auc-drop',
      amount: 'gini-drop',
    });
    expect(result.rows).toBe(1500);
    expect(result.repeats).toBe(3);
  });

  it('--row adds the row contributions, which add up to its prediction; --out keeps everything', async () => {
    const out = path.join(dir, 'explanation.json');
    const r = await runCli(
      'explain',
      '--model',
      modelDir,
      '--data',
      data,
      '--subset',
      'test',
      '--repeats',
      '1',
      '--row',
      '12',
      '--group',
      'noises=noise,noise_cat',
      '--out',
      out,
      '--json',
    );
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout);
    expect(result.rows).toBe(400);
    expect(result.tasks.click.map((i: { feature: string }) => i.feature).sort()).toEqual([
      'level',
      'noises',
      'strong',
      'weak',
    ]);
    const row = result.contributions[0];
    expect(row.row).toBe(12);
    expect(row.method).toBe('exact-shapley');
    for (const t of Object.values<{
      baseline: number;
      prediction: number;
      contributions: { contribution: number }[];
    }>(row.tasks)) {
      const sum = t.contributions.reduce((a, c) => a + c.contribution, 0);
      expect(t.baseline + sum).toBeCloseTo(t.prediction, 6);
    }
    const saved = JSON.parse(await fs.readFile(out, 'utf8'));
    expect(saved.data.subset).toBe('test');
    expect(saved.partialDependence.map((p: { feature: string }) => p.feature)).toContain('strong');
    expect(saved.funnel.tasks.map((t: { task: string }) => t.task)).toEqual(['purchase', 'amount']);
  });

  it('says what is wrong in one line', async () => {
    const bad = await runCli('explain', '--model', modelDir, '--data', data, '--row', '999999');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--row 999999: .*known\.csv has data rows 0 to 3999/);
    const group = await runCli('explain', '--model', modelDir, '--data', data, '--group', 'x=nope');
    expect(group.code).toBe(1);
    expect(group.stderr).toMatch(/group "x" names "nope", which is not an input of the model/);
    const subset = await runCli(
      'explain',
      '--model',
      modelDir,
      '--data',
      data,
      '--subset',
      'train',
    );
    expect(subset.stderr).toMatch(/--subset must be all, test or validation/);
    const missing = await runCli('explain', '--data', data);
    expect(missing.stderr).toMatch(/Missing --model/);
  });
});
