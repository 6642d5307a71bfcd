// The sample's card: one click to a trained model (the built-in funnel data, the HTLNet template
// and a first run), with a confirmation when it would replace the model on the canvas. Shown by
// the Data tab's first step and the Train tab's empty state, so it lives in the shared kit.

import { useState } from 'react';
import type { ProjectFile } from '../../src-main/shared/project';
import {
  SAMPLE_EPOCHS,
  SAMPLE_ROWS,
  type SampleStep,
  useJourney,
  useJourneyActions,
} from '../store/journey';
import { ErrorBox, type JourneyProps } from './kit';

const SAMPLE_STEPS: Record<SampleStep, string> = {
  sample: 'Writing the sample dataset…',
  import: 'Reading the sample…',
  template: 'Building the HTLNet model…',
  train: 'Starting training…',
};

function hasModel(project: ProjectFile): boolean {
  return project.graph.blocks.length > 0;
}

export function SampleCard({ project, onProjectChange, onNavigate }: JourneyProps) {
  const journey = useJourneyActions();
  const sample = useJourney((s) => s.sample);
  const busy = useJourney((s) => s.importing.status !== 'idle');
  const [confirming, setConfirming] = useState(false);
  const running = sample !== null && sample.step !== 'failed';
  const go = () => {
    setConfirming(false);
    void journey.trySample((next) => {
      onProjectChange(next);
      onNavigate?.('train');
    });
  };
  return (
    <section className="j-sample" aria-labelledby="j-sample-title" data-testid="sample-card">
      <div>
        <h3 id="j-sample-title">New here? Train a model in a minute</h3>
        <p className="j-muted">
          A built-in dataset of {SAMPLE_ROWS.toLocaleString('en-US')} visits (click → purchase →
          amount) and the HTLNet model, trained for {SAMPLE_EPOCHS} epochs. Nothing to set up.
        </p>
        {running && (
          <p className="j-sample-step" role="status" data-testid="sample-step">
            {SAMPLE_STEPS[sample.step as SampleStep]}
          </p>
        )}
        {sample?.step === 'failed' && sample.error && (
          <ErrorBox title="The sample could not start:" message={sample.error} />
        )}
        {confirming && (
          <div className="j-confirm" role="alertdialog" aria-label="Replace the model?">
            <p>
              The sample uses the HTLNet template, which replaces the model on the canvas (undo in
              the Model tab brings it back).
            </p>
            <button
              type="button"
              className="btn btn-primary"
              onClick={go}
              title="Replace the model with the HTLNet template and train it on the sample"
              data-testid="sample-confirm"
            >
              Replace and train
            </button>
            <button
              type="button"
              className="btn btn-secondary"
              onClick={() => setConfirming(false)}
              title="Keep the current model"
            >
              Cancel
            </button>
          </div>
        )}
      </div>
      <button
        type="button"
        className="btn btn-primary btn-lg"
        disabled={running || busy}
        onClick={() => (hasModel(project) ? setConfirming(true) : go())}
        title="Writes the sample CSV to the workspace, imports it, builds the HTLNet template and trains it"
        data-testid="try-sample"
      >
        Try the sample: HTLNet on a 100k-row funnel
      </button>
    </section>
  );
}
