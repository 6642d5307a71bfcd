// The analyst's journey through the host API (the handlers the window and the browser mode
// call), with jobs run in-process: the sample, import with progress, checks pinned to blocks,
// training with live events and a kept run, stopping, divergence, scoring and export.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessRunner } from '../../src-main/host/jobs';
import type { HostEvent, HandlerTable, DataPreview, RunSummary } from '../../src-main/ipc/api';
import { createHandlers } from '../../src-main/ipc/handlers';
import type { ProjectFile } from '../../src-main/shared/project';

let dir: string;
let workspace: string;
let handlers: HandlerTable;
const events: HostEvent[] = [];
let sample: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'htlnet-jobs-'));
  workspace = path.join(dir, 'ws');
  handlers = createHandlers({
    version: '0.0.0',
    backend: async () => 'wasm',
    mode: 'browser',
    workspace,
    dataDir: path.join(dir, 'data'),
    roots: [workspace],
    emit: (e) => events.push(e),
    runner: inProcessRunner,
  });
  sample = await handlers['data:sample'](3000);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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

async function importFile(file: string): Promise<DataPreview> {
  const { jobId } = await handlers['data:import'](file);
  return (await until('import:done', jobId)).preview;
}

async function htlnet(
  epochs: number,
  extra: Record<string, number | string> = {},
): Promise<ProjectFile> {
  const project = await handlers['templates:create']('htlnet');
  const optimizer = project.graph.blocks.find((b) => b.type === 'optimizer')!;
  Object.assign(optimizer.params, { epochs, batchSize: 256, ...extra });
  return project;
}

describe('data', () => {
  it('writes the built-in sample once into the workspace', async () => {
    expect(sample).toBe(path.join(workspace, 'samples', 'funnel-sample-3000.csv'));
    const before = readFileSync(sample, 'utf8');
    expect(await handlers['data:sample'](3000)).toBe(sample);
    expect(readFileSync(sample, 'utf8')).toBe(before);
    await expect(handlers['data:sample'](12)).rejects.toThrow(/whole number from 1000/);
  });

  it('imports with progress and a preview that suggests the funnel', async () => {
    const preview = await importFile(sample);
    expect(preview.rows).toBe(3000);
    expect(preview.head).toHaveLength(50);
    expect(preview.suggested.tasks.map((t) => [t.name, t.type])).toEqual([
      ['click', 'binary'],
      ['purchase', 'binary'],
      ['amount', 'regression'],
    ]);
    // Ids are suggested as categories whatever their numbers look like; quantities as numbers.
    const kindOf = (name: string) =>
      preview.suggested.features.find((f) => f.column === name)?.kind;
    expect(preview.columns.find((c) => c.name === 'user_id')?.kind).toBe('continuous');
    expect([kindOf('user_id'), kindOf('item_id'), kindOf('price'), kindOf('brand')]).toEqual([
      'categorical',
      'categorical',
      'numeric',
      'categorical',
    ]);
    const click = preview.columns.find((c) => c.name === 'click')!;
    expect(click.kind).toBe('binary');
    expect(click.positiveRate).toBeGreaterThan(0);
    expect(click.positiveRate).toBeLessThan(1);
    const amount = preview.columns.find((c) => c.name === 'amount')!;
    expect(amount.stats?.histogram.counts.reduce((a, b) => a + b, 0)).toBe(3000 - amount.missing);
    expect(events.some((e) => e.type === 'job:progress' && e.kind === 'import')).toBe(true);
    expect(await handlers['data:preview'](sample)).toEqual(preview);
  });

  it('reports a bad file with its line and column', async () => {
    const bad = path.join(workspace, 'bad.csv');
    writeFileSync(bad, 'a,b,click\n1,2,0\n3,4\n');
    const { jobId } = await handlers['data:import'](bad);
    const failed = await until('job:failed', jobId);
    expect(failed.error).toMatch(/bad\.csv.*line 3/);
  });

  it('pins binding problems to the blocks that use the columns', async () => {
    const project = await htlnet(1);
    const broken = structuredClone(project);
    broken.data.features[0].column = 'no_such_column';
    broken.data.tasks[1].column = 'region';
    broken.data.features = broken.data.features.filter((f) => f.column !== 'region');
    const problems = await handlers['data:check'](broken, sample);
    const missing = problems.find((p) => p.code === 'data-missing-column');
    expect(missing?.message).toMatch(/no_such_column/);
    expect(missing?.blocks.length).toBeGreaterThan(0);
    const head = problems.find((p) => p.code === 'data-kind-mismatch');
    expect(head?.message).toMatch(/purchase.*binary.*region/);
    expect(head?.blocks).toEqual(
      project.graph.blocks
        .filter((b) => b.type === 'task-head' && b.params.task === 'purchase')
        .map((b) => b.id),
    );
    await expect(handlers['train:start']({ project: broken, dataPath: sample })).rejects.toThrow(
      /cannot be trained.*no_such_column/,
    );
  });

  it('rebinds the heads to renamed tasks in chain order', async () => {
    const project = await htlnet(1);
    const binding = structuredClone(project.data);
    binding.tasks[0].name = 'visit';
    const next = await handlers['project:rebind'](project, binding);
    expect(next.data.tasks[0].name).toBe('visit');
    expect(
      next.graph.blocks.filter((b) => b.type === 'task-head').map((b) => b.params.task),
    ).toContain('visit');
    expect(
      (await handlers['project:validate'](next)).problems.filter((p) => p.severity === 'error'),
    ).toEqual([]);
  });
});

