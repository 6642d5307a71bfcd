// The live charts of a training run: per task, the loss (batches, training and validation per
// epoch) and the task's validation metric per epoch; and the gradient panel: each task's
// shared-gradient norm and its cosine with the core task's gradient over batches.

import { ChartCard, LineChart, type Series } from '../charts';
import { formatMetric, HEADLINE_METRIC, humanize, metricLabel, METRICS } from '../format';
import { bestPoint, epochSeries, type LiveTraining } from '../live';

export const GRADIENT_HELP =
  'Each task pulls the shared embedding with its own gradient. Norm: how hard it pulls. ' +
  "Cosine with the core task's gradient: +1 agrees, 0 unrelated, below 0 the task works against " +
  'the core (regression) target. That conflict, and regression gradients dwarfing the ' +
  "classification ones, is what HTLNet's optimiser resolves: it removes the conflicting part of " +
  "each task's gradient and rescales it toward the core gradient's size before each step.";

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
          Shared gradients{' '}
          <span className="j-help" title={GRADIENT_HELP} aria-label={GRADIENT_HELP} tabIndex={0}>
            ?
          </span>
        </h3>
        {!anyGradients && live.batch > 0 && (
          <span className="j-muted">This model shares no parameters between tasks.</span>
        )}
      </div>
      <div className="j-chart-grid">
        <ChartCard
          title="Gradient norm per task"
          help="|G_t|: the size of each task's gradient on the parameters all tasks share."
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
            yLabel="Norm"
            emptyText="Waiting for the first batches…"
          />
        </ChartCard>
        <ChartCard
          title={`Cosine with ${live.core || 'the core task'}`}
          help="cos(G_t, G_core): below 0 the task's gradient conflicts with the core task's."
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
            yLabel="Cosine"
            yDomain={[-1, 1]}
            hLine={0}
            emptyText="Waiting for the first batches…"
          />
        </ChartCard>
      </div>
    </section>
  );
}
