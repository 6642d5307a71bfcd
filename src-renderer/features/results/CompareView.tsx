// Two or more runs side by side: runs of experiments first as run groups paired by seed
// (GroupComparison), then every run's test metrics lined up per task (the best value of each
// row highlighted when no run is part of a group: one seed of a group crowns nobody) and their
// curves overlaid (ROC, Lorenz, validation metric per epoch).

import { useEffect } from 'react';
import type { RunDetail } from '../../../src-main/ipc/api';
import type { TaskType } from '../../../src-main/shared/project';
import {
  baseName,
  formatMetric,
  HEADLINE_METRIC,
  humanize,
  metricLabel,
  METRICS,
  METRIC_ORDER,
} from '../../ui/format';
import { EmptyState } from '../../ui/kit';
import { HistoryChart, LorenzChart, RocChart, type RunCurve } from './curves';
import { bestOf } from './runs';
import { GroupComparison } from './GroupComparison';
import { RepeatWithSeeds } from './RepeatWithSeeds';
import { ReadingNote } from '../../ui/charts';
import { READINGS } from '../../ui/readings';
import { useJourney, useJourneyActions } from '../../store/journey';

function tasksOf(runs: readonly RunDetail[]): { name: string; type: TaskType }[] {
  const seen = new Map<string, TaskType>();
  for (const r of runs) for (const t of r.tasks) if (!seen.has(t.name)) seen.set(t.name, t.type);
  return [...seen].map(([name, type]) => ({ name, type }));
}

export function CompareView() {
  const journey = useJourneyActions();
  const ids = useJourney((s) => s.compare);
  const details = useJourney((s) => s.details);
  const runsById = useJourney((s) => s.runs);
  const queued = useJourney((s) => s.compareExperiments.length);

  useEffect(() => {
    for (const id of ids) void journey.loadDetail(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the store's actions are stable; its state object is not
  }, [ids]);

  if (ids.length < 2) {
    if (queued > 0) {
      return (
        <EmptyState title="Run groups queued" testId="compare-queued">
          <p className="j-muted" role="status">
            {queued} run group{queued === 1 ? ' is' : 's are'} training in the background. Their
            runs are ticked here as they start; the comparison of groups fills in as seeds finish.
          </p>
        </EmptyState>
      );
    }
    return (
      <EmptyState title="Pick runs to compare" testId="compare-empty">
        <p className="j-muted">
          Tick two or more runs in the runs table (for example HTLNet and MMoE trained on the same
          data) to line up their metrics and overlay their curves.
        </p>
        <button
          type="button"
          className="btn btn-secondary"
          onClick={() => journey.setResultsView('runs')}
          title="Back to the runs table"
        >
          Go to runs
        </button>
      </EmptyState>
    );
  }
  const runs = ids.map((id) => details[id]).filter((d): d is RunDetail => d !== undefined);
  if (runs.length < ids.length) {
    return (
      <div className="j-panel j-loading" aria-busy="true">
        Loading {ids.length - runs.length} run{ids.length - runs.length === 1 ? '' : 's'}…
      </div>
    );
  }
  const ticked = ids
    .map((id) => runsById.find((r) => r.id === id))
    .filter((r): r is NonNullable<typeof r> => r !== undefined);
  const grouped = ticked.some((r) => r.group);
  const curves: RunCurve[] = runs.map((run, i) => ({ run, label: run.label, color: i }));
  const tasks = tasksOf(runs);
  const dataFiles = new Set(runs.map((r) => r.dataPath));
  return (
    <div className="j-compare" data-testid="compare-view">
      {dataFiles.size > 1 && (
        <p className="j-warning" role="note">
          These runs were trained on different files ({[...dataFiles].map(baseName).join(', ')}):
          their metrics are not directly comparable.
        </p>
      )}
      <GroupComparison runs={ticked} />
      {!grouped && <RepeatWithSeeds runIds={ids} />}
      <section className="j-panel" aria-label="Metrics side by side">
        {grouped ? (
          <>
            <h3 title="Test metrics of each run">Test metrics, run by run</h3>
            <p className="j-muted" data-testid="compare-no-winner">
              Some of these runs are seeds of a group: read the group comparison above for which
              differences are real; no single run is marked best here.
            </p>
          </>
        ) : (
          <h3 title="Test metrics; the best value of each row is highlighted">Test metrics</h3>
        )}
        <div className="j-table-scroll">
          <table className="j-table j-compare-table" data-testid="compare-table">
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Metric</th>
                {runs.map((r, i) => (
                  <th key={r.id} scope="col" className="j-num">
                    <span className={`j-swatch j-s${i % 8}`} aria-hidden="true" />
                    {r.label}
                    <button
                      type="button"
                      className="btn btn-ghost btn-icon btn-sm"
                      onClick={() => journey.toggleCompare(r.id)}
                      title={`Remove ${r.label} from the comparison`}
                      aria-label={`Remove ${r.label} from the comparison`}
                    >
                      ×
                    </button>
                    <div className="j-muted j-small">
                      {runsById.find((x) => x.id === r.id)?.projectName ?? r.projectName}
                    </div>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {tasks.flatMap((t) =>
                METRIC_ORDER[t.type].map((m, k) => {
                  const best = grouped
                    ? new Set<string>()
                    : bestOf(
                        m,
                        runs.map((r) => ({ id: r.id, metrics: r.test?.[t.name] })),
                      );
                  return (
                    <tr key={`${t.name}-${m}`} className={k === 0 ? 'j-group-start' : undefined}>
                      {k === 0 && (
                        <th scope="rowgroup" rowSpan={METRIC_ORDER[t.type].length}>
                          {humanize(t.name)}
                          <div className="j-muted j-small">{t.type}</div>
                        </th>
                      )}
                      <th scope="row" title={METRICS[m]?.help}>
                        {metricLabel(m)}
                        {m === HEADLINE_METRIC[t.type] && (
                          <span className="j-muted">
                            {' '}
                            ({METRICS[m].higherIsBetter ? '↑' : '↓'})
                          </span>
                        )}
                      </th>
                      {runs.map((r) => {
                        const isBest = best.has(r.id);
                        return (
                          <td
                            key={r.id}
                            className={isBest ? 'j-num j-best' : 'j-num'}
                            data-best={isBest ? 'true' : undefined}
                            title={isBest ? 'Best of the compared runs' : undefined}
                            data-testid={`compare-metric-${t.name}-${m}-${r.id}`}
                          >
                            {formatMetric(m, r.test?.[t.name]?.[m])}
                          </td>
                        );
                      })}
                    </tr>
                  );
                }),
              )}
            </tbody>
          </table>
        </div>
        <ReadingNote reading={READINGS.compare()} testId="compare-reading" />
      </section>
      <section aria-label="Curves overlaid">
        <div className="j-chart-grid">
          {tasks
            .filter((t) => t.type === 'binary')
            .map((t) => (
              <RocChart
                key={`roc-${t.name}`}
                task={t.name}
                runs={curves}
                testId={`compare-roc-${t.name}`}
              />
            ))}
          {tasks
            .filter((t) => t.type === 'regression')
            .map((t) => (
              <LorenzChart
                key={`lz-${t.name}`}
                task={t.name}
                runs={curves}
                testId={`compare-lorenz-${t.name}`}
              />
            ))}
          {tasks.map((t) => (
            <HistoryChart
              key={`h-${t.name}`}
              task={t.name}
              type={t.type}
              metric={HEADLINE_METRIC[t.type]}
              runs={curves}
              testId={`compare-history-${t.name}`}
            />
          ))}
        </div>
      </section>
    </div>
  );
}
