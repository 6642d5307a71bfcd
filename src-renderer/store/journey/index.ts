// The journey store's public face: the factory, the React hooks, the state's types and the
// pure helpers the screens use.

export {
  JourneyProvider,
  useJourney,
  useJourneyActions,
  useJourneyConnection,
  useJourneyStore,
} from './context';
export { SAMPLE_EPOCHS, SAMPLE_ROWS } from './data-slice';
export { errorCode, errorText } from './errors';
export { isScoring } from './score-slice';
export { createJourneyStore, type JourneyStore } from './store';
export { isTraining } from './train-slice';
export type * from './types';
