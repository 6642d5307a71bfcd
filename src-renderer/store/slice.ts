// What every slice creator receives.

import type { ProjectFile } from '../../src-main/shared/project';
import type { AppState, StoreOptions } from './types';

export interface SliceEnv {
  set: (partial: Partial<AppState>) => void;
  get: () => AppState;
  options: StoreOptions;
  /** The project a new document starts from until the host's sample binding is known. */
  blank: ProjectFile;
}
