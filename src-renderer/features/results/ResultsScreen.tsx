// The Results tab: the runs table with the open run's details, the comparison of ticked runs
// (and of run groups), the experiments with their reports, and scoring a file with a model.

import { useEffect, useState } from 'react';
import { EmptyState, ErrorBox, Tabs, type JourneyProps } from '../../ui/kit';
import { CompareView } from './CompareView';
import { isActive } from './experiments';
import { ExperimentsView } from './ExperimentsView';
import { NoRunSelected, RunDetailView } from './RunDetailView';
import { RunsTable } from './RunsTable';
import { ScorePanel } from './ScorePanel';
import { useJourney, useJourneyStore, useJourneyConnection } from '../../store/journey';

export function ResultsScreen({ onNavigate }: Partial<JourneyProps>) {
  const journeyStore = useJourneyStore();
  const journey = journeyStore.getState();
  useJourneyConnection();
  const view = useJourney((s) => s.resultsView);
  const status = useJourney((s) => s.runsStatus);
  const error = useJourney((s) => s.runsError);
  const count = useJourney((s) => s.runs.length);
  const compare = useJourney((s) => s.compare.length);
  const openRun = useJourney((s) => s.openRun);
  // What the last prune did: shown above the table, or above "No runs yet" when it took all.
  const [pruned, setPruned] = useState<string | null>(null);
  const activeExperiments = useJourney((s) => s.experiments.filter(isActive).length);

  useEffect(() => {
    void journey.loadRuns();
    void journey.loadExperiments();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the store's actions are stable; its state object is not
  }, []);

  return (
    <section className="j-screen" aria-labelledby="j-results-title" data-testid="results-screen">
      <header className="j-screen-head">
        <h2 id="j-results-title">Results</h2>
        <Tabs
          label="Results views"
          value={view}
          onChange={journey.setResultsView}
          testId="results-tab"
          options={[
            { value: 'runs', label: 'Runs', title: 'Every training run and its curves' },
            {
              value: 'compare',
              label: 'Compare',
              title: 'Line up the metrics and curves of the ticked runs',
              badge: compare > 0 ? compare : undefined,
            },
            {
              value: 'experiments',
              label: 'Experiments',
              title: 'Seeds, sweeps and the ablation: which differences are more than seed noise',
              badge: activeExperiments > 0 ? activeExperiments : undefined,
            },
            { value: 'score', label: 'Score a file', title: 'Predict a new CSV with a model' },
          ]}
        />
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={() => {
            void journey.loadRuns();
            void journey.loadExperiments();
          }}
          title="Reload the list of runs and experiments"
          aria-label="Refresh runs"
          data-testid="runs-refresh"
        >
          Refresh
        </button>
      </header>
      {error && (
        <ErrorBox message={error} onDismiss={() => journeyStore.setState({ runsError: null })} />
      )}
      {view === 'runs' && pruned && (
        <p className="j-success" role="status" data-testid="runs-pruned">
          {pruned}
        </p>
      )}
      {view === 'runs' &&
        (status !== 'ready' && count === 0 ? (
          <div className="j-panel j-loading" aria-busy={status === 'loading'}>
            {status === 'loading' ? 'Loading runs…' : ''}
          </div>
        ) : count === 0 ? (
          <EmptyState title="No runs yet" testId="runs-empty">
            <p className="j-muted">Train a model and its results appear here.</p>
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => onNavigate?.('train')}
              disabled={!onNavigate}
              title="Go to the Train tab"
            >
              Go to Train
            </button>
          </EmptyState>
        ) : (
          <>
            <RunsTable onPruned={setPruned} />
            {openRun ? <RunDetailView runId={openRun} /> : <NoRunSelected />}
          </>
        ))}
      {view === 'compare' && <CompareView />}
      {view === 'experiments' && (
        <ExperimentsView onTrain={onNavigate ? () => onNavigate('train') : undefined} />
      )}
      {view === 'score' && <ScorePanel />}
    </section>
  );
}
