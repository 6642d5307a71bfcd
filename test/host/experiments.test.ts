// The experiment queue through the host API, with runs trained in-process on a 3,000-row
// sample by a small HTLNet (towers 16-8, 1 epoch): a project with 2 seeds, a grid sweep whose
// runs land as a run group with a report, cancelling, resuming after a restart, and one-line
// refusals of bad requests.

import { promises as fs } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessRunner } from '../../src-main/host/jobs';
import { workspaceStateDir } from '../../src-main/host/state';
import type { ExperimentDetail, HandlerTable, HostEvent } from '../../src-main/ipc/api';
import { createHandlers } from '../../src-main/ipc/handlers';
import type { ProjectFile } from '../../src-main/shared/project';

let dir: string;
let workspace: string;
let dataDir: string;
let handlers: HandlerTable;
const events: HostEvent[] = [];
let sample: string;
let project: ProjectFile;

function host(): HandlerTable {
  return createHandlers({
    version: '0.0.0',
    backend: async () => 'wasm',
    mode: 'browser',
    workspace,
    dataDir,
    roots: [workspace],
    emit: (e) => events.push(e),
    runner: inProcessRunner,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'htlnet-exp-'));
  workspace = path.join(dir, 'ws');
  dataDir = path.join(dir, 'data');
  handlers = host();
  sample = await handlers['data:sample'](3000);
  project = await handlers['templates:create']('htlnet');
  for (const b of project.graph.blocks) {
    if (b.type === 'tower') b.params.units = '16,8';
    if (b.type === 'optimizer') Object.assign(b.params, { epochs: 1, batchSize: 256 });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Waits (polling the API) until the experiment has no run queued or training. */
async function settled(h: HandlerTable, id: string): Promise<ExperimentDetail> {
  for (;;) {
    const detail = await h['experiments:get'](id);
    if (detail.status !== 'queued' && detail.status !== 'running' && detail.running === 0)
      return detail;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('experiments', () => {
  it('repeats a project with 2 seeds as a run group', async () => {
    const started = await handlers['experiments:start']({
      kind: 'seeds',
      project,
      dataPath: sample,
      seeds: 2,
      name: 'two seeds',
    });
    expect(started).toMatchObject({ name: 'two seeds', total: 2, seeds: [1, 2] });
    const detail = await settled(handlers, started.id);
    expect(detail.status).toBe('completed');
    expect(detail.done).toBe(2);
    const runs = await handlers['runs:list']({ group: started.id });
    expect(runs.map((r) => r.group!.seed).sort()).toEqual([1, 2]);
    expect(runs.every((r) => r.group!.variant === 'project' && r.status === 'completed')).toBe(
      true,
    );
    expect(runs.every((r) => (r.diskBytes ?? 0) > 0)).toBe(true);
    // Each run trained with its own seed.
    const seeds = await Promise.all(
      runs.map(
        async (r) =>
          (await handlers['runs:get'](r.id)).project.graph.blocks.find(
            (b) => b.type === 'optimizer',
          )!.params.seed,
      ),
    );
    expect(seeds.sort()).toEqual([1, 2]);
    const variant = detail.report.variants[0];
    expect(variant.seeds).toBe(2);
    const aucs = runs.map((r) => r.test!.click.auc);
    expect(variant.tasks.click.auc.mean).toBeCloseTo((aucs[0] + aucs[1]) / 2, 12);
    // The runs sent no window events of their own; the experiment reported its progress.
    expect(events.some((e) => e.type === 'train:progress')).toBe(false);
    const progress = events.filter(
      (e) => e.type === 'experiment:progress' && e.jobId === started.id,
    );
    expect(progress.length).toBeGreaterThan(0);
  });

  it('sweeps a grid with 2 seeds and compares the variants by seed', async () => {
    const started = await handlers['experiments:start']({
      kind: 'sweep',
      project,
      dataPath: sample,
      seeds: 2,
      grid: [{ path: 'fusion.mode', values: ['attention', 'concat'] }],
    });
    const detail = await settled(handlers, started.id);
    expect(detail.done).toBe(4);
    expect(detail.reference).toBe('fusion.mode=attention');
    const [reference, concat] = detail.report.variants;
    const c = detail.report.comparisons.find(
      (x) => x.variant === 'fusion.mode=concat' && x.task === 'purchase' && x.metric === 'auc',
    )!;
    expect(c.pairs).toBe(2);
    expect(c.diff).toBeCloseTo(
      concat.tasks.purchase.auc.mean - reference.tasks.purchase.auc.mean,
      12,
    );
    expect(await handlers['runs:list']({ group: started.id })).toHaveLength(4);
    // Deleting the group's runs in one call.
    const pruned = await handlers['runs:prune']({ group: started.id });
    expect(pruned.deleted).toHaveLength(4);
    expect(pruned.freedBytes).toBeGreaterThan(0);
    expect(await handlers['runs:list']({ group: started.id })).toEqual([]);
  });

  it('cancels: queued runs are dropped', async () => {
    const started = await handlers['experiments:start']({
      kind: 'seeds',
      project,
      dataPath: sample,
      seeds: 4,
    });
    await handlers['experiments:cancel'](started.id);
    const detail = await settled(handlers, started.id);
    expect(detail.status).toBe('cancelled');
    expect(detail.runs.filter((r) => r.status === 'cancelled').length).toBeGreaterThanOrEqual(3);
    expect(detail.runs.some((r) => r.status === 'queued' || r.status === 'running')).toBe(false);
  });

  it('resumes after a restart: a run that was training is trained again', async () => {
    const first = (await handlers['experiments:list']()).find((e) => e.name === 'two seeds')!;
    const file = path.join(
      workspaceStateDir(dataDir, workspace),
      'experiments',
      `${first.id}.json`,
    );
    const record = JSON.parse(await fs.readFile(file, 'utf8'));
    // As the app left it when it was killed: the second run training, the experiment running.
    const id = first.id.replace(/[0-9a-f]{6}$/, 'abcdef');
    const interrupted = record.runs[1].runId;
    record.id = id;
    record.status = 'running';
    record.done = 1;
    record.runs[1].status = 'running';
    await fs.writeFile(path.join(path.dirname(file), `${id}.json`), JSON.stringify(record));
    const again = host();
    const detail = await settled(again, id);
    expect(detail.status).toBe('completed');
    expect(detail.done).toBe(2);
    expect(detail.resumedAt).toEqual(expect.any(String));
    expect(first.resumedAt).toBeUndefined();
    expect(detail.runs[1].runId).not.toBe(interrupted);
    expect((await again['runs:get'](detail.runs[1].runId!)).group).toMatchObject({
      id,
      seed: 2,
    });
  });

  it('refuses a bad request in one line', async () => {
    const start = (request: unknown) =>
      handlers['experiments:start'](request as Parameters<HandlerTable['experiments:start']>[0]);
    await expect(start({ kind: 'grid', project, dataPath: sample })).rejects.toThrow(
      /kind must be one of ablation, sweep, seeds/,
    );
    await expect(start({ kind: 'sweep', project, dataPath: sample })).rejects.toThrow(
      /a sweep needs either a grid or a list/,
    );
    await expect(
      start({
        kind: 'sweep',
        project,
        dataPath: sample,
        grid: [{ path: 'tower.width', values: [1] }],
      }),
    ).rejects.toThrow(/tower.width: a tower has no parameter "width"/);
    await expect(start({ kind: 'seeds', project, dataPath: sample, seeds: 0 })).rejects.toThrow(
      /seeds must be a whole number from 1 to 100/,
    );
    await expect(handlers['runs:prune']({})).rejects.toThrow(
      /give olderThanDays, keepNewest or group/,
    );
    await expect(
      handlers['runs:prune']({ keepNewest: 1, dryRun: 'yes' as unknown as boolean }),
    ).rejects.toThrow(/runs:prune: options.dryRun must be true or false/);
    await expect(handlers['experiments:get']('nope')).rejects.toThrow(
      /There is no experiment "nope"/,
    );
  });
});
