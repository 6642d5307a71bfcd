// The experiments' slice of the journey store (issue 17): experiments (run groups: a project
// with N seeds, a sweep, the HTLNet ablation) queued on the host, their progress as it arrives
// (experiment:progress events, which belong to no job of this window), the open experiment's
// detail (its runs and report), cancelling, and pruning old runs from the run store. Starting
// one opens it in Results; its runs appear in the runs table as they start.

import type { ExperimentDetail, ExperimentSummary } from '../../../src-main/ipc/api';
import { errorText } from './errors';
import type { ExperimentsSlice, JourneyEnv } from './types';

function upsert(list: readonly ExperimentSummary[], x: ExperimentSummary): ExperimentSummary[] {
  const i = list.findIndex((e) => e.id === x.id);
  if (i < 0) return [x, ...list];
  const next = list.slice();
  next[i] = x;
  return next;
}

export function createExperimentsSlice(env: JourneyEnv): ExperimentsSlice {
  const { set, get, api } = env;
  // Details are refetched when progress arrives for the open experiment, at most one at a time.
  let refetching: string | null = null;
  let refetchAgain = false;

  async function refetch(id: string): Promise<void> {
    if (refetching === id) {
      refetchAgain = true;
      return;
    }
    refetching = id;
    try {
      do {
        refetchAgain = false;
        await get().loadExperiment(id, true);
      } while (refetchAgain);
    } finally {
      refetching = null;
    }
  }

  /** Ticks the runs of the experiments queued from the comparison, as they appear. */
  function tickQueued(): void {
    const queued = get().compareExperiments;
    if (queued.length === 0) return;
    const compare = get().compare;
    const fresh = get()
      .runs.filter((r) => r.group && queued.includes(r.group.id) && !compare.includes(r.id))
      .map((r) => r.id);
    if (fresh.length > 0) set({ compare: [...compare, ...fresh] });
  }

  return {
    experiments: [],
    experimentsStatus: 'idle',
    experimentsError: null,
    experimentDetails: {},
    openExperiment: null,
    experimentStartError: null,
    compareExperiments: [],

    async loadExperiments() {
      set({ experimentsStatus: get().experimentsStatus === 'ready' ? 'ready' : 'loading' });
      try {
        const experiments = await api.experimentsList();
        set({ experiments, experimentsStatus: 'ready', experimentsError: null });
      } catch (error) {
        set({ experimentsStatus: 'error', experimentsError: errorText(error) });
      }
    },

    async loadExperiment(id, force = false) {
      const cached = get().experimentDetails[id];
      const settled = cached && cached.status !== 'running' && cached.status !== 'queued';
      if (cached && settled && !force) return cached;
      try {
        const detail: ExperimentDetail = await api.experimentsGet(id);
        const { runs: _runs, report: _report, dataPath: _data, ...summary } = detail;
        set({
          experimentDetails: { ...get().experimentDetails, [id]: detail },
          experiments: upsert(get().experiments, summary),
        });
        return detail;
      } catch (error) {
        set({ experimentsError: errorText(error) });
        return null;
      }
    },

    async startExperiment(request) {
      set({ experimentStartError: null });
      try {
        const summary = await api.experimentsStart(request);
        set({
          experiments: upsert(get().experiments, summary),
          openExperiment: summary.id,
          resultsView: 'experiments',
        });
        void get().loadExperiment(summary.id, true);
        return summary;
      } catch (error) {
        set({ experimentStartError: errorText(error) });
        return null;
      }
    },

    async cancelExperiment(id) {
      try {
        await api.experimentsCancel(id);
      } catch (error) {
        set({ experimentsError: errorText(error) });
        return false;
      }
      await get().loadExperiment(id, true);
      return true;
    },

    openExperimentDetail(id) {
      set({ openExperiment: id, resultsView: id === null ? get().resultsView : 'experiments' });
      if (id !== null) void get().loadExperiment(id);
    },

    async pruneRuns(options) {
      try {
        const result = await api.runsPrune(options);
        if (!options.dryRun) await get().loadRuns();
        return result;
      } catch (error) {
        set({ runsError: errorText(error) });
        return null;
      }
    },

    async repeatForComparison(runIds, seeds) {
      set({ experimentStartError: null });
      const started: string[] = [];
      for (const runId of runIds) {
        const run = await get().loadDetail(runId);
        if (!run) continue;
        try {
          const summary = await api.experimentsStart({
            kind: 'seeds',
            project: run.project,
            dataPath: run.dataPath,
            seeds,
            name: `${run.label} × ${seeds} seeds`,
          });
          started.push(summary.id);
          set({ experiments: upsert(get().experiments, summary) });
        } catch (error) {
          set({ experimentStartError: `${run.label}: ${errorText(error)}` });
          break;
        }
      }
      if (started.length > 0) {
        set({ compareExperiments: started, compare: [], resultsView: 'compare' });
        await get().loadRuns();
        tickQueued();
      }
      return started.length;
    },

    experimentProgress(experiment) {
      const before = get().experiments.find((e) => e.id === experiment.id);
      set({ experiments: upsert(get().experiments, experiment) });
      // A run started or finished: the runs table and an open experiment's report follow.
      if (!before || before.done !== experiment.done || before.running !== experiment.running) {
        void get().loadRuns().then(tickQueued);
      }
      if (get().openExperiment === experiment.id || get().experimentDetails[experiment.id]) {
        void refetch(experiment.id);
      }
    },
  };
}
