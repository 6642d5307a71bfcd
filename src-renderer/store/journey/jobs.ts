// The host's jobs as one journey store follows them: which job ids this window started, who
// waits for a job's last event, and the events that arrive before the invoke that started the
// job has returned its id (replayed when it does). One tracker per store, so two stores (two
// windows, two tests) never see each other's jobs.

import type { HostEvent } from '../../../src-main/ipc/api';
import type { JobEvent, Terminal } from './types';

const EARLY_JOBS = 8;
const EARLY_EVENTS = 500;

function isTerminal(event: HostEvent): event is Terminal {
  return (
    event.type === 'import:done' ||
    event.type === 'train:done' ||
    event.type === 'score:done' ||
    event.type === 'job:failed' ||
    event.type === 'job:cancelled'
  );
}

export class JobTracker {
  /** Promises waiting for a job's last event. */
  private readonly waiters = new Map<string, (event: Terminal) => void>();
  /** Events of jobs whose id the invoke has not returned yet (replayed when it does). */
  private readonly early = new Map<string, JobEvent[]>();
  /** Job ids this session started, to tell early events from other windows' jobs. */
  private readonly known = new Set<string>();

  /** `dispatch` applies a replayed event to the store (its handleHostEvent). */
  constructor(private readonly dispatch: (event: HostEvent) => void) {}

  /** Calls `start`, registers its job id and resolves with the job's last event. */
  async run(
    start: () => Promise<{ jobId: string }>,
    onStarted?: (jobId: string) => void,
  ): Promise<{ jobId: string; done: Promise<Terminal> }> {
    const { jobId } = await start();
    this.known.add(jobId);
    const done = new Promise<Terminal>((resolve) => this.waiters.set(jobId, resolve));
    onStarted?.(jobId);
    for (const event of this.early.get(jobId) ?? []) this.dispatch(event);
    this.early.delete(jobId);
    return { jobId, done };
  }

  isKnown(jobId: string): boolean {
    return this.known.has(jobId);
  }

  isAwaited(jobId: string): boolean {
    return this.waiters.has(jobId);
  }

  /** A job this window follows without having started it (a run adopted after a reload). */
  adopt(jobId: string): void {
    this.known.add(jobId);
  }

  /** Not (yet) ours: keep the event briefly in case our invoke has not returned its id yet. */
  hold(event: JobEvent): void {
    if (this.known.has(event.jobId)) return;
    const list = this.early.get(event.jobId) ?? [];
    if (list.length < EARLY_EVENTS) list.push(event);
    this.early.set(event.jobId, list);
    if (this.early.size > EARLY_JOBS) this.early.delete(this.early.keys().next().value!);
  }

  /** Resolves the waiter of a job's last event. */
  finish(event: HostEvent): void {
    if (!isTerminal(event)) return;
    const resolve = this.waiters.get(event.jobId);
    this.waiters.delete(event.jobId);
    resolve?.(event);
  }
}
