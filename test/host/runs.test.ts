// The run store with 300 runs: listing newest first from the summaries, filtering by group,
// summaries made for runs kept by an older version, disk use per run, interrupted runs, and
// pruning (by group, by age, all but the newest) that never touches a run still training.

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderBytes, newRunId, RunStore } from '../../src-main/host/runs';
import type { RunDetail } from '../../src-main/ipc/api';

let root: string;
const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 5, 1);

function run(i: number, opts: Partial<RunDetail> = {}): RunDetail {
  const started = new Date(NOW - (300 - i) * DAY);
  return {
    id: newRunId(started),
    label: `run ${i}`,
    projectName: 'HTLNet',
    dataPath: '/data/x.csv',
    status: 'completed',
    message: 'done',
    startedAt: started.toISOString(),
    finishedAt: started.toISOString(),
    epochs: 1,
    bestEpoch: 1,
    rows: null,
    samplesPerSecond: null,
    test: { click: { auc: 0.5 + i / 1000 } },
    tasks: [{ name: 'click', type: 'binary' }],
    hasModel: false,
    group: i % 10 === 0 ? { id: 'g1', name: 'sweep', variant: `v${i % 3}`, seed: i % 2 } : null,
    project: {} as RunDetail['project'],
    history: [],
    curves: {},
    ...opts,
  };
}

let runs: RunDetail[];
/** A run of this session still training (made in the third test). */
let trainingId = '';

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-runs-'));
  runs = Array.from({ length: 300 }, (_, i) => run(i));
  // As an older version kept them: run.json only, no summary.
  for (const r of runs) {
    await fs.mkdir(path.join(root, r.id, 'model'), { recursive: true });
    await fs.writeFile(path.join(root, r.id, 'run.json'), JSON.stringify(r));
    await fs.writeFile(path.join(root, r.id, 'model', 'weights.bin'), Buffer.alloc(1000));
  }
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('the run store with 300 runs', () => {
  it('lists every run newest first, with summaries made from run.json and disk use', async () => {
    const store = new RunStore(root);
    const listed = await store.list();
    expect(listed).toHaveLength(300);
    expect(listed[0].label).toBe('run 299');
    expect(listed[299].label).toBe('run 0');
    expect('history' in listed[0]).toBe(false);
    // The summary is kept beside run.json, and the disk use counts the model and the record.
    const summaryFile = path.join(root, runs[5].id, 'summary.json');
    expect(JSON.parse(await fs.readFile(summaryFile, 'utf8')).label).toBe('run 5');
    const five = listed.find((r) => r.id === runs[5].id)!;
    expect(five.diskBytes).toBe(1000 + Buffer.byteLength(JSON.stringify(runs[5])));
    // A new session reads the summaries and lists the same.
    expect(await new RunStore(root).list()).toEqual(listed);
  });

  it('filters by group', async () => {
    const store = new RunStore(root);
    const group = await store.list(new Set(), { group: 'g1' });
    expect(group).toHaveLength(30);
    expect(group.every((r) => r.group?.id === 'g1')).toBe(true);
    expect(await store.list(new Set(), { group: 'nope' })).toEqual([]);
  });

  it('sees runs another process removed or added, and marks interrupted runs failed', async () => {
    const store = new RunStore(root);
    await store.list();
    await fs.rm(path.join(root, runs[7].id), { recursive: true });
    const interrupted = run(301, { status: 'running' });
    await new RunStore(root).write(interrupted);
    const listed = await store.list();
    expect(listed.some((r) => r.id === runs[7].id)).toBe(false);
    const seen = listed.find((r) => r.id === interrupted.id)!;
    expect(seen.status).toBe('failed');
    expect(seen.message).toMatch(/Interrupted/);
    expect((await store.get(interrupted.id)).status).toBe('failed');
    // A run of this session still training stays as it is.
    const training = run(302, { status: 'running' });
    trainingId = training.id;
    await store.write(training);
    expect((await store.list(new Set([trainingId]))).find((r) => r.id === trainingId)!.status).toBe(
      'running',
    );
  });

  it('prunes a group, old runs, or all but the newest, never a run still training', async () => {
    const store = new RunStore(root);
    const active = new Set([trainingId]);
    await expect(store.prune({})).rejects.toThrow(/Say which runs to prune/);
    const before = await store.list(active);
    const groupIds = before.filter((r) => r.group?.id === 'g1').map((r) => r.id);
    const bytes = (
      await Promise.all(groupIds.map((id) => folderBytes(path.join(root, id))))
    ).reduce((a, b) => a + b, 0);
    // A dry run names the same runs and space, and deletes nothing.
    const preview = await store.prune({ group: 'g1', dryRun: true }, active);
    expect(preview.deleted.sort()).toEqual(groupIds.sort());
    expect(preview.freedBytes).toBe(bytes);
    expect(await store.list(active)).toHaveLength(before.length);
    const byGroup = await store.prune({ group: 'g1' }, active);
    expect(byGroup.deleted.sort()).toEqual(groupIds.sort());
    expect(byGroup.freedBytes).toBe(bytes);
    expect(await store.list(active, { group: 'g1' })).toEqual([]);

    // Older than 100 days: runs 0..199 minus the pruned group and the one deleted by hand.
    const old = await store.prune({ olderThanDays: 100 }, active, NOW);
    expect(old.deleted.length).toBe(200 - 20 - 1);
    const left = await store.list(active);
    expect(left.every((r) => Date.parse(r.startedAt) >= NOW - 100 * DAY)).toBe(true);

    const keep = await store.prune({ keepNewest: 10 }, active, NOW);
    const rest = await store.list(active);
    expect(rest.map((r) => r.id)).toContain(trainingId);
    expect(rest.filter((r) => r.id !== trainingId)).toHaveLength(10);
    expect(keep.deleted).not.toContain(trainingId);
  });
});
