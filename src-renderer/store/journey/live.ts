// A training run as the monitor draws it, folded from the host's TrainProgress events: where
// the run is (epoch, batch, samples/s, ETA), the loss of recent batches, the per-epoch history,
// and the per-task shared-gradient norms and cosines over batches. Pure: reduceLive() returns a
// new state for each event, so the store can keep it and a test can replay a recording.

import type { EpochRecord, TrainProgress } from '../../../src-main/ipc/api';
import type { TaskType } from '../../../src-main/shared/project';

export interface Point {
  x: number;
  y: number;
}

/** Longest series kept per task (older points are thinned, every other one dropped). */
export const MAX_POINTS = 600;

export interface LiveTraining {
  tasks: { name: string; type: TaskType }[];
  core: string;
  epochs: number;
  batchesPerEpoch: number;
  batchSize: number;
  rows: { train: number; validation: number; test: number } | null;
  /** The latest batch seen (1-based); 0 before the first. */
  epoch: number;
  batch: number;
  samplesPerSecond: number | null;
  /** Per task: batch losses at x = fractional epoch (epoch - 1 + batch / batches). */
  batchLoss: Record<string, Point[]>;
  /** Completed epochs, in order. */
  history: EpochRecord[];
  bestEpoch: number;
  /** Per task: |G_t| and cos(G_t, G_core) at x = the global batch number. */
  gradientNorm: Record<string, Point[]>;
  gradientCosine: Record<string, Point[]>;
  /** Training is over and the test split is being evaluated. */
  evaluating: boolean;
}

export function initialLive(): LiveTraining {
  return {
    tasks: [],
    core: '',
    epochs: 0,
    batchesPerEpoch: 0,
    batchSize: 0,
    rows: null,
    epoch: 0,
    batch: 0,
    samplesPerSecond: null,
    batchLoss: {},
    history: [],
    bestEpoch: 0,
    gradientNorm: {},
    gradientCosine: {},
    evaluating: false,
  };
}

/** Appends a point, thinning the older half of a series that grew past MAX_POINTS. */
function append(series: Point[] | undefined, point: Point): Point[] {
  const list = series ? series.concat(point) : [point];
  if (list.length <= MAX_POINTS) return list;
  const half = Math.floor(list.length / 2);
  return list
    .slice(0, half)
    .filter((_, i) => i % 2 === 0)
    .concat(list.slice(half));
}

function appendAll(
  into: Record<string, Point[]>,
  values: Record<string, number>,
  x: number,
): Record<string, Point[]> {
  const out = { ...into };
  for (const [task, y] of Object.entries(values)) {
    if (Number.isFinite(y)) out[task] = append(into[task], { x, y });
  }
  return out;
}

export function reduceLive(state: LiveTraining, event: TrainProgress): LiveTraining {
  switch (event.type) {
    case 'start':
      return {
        ...initialLive(),
        tasks: event.tasks,
        core: event.core,
        epochs: event.epochs,
        batchesPerEpoch: event.batchesPerEpoch,
        batchSize: event.batchSize,
        rows: event.rows,
      };
    case 'batch': {
      const x = event.epoch - 1 + event.batch / Math.max(1, event.batches);
      const step = (event.epoch - 1) * event.batches + event.batch;
      let gradientNorm = state.gradientNorm;
      let gradientCosine = state.gradientCosine;
      if (event.gradients) {
        const norms: Record<string, number> = {};
        const cosines: Record<string, number> = {};
        for (const [task, g] of Object.entries(event.gradients)) {
          norms[task] = g.norm;
          if (task !== state.core) cosines[task] = g.cosine;
        }
        gradientNorm = appendAll(gradientNorm, norms, step);
        gradientCosine = appendAll(gradientCosine, cosines, step);
      }
      return {
        ...state,
        epoch: event.epoch,
        batch: event.batch,
        batchesPerEpoch: event.batches || state.batchesPerEpoch,
        samplesPerSecond: event.samplesPerSecond,
        batchLoss: appendAll(state.batchLoss, event.loss, x),
        gradientNorm,
        gradientCosine,
      };
    }
    case 'epoch': {
      const { type: _type, epochs, bestEpoch, ...record } = event;
      const history = state.history.filter((h) => h.epoch !== record.epoch).concat(record);
      return {
        ...state,
        epochs: epochs || state.epochs,
        epoch: record.epoch,
        batch: state.batchesPerEpoch,
        bestEpoch,
        history,
        samplesPerSecond: record.samplesPerSecond || state.samplesPerSecond,
      };
    }
    case 'evaluating':
      return { ...state, evaluating: true };
  }
}

/** Batches done out of all planned ones. */
export function batchesDone(state: LiveTraining): number {
  if (state.epoch === 0) return 0;
  return (state.epoch - 1) * state.batchesPerEpoch + state.batch;
}

/** How far training is, 0..1 (1 while evaluating). */
export function progressFraction(state: LiveTraining): number {
  if (state.evaluating) return 1;
  const total = state.epochs * state.batchesPerEpoch;
  if (total <= 0) return 0;
  return Math.min(1, batchesDone(state) / total);
}

/**
 * Seconds left until the last epoch ends, or null when not yet known: per-batch time from the
 * last epoch's duration (it includes validation), else from samples/s. Early stopping may end
 * the run sooner, so it reads "at most".
 */
export function etaSeconds(state: LiveTraining): number | null {
  if (state.evaluating) return null;
  const total = state.epochs * state.batchesPerEpoch;
  const left = total - batchesDone(state);
  if (total <= 0 || left < 0) return null;
  const last = state.history[state.history.length - 1];
  if (last && last.seconds > 0 && state.batchesPerEpoch > 0) {
    return (left * last.seconds) / state.batchesPerEpoch;
  }
  if (state.samplesPerSecond && state.samplesPerSecond > 0 && state.batchSize > 0) {
    return (left * state.batchSize) / state.samplesPerSecond;
  }
  return null;
}

/** Per-epoch series of one task: train loss, validation loss, a validation metric. */
export function epochSeries(
  history: readonly EpochRecord[],
  task: string,
  what: 'trainLoss' | 'validationLoss' | { metric: string },
): Point[] {
  const out: Point[] = [];
  for (const h of history) {
    const y =
      typeof what === 'string' ? h[what][task] : (h.validation[task]?.[what.metric] ?? undefined);
    if (y !== undefined && Number.isFinite(y)) out.push({ x: h.epoch, y });
  }
  return out;
}

/** The point with the best value (the first of equals), or null. */
export function bestPoint(points: readonly Point[], higherIsBetter: boolean): Point | null {
  let best: Point | null = null;
  for (const p of points) {
    if (!Number.isFinite(p.y)) continue;
    if (!best || (higherIsBetter ? p.y > best.y : p.y < best.y)) best = p;
  }
  return best;
}
