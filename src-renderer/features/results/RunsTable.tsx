// Every run kept by the app in one table, sortable by any column (time, label, model, status,
// each task's test metric), with checkboxes to pick runs for the comparison, each run's group
// (experiment · variant · seed) and disk use, a filter by experiment, and "Prune…" to delete
// old runs after seeing what goes. Hundreds of rows render as they are (bench/runs.ts measures
// the store; the table scrolls inside its panel).

import { useState } from 'react';
import type { RunSummary } from '../../../src-main/ipc/api';
import {
  formatBytes,
  formatMetric,
  formatTime,
  humanize,
  metricLabel,
  METRICS,
  STATUS_TEXT,
} from '../../ui/format';
import { sortRuns, taskColumns, taskValue } from './runs';
import { filterRuns, groupLabel, groupsOf, totalDiskBytes, type GroupFilter } from './groups';
import { PruneDialog } from './PruneDialog';
import { type SortKey, useJourney, useJourneyActions } from '../../store/journey';

function SortHeader({
  label,
  sortKey,
  title,
  numeric,
}: {
  label: string;
  sortKey: SortKey;
  title: string;
  numeric?: boolean;
}) {
  const journey = useJourneyActions();
  const sort = useJourney((s) => s.sort);
  const active = sort.key === sortKey;
  return (
    <th
      scope="col"
      className={numeric ? 'j-num' : undefined}
      aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <button
        type="button"
        className={`j-sort${active ? ' j-sort-active' : ''}`}
        onClick={() => journey.setSort(sortKey)}
        title={`Sort by ${title}`}
        data-testid={`sort-${sortKey}`}
      >
        {label}
        <span className="j-sort-arrow" aria-hidden="true">
          {active ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}

export function RunsTable({ onPruned }: { onPruned?: (message: string) => void } = {}) {
  const journey = useJourneyActions();
  const allRuns = useJourney((s) => s.runs);
  const sort = useJourney((s) => s.sort);
  const compare = useJourney((s) => s.compare);
  const openRun = useJourney((s) => s.openRun);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const [filter, setFilter] = useState<GroupFilter>({ kind: 'all' });
  const [pruning, setPruning] = useState(false);
  const groups = groupsOf(allRuns);
  // A filter on an experiment whose runs are all gone falls back to every run.
  const current =
    filter.kind === 'group' && !groups.some((g) => g.id === filter.id)
      ? ({ kind: 'all' } as const)
      : filter;
  const runs = filterRuns(allRuns, current);
  const columns = taskColumns(runs);
  const sorted = sortRuns(runs, sort, columns);

  const remove = async (run: RunSummary) => {
    setConfirmDelete(null);
    await journey.deleteRun(run.id);
  };

  return (
    <section className="j-panel j-runs" aria-labelledby="j-runs-title">
      <div className="j-panel-head">
        <h3 id="j-runs-title">Runs</h3>
        <span className="j-muted" data-testid="runs-count">
          {runs.length} run{runs.length === 1 ? '' : 's'}
          {current.kind !== 'all' ? ` of ${allRuns.length}` : ''} ·{' '}
          {formatBytes(totalDiskBytes(runs))} on disk · tick two or more to compare
        </span>
        {groups.length > 0 && (
          <label className="j-group-filter">
            <span>Show</span>
            <select
              value={current.kind === 'group' ? `group:${current.id}` : current.kind}
              onChange={(e) => {
                const v = e.currentTarget.value;
                setFilter(
                  v.startsWith('group:')
                    ? { kind: 'group', id: v.slice('group:'.length) }
                    : { kind: v === 'single' ? 'single' : 'all' },
                );
              }}
              title="Show the runs of one experiment, or the runs of none"
              data-testid="runs-group-filter"
            >
              <option value="all">All runs</option>
              <option value="single">Runs of no experiment</option>
              {groups.map((g) => (
                <option key={g.id} value={`group:${g.id}`}>
                  {g.name} ({g.runs})
                </option>
              ))}
            </select>
          </label>
        )}
        <button
          type="button"
          className="btn btn-secondary"
          onClick={() => setPruning(true)}
          disabled={allRuns.length === 0}
          title="Delete old runs or an experiment's runs, after seeing which and the space freed"
          data-testid="runs-prune"
        >
          Prune…
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={compare.length < 2}
          onClick={() => journey.setResultsView('compare')}
          title={
            compare.length < 2
              ? 'Tick two or more runs to compare them'
              : `Compare the ${compare.length} ticked runs`
          }
          data-testid="compare-open"
        >
          Compare {compare.length > 0 ? `(${compare.length})` : ''}
        </button>
      </div>
      {pruning && (
        <PruneDialog
          runs={allRuns}
          initialGroup={current.kind === 'group' ? current.id : undefined}
          onClose={() => setPruning(false)}
          onDone={(result) => {
            setPruning(false);
            onPruned?.(
              `Deleted ${result.deleted.length} run${result.deleted.length === 1 ? '' : 's'}, freeing ${formatBytes(result.freedBytes)}.`,
            );
          }}
        />
      )}
      <div className="j-table-scroll j-runs-scroll">
        <table className="j-table" data-testid="runs-table">
          <thead>
            <tr>
              <th scope="col" className="j-center" title="Pick for comparison">
                <span className="j-visually-hidden">Compare</span>
              </th>
              <SortHeader label="Time" sortKey="time" title="start time" />
              <SortHeader label="Run" sortKey="label" title="run name" />
              <th scope="col" title="The experiment, variant and seed the run belongs to">
                Group
              </th>
              <SortHeader label="Model" sortKey="model" title="model (project)" />
              <SortHeader label="Status" sortKey="status" title="status" />
              {columns.map((c) => (
                <SortHeader
                  key={c.task}
                  label={`${humanize(c.task)} ${metricLabel(c.metric)}`}
                  sortKey={`task:${c.task}`}
                  title={`test ${metricLabel(c.metric)} of ${c.task} (${METRICS[c.metric]?.higherIsBetter ? 'higher' : 'lower'} is better)`}
                  numeric
                />
              ))}
              <th scope="col" className="j-num" title="Space the run's folder takes on disk">
                Disk
              </th>
              <th scope="col">
                <span className="j-visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((run) => (
              <tr
                key={run.id}
                className={run.id === openRun ? 'j-run-row j-selected' : 'j-run-row'}
                data-testid={`run-row-${run.id}`}
                data-run={run.id}
                aria-selected={run.id === openRun}
                onClick={() => journey.openRunDetail(run.id)}
              >
                <td className="j-center" onClick={(e) => e.stopPropagation()}>
                  <input
                    type="checkbox"
                    checked={compare.includes(run.id)}
                    onChange={() => journey.toggleCompare(run.id)}
                    aria-label={`Compare ${run.label}`}
                    title="Pick this run for the comparison"
                    data-testid={`compare-${run.id}`}
                  />
                </td>
                <td className="j-nowrap">{formatTime(run.startedAt)}</td>
                <td>
                  <button
                    type="button"
                    className="link"
                    onClick={(e) => {
                      e.stopPropagation();
                      journey.openRunDetail(run.id);
                    }}
                    title={`Open ${run.label}`}
                    data-testid={`run-open-${run.id}`}
                  >
                    {run.label}
                  </button>
                </td>
                <td className="j-small" data-testid={`run-group-${run.id}`}>
                  {groupLabel(run) ?? <span className="j-muted">–</span>}
                </td>
                <td>{run.projectName}</td>
                <td>
                  <span className={`j-status j-status-${run.status}`} title={run.message}>
                    {STATUS_TEXT[run.status] ?? run.status}
                  </span>
                </td>
                {columns.map((c) => (
                  <td key={c.task} className="j-num" data-testid={`run-metric-${run.id}-${c.task}`}>
                    {formatMetric(c.metric, taskValue(run, c))}
                  </td>
                ))}
                <td className="j-num j-nowrap" data-testid={`run-disk-${run.id}`}>
                  {run.diskBytes !== undefined ? formatBytes(run.diskBytes) : '–'}
                </td>
                <td className="j-nowrap" onClick={(e) => e.stopPropagation()}>
                  {confirmDelete === run.id ? (
                    <>
                      <button
                        type="button"
                        className="btn btn-danger btn-sm"
                        onClick={() => void remove(run)}
                        title="Delete the run and its trained model for good"
                        data-testid={`run-delete-confirm-${run.id}`}
                      >
                        Delete
                      </button>
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        onClick={() => setConfirmDelete(null)}
                        title="Keep the run"
                      >
                        Keep
                      </button>
                    </>
                  ) : (
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      onClick={() => setConfirmDelete(run.id)}
                      disabled={run.status === 'running'}
                      title="Delete this run (asks first)"
                      aria-label={`Delete ${run.label}`}
                      data-testid={`run-delete-${run.id}`}
                    >
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
