// The experiment queue: an experiment (a sweep, the ablation, or one project with N seeds) is a
// list of runs, one per variant and seed, trained in the background by the JobManager (a worker
// thread each), a few at a time when the machine has the cores. Each run is an ordinary run
// of the run store, marked with its group (the experiment), variant and seed. The queue is kept
// in the workspace's state folder (experiments/ID.json, written atomically at every change), so
// after a restart the runs that were training are started again and the rest continue. The
// results are read back from the runs and reported by engine/experiments (means, intervals).

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../engine/errors';
import { buildReport, planRuns, type RunResult } from '../engine/experiments';
import type {
  ExperimentDetail,
  ExperimentKind,
  ExperimentRunState,
  ExperimentSummary,
  ExperimentValue,
  HostEvent,
} from '../ipc/api';
import type { ProjectFile } from '../shared/project';
import { writeFileAtomic } from './fs-atomic';
import type { JobManager } from './jobs';

/** A variant as the queue keeps it: its name, what it sets, and the project it trains. */
export interface QueuedVariant {
  name: string;
  params: Record<string, ExperimentValue>;
  /** Ablation: the component it removes (null for the full model). */
  component?: string | null;
  project: ProjectFile;
}

/** What the queue needs to start an experiment (the handler builds it from the request). */
export interface StartExperimentArgs {
  name: string;
  kind: ExperimentKind;
  reference: string;
  dataPath: string;
  seeds: number[];
  variants: QueuedVariant[];
}

/** An experiment as kept on disk: its summary, its variants' projects and its runs. */
interface ExperimentRecord extends Omit<ExperimentSummary, 'running'> {
  dataPath: string;
  variants: QueuedVariant[];
  runs: ExperimentRunState[];
}

const EXPERIMENT_ID = /^x\d{8}-\d{6}-[0-9a-f]{6}$/;

