// The Train tab's sweep panel (issue 17): the parameters picked with "Vary" in the inspector (or
// added here, ./AddParameter.tsx) and the values to try for each, every combination (grid) or
// one change at a time, the seeds per variant, how many runs that queues (variants x seeds, with
// a warning when it is many and the rough time), the first problem with the values before
// anything is queued, and Start; the host's refusal shows beside the button (./LaunchStatus.tsx).

import { useId } from 'react';
import type { ProjectFile } from '../../../src-main/shared/project';
import { useJourneyStore } from '../../store/journey';
import { AxisEditor } from '../../ui/AxisEditor';
import { AddParameter } from './AddParameter';
import { launch, useLaunch, useLaunchStore } from '../../store/launch/launch-store';
import { LaunchStatus, timeEstimate, useRunSeconds } from './LaunchStatus';
import { SeedsField } from './SeedsField';
import { LARGE_RUNS, planSweep } from '../../store/launch/sweep';

export function SweepPanel({
  project,
  dataPath,
  onNavigate,
  onShowBlocks,
}: {
  project: ProjectFile;
  dataPath: string;
  onNavigate?: (tab: 'model' | 'results') => void;
  onShowBlocks?: (ids: string[]) => void;
}) {
  const journey = useJourneyStore();
  const store = useLaunchStore();
  const axes = useLaunch((s) => s.axes);
  const mode = useLaunch((s) => s.mode);
  const seeds = useLaunch((s) => s.sweepSeeds);
  const launching = useLaunch((s) => s.launching);
  const seconds = useRunSeconds(dataPath);
  const id = useId();
  const plan = planSweep(project, dataPath, { axes, mode, seeds });
  const start = async () => {
    if (!plan.request) return;
    if (await launch(journey, 'sweep', plan.request)) onNavigate?.('results');
  };
  const problemId = `${id}-problem`;
  return (
    <section className="j-panel l-panel" aria-labelledby={`${id}-title`} data-testid="sweep-panel">
      <div className="j-panel-head">
        <h3 id={`${id}-title`}>Sweep</h3>
        {axes.length > 0 && (
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={() => store.getState().clearAxes()}
            title="Remove every parameter from the sweep"
            data-testid="sweep-clear"
          >
            Clear
          </button>
        )}
      </div>
      {axes.length === 0 ? (
        <div className="j-muted" data-testid="sweep-empty">
          <p>
            Train the model with several values of its parameters, each with a few seeds, and see
            which differences are real. Add a parameter below, or in the Model tab select a block
            and press <strong>Vary</strong> beside a parameter (the Optimizer block holds the
            training settings).
          </p>
          {onNavigate && (
            <button
              type="button"
              className="btn btn-secondary btn-sm"
              onClick={() => onNavigate('model')}
              data-testid="sweep-go-model"
            >
              Pick parameters in the Model tab
            </button>
          )}
        </div>
      ) : (
        <div className="l-axes">
          {axes.map((a) => (
            <AxisEditor key={a.path} axis={a} project={project} />
          ))}
        </div>
      )}
      {/* In the same place with or without parameters: it keeps the focus while they come. */}
      <AddParameter project={project} />
      {axes.length > 0 && (
        <>
          <fieldset className="l-mode">
            <legend className="j-field-label">Variants</legend>
            <label className="l-pick">
              <input
                type="radio"
                name={`${id}-mode`}
                checked={mode === 'grid'}
                onChange={() => store.getState().setMode('grid')}
                data-testid="sweep-mode-grid"
              />
              Every combination (grid)
            </label>
            <label className="l-pick">
              <input
                type="radio"
                name={`${id}-mode`}
                checked={mode === 'list'}
                onChange={() => store.getState().setMode('list')}
                data-testid="sweep-mode-list"
              />
              One change at a time, against the project as it is
            </label>
          </fieldset>
          <div className="j-train-bar">
            <SeedsField
              label="Seeds per variant"
              value={seeds}
              onChange={(n) => store.getState().setSweepSeeds(n)}
              testId="sweep-seeds"
            />
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => void start()}
              disabled={plan.request === null || launching !== null}
              aria-describedby={plan.error ? problemId : undefined}
              title="Check the project against its data, then queue every run"
              data-testid="sweep-start"
            >
              Start the sweep
            </button>
          </div>
          <p className="j-small" data-testid="sweep-count">
            {plan.variants} variant{plan.variants === 1 ? '' : 's'} × {seeds} seed
            {seeds === 1 ? '' : 's'} = <strong>{plan.runs} runs</strong>.{' '}
            <span className="j-muted">{timeEstimate(plan.runs, seconds)}</span>
          </p>
          {plan.runs > LARGE_RUNS && !plan.error && (
            <p className="j-warning" data-testid="sweep-large">
              That is {plan.runs} runs: it may take a long time. Fewer values or seeds make it
              shorter.
            </p>
          )}
          {plan.error && (
            <p className="j-field-error" id={problemId} data-testid="sweep-problem">
              {plan.error}
            </p>
          )}
        </>
      )}
      <LaunchStatus launcher="sweep" onNavigate={onNavigate} onShowBlocks={onShowBlocks} />
    </section>
  );
}
