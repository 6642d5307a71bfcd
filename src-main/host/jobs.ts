// Background jobs of the app: importing a CSV (on the main thread, streamed, cancellable),
// training a run and scoring a file (in a worker thread each). Progress and results go out as
// HostEvents; runs are recorded in the RunStore as they go, so nothing is lost if the app stops.

import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { UserError } from '../engine/errors';
import { planModel } from '../engine/model/plan';
import type {
  DataPreview,
  HostEvent,
  JobKind,
  RunDetail,
  RunGroupRef,
  TrainRequestArgs,
} from '../ipc/api';
import type { ProjectFile } from '../shared/project';
import { importCsv } from './data';
import { newRunId, RunStore, summaryOf } from './runs';
import { runTask, type TaskInput, type TaskMessage } from './tasks';

interface RunningTask {
  cancel(): void;
  done: Promise<void>;
}

/** Starts a task somewhere (a worker thread, or this thread in tests) and relays its messages. */
export type Runner = (task: TaskInput, onMessage: (m: TaskMessage) => void) => RunningTask;

/** Each task in its own worker thread, ended when the task ends. */
export function workerRunner(script: string | URL): Runner {
  return (task, onMessage) => {
    const worker = new Worker(script);
    let settled = false;
    const done = new Promise<void>((resolve) => {
      worker.on('message', (m: TaskMessage) => {
        if (
          m.type === 'train-result' ||
          m.type === 'score-result' ||
          m.type === 'explain-result' ||
          m.type === 'failed'
        ) {
          settled = true;
        }
        onMessage(m);
      });
      worker.on('error', (error) => {
        if (!settled) onMessage({ type: 'failed', error: error.message, cancelled: false });
        settled = true;
      });
      worker.on('exit', (code) => {
        if (!settled) {
          onMessage({
            type: 'failed',
            error: `The training process stopped unexpectedly (exit code ${code}).`,
            cancelled: false,
          });
        }
        resolve();
      });
    });
    worker.postMessage({ type: 'run', task });
    return { cancel: () => worker.postMessage({ type: 'cancel' }), done };
  };
}

/** In this thread (tests): the same task code, no isolation. */
export const inProcessRunner: Runner = (task, onMessage) => {
  const controller = new AbortController();
  return {
    cancel: () => controller.abort(),
    done: runTask(task, onMessage, controller.signal),
  };
};

interface Job {
  kind: JobKind;
  cancel(): void;
  done: Promise<void>;
  runId?: string;
}

function progressEvent(m: Extract<TaskMessage, { type: 'progress' }>) {
  return { type: 'job:progress' as const, stage: m.stage, done: m.done, total: m.total };
}

