// The Data tab: the import wizard (choose data, columns and targets, review and apply).

import { useEffect } from 'react';
import type { JourneyProps } from '../../ui/kit';
import { ColumnsStep } from './ColumnsStep';
import { ReviewStep } from './ReviewStep';
import { SourceStep } from './SourceStep';
import {
  useJourney,
  useJourneyStore,
  useJourneyConnection,
  type WizardStep,
} from '../../store/journey';

const STEPS: { id: WizardStep; label: string; title: string }[] = [
  { id: 'source', label: 'Choose data', title: 'Pick a CSV file, or try the sample' },
  {
    id: 'columns',
    label: 'Columns & targets',
    title: 'Check column kinds, choose the targets and their order, exclude columns',
  },
  { id: 'review', label: 'Review & apply', title: 'Store the binding in the project' },
];

export function DataScreen(props: JourneyProps) {
  const journeyStore = useJourneyStore();
  const journey = journeyStore.getState();
  useJourneyConnection();
  const step = useJourney((s) => s.step);
  const hasPreview = useJourney((s) => s.preview !== null && s.draft !== null);
  const source = props.project.data.source;

  // Coming back to the tab after a restart: the host may still hold this project's data.
  useEffect(() => {
    const s = journeyStore.getState();
    if (source && !s.preview && s.importing.status === 'idle') {
      void journey.reopenPreview(source, props.project.data, false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the data file changes
  }, [source]);

  const current = hasPreview ? step : 'source';
  return (
    <section className="j-screen" aria-labelledby="j-data-title" data-testid="data-screen">
      <header className="j-screen-head">
        <h2 id="j-data-title">Data</h2>
        <ol className="j-steps" aria-label="Import steps">
          {STEPS.map((s, i) => (
            <li key={s.id}>
              <button
                type="button"
                className={`j-step${s.id === current ? ' j-step-active' : ''}`}
                aria-current={s.id === current ? 'step' : undefined}
                disabled={s.id !== 'source' && !hasPreview}
                onClick={() => journey.setStep(s.id)}
                title={s.title}
                data-testid={`wizard-step-${s.id}`}
              >
                <span className="j-step-number">{i + 1}</span>
                {s.label}
              </button>
            </li>
          ))}
        </ol>
      </header>
      {current === 'source' && <SourceStep {...props} />}
      {current === 'columns' && <ColumnsStep />}
      {current === 'review' && <ReviewStep {...props} />}
    </section>
  );
}
