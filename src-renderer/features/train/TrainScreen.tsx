// The Train tab: its settings (./TrainSettings.tsx), the run bar (run name, "repeat with N
// seeds", Train after data:check, Stop), its status (./TrainStatus.tsx: live progress with ETA
// and samples/s, how the run ended, the problems that pin to blocks), the experiments it
// launches (issue 17: a seeds group from the Train button when N > 1, ./SweepPanel.tsx,
// ./AblationPanel.tsx; their state in ./LaunchStatus.tsx) and the live run's history
// (./TrainHistory.tsx: per-task loss and metric charts, the gradient panel, the epochs).

import './launch.css';
import { useState } from 'react';
import {
  isTraining,
  useJourney,
  useJourneyActions,
  useJourneyConnection,
  useJourneyStore,
} from '../../store/journey';
import { baseName } from '../../ui/format';
import { EmptyState, Field, type JourneyProps } from '../../ui/kit';
import { SampleCard } from '../../ui/SampleCard';
import { AblationPanel } from './AblationPanel';
import { launch, useLaunch, useLaunchStore } from '../../store/launch/launch-store';
import { LaunchStatus } from './LaunchStatus';
import { SeedsField } from './SeedsField';
import { optimizerValue, OPTIMIZER_SETTINGS } from './settings';
import { TrainHistory } from './TrainHistory';
import { TrainSettings } from './TrainSettings';
import { TrainStatus } from './TrainStatus';
import { SweepPanel } from './SweepPanel';

export function TrainScreen(props: JourneyProps) {
  const journey = useJourneyActions();
  const journeyStore = useJourneyStore();
  const launchStore = useLaunchStore();
  const repeat = useLaunch((s) => s.repeat);
  const launching = useLaunch((s) => s.launching);
  useJourneyConnection();
  const { project, onProjectChange, onNavigate, onShowBlocks } = props;
  const training = useJourney((s) => s.training);
  const [label, setLabel] = useState('');
  const busy = isTraining(training);
  // The project's own data file: never a file read for another project or only previewed.
  const dataPath = project.data.source ?? null;
  const hasTasks = project.data.tasks.length > 0;

  const ready = hasTasks && dataPath !== null;
  if (!ready && !training) {
    return (
      <section className="j-screen" aria-labelledby="j-train-title" data-testid="train-screen">
        <header className="j-screen-head">
          <h2 id="j-train-title">Train</h2>
        </header>
        <EmptyState title="No data to train on yet" testId="train-empty">
          <p>
            {hasTasks
              ? `${project.name || 'This project'} has no data file yet: choose a CSV in Data (its columns and targets are kept with the project), or try the built-in sample.`
              : 'Import a CSV and choose its targets first, or try the built-in sample.'}
          </p>
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => onNavigate?.('data')}
            disabled={!onNavigate}
            title="Go to the Data tab"
            data-testid="go-data"
          >
            Go to Data
          </button>
        </EmptyState>
        <SampleCard {...props} />
      </section>
    );
  }

  const live = training?.live ?? null;
  const tasks = live && live.tasks.length > 0 ? live.tasks : project.data.tasks;
  const seedsGroup = repeat !== 1;
  const train = async () => {
    if (dataPath === null) return;
    if (!seedsGroup) {
      void journey.startTraining(project, dataPath, label);
      return;
    }
    if (!Number.isInteger(repeat)) return;
    const name = label.trim();
    const request = { kind: 'seeds' as const, project, dataPath, seeds: repeat };
    if (await launch(journeyStore, 'seeds', name ? { ...request, name } : request)) {
      onNavigate?.('results');
    }
  };
  const openResults = () => {
    if (training?.result) journey.openRunDetail(training.result.id);
    onNavigate?.('results');
  };

  return (
    <section className="j-screen" aria-labelledby="j-train-title" data-testid="train-screen">
      <header className="j-screen-head">
        <h2 id="j-train-title">Train</h2>
        {ready ? (
          <span className="j-muted">
            {project.name} on <strong title={dataPath}>{baseName(dataPath)}</strong> ·{' '}
            {project.data.tasks.map((t) => t.name).join(' → ')}
          </span>
        ) : (
          training && (
            <span className="j-muted">
              {training.label || 'A run'}
              {training.dataPath && (
                <>
                  {' '}
                  on <strong title={training.dataPath}>{baseName(training.dataPath)}</strong>
                </>
              )}
            </span>
          )
        )}
      </header>

      {ready && <TrainSettings project={project} onProjectChange={onProjectChange} busy={busy} />}

      <div className="j-train-bar">
        {ready && (
          <Field
            label="Run name"
            help="Shown in the runs table; defaults to the project's name and time"
          >
            <input
              type="text"
              value={label}
              placeholder={`Optional, e.g. ${project.name}, ${optimizerValue(project, OPTIMIZER_SETTINGS[0])} epochs`}
              onChange={(e) => setLabel(e.currentTarget.value)}
              disabled={busy}
              aria-label="Run name"
              title="Shown in the runs table; defaults to the project's name and time"
              data-testid="run-label"
            />
          </Field>
        )}
        {busy ? (
          <button
            type="button"
            className="btn btn-danger btn-lg"
            onClick={() => void journey.stopTraining()}
            disabled={training?.stopping}
            title="Stop after the current batch; the best weights so far are kept and evaluated"
            aria-label="Stop training"
            data-testid="train-stop"
          >
            {training?.stopping ? 'Stopping…' : 'Stop'}
          </button>
        ) : !ready || dataPath === null ? (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => onNavigate?.('data')}
            disabled={!onNavigate}
            title="Import a CSV and choose its targets to train this project"
            data-testid="go-data"
          >
            Choose data to train
          </button>
        ) : (
          <>
            <SeedsField
              label="Repeat with seeds"
              value={repeat}
              onChange={(n) => launchStore.getState().setRepeat(n)}
              help="1 trains once and shows it live. More queues a group of runs, one per seed, reported as mean ± sd in Results."
              testId="repeat-seeds"
            />
            <button
              type="button"
              className="btn btn-primary btn-lg"
              onClick={() => void train()}
              disabled={seedsGroup && (!Number.isInteger(repeat) || launching !== null)}
              title={
                seedsGroup
                  ? `Check the project against the data, then queue ${repeat} runs, one per seed`
                  : 'Check the project against the data, then train it'
              }
              aria-label={seedsGroup ? `Train with ${repeat} seeds` : 'Train'}
              data-testid="train-start"
            >
              {seedsGroup && Number.isInteger(repeat) ? `Train ${repeat} seeds` : 'Train'}
            </button>
          </>
        )}
      </div>
      {ready && (
        <LaunchStatus launcher="seeds" onNavigate={onNavigate} onShowBlocks={onShowBlocks} />
      )}
      {ready && dataPath !== null && (
        <div className="l-experiments" data-testid="train-experiments">
          <SweepPanel
            project={project}
            dataPath={dataPath}
            onNavigate={onNavigate}
            onShowBlocks={onShowBlocks}
          />
          <AblationPanel
            project={project}
            dataPath={dataPath}
            onNavigate={onNavigate}
            onShowBlocks={onShowBlocks}
          />
        </div>
      )}

      <TrainStatus
        training={training}
        onOpenResults={onNavigate ? openResults : undefined}
        onShowBlocks={onShowBlocks}
      />
      <TrainHistory live={live} tasks={tasks} />
    </section>
  );
}
