// The analyst's journey as screens the app shell mounts in its tab strip (Model | Data | Train |
// Results). Each takes the editor's current project and a callback that replaces it; their
// state (imports, the live run, runs, scoring) lives in the journey store and survives tab
// switches.

import '../journey/journey.css';

export { DataScreen } from '../features/data/DataScreen';
export { SampleCard } from '../features/data/SourceStep';
export { ResultsScreen } from '../features/results/ResultsScreen';
export { DataTab, linkEditorProblems, ResultsTab, TrainTab, TrySampleButton } from './tabs';
export { TrainScreen } from '../features/train/TrainScreen';
export type { JourneyProps, JourneyTab } from '../ui/kit';
export {
  connectJourney,
  isTraining,
  resetJourney,
  trySample,
  useJourney,
  type JourneyState,
} from '../store/journey/store';
