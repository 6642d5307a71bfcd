// The Train tab's one-click ablation (issue 17): for an HTLNet project, the paper's variants
// (the full model, then each component taken away: the label embedding unit, the information
// fusion unit, the gradient adjustment, or one of its two steps) trained with N seeds on the
// project's data, explained in plain words with the number of runs and the rough time. Which
// variants apply is the engine's own rule (shared/ablation.ts): a graph without any of the
// components shows why instead of the button.

import { useId } from 'react';
import { ABLATION_FULL, ablationRefusal, ablationSteps } from '../../../src-main/shared/ablation';
import type { ProjectFile } from '../../../src-main/shared/project';
import { useJourneyStore } from '../../store/journey';
import { launch, useLaunch, useLaunchStore } from '../../store/launch/launch-store';
import { LaunchStatus, timeEstimate, useRunSeconds } from './LaunchStatus';
import { SeedsField } from './SeedsField';

export function AblationPanel({
  project,
  dataPath,
  onNavigate,
  onShowBlocks,
}: {
  project: ProjectFile;
  dataPath: string;
  onNavigate?: (tab: 'results') => void;
  onShowBlocks?: (ids: string[]) => void;
}) {
  const journey = useJourneyStore();
  const store = useLaunchStore();
  const seeds = useLaunch((s) => s.ablationSeeds);
  const launching = useLaunch((s) => s.launching);
  const seconds = useRunSeconds(dataPath);
  const id = useId();
  const refusal = ablationRefusal(project.graph.blocks);
  const steps = refusal ? [] : ablationSteps(project.graph.blocks);
  const variants = steps.length + 1;
  const validSeeds = Number.isInteger(seeds) && seeds >= 1;
  const runs = validSeeds ? variants * seeds : 0;
  const start = async () => {
    if (refusal || !validSeeds) return;
    const ok = await launch(journey, 'ablation', { kind: 'ablation', project, dataPath, seeds });
    if (ok) onNavigate?.('results');
  };
  const reasonId = `${id}-reason`;
  return (
    <section
      className="j-panel l-panel"
      aria-labelledby={`${id}-title`}
      data-testid="ablation-panel"
    >
      <div className="j-panel-head">
        <h3 id={`${id}-title`}>Ablation</h3>
      </div>
      {refusal ? (
        <p className="j-muted" id={reasonId} data-testid="ablation-unavailable">
          {refusal} The ablation takes an HTLNet model apart to show what each of its components
          adds.
        </p>
      ) : (
        <>
          <p className="j-panel-intro">
            Which parts of HTLNet help on this data? The model is trained as it is and once without
            each component, each with the same seeds, so the differences can be told from noise.
          </p>
          <ol className="l-variants" data-testid="ablation-variants">
            <li>
              <strong>{ABLATION_FULL}</strong>: the model as it is (the reference).
            </li>
            {steps.map((s) => (
              <li key={s.name}>
                <strong>{s.name}</strong>: {s.explanation}
              </li>
            ))}
          </ol>
        </>
      )}
      <div className="j-train-bar">
        {!refusal && (
          <SeedsField
            label="Seeds"
            value={seeds}
            onChange={(n) => store.getState().setAblationSeeds(n)}
            testId="ablation-seeds"
          />
        )}
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => void start()}
          disabled={refusal !== null || !validSeeds || launching !== null}
          aria-describedby={refusal ? reasonId : undefined}
          title={refusal ?? 'Check the project against its data, then queue every run'}
          data-testid="ablation-start"
        >
          Run the ablation
        </button>
      </div>
      {!refusal && (
        <p className="j-small" data-testid="ablation-count">
          {variants} variants × {validSeeds ? seeds : '?'} seeds = <strong>{runs} runs</strong>.{' '}
          <span className="j-muted">{timeEstimate(runs, seconds)}</span>
        </p>
      )}
      <LaunchStatus launcher="ablation" onNavigate={onNavigate} onShowBlocks={onShowBlocks} />
    </section>
  );
}
