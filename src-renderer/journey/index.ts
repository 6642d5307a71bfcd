// The analyst's journey as screens the app shell mounts in its tab strip (Model | Data | Train |
// Results). Each takes the editor's current project and a callback that replaces it; their
// state (imports, the live run, runs, scoring) lives in the journey store and survives tab
// switches.

import './journey.css';

export { DataScreen } from './data/DataScreen';
export { ResultsScreen } from './results/ResultsScreen';
export { DataTab, ResultsTab, TrainTab, TrySampleButton } from './tabs';
export { TrainScreen } from './train/TrainScreen';
export { resetJourney, useJourney } from './store';
