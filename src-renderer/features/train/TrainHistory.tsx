// The Train tab's history part: the live per-task loss and metric charts, how the tasks'
// gradients agree, and the table of epochs so far (the best one marked), or what will appear
// there before the first epoch.

import type { TaskType } from '../../../src-main/shared/project';
import type { LiveTraining } from '../../store/journey/live';
import {
  formatCount,
  formatDuration,
  formatMetric,
  HEADLINE_METRIC,
  metricLabel,
} from '../../ui/format';
import { ReadingNote } from '../../ui/charts';
import { EmptyState } from '../../ui/kit';
import { READINGS } from '../../ui/readings';
import { GradientPanel, TaskCharts } from './LiveCharts';

function EpochTable({ live }: { live: LiveTraining }) {
  if (live.history.length === 0) return null;
  return (
    <section className="j-panel" aria-label="Epochs">
      <h3>Epochs</h3>
      <div className="j-table-scroll">
        <table className="j-table j-compact" data-testid="epoch-table">
          <thead>
            <tr>
              <th scope="col">Epoch</th>
              {live.tasks.map((t) => (
                <th
                  key={t.name}
                  scope="col"
                  className="j-num"
                  title={`Validation ${metricLabel(HEADLINE_METRIC[t.type])} of ${t.name}`}
                >
                  {t.name} {metricLabel(HEADLINE_METRIC[t.type])}
                </th>
              ))}
              <th scope="col" className="j-num" title="Training samples per second">
                samples/s
              </th>
              <th scope="col" className="j-num" title="Time of the epoch, validation included">
                time
              </th>
            </tr>
          </thead>
          <tbody>
            {live.history.map((h) => (
              <tr key={h.epoch} className={h.epoch === live.bestEpoch ? 'j-best-row' : undefined}>
                <th scope="row">
                  {h.epoch}
                  {h.epoch === live.bestEpoch && (
                    <span
                      className="j-best-badge"
                      title="The best epoch so far over all tasks: its weights are kept"
                    >
                      kept
                    </span>
                  )}
                </th>
                {live.tasks.map((t) => {
                  const m = HEADLINE_METRIC[t.type];
                  return (
                    <td key={t.name} className="j-num">
                      {formatMetric(m, h.validation[t.name]?.[m])}
                    </td>
                  );
                })}
                <td className="j-num">{formatCount(h.samplesPerSecond)}</td>
                <td className="j-num">{formatDuration(h.seconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ReadingNote reading={READINGS.epochs()} testId="epoch-reading" />
    </section>
  );
}

/** The run's history as it grows: per-task charts, the gradient panel and the epochs table. */
export function TrainHistory({
  live,
  tasks,
}: {
  live: LiveTraining | null;
  tasks: readonly { name: string; type: TaskType }[];
}) {
  if (live && live.tasks.length > 0) {
    return (
      <>
        <div className="j-task-grid" data-testid="live-charts">
          {tasks.map((t, i) => (
            <TaskCharts key={t.name} live={live} task={t} index={i} />
          ))}
        </div>
        <GradientPanel live={live} />
        <EpochTable live={live} />
      </>
    );
  }
  return (
    <EmptyState title="Live charts appear here" testId="live-empty">
      <p className="j-muted">
        Loss and{' '}
        {tasks.map((t) => `${metricLabel(HEADLINE_METRIC[t.type])} of ${t.name}`).join(', ')} per
        epoch, and how the tasks&apos; gradients agree, as the model trains.
      </p>
    </EmptyState>
  );
}
