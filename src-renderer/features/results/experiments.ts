// An experiment's summary in words, as the Experiments view and its report say it: its kind and
// status, its progress ("4 of 6 runs done · 2 training · 1 failed"), whether it can still be
// cancelled, and the note that it resumed after the app restarted. Pure.

import type { ExperimentSummary } from '../../../src-main/ipc/api';
import { formatTime } from '../../ui/format';

export const KIND_TEXT: Record<ExperimentSummary['kind'], string> = {
  ablation: 'Ablation',
  sweep: 'Sweep',
  seeds: 'Seeds',
};

export const EXPERIMENT_STATUS_TEXT: Record<ExperimentSummary['status'], string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

/** Whether an experiment still has runs to train (it can be cancelled). */
export function isActive(e: Pick<ExperimentSummary, 'status'>): boolean {
  return e.status === 'queued' || e.status === 'running';
}

/** "4 of 6 runs done · 2 training · 1 failed" */
export function progressText(e: ExperimentSummary): string {
  const parts = [`${e.done} of ${e.total} runs done`];
  if (e.running > 0) parts.push(`${e.running} training`);
  if (e.failed > 0) parts.push(`${e.failed} failed`);
  return parts.join(' · ');
}

/** "Resumed after a restart (2 Dec 2026, 07:10): the runs that were training started again." */
export function resumedText(e: ExperimentSummary): string | null {
  return e.resumedAt
    ? `Resumed after a restart (${formatTime(e.resumedAt)}): the runs that were training started again.`
    : null;
}
