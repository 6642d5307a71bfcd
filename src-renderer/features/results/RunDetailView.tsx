// One run: how it ended, its test metrics per task, its curves (ROC and calibration for binary
// tasks; predicted vs actual and Lorenz for regression tasks), its validation history, and
// export / score with its model.

import { useEffect } from 'react';
import type { RunDetail } from '../../../src-main/ipc/api';
import {
  baseName,
  formatCount,
  formatMetric,
  formatTime,
  HEADLINE_METRIC,
  humanize,
  metricLabel,
  metricNames,
  METRICS,
  STATUS_TEXT,
} from '../../ui/format';
import { EmptyState, ErrorBox } from '../../ui/kit';
import {
  CalibrationChart,
  HistoryChart,
  LorenzChart,
  RocChart,
  ScatterPlot,
  type RunCurve,
} from './curves';
import { CoreTaskSummary } from './CoreTaskSummary';
import { ExportModel } from './ExportModel';
import { ExplainPanel } from './ExplainPanel';
import { ReadingNote } from '../../ui/charts';
import { READINGS } from '../../ui/readings';
import { useJourney, useJourneyActions } from '../../store/journey';

function MetricsTable({ run }: { run: RunDetail }) {
  if (!run.test) {
    return (
      <p className="j-muted">
        {run.status === 'running'
          ? 'Still training: the test metrics come when it ends.'
          : 'No test metrics: the run did not finish.'}
      </p>
    );
  }
  return (
    <div className="j-metric-tables">
      {run.tasks.map((t) => {
        const metrics = run.test?.[t.name];
        return (
          <table
            key={t.name}
            className="j-table j-compact j-metric-table"
            data-testid={`test-metrics-${t.name}`}
          >
            <caption>
              {humanize(t.name)} <span className="j-muted">({t.type})</span>
            </caption>
            <tbody>
              {metricNames(t.type, metrics).map((m) => (
                <tr key={m} className={m === HEADLINE_METRIC[t.type] ? 'j-headline' : undefined}>
                  <th scope="row" title={METRICS[m]?.help}>
                    {metricLabel(m)}
                  </th>
                  <td className="j-num" data-testid={`test-metric-${t.name}-${m}`}>
                    {formatMetric(m, metrics?.[m])}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        );
      })}
    </div>
  );
}

export function RunDetailView({ runId }: { runId: string }) {
  const journey = useJourneyActions();
  const detail = useJourney((s) => s.details[runId]);
  const error = useJourney((s) => s.detailErrors[runId]);
  const status = useJourney((s) => s.runs.find((r) => r.id === runId)?.status);

  useEffect(() => {
    void journey.loadDetail(runId, status !== undefined && detail?.status !== status);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the store's actions are stable; its state object is not
  }, [runId, status, detail?.status]);

  if (error && !detail) return <ErrorBox title="This run cannot be shown." message={error} />;
  if (!detail) {
    return (
      <div className="j-panel j-loading" aria-busy="true">
        Loading the run…
      </div>
    );
  }
  const run = detail;
  const curves: RunCurve[] = [{ run, label: run.label, color: 0 }];
  const binary = run.tasks.filter((t) => t.type === 'binary');
  const regression = run.tasks.filter((t) => t.type === 'regression');
  return (
    <article
      className="j-run-detail"
      aria-labelledby="j-run-title"
      data-testid="run-detail"
      data-run={run.id}
    >
      <header className="j-panel j-run-head">
        <div>
          <h3 id="j-run-title">{run.label}</h3>
          <p className="j-muted">
            {run.projectName} · {formatTime(run.startedAt)} · data{' '}
            <span title={run.dataPath}>{baseName(run.dataPath)}</span>
          </p>
          {run.group && (
            <p className="j-muted" data-testid="run-group">
              Seed {run.group.seed} of {run.group.variant} in the experiment{' '}
              <button
                type="button"
                className="link"
                onClick={() => journey.openExperimentDetail(run.group!.id)}
                title="Open the experiment's report: mean ± sd over seeds, and which differences are real"
                data-testid="run-group-open"
              >
                {run.group.name}
              </button>
            </p>
          )}
          <p>
            <span className={`j-status j-status-${run.status}`}>
              {STATUS_TEXT[run.status] ?? run.status}
            </span>{' '}
            <span data-testid="run-message">{run.message}</span>
          </p>
          <p className="j-muted">
            {run.epochs} epoch{run.epochs === 1 ? '' : 's'}, best {run.bestEpoch}
            {run.rows &&
              ` · ${formatCount(run.rows.train)} training, ${formatCount(run.rows.validation)} validation, ${formatCount(run.rows.test)} test rows`}
            {run.samplesPerSecond ? ` · ${formatCount(run.samplesPerSecond)} samples/s` : ''}
          </p>
        </div>
        <div className="j-run-actions">
          <ExportModel run={run} />
          <button
            type="button"
            className="btn btn-secondary"
            disabled={!run.hasModel}
            onClick={() => journey.scoreWithRun(run.id)}
            title={run.hasModel ? 'Score a new CSV with this model' : 'This run kept no model'}
            data-testid="score-with-run"
          >
            Score a file…
          </button>
        </div>
      </header>
      <section className="j-panel" aria-label="Test metrics">
        <h3 title="Measured on the test split, which training never saw">Test metrics</h3>
        <MetricsTable run={run} />
        <ReadingNote reading={READINGS.testMetrics()} testId="test-metrics-reading" />
      </section>
      <CoreTaskSummary run={run} />
      {run.test && (
        <section aria-label="Curves">
          <div className="j-chart-grid">
            {binary.map((t) => (
              <RocChart
                key={`roc-${t.name}`}
                task={t.name}
                runs={curves}
                testId={`chart-roc-${t.name}`}
              />
            ))}
            {binary.map((t) => (
              <CalibrationChart
                key={`cal-${t.name}`}
                task={t.name}
                runs={curves}
                testId={`chart-calibration-${t.name}`}
              />
            ))}
            {regression.map((t) => (
              <ScatterPlot
                key={`sc-${t.name}`}
                task={t.name}
                run={run}
                testId={`chart-scatter-${t.name}`}
              />
            ))}
            {regression.map((t) => (
              <LorenzChart
                key={`lz-${t.name}`}
                task={t.name}
                runs={curves}
                testId={`chart-lorenz-${t.name}`}
              />
            ))}
          </div>
        </section>
      )}
      {run.hasModel && run.test && <ExplainPanel key={run.id} run={run} />}
      {run.history.length > 0 && (
        <section aria-label="Training history">
          <h3 className="j-section-title">Training history</h3>
          <div className="j-chart-grid">
            {run.tasks.map((t) => (
              <HistoryChart
                key={t.name}
                task={t.name}
                type={t.type}
                metric={HEADLINE_METRIC[t.type]}
                runs={curves}
                testId={`chart-history-${t.name}`}
              />
            ))}
          </div>
        </section>
      )}
    </article>
  );
}

export function NoRunSelected() {
  return (
    <EmptyState title="Pick a run" testId="run-none">
      <p className="j-muted">Click a run in the table to see its metrics and curves.</p>
    </EmptyState>
  );
}