describe('training, runs, scoring', () => {
  let run: RunSummary;

  it('trains with live events and keeps the run with its model, metrics and curves', async () => {
    const { jobId, runId } = await handlers['train:start']({
      project: await htlnet(2),
      dataPath: sample,
      label: 'first',
    });
    run = (await until('train:done', jobId)).run;
    expect(run).toMatchObject({ id: runId, label: 'first', status: 'completed', epochs: 2 });
    const progress = events.filter((e) => e.type === 'train:progress' && e.jobId === jobId);
    const kinds = progress.map((e) => (e.type === 'train:progress' ? e.progress.type : ''));
    expect(kinds[0]).toBe('start');
    expect(kinds.filter((k) => k === 'epoch')).toHaveLength(2);
    expect(kinds).toContain('batch');
    const batch = progress.find((e) => e.type === 'train:progress' && e.progress.type === 'batch');
    if (batch?.type === 'train:progress' && batch.progress.type === 'batch') {
      expect(Object.keys(batch.progress.gradients ?? {})).toEqual(['click', 'purchase', 'amount']);
    }
    const detail = await handlers['runs:get'](runId);
    expect(detail.history).toHaveLength(2);
    // The numbers are the engine's (its own tests check their quality): here, that they arrive.
    expect(detail.test?.click.auc).toBeGreaterThan(0);
    expect(detail.test?.click.auc).toBeLessThan(1);
    expect(detail.test?.amount.gini).toBeTypeOf('number');
    expect(detail.curves.click.roc?.fpr.length).toBeGreaterThan(2);
    expect(detail.curves.amount.lorenz?.population.length).toBeGreaterThan(2);
    expect(JSON.parse(JSON.stringify(detail))).toEqual(detail); // plain data for the wire
    expect((await handlers['runs:list']()).map((r) => r.id)).toContain(runId);
  });

  it('stops a run on request and still keeps results', async () => {
    const { jobId } = await handlers['train:start']({
      project: await htlnet(50),
      dataPath: sample,
    });
    await until('train:progress', jobId);
    await handlers['job:cancel'](jobId);
    const stopped = (await until('train:done', jobId)).run;
    expect(stopped.status).toBe('cancelled');
    expect(stopped.epochs).toBeLessThan(50);
  });

  it('stops a diverging run with a clear message', async () => {
    const project = await htlnet(5, {
      batchSize: 128,
      optimizer: 'sgd',
      learningRate: 10,
      adjustment: 'none',
    });
    for (const b of project.graph.blocks)
      if (b.type === 'task-head') b.params = { ...b.params, objective: 'mse', transform: 'none' };
    const { jobId } = await handlers['train:start']({ project, dataPath: sample });
    const done = (await until('train:done', jobId)).run;
    expect(done.status).toBe('diverged');
    expect(done.message).toMatch(/diverg/i);
  });

  it('scores a file and exports the model', async () => {
    const out = path.join(workspace, 'scored.csv');
    const { jobId } = await handlers['score:start']({
      source: { runId: run.id },
      dataPath: sample,
      out,
    });
    const { result } = await until('score:done', jobId);
    expect(result.rows).toBe(3000);
    expect(result.metrics?.click.auc).toBeGreaterThan(0);
    // The predictions follow the input's own columns (rows join back without relying on order).
    const inputHeader = readFileSync(sample, 'utf8').split('\n')[0];
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe(
      `${inputHeader},click_probability,purchase_probability,amount_prediction`,
    );
    expect(result.keptColumns).toEqual(inputHeader.split(','));
    const dest = await handlers['model:export'](run.id, 'models/first');
    expect(existsSync(path.join(dest, 'manifest.json'))).toBe(true);
    await expect(handlers['model:export'](run.id, 'models/first')).rejects.toThrow(/not empty/);
    await expect(handlers['model:export'](run.id, '/tmp/elsewhere')).rejects.toThrow(
      /outside the workspace/,
    );
  });

  it('exports the model as ONNX with its preprocessing spec', async () => {
    const onnx = await handlers['model:exportOnnx'](run.id, 'models/first');
    expect(onnx.out).toBe(path.join(workspace, 'models', 'first.onnx'));
    expect(existsSync(onnx.preprocessing)).toBe(true);
    expect(onnx.opset).toBeGreaterThanOrEqual(13);
    expect(onnx.outputs).toEqual(['click', 'purchase', 'amount']);
  });

  it('deletes a run', async () => {
    await handlers['runs:delete'](run.id);
    expect((await handlers['runs:list']()).map((r) => r.id)).not.toContain(run.id);
    await expect(handlers['runs:get'](run.id)).rejects.toThrow(/no run/);
  });
});
