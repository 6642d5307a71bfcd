// Results › Experiments: every experiment queued on the host (a project repeated with seeds, a
// sweep, the HTLNet ablation) with its progress as it trains (runs done of all, training now,
// failed), cancel for one still queued or running, a note when one resumed after the app
// restarted, and the open experiment's report below (ExperimentReport.tsx). Progress arrives as
// experiment:progress events through the journey store; nothing here polls.

import { useEffect, useState } from 'react';
import type { ExperimentSummary } from '../../../src-main/ipc/api';
import { formatTime } from '../../ui/format';
import {
  EXPERIMENT_STATUS_TEXT,
  isActive,
  KIND_TEXT,
  progressText,
  resumedText,
} from './experiments';
import { EmptyState, ProgressBar } from '../../ui/kit';
import { useJourney, useJourneyActions } from '../../store/journey';
import { ExperimentReportView } from './ExperimentReport';
import '../../journey/results/experiments.css';

function ExperimentRow({ experiment: e, open }: { experiment: ExperimentSummary; open: boolean }) {
  const journey = useJourneyActions();
  const [confirm, setConfirm] = useState(false);
  const resumed = resumedText(e);
  return (
    <tr
      className={open ? 'j-run-row j-selected' : 'j-run-row'}
      aria-selected={open}
      data-testid={`experiment-row-${e.id}`}
      onClick={() => journey.openExperimentDetail(e.id)}
    >
      <td>
        <button
          type="button"
          className="link"
          onClick={(ev) => {
            ev.stopPropagation();
            journey.openExperimentDetail(e.id);
          }}
          title={`Open the report of ${e.name}`}
          data-testid={`experiment-open-${e.id}`}
        >
          {e.name}
        </button>
        {resumed && (
          <div className="j-muted j-small" data-testid={`experiment-resumed-${e.id}`}>
            {resumed}
          </div>
        )}
      </td>
      <td>{KIND_TEXT[e.kind]}</td>
      <td>
        <span className={`j-status j-status-${e.status}`} title={e.message}>
          {EXPERIMENT_STATUS_TEXT[e.status]}
        </span>
      </td>
      <td className="j-experiment-progress">
        <ProgressBar
          value={e.total > 0 ? e.done / e.total : null}
          label={`${e.done}/${e.total}`}
          detail={progressText(e).replace(/^\d+ of \d+ runs done( · )?/, '')}
          testId={`experiment-progress-${e.id}`}
        />
      </td>
      <td className="j-nowrap">{formatTime(e.createdAt)}</td>
      <td className="j-nowrap" onClick={(ev) => ev.stopPropagation()}>
        {isActive(e) &&
          (confirm ? (
            <>
              <button
                type="button"
                className="btn btn-danger btn-sm"
                onClick={() => {
                  setConfirm(false);
                  void journey.cancelExperiment(e.id);
                }}
                title="Drop its queued runs and stop the ones training (they keep their best weights)"
                data-testid={`experiment-cancel-confirm-${e.id}`}
              >
                Stop it
              </button>
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                onClick={() => setConfirm(false)}
                title="Let it run"
              >
                Keep running
              </button>
            </>
          ) : (
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              onClick={() => setConfirm(true)}
              title="Cancel this experiment (asks first)"
              aria-label={`Cancel ${e.name}`}
              data-testid={`experiment-cancel-${e.id}`}
            >
              Cancel
            </button>
          ))}
      </td>
    </tr>
  );
}

export function ExperimentsView({ onTrain }: { onTrain?: () => void }) {
  const journey = useJourneyActions();
  const experiments = useJourney((s) => s.experiments);
  const status = useJourney((s) => s.experimentsStatus);
  const openId = useJourney((s) => s.openExperiment);

  useEffect(() => {
    void journey.loadExperiments();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the store's actions are stable
  }, []);

  if (experiments.length === 0) {
    if (status !== 'ready')
      return (
        <div className="j-panel j-loading" aria-busy={status === 'loading'}>
          {status === 'loading' ? 'Loading experiments…' : ''}
        </div>
      );
    return (
      <EmptyState title="No experiments yet" testId="experiments-empty">
        <p className="j-muted">
          An experiment trains a model several times with different seeds (and, for a sweep or the
          ablation, several variants of it), then says which differences are more than seed noise.
          Start one from the Train tab.
        </p>
        <button
          type="button"
          className="btn btn-primary"
          onClick={onTrain}
          disabled={!onTrain}
          title="Go to the Train tab"
        >
          Go to Train
        </button>
      </EmptyState>
    );
  }
  const newestFirst = [...experiments].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <div className="j-experiments" data-testid="experiments-view">
      <section className="j-panel" aria-labelledby="j-experiments-title">
        <div className="j-panel-head">
          <h3 id="j-experiments-title">Experiments</h3>
          <span className="j-muted">
            {experiments.length} experiment{experiments.length === 1 ? '' : 's'} · open one for its
            report
          </span>
        </div>
        <div className="j-table-scroll">
          <table className="j-table" data-testid="experiments-table">
            <thead>
              <tr>
                <th scope="col">Experiment</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="j-visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {newestFirst.map((e) => (
                <ExperimentRow key={e.id} experiment={e} open={e.id === openId} />
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {openId ? (
        <ExperimentReportView id={openId} />
      ) : (
        <p className="j-muted" data-testid="experiment-none">
          Open an experiment to read its report.
        </p>
      )}
    </div>
  );
}
