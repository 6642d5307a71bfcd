// The training monitor's state, folded from a recorded run's TrainProgress events: where the
// run is, the series the charts draw, ETA, and the thinning of long series.

import { describe, expect, it } from 'vitest';
import type { TrainProgress } from '../../../src-main/ipc/api';
import {
  batchesDone,
  epochSeries,
  etaSeconds,
  initialLive,
  MAX_POINTS,
  progressFraction,
  reduceLive,
  type LiveTraining,
} from '../../../src-renderer/store/journey/live';
import { epochAxisEnd } from '../../../src-renderer/features/train/LiveCharts';
import { fixtureEvents } from './helpers';

function replay(events: TrainProgress[], from: LiveTraining = initialLive()): LiveTraining {
  return events.reduce(reduceLive, from);
}

describe('the live training state', () => {
  const events = fixtureEvents();
  const start = events[0] as Extract<TrainProgress, { type: 'start' }>;
  const batches = events.filter((e) => e.type === 'batch');
  const epochs = events.filter((e) => e.type === 'epoch');

  it('follows a recorded run to its end', () => {
    const live = replay(events);
    expect(live.tasks.map((t) => t.name)).toEqual(['click', 'purchase', 'amount']);
    expect(live.core).toBe('amount');
    expect(live.epochs).toBe(3);
    expect(live.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(live.bestEpoch).toBe((epochs[epochs.length - 1] as { bestEpoch: number }).bestEpoch);
    expect(live.evaluating).toBe(true);
    expect(progressFraction(live)).toBe(1);
    // Every batch event is a point of every task's loss, at its fractional epoch.
    expect(live.batchLoss.click).toHaveLength(batches.length);
    const first = batches[0];
    expect(live.batchLoss.click[0]).toEqual({
      x: first.batch / first.batches,
      y: first.loss.click,
    });
    // Gradients: a norm for every task, a cosine for every task but the core.
    expect(Object.keys(live.gradientNorm).sort()).toEqual(['amount', 'click', 'purchase']);
    expect(Object.keys(live.gradientCosine).sort()).toEqual(['click', 'purchase']);
    expect(live.gradientCosine.click[0]).toEqual({
      x: first.batch,
      y: first.gradients!.click.cosine,
    });
    // Per-epoch series, as the charts read them.
    const record = epochs[1];
    expect(epochSeries(live.history, 'click', { metric: 'auc' })[1]).toEqual({
      x: 2,
      y: record.validation.click.auc,
    });
    expect(epochSeries(live.history, 'amount', 'validationLoss')).toHaveLength(3);
    expect(epochSeries(live.history, 'amount', { metric: 'auc' })).toEqual([]);
  });

  it('knows how far it is and how long is left', () => {
    let live = replay([start]);
    expect(progressFraction(live)).toBe(0);
    expect(etaSeconds(live)).toBeNull();
    const firstBatch = batches[0];
    live = reduceLive(live, firstBatch);
    const total = start.epochs * start.batchesPerEpoch;
    expect(batchesDone(live)).toBe(firstBatch.batch);
    expect(progressFraction(live)).toBeCloseTo(firstBatch.batch / total, 10);
    // Before the first epoch ends, from samples/s.
    expect(etaSeconds(live)).toBeCloseTo(
      ((total - firstBatch.batch) * start.batchSize) / firstBatch.samplesPerSecond,
      6,
    );
    // After it, from the epoch's own duration.
    const upToEpoch1 = events.slice(0, events.indexOf(epochs[0]) + 1);
    live = replay(upToEpoch1);
    const e1 = epochs[0];
    expect(batchesDone(live)).toBe(start.batchesPerEpoch);
    expect(etaSeconds(live)).toBeCloseTo(2 * e1.seconds, 6);
  });

  it('replaces an epoch reported twice and thins long series', () => {
    const e1 = epochs[0];
    const live = replay([start, e1, e1]);
    expect(live.history).toHaveLength(1);

    let long = replay([start]);
    for (let i = 1; i <= MAX_POINTS + 50; i++) {
      long = reduceLive(long, {
        type: 'batch',
        epoch: 1,
        batch: i,
        batches: 10_000,
        loss: { click: 1 / i },
        samplesPerSecond: 1000,
        gradients: null,
      });
    }
    const series = long.batchLoss.click;
    expect(series.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(series[0].x).toBeCloseTo(1 / 10_000, 12);
    expect(series[series.length - 1].x).toBeCloseTo((MAX_POINTS + 50) / 10_000, 12);
    expect(series.every((p, i) => i === 0 || p.x > series[i - 1].x)).toBe(true);
    expect(long.gradientNorm).toEqual({});
  });

  it('keeps the epoch axis readable for long runs', () => {
    expect(epochAxisEnd({ epochs: 3, epoch: 1 })).toBe(3);
    expect(epochAxisEnd({ epochs: 10, epoch: 1 })).toBe(10);
    expect(epochAxisEnd({ epochs: 50, epoch: 0 })).toBe(5);
    expect(epochAxisEnd({ epochs: 50, epoch: 4 })).toBe(5);
    expect(epochAxisEnd({ epochs: 50, epoch: 5 })).toBe(10);
    expect(epochAxisEnd({ epochs: 12, epoch: 11 })).toBe(12);
  });
});
