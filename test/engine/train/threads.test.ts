// Training threads: the default rule (cores, batch and training rows), the HTLNET_THREADS
// override, and determinism at 1, 2, 4 and 8 threads (same seed and thread count, same bits).
// On a 2-core machine 4 and 8 threads are oversubscribed: this checks correctness, not speed.
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareRun } from '../../../src-main/engine/pipeline';
import {
  defaultThreads,
  MIN_BATCH_ROWS_PER_THREAD,
  MIN_TRAIN_ROWS_PER_THREAD,
  threadsFromEnvironment,
  trainModel,
} from '../../../src-main/engine/train/trainer';
import { backend, sampleTable, setParams, template } from '../../helpers/engine';

beforeAll(async () => {
  await backend();
});

describe('defaultThreads', () => {
  it('uses every core when the batch and the training split keep them busy', () => {
    expect(defaultThreads(1_000_000, 1024, 8, null)).toBe(8);
    expect(defaultThreads(1_000_000, 4096, 16, null)).toBe(16);
    expect(defaultThreads(1_000_000, 1024, 2, null)).toBe(2);
    expect(defaultThreads(1_000_000, 1024, 1, null)).toBe(1);
  });

  it('gives each thread enough rows of every batch', () => {
    expect(defaultThreads(1_000_000, 1024, 16, null)).toBe(1024 / MIN_BATCH_ROWS_PER_THREAD);
    expect(defaultThreads(1_000_000, 256, 16, null)).toBe(2);
    expect(defaultThreads(1_000_000, 200, 16, null)).toBe(1);
  });

  it('serves small data sets: threads grow with the training rows, not from 50,000', () => {
    expect(defaultThreads(2 * MIN_TRAIN_ROWS_PER_THREAD, 1024, 8, null)).toBe(2);
    expect(defaultThreads(20_000, 1024, 8, null)).toBe(5);
    expect(defaultThreads(33_000, 1024, 2, null)).toBe(2);
    expect(defaultThreads(MIN_TRAIN_ROWS_PER_THREAD - 1, 1024, 8, null)).toBe(1);
    // A batch larger than the split is the split.
    expect(defaultThreads(300, 1024, 8, null)).toBe(1);
  });

  it('follows HTLNET_THREADS when it is a positive integer', () => {
    expect(defaultThreads(100, 16, 2, 6)).toBe(6);
    expect(threadsFromEnvironment('4')).toBe(4);
    expect(threadsFromEnvironment(' 3 ')).toBe(3);
    expect(threadsFromEnvironment(undefined)).toBeNull();
    expect(threadsFromEnvironment('')).toBeNull();
    expect(threadsFromEnvironment('0')).toBeNull();
    expect(threadsFromEnvironment('-2')).toBeNull();
    expect(threadsFromEnvironment('1.5')).toBeNull();
    expect(threadsFromEnvironment('all')).toBeNull();
  });
});

describe('determinism at any thread count', () => {
  it('gives the same metrics and weights for the same seed at 1, 2, 4 and 8 threads', async () => {
    const table = await sampleTable(480);
    const project = template('htlnet', { batchSize: 64, epochs: 1, patience: 0, seed: 11 });
    setParams(project, 'shared-embedding', { dim: 4 });
    setParams(project, 'tower', { units: '8,4' });
    setParams(project, 'label-embedding', { dim: 3 });
    const train = async (threads: number) => {
      const run = prepareRun(project, table);
      const outcome = await trainModel(run.model, run.data, run.split, run.targetEncoders, {
        threads,
      });
      expect(outcome.engine).toEqual({ name: 'fast', threads });
      const weights = run.model.denseNames.map((n) =>
        Array.from(run.model.dense.get(n)!.dataSync()),
      );
      run.model.dispose();
      return {
        loss: outcome.history.map((h) => h.trainLoss),
        validation: outcome.history.map((h) => h.validation),
        weights,
      };
    };
    const results = new Map<number, Awaited<ReturnType<typeof train>>>();
    for (const threads of [1, 2, 4, 8]) {
      const a = await train(threads);
      const b = await train(threads);
      expect(b.loss, `${threads} threads`).toEqual(a.loss);
      expect(b.validation, `${threads} threads`).toEqual(a.validation);
      expect(b.weights, `${threads} threads`).toEqual(a.weights);
      const losses = a.loss.flatMap((l) => Object.values(l));
      expect(losses.length).toBeGreaterThan(0);
      expect(losses.every((x) => Number.isFinite(x))).toBe(true);
      results.set(threads, a);
    }
    // Other thread counts sum the batch's slices in another order: the same run up to rounding.
    const one = results.get(1)!.loss[0];
    for (const threads of [2, 4, 8]) {
      const loss = results.get(threads)!.loss[0];
      for (const task of Object.keys(one))
        expect(Math.abs(loss[task] - one[task])).toBeLessThan(1e-3 * Math.abs(one[task]) + 1e-6);
    }
  }, 120_000);
});
