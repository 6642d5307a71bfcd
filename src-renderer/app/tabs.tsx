// The journey's screens wired to the editor's store, ready for the shell's tab strip:
//   {tab === 'data' && <DataTab />} {tab === 'train' && <TrainTab />} {tab === 'results' && <ResultsTab />}
// They read the current project from the store, replace it as one undo step (edit), switch
// tabs with setTab, show blocks with focusBlock/select, and use the store's API object. The
// binding problems data:check finds are added to the editor's problems list, so they pin to
// blocks on the canvas like the model's own problems.

import '../journey/journey.css';
import { useEffect, useMemo } from 'react';
import type { Problem } from '../../src-main/shared/problems';
import type { ProjectFile } from '../../src-main/shared/project';
import { DataScreen } from '../features/data/DataScreen';
import { ResultsScreen } from '../features/results/ResultsScreen';
import { TrainScreen } from '../features/train/TrainScreen';
import { useAppStore, useStoreApi } from '../store/context';
import {
  SAMPLE_EPOCHS,
  SAMPLE_ROWS,
  useJourney,
  useJourneyStore,
  type JourneyStore,
} from '../store/journey';
import type { AppStore } from '../store/store';
import type { JourneyProps } from '../ui/kit';

const key = (p: Problem) => `${p.code}|${p.message}|${p.blocks.join(',')}`;

/** The binding's problems (data:check's own, not the graph's, which validation reports). */
function bindingProblems(problems: readonly Problem[]): Problem[] {
  return problems.filter((p) => p.code.startsWith('data-'));
}

const linked = new WeakSet<AppStore>();

/**
 * Keeps the editor's problems list holding the latest data:check findings: after each of the
 * editor's validations (which replace its list) and after each check. Cleared when a new
 * binding is applied or a check finds nothing.
 */
function linkEditorProblems(store: AppStore, journey: JourneyStore): void {
  if (linked.has(store)) return;
  linked.add(store);
  const merge = () => {
    const extra = bindingProblems(journey.getState().dataProblems);
    if (extra.length === 0) return;
    const current = store.getState().problems;
    const have = new Set(current.map(key));
    const missing = extra.filter((p) => !have.has(key(p)));
    if (missing.length > 0) store.setState({ problems: [...current, ...missing] });
  };
  let lastData = journey.getState().dataProblems;
  journey.subscribe((s) => {
    if (s.dataProblems === lastData) return;
    const gone = bindingProblems(lastData).map(key);
    lastData = s.dataProblems;
    if (gone.length > 0) {
      // Findings of an earlier check that no longer hold leave the list.
      const now = new Set(bindingProblems(s.dataProblems).map(key));
      const stale = new Set(gone.filter((k) => !now.has(k)));
      const current = store.getState().problems;
      const kept = current.filter((p) => !stale.has(key(p)));
      if (kept.length !== current.length) store.setState({ problems: kept });
    }
    merge();
  });
  let lastProblems = store.getState().problems;
  let lastDocument = store.getState().documentId;
  store.subscribe((s) => {
    if (s.documentId !== lastDocument) {
      // Another project: the previous one's findings and outcome go with it.
      lastDocument = s.documentId;
      journey.getState().projectReplaced(s.project);
    }
    if (s.problems === lastProblems) return;
    lastProblems = s.problems;
    merge();
  });
  merge();
}

function useEditorProps(): JourneyProps {
  const store = useStoreApi();
  const journey = useJourneyStore();
  const project = useAppStore((s) => s.project);
  useEffect(() => {
    journey.getState().connect();
    linkEditorProblems(store, journey);
  }, [journey, store]);
  return useMemo(
    () => ({
      project,
      onProjectChange: (next: ProjectFile) => {
        store.getState().edit(() => next);
      },
      onNavigate: (tab) => store.getState().setTab(tab),
      onShowBlocks: (ids: string[]) => {
        const s = store.getState();
        const present = ids.filter((id) => s.project.graph.blocks.some((b) => b.id === id));
        s.setTab('model');
        if (present.length === 0) return;
        s.focusBlock(present[0]);
        if (present.length > 1) s.select({ blocks: present, edges: [] });
      },
    }),
    [project, store],
  );
}

/**
 * The newcomer's one click from the empty canvas: the built-in sample, the HTLNet template and a
 * training run, then the Train tab (the same path as the Data tab's sample card).
 */
export function TrySampleButton() {
  const props = useEditorProps();
  const trySample = useJourney((s) => s.trySample);
  const sample = useJourney((s) => s.sample);
  const running = sample !== null && sample.step !== 'failed';
  return (
    <button
      type="button"
      className="btn btn-secondary"
      data-testid="empty-sample"
      disabled={running}
      title={`Train HTLNet on the built-in ${SAMPLE_ROWS.toLocaleString('en-US')}-row funnel sample (click → purchase → amount), ${SAMPLE_EPOCHS} epochs`}
      onClick={() =>
        void trySample((next) => {
          props.onProjectChange(next);
          props.onNavigate?.('train');
        })
      }
    >
      {running ? 'Starting the sample…' : 'Try the sample'}
    </button>
  );
}

export function DataTab() {
  return <DataScreen {...useEditorProps()} />;
}

export function TrainTab() {
  // Keyed by the document: what is typed there (the run name) belongs to the project.
  const documentId = useAppStore((s) => s.documentId);
  return <TrainScreen key={documentId} {...useEditorProps()} />;
}

export function ResultsTab() {
  return <ResultsScreen {...useEditorProps()} />;
}
