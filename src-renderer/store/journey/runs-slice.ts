// The runs' slice of the journey store: the runs table (loaded from the host, sorted, compared),
// the open run's details, deleting a run, and exporting a run's model (a folder or ONNX).

import type { RunSummary } from '../../../src-main/ipc/api';
import { errorText } from './errors';
import type { JourneyEnv, RunsSlice } from './types';

function newest(runs: readonly RunSummary[]): string | null {
  let best: RunSummary | null = null;
  for (const r of runs) if (!best || r.startedAt > best.startedAt) best = r;
  return best?.id ?? null;
}

export function createRunsSlice(env: JourneyEnv): RunsSlice {
  const { set, get, api } = env;
  return {
    runs: [],
    runsStatus: 'idle',
    runsError: null,
    details: {},
    detailErrors: {},
    openRun: null,
    compare: [],
    sort: { key: 'time', dir: 'desc' },
    resultsView: 'runs',
    onnxRequest: 0,
    exports: {},

    async loadRuns() {
      set({ runsStatus: get().runsStatus === 'ready' ? 'ready' : 'loading' });
      try {
        const runs = await api.runsList();
        const ids = new Set(runs.map((r) => r.id));
        const { compare, openRun } = get();
        set({
          runs,
          runsStatus: 'ready',
          runsError: null,
          compare: compare.filter((id) => ids.has(id)),
          openRun: openRun && ids.has(openRun) ? openRun : newest(runs),
        });
      } catch (error) {
        set({ runsStatus: 'error', runsError: errorText(error) });
      }
    },

    async loadDetail(runId, force = false) {
      const cached = get().details[runId];
      if (cached && !force && cached.status !== 'running') return cached;
      try {
        const detail = await api.runsGet(runId);
        set({ details: { ...get().details, [runId]: detail } });
        return detail;
      } catch (error) {
        set({ detailErrors: { ...get().detailErrors, [runId]: errorText(error) } });
        return null;
      }
    },

    openRunDetail(runId) {
      set({ openRun: runId, resultsView: 'runs' });
    },

    setResultsView(view) {
      set({ resultsView: view });
    },

    requestOnnxExport() {
      set({ resultsView: 'runs', onnxRequest: get().onnxRequest + 1 });
    },

    toggleCompare(runId) {
      const compare = get().compare;
      set({
        compare: compare.includes(runId)
          ? compare.filter((id) => id !== runId)
          : [...compare, runId],
      });
    },

    setCompare(ids) {
      set({ compare: ids });
    },

    setSort(key) {
      const sort = get().sort;
      set({
        sort:
          sort.key === key
            ? { key, dir: sort.dir === 'asc' ? 'desc' : 'asc' }
            : { key, dir: key === 'time' ? 'desc' : 'asc' },
      });
    },

    async deleteRun(runId) {
      try {
        await api.runsDelete(runId);
      } catch (error) {
        set({ runsError: errorText(error) });
        return false;
      }
      const { [runId]: _gone, ...details } = get().details;
      set({
        runs: get().runs.filter((r) => r.id !== runId),
        details,
        compare: get().compare.filter((id) => id !== runId),
        openRun: get().openRun === runId ? null : get().openRun,
      });
      return true;
    },

    async exportModel(runId, dest, format = 'folder') {
      set({ exports: { ...get().exports, [runId]: { status: 'busy' } } });
      try {
        if (format === 'onnx') {
          const onnx = await api.modelExportOnnx(runId, dest);
          const done = {
            status: 'done' as const,
            path: onnx.out,
            preprocessing: onnx.preprocessing,
          };
          set({ exports: { ...get().exports, [runId]: done } });
          return onnx.out;
        }
        const path = await api.modelExport(runId, dest);
        set({ exports: { ...get().exports, [runId]: { status: 'done', path } } });
        return path;
      } catch (error) {
        set({
          exports: { ...get().exports, [runId]: { status: 'failed', error: errorText(error) } },
        });
        return null;
      }
    },
  };
}
