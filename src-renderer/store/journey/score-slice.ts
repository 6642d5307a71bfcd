// The scoring slice of the journey store: which model the Score view uses, starting a score job
// (and learning that its output file exists, so the view can ask), its progress and result.

import { errorCode, errorText } from './errors';
import type { JobEvent, JourneyEnv, ScoreSlice, ScoreState } from './types';

const idleScore: ScoreState = {
  phase: 'idle',
  jobId: null,
  done: 0,
  total: 0,
  stage: '',
  out: null,
  request: null,
  result: null,
  error: null,
};

export function isScoring(score: ScoreState): boolean {
  return score.phase === 'starting' || score.phase === 'running';
}

export function createScoreSlice(env: JourneyEnv): ScoreSlice {
  const { set, get, api } = env;

  env.on.score = (event: JobEvent) => {
    const score = get().score;
    switch (event.type) {
      case 'job:progress':
        set({
          score: {
            ...score,
            phase: 'running',
            done: event.done,
            total: event.total,
            stage: event.stage,
          },
        });
        break;
      case 'score:done':
        set({ score: { ...score, phase: 'done', result: event.result, error: null } });
        break;
      case 'job:failed':
        set({ score: { ...score, phase: 'failed', error: event.error } });
        break;
      case 'job:cancelled':
        set({ score: { ...score, phase: 'failed', error: 'Scoring was cancelled.' } });
        break;
      default: // the other jobs' events
    }
  };

  return {
    score: idleScore,
    scoreSource: null,

    setScoreSource(source) {
      set({ scoreSource: source });
    },

    scoreWithRun(runId) {
      set({ scoreSource: { runId }, resultsView: 'score' });
    },

    async startScore(request) {
      if (isScoring(get().score)) return 'failed';
      const before = get().score;
      set({ score: { ...idleScore, phase: 'starting', out: request.out, request } });
      try {
        await env.jobs.run(
          () => api.scoreStart(request),
          (jobId) => set({ score: { ...get().score, jobId, phase: 'running' } }),
        );
        return 'started';
      } catch (error) {
        if (errorCode(error) === 'output-exists' && !request.replace) {
          set({ score: before });
          return 'output-exists';
        }
        set({ score: { ...get().score, phase: 'failed', error: errorText(error) } });
        return 'failed';
      }
    },

    async cancelScore() {
      const score = get().score;
      if (score.jobId && isScoring(score)) await api.jobCancel(score.jobId).catch(() => undefined);
    },
  };
}
