// The live run's slice of the journey store: checking the project against its data, starting a
// run, following its events (reading, epochs, evaluation, saving), stopping it, and adopting a
// run that was already training when this window was loaded.

import type { Problem } from '../../../src-main/shared/problems';
import { coreTaskIndex } from '../../../src-main/shared/project';
import { errorText } from './errors';
import { initialLive, reduceLive } from './live';
import type { JobEvent, JourneyEnv, TrainingState, TrainPhase, TrainSlice } from './types';

export function isTraining(training: TrainingState | null): boolean {
  return (
    training !== null &&
    training.phase !== 'done' &&
    training.phase !== 'failed' &&
    training.phase !== 'blocked'
  );
}

function freshTraining(patch: Partial<TrainingState>): TrainingState {
  return {
    phase: 'checking',
    jobId: null,
    runId: null,
    dataPath: '',
    label: '',
    live: initialLive(),
    reading: null,
    stopping: false,
    result: null,
    error: null,
    problems: [],
    ...patch,
  };
}

export function createTrainSlice(env: JourneyEnv): TrainSlice {
  const { set, get, api } = env;

  function patchTraining(patch: Partial<TrainingState>): void {
    const training = get().training;
    if (training) set({ training: { ...training, ...patch } });
  }

  env.on.train = (event: JobEvent) => {
    const training = get().training;
    if (!training) return;
    switch (event.type) {
      case 'job:progress':
        if (event.stage === 'reading') {
          patchTraining({ phase: 'reading', reading: { done: event.done, total: event.total } });
        } else if (event.stage === 'saving') {
          patchTraining({ phase: 'saving' });
        }
        break;
      case 'train:progress': {
        const live = reduceLive(training.live, event.progress);
        const phase: TrainPhase =
          event.progress.type === 'evaluating'
            ? 'evaluating'
            : training.phase === 'saving' || training.phase === 'evaluating'
              ? training.phase
              : 'training';
        patchTraining({ live, phase, runId: training.runId ?? event.runId });
        break;
      }
      case 'train:done': {
        const run = event.run;
        const failed = run.status === 'diverged' || run.status === 'failed';
        patchTraining({
          phase: 'done',
          result: run,
          stopping: false,
          error: failed ? run.message || `The run ${run.status}.` : null,
        });
        set({ openRun: run.id });
        void get().loadRuns();
        break;
      }
      case 'job:failed':
        patchTraining({ phase: 'failed', error: event.error, stopping: false });
        void get().loadRuns();
        break;
      case 'job:cancelled':
        // A stopped run normally ends with train:done ('cancelled'); this is the fallback.
        patchTraining({ phase: 'failed', error: 'The run was stopped.', stopping: false });
        void get().loadRuns();
        break;
      default: // the other jobs' events
    }
  };

  /**
   * Follows a run that is training on the host but was started before this window was loaded:
   * its events drive the monitor from now on, and its record fills in what came before (tasks,
   * epochs so far).
   */
  env.adopt = (jobId: string, runId: string) => {
    env.jobs.adopt(jobId);
    set({ training: freshTraining({ phase: 'training', jobId, runId }) });
    api.runsGet(runId).then(
      (detail) => {
        const training = get().training;
        if (training?.runId !== runId) return;
        const optimizer = detail.project.graph.blocks.find((b) => b.type === 'optimizer');
        const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
        const live = training.live;
        const core =
          detail.tasks[coreTaskIndex(detail.tasks.map((t) => ({ ...t, column: t.name })))];
        const history = [
          ...detail.history,
          ...live.history.filter((h) => !detail.history.some((d) => d.epoch === h.epoch)),
        ].sort((a, b) => a.epoch - b.epoch);
        patchTraining({
          dataPath: detail.dataPath,
          label: detail.label,
          live: {
            ...live,
            tasks: live.tasks.length > 0 ? live.tasks : detail.tasks,
            core: live.core || (core?.name ?? ''),
            epochs: live.epochs || num(optimizer?.params.epochs, detail.epochs),
            batchSize: live.batchSize || num(optimizer?.params.batchSize, 0),
            history,
          },
        });
      },
      () => undefined,
    );
  };

  return {
    training: null,
    dataProblems: [],

    async startTraining(project, dataPath, label) {
      if (isTraining(get().training)) return false;
      const runLabel = label?.trim() || '';
      set({ training: freshTraining({ dataPath, label: runLabel }) });
      let problems: Problem[];
      try {
        problems = await api.dataCheck(project, dataPath);
      } catch (error) {
        patchTraining({ phase: 'failed', error: errorText(error) });
        return false;
      }
      set({ dataProblems: problems });
      if (get().training?.stopping) {
        // Stopped while the data was being checked: nothing was started.
        set({ training: null });
        return false;
      }
      patchTraining({ problems });
      if (problems.some((p) => p.severity === 'error')) {
        patchTraining({ phase: 'blocked' });
        return false;
      }
      patchTraining({ phase: 'starting' });
      try {
        let runId: string | null = null;
        await env.jobs.run(
          async () => {
            const started = await api.trainStart({
              project,
              dataPath,
              ...(runLabel ? { label: runLabel } : {}),
            });
            runId = started.runId;
            return started;
          },
          (jobId) => {
            patchTraining({ jobId, runId });
            // Stop was pressed while the run was being started: stop it now.
            if (get().training?.stopping) {
              void api.jobCancel(jobId).catch(() => undefined);
            }
          },
        );
        return true;
      } catch (error) {
        patchTraining({ phase: 'failed', error: errorText(error) });
        return false;
      }
    },

    async stopTraining() {
      const training = get().training;
      if (!training || !isTraining(training)) return;
      patchTraining({ stopping: true });
      // Not started yet (checking the data): startTraining sees the flag and stops there.
      if (!training.jobId) return;
      try {
        await api.jobCancel(training.jobId);
      } catch (error) {
        patchTraining({ stopping: false, error: errorText(error) });
      }
    },

    dismissTraining() {
      if (!isTraining(get().training)) set({ training: null });
    },
  };
}
