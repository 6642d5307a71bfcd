// The Train tab's status part: the phase of the run (checking the data, reading, training,
// evaluating, saving) with its progress, ETA and samples/s; the error or the outcome when it
// ended; and data:check's findings, each with a way to the blocks it concerns.

import type { Problem } from '../../../src-main/shared/problems';
import {
  batchesDone,
  etaSeconds,
  progressFraction,
  type LiveTraining,
} from '../../store/journey/live';
import type { TrainingState } from '../../store/journey';
import {
  baseName,
  formatCount,
  formatDuration,
  formatMetric,
  humanize,
  metricLabel,
  STATUS_TEXT,
  HEADLINE_METRIC,
} from '../../ui/format';
import { ErrorBox, ProgressBar } from '../../ui/kit';

function ProblemList({
  problems,
  onShowBlocks,
}: {
  problems: Problem[];
  onShowBlocks?: (ids: string[]) => void;
}) {
  if (problems.length === 0) return null;
  return (
    <ul className="j-issues" data-testid="check-problems" aria-label="Problems found">
      {problems.map((p, i) => (
        <li
          key={i}
          className={`j-issue j-issue-${p.severity}`}
          data-testid="check-problem"
          data-code={p.code}
        >
          <span>{p.message}</span>
          {p.blocks.length > 0 && onShowBlocks && (
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              onClick={() => onShowBlocks(p.blocks)}
              title="Show the blocks concerned in the model editor"
              aria-label="Show in the model"
            >
              Show in model
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

function phaseLabel(training: TrainingState): string {
  const live = training.live;
  switch (training.phase) {
    case 'checking':
      return 'Checking the project against the data…';
    case 'starting':
      return 'Starting…';
    case 'reading':
      return `Reading ${baseName(training.dataPath)}…`;
    case 'training':
      if (training.stopping) return 'Stopping after this batch…';
      return live.epoch > 0
        ? `Epoch ${live.epoch} of ${live.epochs} · batch ${live.batch} of ${live.batchesPerEpoch}`
        : 'Preparing the model…';
    case 'evaluating':
      return 'Evaluating on the test split…';
    case 'saving':
      return 'Saving the model…';
    case 'done':
      return training.result ? (STATUS_TEXT[training.result.status] ?? 'Done') : 'Done';
    case 'failed':
      return 'Failed';
    case 'blocked':
      return 'Fix the problems below, then train again.';
  }
}

function progressValue(training: TrainingState): number | null {
  switch (training.phase) {
    case 'reading':
      return training.reading && training.reading.total > 0
        ? training.reading.done / training.reading.total
        : null;
    case 'training':
      return training.live.epoch > 0 ? progressFraction(training.live) : null;
    case 'evaluating':
    case 'saving':
    case 'done':
      return 1;
    default:
      return null;
  }
}

function progressDetail(live: LiveTraining, phase: TrainingState['phase']): string {
  if (phase !== 'training' || live.epoch === 0) return '';
  const parts: string[] = [];
  if (live.samplesPerSecond) parts.push(`${formatCount(live.samplesPerSecond)} samples/s`);
  // The first batches include warm-up: an estimate from them would promise far too long.
  const eta = batchesDone(live) >= 3 || live.history.length > 0 ? etaSeconds(live) : null;
  parts.push(eta !== null ? `about ${formatDuration(eta)} left` : 'estimating time left…');
  return parts.join(' · ');
}

function RunOutcome({
  training,
  onOpenResults,
}: {
  training: TrainingState;
  onOpenResults?: () => void;
}) {
  const run = training.result;
  if (!run) return null;
  const failed = run.status === 'diverged' || run.status === 'failed';
  return (
    <div
      className={failed ? 'j-outcome j-outcome-failed' : 'j-outcome'}
      data-testid="train-outcome"
      data-status={run.status}
    >
      <div>
        <strong>{STATUS_TEXT[run.status] ?? run.status}.</strong> {run.message}
        {run.bestEpoch > 0 && (
          <span className="j-muted">
            {' '}
            Best epoch {run.bestEpoch} of {run.epochs}
            {run.samplesPerSecond ? ` · ${formatCount(run.samplesPerSecond)} samples/s` : ''}.
          </span>
        )}
      </div>
      {run.test && (
        <ul className="j-outcome-metrics" aria-label="Test metrics">
          {run.tasks.map((t) => {
            const m = HEADLINE_METRIC[t.type];
            return (
              <li key={t.name} data-testid={`outcome-metric-${t.name}`}>
                {humanize(t.name)} <span className="j-muted">test {metricLabel(m)}</span>{' '}
                <strong>{formatMetric(m, run.test?.[t.name]?.[m])}</strong>
              </li>
            );
          })}
        </ul>
      )}
      {onOpenResults && (
        <button
          type="button"
          className="btn btn-primary"
          onClick={onOpenResults}
          title="See this run's curves, compare it, export or score with it"
          data-testid="open-results"
        >
          Open results
        </button>
      )}
    </div>
  );
}

/**
 * One place for how the run is going and how it ended (progress, the error, the outcome, a
 * refusal), so nothing below it moves; then the run's data:check findings.
 */
export function TrainStatus({
  training,
  onOpenResults,
  onShowBlocks,
}: {
  training: TrainingState | null;
  /** Opens the run in Results (absent when the screen cannot navigate). */
  onOpenResults?: () => void;
  onShowBlocks?: (ids: string[]) => void;
}) {
  return (
    <>
      <div className="j-slot j-train-status" aria-live="polite">
        {!training ? (
          <p className="j-muted">
            Settings are saved with the project. Training runs in the background: you can switch
            tabs.
          </p>
        ) : training.error ? (
          <ErrorBox
            title={
              training.result?.status === 'diverged'
                ? 'Training diverged.'
                : training.phase === 'failed'
                  ? 'Training failed.'
                  : 'Training stopped.'
            }
            message={training.error}
            testId="train-error"
          />
        ) : training.phase === 'done' ? (
          <RunOutcome training={training} onOpenResults={onOpenResults} />
        ) : training.phase === 'blocked' ? (
          // Refused: nothing is running, so nothing moves.
          <p className="j-blocked" role="status" data-testid="train-blocked">
            {phaseLabel(training)}
          </p>
        ) : (
          <ProgressBar
            // Reading the file and training are two bars: a new one starts empty instead of
            // sliding back from full.
            key={training.phase === 'reading' || training.phase === 'checking' ? 'read' : 'train'}
            value={progressValue(training)}
            label={phaseLabel(training)}
            detail={progressDetail(training.live, training.phase)}
            testId="train-progress"
          />
        )}
      </div>
      {training?.error && training.result?.hasModel && onOpenResults && (
        <button
          type="button"
          className="btn btn-secondary j-align-start"
          onClick={onOpenResults}
          title="The run kept the weights of its best epoch before it stopped"
          data-testid="open-results"
        >
          See what it learned before it stopped
        </button>
      )}
      {training && <ProblemList problems={training.problems} onShowBlocks={onShowBlocks} />}
    </>
  );
}
