// A run being started is active from its first write: startTrain writes the run's record
// ("running") before its job is tracked, and a listing in between (the experiments' UI lists the
// runs as each one of a group starts) took it for a run the app had left behind and marked it
// "Interrupted: the app closed while this run was training" although it went on training. The
// runner here is a stand-in that trains nothing, so the moments are the test's to choose.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleBinding } from '../../src-main/engine/data/sample-layout';
import { buildTemplate } from '../../src-main/engine/graph/templates';
import { JobManager, type Runner } from '../../src-main/host/jobs';
import { RunStore } from '../../src-main/host/runs';

let root: string | null = null;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = null;
});

describe('a run being started', () => {
  it('is active from its first write, so a listing never marks it interrupted', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'htlnet-run-start-'));
    let finish = () => undefined as void;
    const runner: Runner = () => ({
      cancel: () => finish(),
      done: new Promise<void>((resolve) => (finish = resolve)),
    });
    const jobs = new JobManager(() => undefined, runner, new RunStore(path.join(root, 'runs')));
    const project = buildTemplate('htlnet', sampleBinding());

    const starting = jobs.startTrain({ project, dataPath: path.join(root, 'data.csv') });
    // The record is being written and the job is not tracked yet.
    const active = jobs.activeRuns();
    expect(active.size).toBe(1);
    const during = await jobs.runs.list(active);
    const { jobId, runId } = await starting;
    expect([...active]).toEqual([runId]);
    expect(during.every((r) => r.id === runId && r.status === 'running')).toBe(true);
    expect((await jobs.runs.list(jobs.activeRuns())).map((r) => [r.id, r.status])).toEqual([
      [runId, 'running'],
    ]);

    finish();
    await jobs.finished(jobId);
    expect(jobs.activeRuns().size).toBe(0);
  });
});