function jobId(): string {
  return `j${randomBytes(6).toString('hex')}`;
}

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly previews = new Map<string, DataPreview>();
  /** Output files being written by running jobs -> the job writing each. */
  private readonly writing = new Map<string, string>();
  /**
   * Runs whose record startTrain is writing before their job is tracked: active too, or a
   * listing in between (the experiments' UI lists runs as each one starts) would take the
   * "running" record for one the app left behind and mark it interrupted.
   */
  private readonly starting = new Set<string>();

  constructor(
    private readonly emit: (event: HostEvent) => void,
    private readonly runner: Runner,
    readonly runs: RunStore,
  ) {}

  /** Run ids being trained now. */
  activeRuns(): Set<string> {
    return new Set([
      ...this.starting,
      ...[...this.jobs.values()].flatMap((j) => (j.runId ? [j.runId] : [])),
    ]);
  }

  preview(path: string): DataPreview | null {
    return this.previews.get(path) ?? null;
  }

  cancel(id: string): void {
    this.jobs.get(id)?.cancel();
  }

  /** Resolves when a job has ended and its run is written (at once for an unknown job). */
  async finished(id: string): Promise<void> {
    await this.jobs.get(id)?.done;
  }

  /** Waits for every job to end (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }

  startImport(path: string): string {
    const id = jobId();
    const controller = new AbortController();
    const done = importCsv(path, {
      signal: controller.signal,
      onProgress: (d, t) =>
        this.emit({
          type: 'job:progress',
          jobId: id,
          kind: 'import',
          done: d,
          total: t,
          stage: 'reading',
        }),
    }).then(
      (preview) => {
        this.previews.set(path, preview);
        this.emit({ type: 'import:done', jobId: id, preview });
      },
      (error: unknown) => this.failed(id, 'import', error, controller.signal.aborted),
    );
    this.track(id, { kind: 'import', cancel: () => controller.abort(), done });
    return id;
  }

  /**
   * Trains a run. An experiment's run carries its `group` and sends its events to `onEvent`
   * instead of the window (the experiment queue reports its progress as a whole).
   */
  async startTrain(
    request: TrainRequestArgs,
    options: { group?: RunGroupRef; onEvent?: (event: HostEvent) => void } = {},
  ): Promise<{ jobId: string; runId: string }> {
    const emit = options.onEvent ?? this.emit;
    const id = jobId();
    const runId = newRunId();
    const plan = planModel(request.project); // throws a clear message for an untrainable graph
    const detail: RunDetail = {
      id: runId,
      label: request.label ?? `${request.project.name} ${new Date().toLocaleString('en-GB')}`,
      projectName: request.project.name,
      dataPath: request.dataPath,
      status: 'running',
      message: 'Training…',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      epochs: 0,
      bestEpoch: 0,
      rows: null,
      samplesPerSecond: null,
      test: null,
      tasks: plan.tasks.map((t) => ({ name: t.name, type: t.type })),
      hasModel: false,
      project: structuredClone<ProjectFile>(request.project),
      history: [],
      curves: {},
      ...(options.group ? { group: options.group } : {}),
    };
    this.starting.add(runId);
    try {
      await this.runs.write(detail);
      return this.runTrain(id, runId, detail, request, emit);
    } finally {
      this.starting.delete(runId); // tracked by now, or failed to start
    }
  }

  private runTrain(
    id: string,
    runId: string,
    detail: RunDetail,
    request: TrainRequestArgs,
    emit: (event: HostEvent) => void,
  ): { jobId: string; runId: string } {
    const task: TaskInput = {
      type: 'train',
      project: request.project,
      dataPath: request.dataPath,
      modelDir: this.runs.modelDir(runId),
    };
    let writes = Promise.resolve();
    const save = () => {
      const snapshot = structuredClone(detail);
      writes = writes.then(() => this.runs.write(snapshot)).catch(() => undefined);
    };
    const running = this.runner(task, (m) => {
      if (m.type === 'progress') {
        emit({ ...progressEvent(m), jobId: id, kind: 'train' });
      } else if (m.type === 'train') {
        const p = m.progress;
        if (p.type === 'start') detail.rows = p.rows;
        if (p.type === 'epoch') {
          const { type: _t, epochs: _e, bestEpoch, ...record } = p;
          detail.history.push(record);
          detail.epochs = p.epoch;
          detail.bestEpoch = bestEpoch;
          save();
        }
        emit({ type: 'train:progress', jobId: id, runId, progress: p });
      } else if (m.type === 'train-result') {
        const r = m.result;
        Object.assign(detail, {
          status: r.reason,
          message: r.message,
          finishedAt: new Date().toISOString(),
          epochs: r.epochs,
          bestEpoch: r.bestEpoch,
          rows: r.rows,
          samplesPerSecond: r.samplesPerSecond,
          test: r.test,
          history: r.history,
          curves: r.curves,
          hasModel: true,
        } satisfies Partial<RunDetail>);
        save();
        void writes.then(() => emit({ type: 'train:done', jobId: id, run: summaryOf(detail) }));
      } else if (m.type === 'failed') {
        Object.assign(detail, {
          status: 'failed',
          message: m.error,
          finishedAt: new Date().toISOString(),
        } satisfies Partial<RunDetail>);
        save();
        void writes.then(() => {
          if (m.cancelled) emit({ type: 'job:cancelled', jobId: id, kind: 'train' });
          else emit({ type: 'job:failed', jobId: id, kind: 'train', error: m.error });
          emit({ type: 'train:done', jobId: id, run: summaryOf(detail) });
        });
      }
    });
    this.track(id, {
      kind: 'train',
      runId,
      cancel: running.cancel,
      done: running.done.then(() => writes),
    });
    return { jobId: id, runId };
  }

  startScore(task: Extract<TaskInput, { type: 'score' }>): string {
    if (this.writing.has(task.out)) {
      throw new UserError(
        `${task.out} is being written by a scoring job that is still running; wait for it or choose another output file.`,
        { file: task.out },
      );
    }
    const reading = [...this.writing.keys()].find((f) => f === task.dataPath);
    if (reading) {
      throw new UserError(
        `${task.dataPath} is being written by a scoring job that is still running; score it once that job is done.`,
        { file: task.dataPath },
      );
    }
    const id = jobId();
    this.writing.set(task.out, id);
    const running = this.runner(task, (m) => {
      if (m.type === 'progress') {
        this.emit({ ...progressEvent(m), jobId: id, kind: 'score' });
      } else if (m.type === 'score-result') {
        this.emit({ type: 'score:done', jobId: id, result: m.result });
      } else if (m.type === 'failed') {
        if (m.cancelled) this.emit({ type: 'job:cancelled', jobId: id, kind: 'score' });
        else this.emit({ type: 'job:failed', jobId: id, kind: 'score', error: m.error });
      }
    });
    const done = running.done.finally(() => this.writing.delete(task.out));
    this.track(id, { kind: 'score', cancel: running.cancel, done });
    return id;
  }

  /** Explains a model in a worker; for a run (`runId`) the result is kept in its folder. */
  startExplain(task: Extract<TaskInput, { type: 'explain' }>, runId: string | null): string {
    const id = jobId();
    const running = this.runner(task, (m) => {
      if (m.type === 'progress') {
        this.emit({ ...progressEvent(m), jobId: id, kind: 'explain' });
      } else if (m.type === 'explain-result') {
        this.emit({ type: 'explain:done', jobId: id, runId, explanation: m.explanation });
      } else if (m.type === 'failed') {
        if (m.cancelled) this.emit({ type: 'job:cancelled', jobId: id, kind: 'explain' });
        else this.emit({ type: 'job:failed', jobId: id, kind: 'explain', error: m.error });
      }
    });
    this.track(id, { kind: 'explain', cancel: running.cancel, done: running.done });
    return id;
  }

  private failed(id: string, kind: JobKind, error: unknown, cancelled: boolean): void {
    if (cancelled) this.emit({ type: 'job:cancelled', jobId: id, kind });
    else {
      const message = error instanceof Error ? error.message : String(error);
      this.emit({ type: 'job:failed', jobId: id, kind, error: message });
    }
  }

  private track(id: string, job: Job): void {
    this.jobs.set(id, job);
    void job.done.finally(() => this.jobs.delete(id));
  }
}
