// Explaining a run through the host API (handlers, jobs run in-process): progress events, the
// result kept with the run and merged when a row is explained later, cancel, bad arguments.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessRunner } from '../../src-main/host/jobs';
import type { HandlerTable, HostEvent } from '../../src-main/ipc/api';
import { createHandlers } from '../../src-main/ipc/handlers';
import { workspaceStateDir } from '../../src-main/host/state';
import { KEPT_ROWS, mergeExplanations } from '../../src-main/host/explain-task';
import type { Explanation } from '../../src-main/shared/explain';

let dir: string;
let workspace: string;
let dataDir: string;
let handlers: HandlerTable;
const events: HostEvent[] = [];
let runId: string;

async function until<T extends HostEvent['type']>(
  type: T,
  jobId: string,
): Promise<Extract<HostEvent, { type: T }>> {
  for (;;) {
    const found = events.find((e) => e.type === type && 'jobId' in e && e.jobId === jobId) as
      Extract<HostEvent, { type: T }> | undefined;
    if (found) return found;
    const failed = events.find(
      (e) => (e.type === 'job:failed' || e.type === 'job:cancelled') && e.jobId === jobId,
    );
    if (failed && type !== failed.type) throw new Error(JSON.stringify(failed));
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'htlnet-explain-host-'));
  workspace = path.join(dir, 'ws');
  dataDir = path.join(dir, 'data');
  handlers = createHandlers({
    version: '0.0.0',
    backend: async () => 'wasm',
    mode: 'browser',
    workspace,
    dataDir,
    roots: [workspace],
    emit: (e) => events.push(e),
    runner: inProcessRunner,
  });
  const sample = await handlers['data:sample'](2000);
  const { jobId } = await handlers['data:import'](sample);
  await until('import:done', jobId);
  const project = await handlers['templates:create']('htlnet');
  const optimizer = project.graph.blocks.find((b) => b.type === 'optimizer')!;
  Object.assign(optimizer.params, { epochs: 1, batchSize: 256 });
  const started = await handlers['train:start']({ project, dataPath: sample });
  await until('train:done', started.jobId);
  runId = started.runId;
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('explain:start', () => {
  it("explains a run's test split with progress, keeps it with the run and merges rows", async () => {
    expect(await handlers['explain:get'](runId)).toBeNull();
    const { jobId } = await handlers['explain:start']({
      source: { runId },
      repeats: 1,
      explainRows: [5],
    });
    const done = await until('explain:done', jobId);
    expect(done.runId).toBe(runId);
    const e = done.explanation;
    expect(e.data.subset).toBe('test');
    expect(e.data.rows).toBe(200);
    expect(e.importance!.tasks.map((t) => t.task)).toEqual(['click', 'purchase', 'amount']);
    expect(e.rows.map((r) => r.row)).toEqual([5]);
    expect(e.funnel!.tasks.map((t) => t.task)).toEqual(['purchase', 'amount']);
    expect(e.partialDependence.length).toBeGreaterThan(0);
    const stages = new Set(
      events.flatMap((x) => (x.type === 'job:progress' && x.jobId === jobId ? [x.stage] : [])),
    );
    expect([...stages]).toEqual(
      expect.arrayContaining(['reading', 'importance', 'partial dependence', 'funnel']),
    );
    expect(
      existsSync(
        path.join(workspaceStateDir(dataDir, workspace), 'runs', runId, 'explanation.json'),
      ),
    ).toBe(true);

    // One more row later: only the row is computed; the kept parts stay, both rows are kept.
    const more = await handlers['explain:start']({
      source: { runId },
      parts: ['rows'],
      explainRows: [9],
    });
    const merged = (await until('explain:done', more.jobId)).explanation;
    expect(merged.rows.map((r) => r.row)).toEqual([9, 5]);
    expect(merged.importance).toEqual(e.importance);
    expect(merged.funnel).toEqual(e.funnel);
    expect(await handlers['explain:get'](runId)).toEqual(merged);
  });

  it('stops when cancelled', async () => {
    const { jobId } = await handlers['explain:start']({ source: { runId }, repeats: 50 });
    await handlers['job:cancel'](jobId);
    const cancelled = await until('job:cancelled', jobId);
    expect(cancelled.kind).toBe('explain');
  });

  it('refuses bad requests with a message naming the field', async () => {
    await expect(
      handlers['explain:start']({ source: { runId }, subset: 'train' as never }),
    ).rejects.toThrow(/explain:start: subset must be test, validation or all/);
    await expect(
      handlers['explain:start']({ source: { runId }, parts: ['everything' as never] }),
    ).rejects.toThrow(/parts must be among importance, rows, pdp, funnel/);
    await expect(
      handlers['explain:start']({ source: { runId }, regressionMetric: 'mse' as never }),
    ).rejects.toThrow(/regressionMetric must be gini-drop or rmse-rise/);
    await expect(
      handlers['explain:start']({ source: { runId }, explainRows: [-1] }),
    ).rejects.toThrow(/explainRows\[0\] must be a whole number/);
    await expect(
      handlers['explain:start']({ source: { modelDir: '/etc' }, dataPath: '/etc/passwd' }),
    ).rejects.toThrow();
  });
});

describe('mergeExplanations', () => {
  const base = (path: string, rows: number[], file = path): Explanation => ({
    data: { path, subset: 'test', rows: 100, of: 100 },
    createdAt: '2026-01-01T00:00:00.000Z',
    importance: { rows: 100, repeats: 1, seconds: 1, tasks: [] },
    picks: [],
    rows: rows.map((row) => ({
      file,
      row,
      line: row + 2,
      method: 'exact-shapley',
      background: 10,
      permutations: 0,
      tasks: [],
    })),
    partialDependence: [],
    funnel: null,
  });

  it('keeps the run explanation when rows of another file are added', () => {
    const kept = base('/d/train.csv', [1, 2]);
    const fresh = { ...base('/d/scored.csv', [2]), importance: null };
    const merged = mergeExplanations(kept, fresh);
    expect(merged.data.path).toBe('/d/train.csv');
    expect(merged.importance).toEqual(kept.importance);
    expect(merged.rows.map((r) => `${r.file}:${r.row}`)).toEqual([
      '/d/scored.csv:2',
      '/d/train.csv:1',
      '/d/train.csv:2',
    ]);
  });

  it('replaces an explanation of other data, and keeps at most KEPT_ROWS rows', () => {
    const kept = base('/d/train.csv', [1]);
    const other = { ...base('/d/other.csv', [3]), data: { ...kept.data, path: '/d/other.csv' } };
    expect(mergeExplanations(kept, other)).toEqual(other);
    const many = base(
      '/d/train.csv',
      Array.from({ length: KEPT_ROWS }, (_, i) => i + 10),
    );
    const fresh = { ...base('/d/train.csv', [0]), importance: null };
    expect(mergeExplanations(many, fresh).rows).toHaveLength(KEPT_ROWS);
    expect(mergeExplanations(many, fresh).rows[0].row).toBe(0);
  });
});
