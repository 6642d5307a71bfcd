// How good the regression (core) predictions are, in words an analyst can use: one plain
// sentence (what the predictions sum to against the actual total, and how well they rank),
// R-squared, predicted vs actual total, a warning when NRMSE >= 1 (no better than predicting
// the average for everyone), and a decile calibration chart (mean prediction vs mean actual per
// tenth of the rows by prediction). Everything comes from the run's test metrics and curves.

import type { RunDetail, TaskMetricsWire } from '../../../src-main/ipc/api';
import { ChartCard, LineChart, type Series } from '../../ui/charts';
import { READINGS } from '../../ui/readings';
import { formatNumber, humanize } from '../../ui/format';

const percent = (x: number): string => `${Math.round(x * 100)}%`;

/** "predictions sum to 98% of actual amount; ranking Gini 0.34", or null without the numbers. */
export function coreSentence(task: string, m: TaskMetricsWire | undefined): string | null {
  if (!m) return null;
  const parts: string[] = [];
  const ratio = m.totalRatio;
  if (typeof ratio === 'number' && Number.isFinite(ratio))
    parts.push(`predictions sum to ${percent(ratio)} of actual ${humanize(task).toLowerCase()}`);
  const gini = m.gini;
  if (typeof gini === 'number' && Number.isFinite(gini))
    parts.push(`ranking Gini ${gini.toFixed(2)}`);
  return parts.length > 0 ? parts.join('; ') : null;
}

/** Whether the predictions are no better than predicting the average for everyone. */
export function noBetterThanAverage(m: TaskMetricsWire | undefined): boolean {
  const nrmse = m?.nrmse;
  return typeof nrmse === 'number' && Number.isFinite(nrmse) && nrmse >= 1;
}

function DecileChart({ run, task }: { run: RunDetail; task: string }) {
  const d = run.curves[task]?.deciles;
  const points = d ? d.meanPredicted.map((x, i) => ({ x, y: d.meanActual[i] })) : [];
  let max = 0;
  for (const p of points) max = Math.max(max, p.x, p.y);
  const series: Series[] = [{ id: run.id, label: 'observed', points, color: 0, markers: true }];
  return (
    <ChartCard
      title={`Calibration by decile · ${task}`}
      note={points.length > 0 ? `${points.length} groups of rows` : undefined}
      help="Test rows sorted by prediction and cut into ten equal groups: the mean actual value of each group against its mean prediction. On the diagonal, the predictions are right on average in every part of the range."
      reading={READINGS.deciles(task)}
      testId={`chart-deciles-${task}`}
    >
      <LineChart
        title={`Decile calibration of ${task}`}
        series={series}
        xLabel="Mean prediction"
        yLabel="Mean actual"
        xDomain={[0, max > 0 ? max : 1]}
        yDomain={[0, max > 0 ? max : 1]}
        diagonal
        emptyText="No calibration data for this run"
      />
    </ChartCard>
  );
}

function TaskSummary({ run, task }: { run: RunDetail; task: string }) {
  const m = run.test?.[task];
  const sentence = coreSentence(task, m);
  const r2 = m?.r2;
  const ratio = m?.totalRatio;
  return (
    <div className="j-core-task" data-testid={`core-summary-${task}`}>
      <h4>
        {humanize(task)} <span className="j-muted">(regression)</span>
      </h4>
      {sentence && (
        <p data-testid={`core-sentence-${task}`}>
          {sentence.charAt(0).toUpperCase() + sentence.slice(1)}.
        </p>
      )}
      {noBetterThanAverage(m) && (
        <p className="j-warning" role="alert" data-testid={`core-warning-${task}`}>
          NRMSE {formatNumber(m!.nrmse)}: these predictions are no better than predicting the
          average for everyone. Try the zero-inflated lognormal or Tweedie objective on the task
          head, or more epochs.
        </p>
      )}
      <table className="j-table j-compact">
        <tbody>
          <tr>
            <th
              scope="row"
              title="Share of the variance the predictions explain (0: no better than the average)"
            >
              R²
            </th>
            <td className="j-num" data-testid={`core-r2-${task}`}>
              {typeof r2 === 'number' && Number.isFinite(r2) ? r2.toFixed(3) : '–'}
            </td>
          </tr>
          <tr>
            <th scope="row" title="Sum of the predictions against the sum of the actual values">
              Predicted total / actual total
            </th>
            <td className="j-num" data-testid={`core-total-${task}`}>
              {typeof ratio === 'number' && Number.isFinite(ratio) ? percent(ratio) : '–'}
            </td>
          </tr>
        </tbody>
      </table>
      <DecileChart run={run} task={task} />
    </div>
  );
}

/** The core-task section of a run's results: one block per regression task. */
export function CoreTaskSummary({ run }: { run: RunDetail }) {
  const regression = run.tasks.filter((t) => t.type === 'regression');
  if (!run.test || regression.length === 0) return null;
  return (
    <section className="j-panel" aria-label="How good the amounts are">
      <h3 title="Measured on the test split: what an analyst summing these predictions gets">
        How good the amounts are
      </h3>
      {regression.map((t) => (
        <TaskSummary key={t.name} run={run} task={t.name} />
      ))}
    </section>
  );
}
