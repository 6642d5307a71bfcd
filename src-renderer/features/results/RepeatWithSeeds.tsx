// The comparison flow's way to seed noise: ticked runs of no experiment are single seeds, and
// differences of a few thousandths AUC between them may be noise. "Repeat each with N seeds"
// (3 by default) queues each ticked run's project, exactly as it was trained and on its own
// data, as a run group; their runs are ticked here as they start, so the comparison becomes one
// of run groups paired by seed (GroupComparison), with intervals and verdicts.

import { useState } from 'react';
import { MAX_SEEDS } from '../../../src-main/shared/experiments/paths';
import { useJourney, useJourneyActions } from '../../store/journey';

/** Seeds per run group in the comparison flow, unless the analyst says otherwise. */
const COMPARISON_SEEDS = 3;

export function RepeatWithSeeds({ runIds }: { runIds: readonly string[] }) {
  const journey = useJourneyActions();
  const error = useJourney((s) => s.experimentStartError);
  const [text, setText] = useState(String(COMPARISON_SEEDS));
  const [busy, setBusy] = useState(false);
  const seeds = Number(text);
  const valid = Number.isInteger(seeds) && seeds >= 2 && seeds <= MAX_SEEDS;
  const runs = runIds.length * (valid ? seeds : 0);

  async function repeat() {
    if (!valid || busy) return;
    setBusy(true);
    try {
      await journey.repeatForComparison([...runIds], seeds);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="j-panel" aria-labelledby="j-repeat-title" data-testid="compare-repeat">
      <h3 id="j-repeat-title">One seed each</h3>
      <p className="j-muted">
        Each of these runs is a single seed: a difference of a few thousandths can come from the
        seed alone. Repeat each run&apos;s model on its own data with several seeds to see which
        differences are real.
      </p>
      <div className="j-row">
        <label className="j-field">
          <span className="j-field-label">Seeds per run</span>
          <input
            type="number"
            min={2}
            max={MAX_SEEDS}
            step={1}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            aria-invalid={!valid}
            aria-describedby="j-repeat-help"
            data-testid="compare-repeat-seeds"
          />
        </label>
        <button
          type="button"
          className="btn btn-primary"
          disabled={!valid || busy}
          onClick={() => void repeat()}
          data-testid="compare-repeat-start"
        >
          {busy ? 'Queuing…' : `Repeat each with ${valid ? seeds : '…'} seeds`}
        </button>
      </div>
      <p id="j-repeat-help" className="j-muted j-small" role={valid ? undefined : 'alert'}>
        {valid
          ? `Queues ${runIds.length} run groups, ${runs} runs in all, trained in the background; their runs are ticked here as they start.`
          : `Seeds per run: a whole number from 2 to ${MAX_SEEDS}.`}
      </p>
      {error && (
        <p className="j-inline-error" role="alert" data-testid="compare-repeat-error">
          {error}
        </p>
      )}
    </section>
  );
}
