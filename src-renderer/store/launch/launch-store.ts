// What the analyst is setting up to launch (issue 17), shared by the inspector (which adds
// parameters to the sweep) and the Train tab (which shows the sweep, the seeds and the ablation
// and starts them): the sweep being built, the Train button's "repeat with N seeds", the
// ablation's seeds, and which launcher started the latest experiment (so a host refusal shows
// beside the right button). One small store per journey store, made on first use: the journey
// store keeps the experiments themselves (store/journey/experiments-slice.ts).
//
// The launching itself (launch()) runs the same check as training before anything is queued:
// data:check against the project's data file, whose problems block it and pin to blocks like a
// training run's; then the journey's startExperiment, which opens the experiment in Results.

import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ExperimentRequestArgs } from '../../../src-main/ipc/api';
import type { Problem } from '../../../src-main/shared/problems';
import { errorText, useJourneyStore, type JourneyStore } from '../journey';
import { DEFAULT_SEEDS, type SweepAxis, type SweepMode } from './sweep';

export type Launcher = 'seeds' | 'sweep' | 'ablation';

interface LaunchState {
  axes: SweepAxis[];
  mode: SweepMode;
  /** Seeds per variant of the sweep. */
  sweepSeeds: number;
  /** The Train button's seeds: 1 is a single run with the live view (the default). */
  repeat: number;
  ablationSeeds: number;
  /** The launcher now checking the data or starting (one at a time). */
  launching: Launcher | null;
  /** The launcher of the latest start, and what came of it. */
  last: {
    launcher: Launcher;
    /** The experiment queued, when it was. */
    experimentId: string | null;
    /** data:check's errors that blocked it. */
    blocked: Problem[];
    /** A failed check or the host's refusal (experimentStartError). */
    error: string | null;
  } | null;

  /** Adds a parameter to the sweep (or replaces the one with the same path). */
  vary(axis: SweepAxis): void;
  updateAxis(path: string, patch: Partial<Pick<SweepAxis, 'text' | 'picked'>>): void;
  removeAxis(path: string): void;
  clearAxes(): void;
  setMode(mode: SweepMode): void;
  setSweepSeeds(n: number): void;
  /** The Train button's seeds (the comparison flow offers 3). */
  setRepeat(n: number): void;
  setAblationSeeds(n: number): void;
}

type LaunchStore = StoreApi<LaunchState>;

function createLaunchStore(): LaunchStore {
  return createStore<LaunchState>()((set, get) => ({
    axes: [],
    mode: 'grid',
    sweepSeeds: DEFAULT_SEEDS,
    repeat: 1,
    ablationSeeds: DEFAULT_SEEDS,
    launching: null,
    last: null,
    vary(axis) {
      const axes = get().axes;
      const i = axes.findIndex((a) => a.path === axis.path);
      set({ axes: i < 0 ? [...axes, axis] : axes.map((a, j) => (j === i ? axis : a)) });
    },
    updateAxis(path, patch) {
      set({ axes: get().axes.map((a) => (a.path === path ? { ...a, ...patch } : a)) });
    },
    removeAxis(path) {
      set({ axes: get().axes.filter((a) => a.path !== path) });
    },
    clearAxes() {
      set({ axes: [] });
    },
    setMode(mode) {
      set({ mode });
    },
    setSweepSeeds(n) {
      set({ sweepSeeds: n });
    },
    setRepeat(n) {
      set({ repeat: n });
    },
    setAblationSeeds(n) {
      set({ ablationSeeds: n });
    },
  }));
}

const stores = new WeakMap<JourneyStore, LaunchStore>();

/** The launch store that goes with a journey store. */
export function launchStoreOf(journey: JourneyStore): LaunchStore {
  let store = stores.get(journey);
  if (!store) {
    store = createLaunchStore();
    stores.set(journey, store);
  }
  return store;
}

/** A value from the launch store of the journey store in context. */
export function useLaunch<T>(selector: (state: LaunchState) => T): T {
  return useStore(launchStoreOf(useJourneyStore()), selector);
}

/** The launch store of the journey store in context (its actions). */
export function useLaunchStore(): LaunchStore {
  return launchStoreOf(useJourneyStore());
}

/**
 * Checks the project against its data as training does, then queues the experiment. True when
 * it was queued (the journey store then shows it in Results); the launch store's `last` says
 * what blocked or refused it otherwise.
 */
export async function launch(
  journey: JourneyStore,
  launcher: Launcher,
  request: ExperimentRequestArgs,
): Promise<boolean> {
  const store = launchStoreOf(journey);
  if (store.getState().launching) return false;
  store.setState({ launching: launcher, last: null });
  const finish = (last: NonNullable<LaunchState['last']>) =>
    store.setState({ launching: null, last });
  let problems: Problem[];
  try {
    problems = await journey.getState().api.dataCheck(request.project, request.dataPath);
  } catch (error) {
    finish({ launcher, experimentId: null, blocked: [], error: errorText(error) });
    return false;
  }
  // The same findings a training run's check keeps: the editor pins them to blocks.
  journey.setState({ dataProblems: problems });
  const blocked = problems.filter((p) => p.severity === 'error');
  if (blocked.length > 0) {
    finish({ launcher, experimentId: null, blocked, error: null });
    return false;
  }
  const summary = await journey.getState().startExperiment(request);
  finish({
    launcher,
    experimentId: summary?.id ?? null,
    blocked: [],
    error: summary ? null : journey.getState().experimentStartError,
  });
  return summary !== null;
}
