// The journey store as a factory: each store is made over the API it is given and follows only
// its own jobs, so two stores (two windows, two tests) never see each other's events, and an
// event that arrives before its job's id is known is replayed in the store that started it.

import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { fakeHost, fixturePreview } from './helpers';

const progress = (jobId: string, done: number) =>
  ({ type: 'job:progress', jobId, kind: 'import', done, total: 10, stage: 'reading' }) as const;

describe('the journey store factory', () => {
  it('keeps early events in the store that received them', async () => {
    const a = fakeHost({ 'data:import': () => ({ jobId: 'j1' }) });
    const b = fakeHost({ 'data:import': () => ({ jobId: 'j1' }) });
    a.journey.getState().connect(); // fakeHost() disconnected the previous host's store
    // Store A hears of job j1 before anyone has started it: it holds the event.
    await a.emit(progress('j1', 5));
    // Store B starts a job with the same id: A's early event is not B's.
    let imported: Promise<unknown> = Promise.resolve();
    await act(async () => {
      imported = b.journey.getState().importFile('/ws/b.csv');
    });
    const importing = b.journey.getState().importing;
    expect(importing.status === 'importing' && importing.done).toBe(0);
    expect(a.journey.getState().importing.status).toBe('idle');
    await b.emit({ type: 'import:done', jobId: 'j1', preview: fixturePreview() });
    await expect(imported).resolves.toMatchObject({ path: '/ws/sample-6k.csv' });
    expect(b.journey.getState().step).toBe('columns');
    expect(a.journey.getState().preview).toBeNull();
    // Store A starts j1 itself: the event it held is replayed there.
    await act(async () => {
      void a.journey.getState().importFile('/ws/a.csv');
    });
    const mine = a.journey.getState().importing;
    expect(mine.status === 'importing' && mine.done).toBe(5);
  });

  it("replays a job's early events once the invoke returns its id", async () => {
    let release: (v: { jobId: string }) => void = () => undefined;
    const host = fakeHost({
      'data:import': () => new Promise<{ jobId: string }>((resolve) => (release = resolve)),
    });
    const store = host.journey;
    let imported: Promise<unknown> = Promise.resolve();
    await act(async () => {
      imported = store.getState().importFile('/ws/sample-6k.csv');
    });
    // The host reports progress before the invoke has answered with the job's id.
    await host.emit(progress('j2', 7));
    let importing = store.getState().importing;
    expect(importing.status === 'importing' && importing.done).toBe(0);
    await act(async () => release({ jobId: 'j2' }));
    importing = store.getState().importing;
    expect(importing.status === 'importing' && importing.jobId).toBe('j2');
    expect(importing.status === 'importing' && importing.done).toBe(7);
    await host.emit({ type: 'import:done', jobId: 'j2', preview: fixturePreview() });
    await expect(imported).resolves.not.toBeNull();
  });

  it('talks only to the API it was made over', async () => {
    const a = fakeHost({ 'runs:list': () => [] });
    const b = fakeHost({ 'runs:list': () => [] });
    await act(() => a.journey.getState().loadRuns());
    expect(a.callsOf('runs:list')).toHaveLength(1);
    expect(b.callsOf('runs:list')).toHaveLength(0);
    expect(a.journey.getState().runsStatus).toBe('ready');
    expect(b.journey.getState().runsStatus).toBe('idle');
  });
});
