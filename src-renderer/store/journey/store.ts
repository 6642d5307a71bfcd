// The journey's store (data import, training, runs, scoring), fed by the host's events: the
// slices of ./*-slice.ts in one zustand store made over the engine API it is given, like the
// editor's store (../store.ts). The screens read it through ./context.tsx; its state outlives
// them, so switching tabs never loses an import in progress or a live training run.
//
// The project itself stays in the editor's store: actions that change it (apply a binding, the
// sample's template) return the new project to the caller, which hands it to the editor (see
// JourneyProps.onProjectChange). Each store tracks its own jobs (./jobs.ts): nothing is shared
// between two stores.

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HostEvent, RendererApi } from '../../../src-main/ipc/api';
import type { BrowserExtras } from '../../app/api';
import { createDataSlice } from './data-slice';
import { createExperimentsSlice } from './experiments-slice';
import { JobTracker } from './jobs';
import { createRunsSlice } from './runs-slice';
import { createScoreSlice } from './score-slice';
import { createTrainSlice, isTraining } from './train-slice';
import type { JobOwner, JourneyEnv, JourneyState } from './types';

export type JourneyStore = StoreApi<JourneyState>;

export function createJourneyStore(api: RendererApi): JourneyStore {
  return createStore<JourneyState>()((set, get) => {
    const env: JourneyEnv = {
      set,
      get,
      api,
      jobs: new JobTracker((event) => get().handleHostEvent(event)),
      on: {},
    };
    let unsubscribe: (() => void) | null = null;

    function ownerOf(jobId: string): JobOwner | 'waiter' | null {
      const s = get();
      if (s.importing.status === 'importing' && s.importing.jobId === jobId) return 'import';
      if (s.training?.jobId === jobId) return 'train';
      if (s.score.jobId === jobId) return 'score';
      return env.jobs.isAwaited(jobId) ? 'waiter' : null;
    }

    return {
      api,
      info: null,
      uploads: () => ('upload' in api ? (api as RendererApi & BrowserExtras) : null),

      connect() {
        if (unsubscribe) return true;
        unsubscribe = api.onHostEvent((event) => get().handleHostEvent(event));
        if (!get().info) {
          api.appInfo().then(
            (info) => set({ info }),
            () => undefined,
          );
        }
        return true;
      },

      disconnect() {
        unsubscribe?.();
        unsubscribe = null;
      },

      handleHostEvent(event: HostEvent) {
        if (event.type === 'experiment:progress') {
          // The host's queue runs experiments for every window; none is a job of this one.
          get().experimentProgress(event.experiment);
          return;
        }
        const owner = ownerOf(event.jobId);
        if (owner === null) {
          if (
            event.type === 'train:progress' &&
            !env.jobs.isKnown(event.jobId) &&
            !isTraining(get().training)
          ) {
            // A run this window did not start (it was reloaded while a run trained): follow it.
            env.adopt?.(event.jobId, event.runId);
            env.on.train?.(event);
            return;
          }
          env.jobs.hold(event);
          return;
        }
        if (owner !== 'waiter') env.on[owner]?.(event);
        env.jobs.finish(event);
      },

      projectReplaced(project) {
        const s = get();
        const keepPreview = s.preview !== null && s.preview.path === project.data.source;
        set({
          dataProblems: [],
          applied: null,
          applyError: null,
          training: isTraining(s.training) ? s.training : null,
          sample: s.sample?.step === 'failed' ? null : s.sample,
          ...(keepPreview
            ? {}
            : { preview: null, draft: null, selectedColumn: null, step: 'source' as const }),
        });
      },

      ...createDataSlice(env),
      ...createTrainSlice(env),
      ...createRunsSlice(env),
      ...createScoreSlice(env),
      ...createExperimentsSlice(env),
    };
  });
}