function newExperimentId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `x${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Runs trained at once by default: one per two cores (each run uses threads of its own). */
function defaultConcurrency(): number {
  return Math.max(1, Math.floor(os.availableParallelism() / 2));
}

export interface ExperimentQueueOptions {
  /** Runs trained at once [defaultConcurrency()]. */
  concurrency?: number;
}

export class ExperimentQueue {
  private readonly experiments = new Map<string, ExperimentRecord>();
  /** Run key ("experiment/index") -> the job training it. */
  private readonly running = new Map<string, string>();
  private readonly concurrency: number;
  private writes = Promise.resolve();
  /** Resolves once the experiments kept on disk are loaded and resumed. */
  readonly ready: Promise<void>;

  constructor(
    private readonly dir: string,
    private readonly jobs: JobManager,
    private readonly emit: (event: HostEvent) => void,
    options: ExperimentQueueOptions = {},
    /** Waited for before the first run starts (the start-up clean-up). */
    before: Promise<unknown> = Promise.resolve(),
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? defaultConcurrency());
    this.ready = before.then(() => this.resume());
  }

  /** Queues an experiment; its runs start in the background. */
  async start(args: StartExperimentArgs): Promise<ExperimentSummary> {
    await this.ready;
    const planned = planRuns(
      args.variants.map((v) => ({ name: v.name, params: v.params, project: v.project })),
      args.seeds,
    );
    const record: ExperimentRecord = {
      id: newExperimentId(),
      name: args.name,
      kind: args.kind,
      reference: args.reference,
      createdAt: new Date().toISOString(),
      status: 'queued',
      message: 'Queued.',
      seeds: [...args.seeds],
      total: planned.length,
      done: 0,
      failed: 0,
      dataPath: args.dataPath,
      variants: args.variants.map((v) => ({ ...v, project: structuredClone(v.project) })),
      runs: planned.map((r) => ({
        variant: r.variant,
        seed: r.seed,
        runId: null,
        status: 'queued',
      })),
    };
    this.experiments.set(record.id, record);
    await this.save(record);
    this.pump();
    return summaryOf(record);
  }

  async list(): Promise<ExperimentSummary[]> {
    await this.ready;
    return [...this.experiments.values()]
      .map(summaryOf)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** An experiment with its runs and its report so far (finished runs only). */
  async get(id: string): Promise<ExperimentDetail> {
    await this.ready;
    const record = this.record(id);
    const results: RunResult[] = [];
    for (const r of record.runs) {
      if (r.status !== 'done' || !r.runId) continue;
      const run = await this.jobs.runs.summary(r.runId).catch(() => null);
      results.push({ variant: r.variant, seed: r.seed, metrics: run?.test ?? null });
    }
    const report = buildReport({
      variants: record.variants.map(({ name, params, component }) => ({ name, params, component })),
      reference: record.reference,
      results,
    });
    return {
      ...summaryOf(record),
      dataPath: record.dataPath,
      runs: record.runs.map((r) => ({ ...r })),
      report,
    };
  }

  /** Stops an experiment: queued runs are dropped, training runs stop after their batch. */
  async cancel(id: string): Promise<void> {
    await this.ready;
    const record = this.record(id);
    if (record.status !== 'queued' && record.status !== 'running') return;
    record.status = 'cancelled';
    record.message = 'Cancelled.';
    record.runs.forEach((r, i) => {
      if (r.status === 'queued') r.status = 'cancelled';
      const job = this.running.get(key(record.id, i));
      if (job) this.jobs.cancel(job);
    });
    await this.save(record);
    this.progress(record);
  }

  private record(id: string): ExperimentRecord {
    const record = EXPERIMENT_ID.test(id) ? this.experiments.get(id) : undefined;
    if (!record) throw new UserError(`There is no experiment "${id}".`);
    return record;
  }

  /** Loads the kept experiments; runs that were training when the app stopped start again. */
  private async resume(): Promise<void> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!EXPERIMENT_ID.test(name.replace(/\.json$/, '')) || !name.endsWith('.json')) continue;
      let record: ExperimentRecord;
      try {
        record = JSON.parse(
          await fs.readFile(path.join(this.dir, name), 'utf8'),
        ) as ExperimentRecord;
      } catch {
        continue; // a damaged file is left as it is
      }
      let changed = false;
      for (const r of record.runs) {
        if (r.status !== 'running') continue;
        // Its run was interrupted: it is trained again, and the interrupted attempt removed.
        if (r.runId) await this.jobs.runs.delete(r.runId).catch(() => undefined);
        r.runId = null;
        r.status = record.status === 'cancelled' ? 'cancelled' : 'queued';
        changed = true;
      }
      if (changed && record.status !== 'cancelled') record.resumedAt = new Date().toISOString();
      this.experiments.set(record.id, record);
      if (changed) await this.save(record);
    }
    this.pump();
  }

  /** Starts queued runs, oldest experiment first, while there is room. */
  private pump(): void {
    const queue = [...this.experiments.values()]
      .filter((e) => e.status === 'queued' || e.status === 'running')
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const record of queue) {
      for (const [i, r] of record.runs.entries()) {
        if (this.running.size >= this.concurrency) return;
        if (r.status !== 'queued') continue;
        r.status = 'running';
        this.running.set(key(record.id, i), 'starting');
        void this.startRun(record, i);
      }
    }
  }

  private async startRun(record: ExperimentRecord, index: number): Promise<void> {
    const r = record.runs[index];
    const variant = record.variants.find((v) => v.name === r.variant)!;
    const project = planRuns([variant], [r.seed])[0].project;
    try {
      const { jobId, runId } = await this.jobs.startTrain(
        {
          project,
          dataPath: record.dataPath,
          label: `${record.name}: ${r.variant}, seed ${r.seed}`,
        },
        {
          group: { id: record.id, name: record.name, variant: r.variant, seed: r.seed },
          onEvent: (e) => {
            if (e.type === 'train:progress' && e.progress.type === 'epoch') this.progress(record);
          },
        },
      );
      r.runId = runId;
      this.running.set(key(record.id, index), jobId);
      if (record.status === 'cancelled') this.jobs.cancel(jobId); // cancelled while starting
      if (record.status === 'queued') {
        record.status = 'running';
        record.message = 'Training…';
      }
      await this.save(record);
      this.progress(record);
      await this.jobs.finished(jobId);
      const run = await this.jobs.runs.get(runId).catch(() => null);
      const usable =
        run && run.test && (run.status === 'completed' || run.status === 'early-stopping');
      r.status = usable ? 'done' : run?.status === 'cancelled' ? 'cancelled' : 'failed';
      if (r.status === 'failed') r.message = run?.message ?? 'The run has no results.';
    } catch (error) {
      r.status = 'failed';
      r.message = error instanceof Error ? error.message : String(error);
    } finally {
      this.running.delete(key(record.id, index));
    }
    record.done = record.runs.filter((x) => x.status === 'done').length;
    record.failed = record.runs.filter((x) => x.status === 'failed').length;
    if (record.runs.every((x) => x.status !== 'queued' && x.status !== 'running')) {
      if (record.status !== 'cancelled') {
        record.status = record.done > 0 ? 'completed' : 'failed';
        record.message =
          record.failed > 0
            ? `${record.done} of ${record.total} runs finished; ${record.failed} failed.`
            : `All ${record.total} runs finished.`;
      }
    }
    await this.save(record);
    this.progress(record);
    this.pump();
  }

  private progress(record: ExperimentRecord): void {
    this.emit({ type: 'experiment:progress', jobId: record.id, experiment: summaryOf(record) });
  }

  private save(record: ExperimentRecord): Promise<void> {
    const text = JSON.stringify(record);
    const write = this.writes.then(() =>
      writeFileAtomic(path.join(this.dir, `${record.id}.json`), text),
    );
    this.writes = write.catch(() => undefined);
    return write;
  }
}

function key(id: string, index: number): string {
  return `${id}/${index}`;
}

function summaryOf(record: ExperimentRecord): ExperimentSummary {
  const { dataPath: _d, variants: _v, runs, ...summary } = record;
  return { ...summary, running: runs.filter((r) => r.status === 'running').length };
}
