// The runs table's logic: its task columns, sorting by any column, and which run is best on a
// metric (for the comparison's highlighting). Pure.

import type { RunSummary, TaskMetricsWire } from '../../../src-main/ipc/api';
import type { TaskType } from '../../../src-main/shared/project';
import { formatMetric, HEADLINE_METRIC, METRICS } from '../../ui/format';
import type { SortKey } from '../../store/journey';

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
  // Compared as shown: 0.71231 and 0.71234 both read 0.7123, a tie, not a win.
  const shown = (v: unknown) =>
    typeof v === 'number' && Number.isFinite(v)
      ? Number(formatMetric(metric, v).replace(/,/g, ''))
      : null;
  const present = values
    .map(({ id, metrics }) => ({ id, v: shown(metrics?.[metric]) }))
    .filter((x): x is { id: string; v: number } => x.v !== null);
  const ids = new Set<string>();
  if (present.length < 2) return ids; // nothing to compare against
  let best = present[0].v;
  for (const { v } of present) if (higher ? v > best : v < best) best = v;
  // All equal: nobody wins.
  if (present.every((x) => x.v === best)) return ids;
  for (const { id, v } of present) if (v === best) ids.add(id);
  return ids;
}
