// The result charts of one task for one run or several overlaid: ROC and calibration for a
// binary task, predicted vs actual and the Lorenz curve (Gini) for a regression task, and a
// validation metric per epoch.

import type { RunDetail } from '../../../src-main/ipc/api';
import type { TaskType } from '../../../src-main/shared/project';
import { ChartCard, LineChart, ScatterChart, type Series } from '../../ui/charts';
import { formatMetric, metricLabel, METRICS } from '../../ui/format';
import { bestPoint, epochSeries, type Point } from '../../store/journey/live';
import { READINGS } from '../../ui/readings';

export interface RunCurve {
  run: RunDetail;
  /** Legend text for the run (its label). */
  label: string;
  color: number;
}

function zip(xs: readonly number[], ys: readonly number[]): Point[] {
  const n = Math.min(xs.length, ys.length);
  const out: Point[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { x: xs[i], y: ys[i] };
  return out;
}

/** One series per run: its label when several runs share the chart, else `single`. */
function runSeries(
  runs: readonly RunCurve[],
  single: string,
  points: (r: RunCurve) => Point[],
): Series[] {
  return runs.map((r) => ({
    id: r.run.id,
    label: runs.length > 1 ? r.label : single,
    points: points(r),
    color: r.color,
  }));
}

function metricNote(runs: readonly RunCurve[], task: string, metric: string): string {
  return runs
    .map((r) => {
      const v = formatMetric(metric, r.run.test?.[task]?.[metric]);
      return runs.length > 1 ? `${r.label}: ${v}` : `${metricLabel(metric)} ${v}`;
    })
    .join(' · ');
}

export function RocChart({
  task,
  runs,
  testId,
}: {
  task: string;
  runs: readonly RunCurve[];
  testId: string;
}) {
  const series = runSeries(runs, 'ROC', (r) => {
    const roc = r.run.curves[task]?.roc;
    return roc ? zip(roc.fpr, roc.tpr) : [];
  });
  return (
    <ChartCard
      title={`ROC · ${task}`}
      note={metricNote(runs, task, 'auc')}
      help={`True-positive rate against false-positive rate as the threshold moves, on the test split. The diagonal is guessing. ${METRICS.auc.help}`}
      reading={READINGS.roc(task)}
      testId={testId}
    >
      <LineChart
        title={`ROC curve of ${task}`}
        series={series}
        xLabel="False-positive rate"
        yLabel="True-positive rate"
        xDomain={[0, 1]}
        yDomain={[0, 1]}
        diagonal
        emptyText="No ROC curve for this run"
      />
    </ChartCard>
  );
}

export function CalibrationChart({
  task,
  runs,
  testId,
}: {
  task: string;
  runs: readonly RunCurve[];
  testId: string;
}) {
  let max = 0;
  let min = 1;
  const series: Series[] = runSeries(runs, 'observed', (r) => {
    const c = r.run.curves[task]?.calibration;
    return c ? zip(c.meanPredicted, c.fractionPositive) : [];
  }).map((s) => ({ ...s, markers: true }));
  for (const p of series.flatMap((s) => s.points)) {
    max = Math.max(max, p.x, p.y);
    min = Math.min(min, p.x, p.y);
  }
  // Both axes zoom to the range predicted (the diagonal stays the diagonal): ten quantile bins
  // of predictions between 0.45 and 0.5 are ten readable dots, not a smudge at the edge.
  const top = max <= 0 ? 1 : Math.min(1, Math.ceil(max * 20) / 20);
  const floor = min >= max ? 0 : Math.max(0, Math.floor(min * 20) / 20);
  const bottom = top - floor < 0.1 ? Math.max(0, top - 0.1) : floor;
  return (
    <ChartCard
      title={`Calibration · ${task}`}
      note={metricNote(runs, task, 'logloss')}
      help="Rows grouped by predicted probability: the share that was actually positive against the mean prediction. On the diagonal, a predicted 20% happens 20% of the time."
      reading={READINGS.calibration(task)}
      testId={testId}
    >
      <LineChart
        title={`Calibration of ${task}`}
        series={series}
        xLabel="Mean predicted probability"
        yLabel="Fraction positive"
        xDomain={[bottom, top]}
        yDomain={[bottom, top]}
        diagonal
        emptyText="No calibration data for this run"
      />
    </ChartCard>
  );
}

export function LorenzChart({
  task,
  runs,
  testId,
}: {
  task: string;
  runs: readonly RunCurve[];
  testId: string;
}) {
  const series = runSeries(runs, 'model', (r) => {
    const l = r.run.curves[task]?.lorenz;
    return l ? zip(l.population, l.captured) : [];
  });
  return (
    <ChartCard
      title={`Lorenz curve · ${task}`}
      note={metricNote(runs, task, 'gini')}
      help={`Rows ordered by predicted ${task}, largest first: the share of the actual total they hold. The diagonal is a random order; the more the curve bows up, the better the ranking. ${METRICS.gini.help}`}
      reading={READINGS.lorenz(task)}
      testId={testId}
    >
      <LineChart
        title={`Lorenz curve of ${task}`}
        series={series}
        xLabel="Share of rows (by prediction)"
        yLabel={`Share of total ${task}`}
        xDomain={[0, 1]}
        yDomain={[0, 1]}
        diagonal
        emptyText="No Lorenz curve for this run"
      />
    </ChartCard>
  );
}

export function ScatterPlot({
  task,
  run,
  testId,
}: {
  task: string;
  run: RunDetail;
  testId: string;
}) {
  const s = run.curves[task]?.scatter;
  return (
    <ChartCard
      title={`Predicted vs actual · ${task}`}
      note={`NRMSE ${formatMetric('nrmse', run.test?.[task]?.nrmse)}`}
      help={`A sample of test rows: the predicted ${task} against the actual one. On the diagonal the prediction is exact. ${METRICS.nrmse.help}`}
      reading={READINGS.scatter(task)}
      testId={testId}
    >
      <ScatterChart
        title={`Predicted against actual ${task}`}
        groups={[{ id: 'test', label: 'test rows', points: s ? zip(s.actual, s.predicted) : [] }]}
        xLabel={`Actual ${task}`}
        yLabel={`Predicted ${task}`}
        diagonal
      />
    </ChartCard>
  );
}

/** A task's validation metric per epoch, one line per run. */
export function HistoryChart({
  task,
  type,
  metric,
  runs,
  testId,
}: {
  task: string;
  type: TaskType;
  metric: string;
  runs: readonly RunCurve[];
  testId: string;
}) {
  const epochs = Math.max(1, ...runs.map((r) => r.run.history.length));
  // One run: this task's own best epoch, and whether it is the one the run kept.
  const only = runs.length === 1 ? runs[0].run : null;
  const own = only
    ? bestPoint(
        epochSeries(only.history, task, { metric }),
        METRICS[metric]?.higherIsBetter ?? true,
      )
    : null;
  const marker = own
    ? { x: own.x, label: own.x === only?.bestEpoch ? 'best, kept' : 'best' }
    : null;
  return (
    <ChartCard
      title={`Validation ${metricLabel(metric)} per epoch · ${task}`}
      help={`${METRICS[metric]?.help ?? ''} Measured on the validation split after each epoch (${type} task).`}
      reading={READINGS.history(metricLabel(metric))}
      testId={testId}
    >
      <LineChart
        title={`Validation ${metricLabel(metric)} of ${task} per epoch`}
        series={runs.map((r) => ({
          id: r.run.id,
          label: runs.length > 1 ? r.label : `validation ${metricLabel(metric)}`,
          points: epochSeries(r.run.history, task, { metric }),
          color: r.color,
          markers: true,
        }))}
        xLabel="Epoch"
        yLabel={metricLabel(metric)}
        xDomain={[1, Math.max(2, epochs)]}
        integerX
        marker={marker}
        emptyText="No epochs recorded"
      />
    </ChartCard>
  );
}
