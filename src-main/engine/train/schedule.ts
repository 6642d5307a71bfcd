// The learning-rate schedule: the learning rate of each update as a pure function of the global
// step (updates done so far, over all epochs), the one home of the rule. The fast executor and
// the tfjs reference both take it through TrainStep (step.ts), which counts the steps; the
// PyTorch package mirrors it line for line in optim.py (learning_rate_at), and a test compares
// the two. Warm-up and the step decay are counted in epochs (what an analyst reasons in; a new
// batch size keeps the same share of training), converted to steps with the batches per epoch.

import type { OptimizerSettings } from '../model/plan';

export type ScheduleSettings = Pick<
  OptimizerSettings,
  'learningRate' | 'schedule' | 'warmupEpochs' | 'decayFactor' | 'decayEvery' | 'cosineFloor'
>;

/** How many updates a run plans: its epochs (at most) and its batches per epoch. */
export interface ScheduleLength {
  epochs: number;
  stepsPerEpoch: number;
}

/** Warm-up steps: warmupEpochs x batches per epoch, rounded half up, at most the whole run. */
export function warmupSteps(o: ScheduleSettings, length: ScheduleLength): number {
  const total = length.epochs * length.stepsPerEpoch;
  return Math.min(total, Math.floor(o.warmupEpochs * length.stepsPerEpoch + 0.5));
}

/**
 * The learning rate of update `step` (0 for the first update of the run). With W warm-up steps
 * and S planned steps (epochs x batches per epoch):
 *  - warm-up: steps 0 .. W-1 use lr x (step + 1) / W, so the first update is small and step W-1
 *    reaches the full rate;
 *  - then, multiplied in: constant 1; step decay factor^floor(step / (decayEvery x batches per
 *    epoch)), counted from the start of training; cosine floor + (1 - floor) (1 + cos(pi p)) / 2
 *    with p = (step - W) / (S - W) clamped to [0, 1], so the rate at step S (the end of the
 *    last planned epoch) is floor x lr.
 * The default (constant, no warm-up) returns learningRate itself, bit for bit.
 */
export function learningRateAt(o: ScheduleSettings, step: number, length: ScheduleLength): number {
  const lr = o.learningRate;
  const warmup = o.warmupEpochs > 0 ? warmupSteps(o, length) : 0;
  if (o.schedule === 'constant' && warmup === 0) return lr;
  const ramp = step < warmup ? (step + 1) / warmup : 1;
  let decay = 1;
  if (o.schedule === 'step') {
    const every = o.decayEvery * length.stepsPerEpoch;
    decay = Math.pow(o.decayFactor, Math.floor(step / every));
  } else if (o.schedule === 'cosine') {
    const total = length.epochs * length.stepsPerEpoch;
    const span = total - warmup;
    const p = span > 0 ? Math.min(1, Math.max(0, (step - warmup) / span)) : 0;
    decay = o.cosineFloor + (1 - o.cosineFloor) * 0.5 * (1 + Math.cos(Math.PI * p));
  }
  return lr * ramp * decay;
}
