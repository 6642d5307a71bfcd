// The runs table's logic: its task columns, sorting by any column, and which run is best on a
// metric (for the comparison's highlighting). Pure.

import type { RunSummary, TaskMetricsWire } from '../../../src-main/ipc/api';
import type { TaskType } from '../../../src-main/shared/project';
import { HEADLINE_METRIC, METRICS } from '../format';
import type { SortKey } from '../store';

export interface TaskColumn {
  task: string;
  type: TaskType;
  metric: string;
}

/** One column per task name across the runs (first appearance order), with its headline metric. */
export function taskColumns(runs: readonly RunSummary[]): TaskColumn[] {
  const seen = new Map<string, TaskColumn>();
  for (const run of runs) {
    for (const t of run.tasks) {
      if (!seen.has(t.name))
        seen.set(t.name, { task: t.name, type: t.type, metric: HEADLINE_METRIC[t.type] });
    }
  }
  return [...seen.values()];
}

/** The value a run shows in a task column (its test metric), or null. */
export function taskValue(run: RunSummary, column: TaskColumn): number | null {
  const v = run.test?.[column.task]?.[column.metric];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function sortValue(
  run: RunSummary,
  key: SortKey,
  columns: readonly TaskColumn[],
): string | number | null {
  switch (key) {
    case 'time':
      return run.startedAt;
    case 'label':
      return run.label.toLowerCase();
    case 'model':
      return run.projectName.toLowerCase();
    case 'status':
      return run.status;
    default: {
      const column = columns.find((c) => `task:${c.task}` === key);
      return column ? taskValue(run, column) : null;
    }
  }
}

/** The runs in the order of a column; runs without a value go last whichever the direction. */
export function sortRuns(
  runs: readonly RunSummary[],
  sort: { key: SortKey; dir: 'asc' | 'desc' },
  columns: readonly TaskColumn[] = taskColumns(runs),
): RunSummary[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return runs
    .map((run, index) => ({ run, index, value: sortValue(run, sort.key, columns) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) {
        if (a.value === b.value) return a.index - b.index;
        return a.value === null ? 1 : -1;
      }
      const c =
        typeof a.value === 'number' && typeof b.value === 'number'
          ? a.value - b.value
          : String(a.value).localeCompare(String(b.value));
      return c !== 0 ? sign * c : a.index - b.index;
    })
    .map((x) => x.run);
}

/** The ids holding the best value of a metric among several runs' metrics (ties included). */
export function bestOf(
  metric: string,
  values: readonly { id: string; metrics: TaskMetricsWire | undefined }[],
): Set<string> {
  const higher = METRICS[metric]?.higherIsBetter ?? true;
  let best: number | null = null;
  for (const { metrics } of values) {
    const v = metrics?.[metric];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (best === null || (higher ? v > best : v < best)) best = v;
  }
  const ids = new Set<string>();
  if (best === null) return ids;
  const counted = values.filter((x) => typeof x.metrics?.[metric] === 'number').length;
  if (counted < 2) return ids; // nothing to compare against
  for (const { id, metrics } of values) if (metrics?.[metric] === best) ids.add(id);
  return ids;
}
