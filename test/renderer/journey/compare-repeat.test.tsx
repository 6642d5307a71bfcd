// @vitest-environment happy-dom
// The comparison flow's answer to seed noise: two single runs ticked in Compare offer "Repeat
// each with N seeds" (3 by default), which queues each run's project, exactly as trained and on
// its own data, as a seeds experiment, and ticks the new runs as they start, so the comparison
// becomes one of run groups paired by seed. A refusal is shown beside the button.

import { afterEach, describe, expect, it } from 'vitest';
import type {
  ExperimentRequestArgs,
  ExperimentSummary,
  RunDetail,
  RunSummary,
} from '../../../src-main/ipc/api';
import { ResultsScreen } from '../../../src-renderer/features/results/ResultsScreen';
import {
  byTestId,
  click,
  fakeHost,
  fixtureRuns,
  journey,
  maybeTestId,
  render,
  summaryOf,
  text,
  typeInto,
  type Rendered,
} from './helpers';

let view: Rendered | null = null;
afterEach(() => {
  view?.unmount();
  view = null;
});

function experimentOf(id: string, request: ExperimentRequestArgs): ExperimentSummary {
  return {
    id,
    name: request.name ?? id,
    kind: 'seeds',
    reference: 'as is',
    createdAt: '2026-03-01T10:00:00.000Z',
    status: 'queued',
    message: '',
    seeds: Array.from({ length: request.seeds ?? 3 }, (_, i) => i + 1),
    total: request.seeds ?? 3,
    done: 0,
    failed: 0,
    running: 0,
  };
}

async function open(refuse = false) {
  const details: RunDetail[] = fixtureRuns();
  let runs: RunSummary[] = details.map((d) => summaryOf(d));
  const started: ExperimentRequestArgs[] = [];
  const host = fakeHost({
    'runs:list': () => runs,
    'runs:get': (id) => details.find((d) => d.id === id)!,
    'experiments:list': () => [],
    'experiments:start': (request: ExperimentRequestArgs) => {
      if (refuse) throw new Error('amount: the column is missing from sales.csv');
      started.push(request);
      return experimentOf(`x${started.length}`, request);
    },
  });
  view = await render(<ResultsScreen />);
  const c = view.container;
  const [a, b] = runs.map((r) => r.id);
  await click(byTestId(c, `compare-${a}`));
  await click(byTestId(c, `compare-${b}`));
  await click(byTestId(c, 'compare-open'));
  const addRuns = (more: RunSummary[]) => {
    runs = [...runs, ...more];
  };
  return { host, c, details, started, addRuns };
}

describe('Compare: repeat single runs with seeds', () => {
  it('queues each ticked run as a 3-seed group and ticks its runs as they start', async () => {
    const { host, c, details, started, addRuns } = await open();
    expect(text(byTestId(c, 'compare-repeat-start'))).toBe('Repeat each with 3 seeds');
    await click(byTestId(c, 'compare-repeat-start'));

    expect(started).toHaveLength(2);
    for (const [i, request] of started.entries()) {
      expect(request.kind).toBe('seeds');
      expect(request.seeds).toBe(3);
      expect(request.project).toEqual(details[i].project);
      expect(request.dataPath).toBe(details[i].dataPath);
      expect(request.name).toBe(`${details[i].label} × 3 seeds`);
    }
    // Nothing of the groups has started yet: the view says they are queued.
    expect(journey().getState().compare).toEqual([]);
    expect(maybeTestId(c, 'compare-queued')).not.toBeNull();

    // The first seed of each group starts: its run appears and is ticked.
    const seedRun = (group: string, i: number): RunSummary => ({
      ...summaryOf(details[i]),
      id: `r-${group}-1`,
      status: 'running',
      test: null,
      group: { id: group, name: started[i].name!, variant: 'as is', seed: 1 },
    });
    addRuns([seedRun('x1', 0), seedRun('x2', 1)]);
    await host.emit({
      type: 'experiment:progress',
      jobId: 'x1',
      experiment: { ...experimentOf('x1', started[0]), status: 'running', running: 1 },
    });
    expect(journey().getState().compare).toEqual(['r-x1-1', 'r-x2-1']);
    // Ticked runs of an unrelated experiment or of none are not added.
    expect(journey().getState().compare).not.toContain(details[0].id);
  });

  it('refuses a seed count it cannot run, and shows the host refusal', async () => {
    const { c, started } = await open(true);
    await typeInto(byTestId<HTMLInputElement>(c, 'compare-repeat-seeds'), '1');
    expect(byTestId<HTMLButtonElement>(c, 'compare-repeat-start').disabled).toBe(true);
    expect(text(c)).toContain('Seeds per run: a whole number from 2 to 100.');
    await typeInto(byTestId<HTMLInputElement>(c, 'compare-repeat-seeds'), '5');
    await click(byTestId(c, 'compare-repeat-start'));
    expect(started).toEqual([]);
    expect(text(byTestId(c, 'compare-repeat-error'))).toContain('the column is missing');
    // The comparison stays as it was.
    expect(journey().getState().compare).toHaveLength(2);
  });
});
