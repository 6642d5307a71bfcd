// What came of launching an experiment from the Train tab, beside the button that launched it:
// checking the data, the data:check errors that blocked it (with a way to the blocks), the
// host's refusal in its own words, or the experiment queued with its state ("queued: 6 runs",
// "running 2 of 6", "completed") and a way to it in Results. Also the rough time of a number of
// runs, from the duration of the latest finished run (on the same data when there is one).

import { useEffect } from 'react';
import type { ExperimentSummary } from '../../../src-main/ipc/api';
import { useJourney, useJourneyActions } from '../../store/journey';
import { formatDuration } from '../../ui/format';
import { useLaunch, type Launcher } from '../../store/launch/launch-store';

/** "queued: 6 runs", "running 2 of 6", "completed: 6 runs" (and how many failed). */
function experimentState(x: ExperimentSummary): string {
  const failed = x.failed > 0 ? `, ${x.failed} failed` : '';
  const runs = `${x.total} run${x.total === 1 ? '' : 's'}`;
  switch (x.status) {
    case 'queued':
      return `queued: ${runs}`;
    case 'running': {
      const started = Math.min(x.total, x.done + x.failed + Math.max(1, x.running));
      return `running ${started} of ${x.total} (${x.done} done${failed})`;
    }
    case 'completed':
      return `completed: ${runs}${failed}`;
    case 'cancelled':
      return `cancelled after ${x.done} of ${x.total} runs`;
    case 'failed':
      return `failed${x.message ? `: ${x.message}` : ''}`;
  }
}

export function LaunchStatus({
  launcher,
  onNavigate,
  onShowBlocks,
}: {
  launcher: Launcher;
  onNavigate?: (tab: 'results') => void;
  onShowBlocks?: (ids: string[]) => void;
}) {
  const launching = useLaunch((s) => s.launching);
  const last = useLaunch((s) => (s.last?.launcher === launcher ? s.last : null));
  const experiment = useJourney((s) =>
    last?.experimentId ? s.experiments.find((x) => x.id === last.experimentId) : undefined,
  );
  const journey = useJourneyActions();
  const testId = `${launcher}-launch-status`;
  if (launching === launcher) {
    return (
      <p className="j-muted" role="status" data-testid={testId}>
        Checking the project against its data…
      </p>
    );
  }
  if (!last) return null;
  if (last.blocked.length > 0) {
    const ids = [...new Set(last.blocked.flatMap((p) => p.blocks))];
    return (
      <div className="j-inline-error" role="alert" data-testid={testId}>
        <p>Not started: the data check found a problem to fix first.</p>
        <ul>
          {last.blocked.slice(0, 5).map((p, i) => (
            <li key={i}>{p.message}</li>
          ))}
        </ul>
        {onShowBlocks && ids.length > 0 && (
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            onClick={() => onShowBlocks(ids)}
          >
            Show in the model
          </button>
        )}
      </div>
    );
  }
  if (last.error) {
    return (
      <p className="j-inline-error" role="alert" data-testid={testId}>
        Not started: {last.error}
      </p>
    );
  }
  if (!last.experimentId) return null;
  const id = last.experimentId;
  return (
    <p className="j-row" role="status" data-testid={testId}>
      <span>
        {experiment ? (
          <>
            <strong>{experiment.name}</strong>: {experimentState(experiment)}
          </>
        ) : (
          'Queued.'
        )}
      </span>
      <button
        type="button"
        className="btn btn-secondary btn-sm"
        onClick={() => {
          journey.openExperimentDetail(id);
          onNavigate?.('results');
        }}
        title="Show the experiment's runs and report in Results"
      >
        Open in Results
      </button>
    </p>
  );
}

/** Seconds the latest finished run took (on `dataPath` if any did), or null. */
export function useRunSeconds(dataPath: string): number | null {
  const runs = useJourney((s) => s.runs);
  const status = useJourney((s) => s.runsStatus);
  const journey = useJourneyActions();
  useEffect(() => {
    if (status === 'idle') void journey.loadRuns();
  }, [status, journey]);
  const finished = runs
    .filter((r) => r.finishedAt && (r.status === 'completed' || r.status === 'early-stopping'))
    .map((r) => ({
      same: r.dataPath === dataPath,
      at: Date.parse(r.finishedAt!),
      seconds: (Date.parse(r.finishedAt!) - Date.parse(r.startedAt)) / 1000,
    }))
    .filter((r) => Number.isFinite(r.seconds) && r.seconds >= 0)
    .sort((a, b) => Number(b.same) - Number(a.same) || b.at - a.at);
  return finished[0]?.seconds ?? null;
}

/** "about 4 min in all (40 s a run, from the last run)", or why it is not known. */
export function timeEstimate(runs: number, seconds: number | null): string {
  if (seconds === null) return 'Time: not known until a run has finished.';
  return `Time: about ${formatDuration(runs * seconds)} of training in all (${formatDuration(seconds)} a run, as the last run took; less when several run at once).`;
}
