// `htlnet ablate` and `htlnet sweep`, run in-process on a small generated sample (1,500 rows,
// 1 epoch, small towers, 2 seeds): the --json contract, the report's arithmetic, and one-line
// errors for a bad grid or a project with nothing to ablate; `htlnet runs` lists and prunes.

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleBinding } from '../src-main/engine/data/sample-layout';
import { buildTemplate } from '../src-main/engine/graph/templates';
import { newRunId, RunStore } from '../src-main/host/runs';
import { workspaceStateDir } from '../src-main/host/state';
import type { RunDetail } from '../src-main/ipc/api';
import { lastJson, runCli } from './helpers/cli';

let dir: string;
let data: string;
let project: string;

interface Stat {
  mean: number;
  sd: number;
}
interface VariantJson {
  name: string;
  params: Record<string, unknown>;
  seeds: number;
  tasks: Record<string, Record<string, Stat>>;
}
interface ComparisonJson {
  variant: string;
  task: string;
  metric: string;
  diff: number;
  low: number;
  high: number;
  verdict: string;
  text: string;
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-cli-exp-'));
  data = path.join(dir, 'sample.csv');
  expect((await runCli('sample', '--out', data, '--rows', '1500', '--seed', '3')).code).toBe(0);
  // A small HTLNet: towers 16-8, so each run takes a fraction of a second.
  const p = buildTemplate('htlnet', sampleBinding());
  for (const b of p.graph.blocks) if (b.type === 'tower') b.params.units = '16,8';
  project = path.join(dir, 'small.htlnet.json');
  await fs.writeFile(project, JSON.stringify(p));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Each comparison's diff is the mean of per-seed differences = the difference of the means. */
function checkArithmetic(result: {
  variants: VariantJson[];
  reference: string;
  comparisons: ComparisonJson[];
}) {
  const byName = new Map(result.variants.map((v) => [v.name, v]));
  const reference = byName.get(result.reference)!;
  expect(result.comparisons.length).toBeGreaterThan(0);
  for (const c of result.comparisons) {
    const v = byName.get(c.variant)!;
    expect(c.diff).toBeCloseTo(
      v.tasks[c.task][c.metric].mean - reference.tasks[c.task][c.metric].mean,
      10,
    );
    if (c.low !== null) {
      expect(c.low).toBeLessThanOrEqual(c.diff);
      expect(c.high).toBeGreaterThanOrEqual(c.diff);
      expect(['likely real', 'within noise']).toContain(c.verdict);
    }
  }
}

describe('htlnet ablate', () => {
  it("trains the paper's variants with 2 seeds and prints the documented --json", async () => {
    const r = await runCli(
      'ablate',
      '--data',
      data,
      '--project',
      project,
      '--tasks',
      'click:binary,purchase:binary,amount:regression',
      '--seeds',
      '2',
      '--epochs',
      '1',
      '--batch',
      '256',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout);
    expect(result.reference).toBe('full');
    expect(result.seeds).toEqual([1, 2]);
    expect(result.runs).toBe(12);
    expect(result.variants.map((v: VariantJson) => v.name)).toEqual([
      'full',
      'without LEU',
      'without IFU',
      'without gradient adjustment',
      'projection only',
      'magnitude only',
    ]);
    const full = result.variants[0] as VariantJson;
    expect(full.seeds).toBe(2);
    expect(full.params).toEqual({});
    expect(Object.keys(full.tasks)).toEqual(['click', 'purchase', 'amount']);
    expect(full.tasks.click.auc.mean).toBeGreaterThan(0);
    expect(full.tasks.click.auc.sd).toBeGreaterThanOrEqual(0);
    expect(result.variants[3].params).toEqual({ 'training.adjustment': 'none' });
    checkArithmetic(result);
    // Every non-reference variant is compared on every task metric (click: auc and logloss).
    expect(result.comparisons.filter((c: ComparisonJson) => c.task === 'click').length).toBe(5 * 2);
    expect(
      result.summaries.some((s: { text: string }) =>
        /^the label embedding unit ((helps|hurts|may help|may hurt) purchase AUC by [+-]|makes no visible difference to purchase AUC \(0\.0+ ± )/.test(
          s.text,
        ),
      ),
    ).toBe(true);
  });

  it('says in one line when a project has nothing to ablate', async () => {
    const mmoe = path.join(dir, 'mmoe.htlnet.json');
    await fs.writeFile(mmoe, JSON.stringify(buildTemplate('mmoe', sampleBinding())));
    const r = await runCli('ablate', '--data', data, '--project', mmoe, '--seeds', '2');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/needs an HTLNet project/);
  });
});

describe('htlnet sweep', () => {
  it('trains every combination of the grid with 2 seeds against the project as given', async () => {
    const r = await runCli(
      'sweep',
      '--project',
      project,
      '--data',
      data,
      '--grid',
      'training.learningRate=[0.01,0.001];fusion.mode=[attention,concat]',
      '--seeds',
      '2',
      '--epochs',
      '1',
      '--batch',
      '256',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout);
    expect(result.variants.map((v: VariantJson) => v.name)).toEqual([
      'training.learningRate=0.01, fusion.mode=attention',
      'training.learningRate=0.01, fusion.mode=concat',
      'training.learningRate=0.001, fusion.mode=attention',
      'training.learningRate=0.001, fusion.mode=concat',
    ]);
    expect(result.variants[1].params).toEqual({
      'training.learningRate': 0.01,
      'fusion.mode': 'concat',
    });
    expect(result.reference).toBe('training.learningRate=0.001, fusion.mode=attention');
    expect(result.runs).toBe(8);
    checkArithmetic(result);
  });

  it('refuses a bad grid before reading the data, in one line', async () => {
    const bad = await runCli(
      'sweep',
      '--project',
      project,
      '--data',
      path.join(dir, 'none.csv'),
      '--grid',
      'tower.width=[1,2]',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/tower.width: a tower has no parameter "width"/);
    const range = await runCli(
      'sweep',
      '--project',
      project,
      '--data',
      data,
      '--grid',
      'training.learningRate=[0.01,-1]',
    );
    expect(range.stderr).toMatch(/training.learningRate must be a number greater than 0/);
    const missing = await runCli('sweep', '--project', project, '--data', data);
    expect(missing.stderr).toMatch(/Missing --grid/);
  });
});

describe('htlnet runs', () => {
  it("lists a workspace's runs with group and disk use, and prunes a group", async () => {
    const workspace = path.join(dir, 'ws');
    const dataDir = path.join(dir, 'appdata');
    const store = new RunStore(path.join(workspaceStateDir(dataDir, workspace), 'runs'));
    const make = (i: number, status: RunDetail['status'], group: string | null): RunDetail => ({
      id: newRunId(new Date(Date.UTC(2026, 0, 1 + i))),
      label: `run ${i}`,
      projectName: 'HTLNet',
      dataPath: data,
      status,
      message: '',
      startedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
      finishedAt: null,
      epochs: 1,
      bestEpoch: 1,
      rows: null,
      samplesPerSecond: null,
      test: null,
      tasks: [],
      hasModel: false,
      ...(group ? { group: { id: group, name: 'sweep', variant: 'a', seed: i } } : {}),
      project: {} as RunDetail['project'],
      history: [],
      curves: {},
    });
    const made = [
      make(1, 'completed', 'x1'),
      make(2, 'completed', 'x1'),
      make(3, 'running', 'x1'),
      make(4, 'completed', null),
    ];
    for (const r of made) await store.write(r);
    const where = ['--workspace', workspace, '--data-dir', dataDir];
    const listed = await runCli('runs', ...where, '--json');
    expect(listed.code).toBe(0);
    const all = lastJson(listed.stdout);
    expect(all.runs.map((r: { label: string }) => r.label)).toEqual([
      'run 4',
      'run 3',
      'run 2',
      'run 1',
    ]);
    // The app may be training run 3: the CLI shows it as running and leaves it alone.
    expect(all.runs[1].status).toBe('running');
    expect(all.diskBytes).toBe(
      all.runs.reduce((a: number, r: { diskBytes: number }) => a + r.diskBytes, 0),
    );
    const group = lastJson((await runCli('runs', ...where, '--group', 'x1', '--json')).stdout);
    expect(group.runs).toHaveLength(3);
    const pruned = lastJson(
      (await runCli('runs', ...where, '--prune', '--group', 'x1', '--json')).stdout,
    );
    expect(pruned.deleted.sort()).toEqual([made[0].id, made[1].id].sort());
    expect(pruned.freedBytes).toBeGreaterThan(0);
    const none = await runCli('runs', ...where, '--prune');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/--prune needs --older-than DAYS, --keep-newest N or --group ID/);
    const text = await runCli('runs', ...where);
    expect(text.stdout).toMatch(/2 runs, [\d.]+ (B|KB) on disk/);
  });
});
