// Nothing lost, nothing escaped, through the host API: outputs never replace an input, a
// project, a model's files or a foreign file without the user's word; two jobs never write one
// file; symlinks and extensions cannot lead a write or a read out of the workspace; runs and
// the recovery snapshot belong to their workspace; a killed session's leftovers are cleaned.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessRunner } from '../../src-main/host/jobs';
import { workspaceStateDir } from '../../src-main/host/state';
import type { HandlerTable, HostEvent, RunSummary } from '../../src-main/ipc/api';
import { createHandlers } from '../../src-main/ipc/handlers';

let dir: string;
let workspace: string;
let outside: string;
let handlers: HandlerTable;
const events: HostEvent[] = [];
let sample: string;
let run: RunSummary;

function hostFor(ws: string, emit: (e: HostEvent) => void = (e) => events.push(e)) {
  return createHandlers({
    version: '0.0.0',
    backend: async () => 'wasm',
    mode: 'browser',
    workspace: ws,
    dataDir: path.join(dir, 'data'),
    roots: [ws],
    emit,
    runner: inProcessRunner,
  });
}

async function until<T extends HostEvent['type']>(
  type: T,
  jobId: string,
): Promise<Extract<HostEvent, { type: T }>> {
  for (;;) {
    const found = events.find((e) => e.type === type && 'jobId' in e && e.jobId === jobId) as
      Extract<HostEvent, { type: T }> | undefined;
    if (found) return found;
    const failed = events.find((e) => e.type === 'job:failed' && e.jobId === jobId);
    if (failed && type !== 'job:failed') throw new Error(JSON.stringify(failed));
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'htlnet-safety-'));
  workspace = path.join(dir, 'ws');
  outside = path.join(dir, 'outside');
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(outside, 'secret.csv'), 'a,b\n1,2\n');
  handlers = hostFor(workspace);
  sample = await handlers['data:sample'](1000);
  const project = await handlers['templates:create']('htlnet');
  const optimizer = project.graph.blocks.find((b) => b.type === 'optimizer')!;
  Object.assign(optimizer.params, { epochs: 1, batchSize: 256 });
  const { jobId } = await handlers['train:start']({ project, dataPath: sample });
  run = (await until('train:done', jobId)).run;
  expect(run.status).toBe('completed');
  symlinkSync(outside, path.join(workspace, 'linkdir'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function score(out: string, extra: Record<string, unknown> = {}) {
  return handlers['score:start']({ source: { runId: run.id }, dataPath: sample, out, ...extra });
}

describe('scoring writes only where nothing is lost', () => {
  it('refuses to write the predictions over their input', async () => {
    const before = readFileSync(sample, 'utf8');
    await expect(score(sample)).rejects.toThrow(/is also an input of this job.*not overwritten/);
    await expect(score('samples/../samples/funnel-sample-1000.csv')).rejects.toThrow(/input/);
    expect(readFileSync(sample, 'utf8')).toBe(before);
  });

  it('refuses a project file and a foreign file unless the user agrees, with a code to ask', async () => {
    const project = path.join(workspace, 'sub', 'dir', 'x.htlnet.json');
    mkdirSync(path.dirname(project), { recursive: true });
    writeFileSync(project, '{"format":"htlnet-studio-project"}');
    const error = await score('sub/dir/x.htlnet.json').then(
      () => null,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.message).toMatch(/already exists and was not written by HTLNet Studio/);
    expect(error?.code).toBe('output-exists');
    expect(readFileSync(project, 'utf8')).toBe('{"format":"htlnet-studio-project"}');
    const { jobId } = await score('sub/dir/x.htlnet.json', { replace: true, keep: 'none' });
    await until('score:done', jobId);
    expect(readFileSync(project, 'utf8').split('\n')[0]).toBe(
      'click_probability,purchase_probability,amount_prediction',
    );
  });

  it('refuses a folder, a model folder and the workspace itself, in one line', async () => {
    mkdirSync(path.join(workspace, 'afolder'), { recursive: true });
    await expect(score('afolder')).rejects.toThrow(/afolder is a folder; give a file name/);
    const dest = await handlers['model:export'](run.id, 'models/m1');
    await expect(score('models/m1/weights.bin')).rejects.toThrow(/inside the model folder/);
    await expect(score('models/m1/new.csv')).rejects.toThrow(/inside the model folder/);
    expect(existsSync(path.join(dest, 'weights.bin'))).toBe(true);
    await expect(score('.')).rejects.toThrow(/workspace folder itself/);
    // A model export never replaces a file, and leaves no temp folder.
    writeFileSync(path.join(workspace, 'models', 'plain'), 'mine');
    await expect(handlers['model:export'](run.id, 'models/plain')).rejects.toThrow(/is a file/);
    expect(readFileSync(path.join(workspace, 'models', 'plain'), 'utf8')).toBe('mine');
    mkdirSync(path.join(workspace, 'models', 'empty'));
    await handlers['model:export'](run.id, 'models/empty');
    expect(readdirSync(path.join(workspace, 'models')).filter((n) => n.startsWith('.'))).toEqual(
      [],
    );
  });

  it('replaces its own predictions, keeps chosen columns, and refuses a second writer', async () => {
    const first = await score('pred.csv', { keep: ['user_segment'] });
    // While the first job runs, a second one to the same file is refused.
    await expect(score('pred.csv')).rejects.toThrow(/being written by a scoring job/);
    await until('score:done', first.jobId);
    expect(readFileSync(path.join(workspace, 'pred.csv'), 'utf8').split('\n')[0]).toBe(
      'user_segment,click_probability,purchase_probability,amount_prediction',
    );
    // Scoring again to one's own predictions file needs no question.
    const again = await score('pred.csv');
    await until('score:done', again.jobId);
    await expect(score('p2.csv', { keep: 'some' })).rejects.toThrow(/keep must be/);
    const noTmp = readdirSync(workspace).filter((n) => n.includes('.tmp-'));
    expect(noTmp).toEqual([]);
  });
});

describe('the desktop app', () => {
  it('replaces a file its save dialog confirmed, but never an input', async () => {
    const desktop = createHandlers({
      version: '0.0.0',
      backend: async () => 'wasm',
      mode: 'electron',
      workspace,
      dataDir: path.join(dir, 'data'),
      roots: null,
      emit: (e) => events.push(e),
      runner: inProcessRunner,
    });
    const chosen = path.join(dir, 'chosen.csv');
    writeFileSync(chosen, 'old,file\n');
    const { jobId } = await desktop['score:start']({
      source: { runId: run.id },
      dataPath: sample,
      out: chosen,
    });
    await until('score:done', jobId);
    expect(readFileSync(chosen, 'utf8')).toMatch(/click_probability/);
    await expect(
      desktop['score:start']({ source: { runId: run.id }, dataPath: sample, out: sample }),
    ).rejects.toThrow(/also an input/);
  });
});

describe('confinement by real path', () => {
  it('does not read through a link that leads outside', async () => {
    await expect(handlers['files:list']('linkdir', 'csv')).rejects.toThrow(/outside the workspace/);
    const listing = await handlers['files:list'](null, 'csv');
    expect(listing.entries.map((e) => e.name)).not.toContain('linkdir');
    await expect(handlers['data:import']('linkdir/secret.csv')).rejects.toThrow(/outside/);
    await expect(handlers['data:preview']('linkdir/secret.csv')).rejects.toThrow(/outside/);
    const project = await handlers['templates:create']('htlnet');
    await expect(handlers['data:check'](project, 'linkdir/secret.csv')).rejects.toThrow(/outside/);
  });

  it('does not write through a link, nor beside the workspace through an extension', async () => {
    const project = await handlers['templates:create']('htlnet');
    await expect(handlers['project:save']('linkdir/p', project)).rejects.toThrow(/outside/);
    await expect(handlers['model:export'](run.id, 'linkdir/m')).rejects.toThrow(/outside/);
    await expect(handlers['model:exportOnnx'](run.id, 'linkdir/m')).rejects.toThrow(/outside/);
    await expect(score('linkdir/out.csv')).rejects.toThrow(/outside/);
    expect(readdirSync(outside)).toEqual(['secret.csv']);
    for (const folder of ['.', './', 'sub/..', '..'])
      await expect(handlers['project:save'](folder, project)).rejects.toThrow(/names a folder/);
    await expect(handlers['model:exportOnnx'](run.id, '.')).rejects.toThrow(/names a folder/);
    expect(existsSync(`${workspace}.htlnet.json`)).toBe(false);
    // A name that merely starts with two dots is inside.
    expect((await handlers['project:save']('..draft', project)).path).toBe(
      path.join(workspace, '..draft.htlnet.json'),
    );
    expect(existsSync(`${workspace}.onnx`)).toBe(false);
  });

  it('does not write the sample through a samples link that leads outside', async () => {
    const ws4 = path.join(dir, 'ws4');
    mkdirSync(ws4, { recursive: true });
    symlinkSync(outside, path.join(ws4, 'samples'));
    const host4 = hostFor(ws4, () => undefined);
    await expect(host4['data:sample'](1000)).rejects.toThrow(/outside the workspace/);
    expect(readdirSync(outside)).toEqual(['secret.csv']);
  });

  it('never replaces a foreign .onnx file', async () => {
    writeFileSync(path.join(workspace, 'mine.onnx'), 'not a model');
    await expect(handlers['model:exportOnnx'](run.id, 'mine')).rejects.toThrow(/already exists/);
    expect(readFileSync(path.join(workspace, 'mine.onnx'), 'utf8')).toBe('not a model');
    const first = await handlers['model:exportOnnx'](run.id, 'ours');
    const again = await handlers['model:exportOnnx'](run.id, 'ours');
    expect(again.out).toBe(first.out);
  });
});

describe('state per workspace, and a killed session cleaned', () => {
  it("shows only this workspace's runs and recovery snapshot", async () => {
    const other = hostFor(path.join(dir, 'ws2'), () => undefined);
    expect((await handlers['runs:list']()).map((r) => r.id)).toContain(run.id);
    expect(await other['runs:list']()).toEqual([]);
    const project = await handlers['templates:create']('htlnet');
    await handlers['recovery:write']({ project, path: null, name: 'mine' });
    expect(await other['recovery:read']()).toBeNull();
    expect((await handlers['recovery:read']())?.name).toBe('mine');
    await handlers['recovery:clear']();
  });

  it('moves legacy runs of the workspace and sweeps leftovers at start-up', async () => {
    const ws3 = path.join(dir, 'ws3');
    mkdirSync(path.join(ws3, 'uploads'), { recursive: true });
    // A run kept by an older version in the shared folder, for a file of this workspace.
    const legacy = path.join(dir, 'data', 'runs', 'r20260101-000000-abcdef');
    mkdirSync(legacy, { recursive: true });
    const detail = await handlers['runs:get'](run.id);
    writeFileSync(
      path.join(legacy, 'run.json'),
      JSON.stringify({
        ...detail,
        id: 'r20260101-000000-abcdef',
        dataPath: path.join(ws3, 'a.csv'),
      }),
    );
    // Leftovers of a dead writer (pid 999999999 never runs), and a user's file named like one.
    writeFileSync(path.join(ws3, 'uploads', '.big.csv.tmp-999999999-abcdef012345'), 'x');
    writeFileSync(path.join(ws3, '.pred.csv.tmp-999999999-0a0b0c0d0e0f'), 'x');
    writeFileSync(path.join(ws3, 'uploads', 'y.csv.part'), 'keep me');
    const host3 = hostFor(ws3, () => undefined);
    const runs = await host3['runs:list']();
    expect(runs.map((r) => r.id)).toEqual(['r20260101-000000-abcdef']);
    expect(existsSync(legacy)).toBe(false);
    expect(
      existsSync(
        path.join(
          workspaceStateDir(path.join(dir, 'data'), ws3),
          'runs',
          'r20260101-000000-abcdef',
        ),
      ),
    ).toBe(true);
    expect(readdirSync(path.join(ws3, 'uploads'))).toEqual(['y.csv.part']);
    expect(readdirSync(ws3).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});
