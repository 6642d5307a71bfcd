// The live charts of a training run: per task, the loss (batches, training and validation per
// epoch) and the task's validation metric per epoch; and the gradient panel: each task's
// shared-gradient norm and its cosine with the core task's gradient over batches.

import { ChartCard, LineChart, type Series } from '../../ui/charts';
import { formatMetric, HEADLINE_METRIC, humanize, metricLabel, METRICS } from '../../ui/format';
import { bestPoint, epochSeries, type LiveTraining } from '../../store/journey/live';
import { READINGS } from '../../ui/readings';

const GRADIENT_HELP =
  'All tasks learn through the same shared layers. These charts show, batch by batch, how hard ' +
  'each task pushes those layers and whether it pushes the same way as the core task (the ' +
  'amount). Tasks pushing against the core task, or one push drowning the others, is what ' +
  "HTLNet's optimiser corrects before each step.";

/**
 * The right end of the epoch axis: all planned epochs when they are few; for long runs (which
 * early stopping often ends sooner) the axis grows in steps of 5 ahead of the current epoch,
 * so the first epochs are not squeezed into a corner.
 */
export function epochAxisEnd(live: Pick<LiveTraining, 'epochs' | 'epoch'>): number {
  const planned = Math.max(1, live.epochs);
  if (planned <= 10) return planned;
  return Math.min(planned, Math.max(5, Math.ceil((live.epoch + 1) / 5) * 5));
}

export function TaskCharts({
  live,
  task,
  index,
}: {
  live: LiveTraining;
  task: { name: string; type: 'binary' | 'regression' };
  index: number;
}) {
  const metric = HEADLINE_METRIC[task.type];
  const xDomain: [number, number] = [0, epochAxisEnd(live)];
  // The run keeps one epoch's weights (the best over all tasks); this task's own best epoch
  // may be another: each is marked for what it is.
  const kept = live.bestEpoch > 0 ? { x: live.bestEpoch, label: 'kept' } : null;
  const loss: Series[] = [
    {
      id: 'batch',
      label: 'batch',
      points: live.batchLoss[task.name] ?? [],
      color: index,
      faint: true,
    },
    {
      id: 'train',
      label: 'training',
      points: epochSeries(live.history, task.name, 'trainLoss'),
      color: index,
      markers: true,
    },
    {
      id: 'validation',
      label: 'validation',
      points: epochSeries(live.history, task.name, 'validationLoss'),
      color: (index + 4) % 8,
      markers: true,
      dashed: true,
    },
  ];
  const metricPoints = epochSeries(live.history, task.name, { metric });
  const last = metricPoints[metricPoints.length - 1];
  const ownBest = bestPoint(metricPoints, METRICS[metric]?.higherIsBetter ?? true);
  const best = ownBest
    ? { x: ownBest.x, label: ownBest.x === live.bestEpoch ? 'best, kept' : 'best' }
    : null;
  const lossHelp =
    task.type === 'binary'
      ? 'Cross-entropy of the predicted probability (lower is better).'
      : 'Squared error on the transformed target (log1p, standardised; lower is better).';
  return (
    <div className="j-task-card" data-testid={`task-card-${task.name}`}>
      <h3 className="j-task-title">
        {humanize(task.name)} <span className="j-muted">({task.type})</span>
        {task.name === live.core && (
          <span className="j-core-badge" title="The core task">
            core
          </span>
        )}
      </h3>
      <ChartCard
        title="Loss"
        fileName={`loss-${task.name}.png`}
        help={`Loss per batch (faint), and per epoch on the training and validation splits. ${lossHelp} "kept" marks the epoch whose weights the run keeps (the best over all tasks).`}
        reading={READINGS.loss()}
        testId={`chart-loss-${task.name}`}
      >
        <LineChart
          title={`Loss of ${task.name} per epoch`}
          series={loss}
          xLabel="Epoch"
          yLabel="Loss"
          xDomain={xDomain}
          integerX
          marker={kept}
          emptyText="Waiting for the first batches…"
        />
      </ChartCard>
      <ChartCard
        title={`Validation ${metricLabel(metric)}`}
        fileName={`validation-${metric}-${task.name}.png`}
        note={
          last ? (
            <span data-testid={`live-metric-${task.name}`}>
              {metricLabel(metric)} {formatMetric(metric, last.y)}
            </span>
          ) : undefined
        }
        help={METRICS[metric]?.help}
        reading={READINGS.metric(metricLabel(metric))}
        testId={`chart-metric-${task.name}`}
      >
        <LineChart
          title={`Validation ${metricLabel(metric)} of ${task.name} per epoch`}
          series={[
            {
              id: metric,
              label: `validation ${metricLabel(metric)}`,
              points: metricPoints,
              color: index,
              markers: true,
            },
          ]}
          xLabel="Epoch"
          yLabel={metricLabel(metric)}
          xDomain={xDomain}
          integerX
          marker={best}
          emptyText="Shown after the first epoch"
        />
      </ChartCard>
    </div>
  );
}

export function GradientPanel({ live }: { live: LiveTraining }) {
  const tasks = live.tasks;
  const anyGradients = Object.keys(live.gradientNorm).length > 0;
  return (
    <section
      className="j-panel j-gradients"
      aria-labelledby="j-grad-title"
      data-testid="gradient-panel"
    >
      <div className="j-panel-head">
        <h3 id="j-grad-title" title={GRADIENT_HELP}>
          How the tasks pull on the shared layers
        </h3>
        {!anyGradients && live.batch > 0 && (
          <span className="j-muted">This model shares no parameters between tasks.</span>
        )}
      </div>
      <p className="j-panel-intro" data-testid="gradient-intro">
        {GRADIENT_HELP}
      </p>
      <div className="j-chart-grid">
        <ChartCard
          title="Push per task"
          help="The size of each task's gradient on the layers all tasks share (its norm)."
          reading={READINGS.gradientNorm()}
          testId="chart-grad-norm"
        >
          <LineChart
            title="Shared-gradient norm per task over batches"
            series={tasks.map((t, i) => ({
              id: t.name,
              label: t.name,
              points: live.gradientNorm[t.name] ?? [],
              color: i,
            }))}
            xLabel="Batch"
            yLabel="Push (gradient size)"
            emptyText="Waiting for the first batches…"
          />
        </ChartCard>
        <ChartCard
          title={`Agreement with ${live.core || 'the core task'}`}
          help="The cosine between each task's gradient and the core task's: below 0 they conflict."
          reading={READINGS.gradientCosine(live.core)}
          testId="chart-grad-cosine"
        >
          <LineChart
            title="Cosine of each task's shared gradient with the core task's"
            series={tasks
              .map((t, i) => ({ t, i }))
              .filter(({ t }) => t.name !== live.core)
              .map(({ t, i }) => ({
                id: t.name,
                label: t.name,
                points: live.gradientCosine[t.name] ?? [],
                color: i,
              }))}
            xLabel="Batch"
            yLabel="Agreement (cosine)"
            yDomain={[-1, 1]}
            hLine={0}
            emptyText="Waiting for the first batches…"
          />
        </ChartCard>
      </div>
    </section>
  );
}
