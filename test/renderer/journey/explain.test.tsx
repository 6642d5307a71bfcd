// @vitest-environment happy-dom
// The Explain panel of a run, on an explanation the engine computed (recorded from
// `htlnet explain --out` on the 100,000-row built-in sample, a 1-epoch HTLNet, --rows 2000
// --repeats 2 --row 5 --row 17; numbers rounded to 6 digits, the picks cut to 30, the data path
// set to the fixture runs' file): starting the job with progress and stop, the
// importance chart with its intervals, the waterfall of a row and the row picker, partial
// dependence, the funnel, "how to read this" and the CSV files.

import { afterEach, describe, expect, it } from 'vitest';
import type { Explanation } from '../../../src-main/shared/explain';
import { ExplainPanel } from '../../../src-renderer/features/results/ExplainPanel';
import { waterfallSteps } from '../../../src-renderer/features/results/explain-charts';
import {
  contributionsCsv,
  funnelCsv,
  importanceCsv,
  pdpCsv,
} from '../../../src-renderer/features/results/explain-csv';
import explanationJson from '../../fixtures/journey/explanation.json';
import {
  byTestId,
  chooseOption,
  click,
  fakeHost,
  fixtureRuns,
  flush,
  maybeTestId,
  render,
  text,
  typeInto,
  type Rendered,
} from './helpers';

let view: Rendered | null = null;
afterEach(() => {
  view?.unmount();
  view = null;
});

const fixture = () => structuredClone(explanationJson) as unknown as Explanation;

async function open(kept: Explanation | null) {
  const run = fixtureRuns()[0];
  const host = fakeHost({
    'explain:get': () => kept,
    'explain:start': () => ({ jobId: 'j-explain' }),
    'job:cancel': () => null,
    'files:list': (dir) => ({
      dir: dir ?? '/ws',
      parent: null,
      entries: [
        {
          name: 'scored.csv',
          path: '/ws/scored.csv',
          isDirectory: false,
          size: 1000,
          modifiedAt: '2025-03-02T09:00:00.000Z',
        },
      ],
    }),
  });
  view = await render(<ExplainPanel run={run} />);
  return { host, run };
}

describe('the Explain panel', () => {
  it('starts an explanation, shows its progress, can stop it, and shows the result', async () => {
    const { host, run } = await open(null);
    const root = view!.container;
    expect(maybeTestId(root, 'explain-importance')).toBeNull();
    await click(byTestId(root, 'explain-start'));
    expect(host.callsOf('explain:start')).toEqual([
      [{ source: { runId: run.id }, repeats: 3, subset: 'test', regressionMetric: 'gini-drop' }],
    ]);
    await host.emit({
      type: 'job:progress',
      jobId: 'j-explain',
      kind: 'explain',
      stage: 'importance',
      done: 5,
      total: 61,
    });
    expect(text(byTestId(root, 'explain-progress'))).toMatch(/Shuffling each input.*5 \/ 61/);
    await click(byTestId(root, 'explain-cancel'));
    expect(host.callsOf('job:cancel')).toEqual([['j-explain']]);
    await host.emit({
      type: 'explain:done',
      jobId: 'j-explain',
      runId: run.id,
      explanation: fixture(),
    });
    expect(maybeTestId(root, 'explain-progress')).toBeNull();
    // The core task is shown first: its importance bars, one per input up to 12, with whiskers.
    const bars = byTestId(root, 'explain-importance').querySelector('[data-series="importance"]')!;
    expect(bars.getAttribute('data-points')).toBe('12');
    expect(text(byTestId(root, 'explain-importance'))).toMatch(/drop in normalised Gini/);
    expect(text(byTestId(root, 'explain-importance-help'))).toMatch(/How to read this/);
    expect(text(root)).toMatch(/Top 12 of 20 inputs/);
  });

  it('shows a kept explanation: waterfall, rows, partial dependence and the funnel', async () => {
    const e = fixture();
    const { host, run } = await open(e);
    const root = view!.container;
    await click(byTestId(root, 'explain-task-click'));
    const waterfall = byTestId(root, 'explain-waterfall');
    expect(text(waterfall)).toMatch(/row 5/);
    // average, 9 inputs, the other inputs, this row
    expect(waterfall.querySelector('[data-series="waterfall"]')!.getAttribute('data-points')).toBe(
      '12',
    );
    await chooseOption(byTestId<HTMLSelectElement>(root, 'explain-row-list'), '1');
    expect(text(byTestId(root, 'explain-waterfall'))).toMatch(/row 17/);

    // Pick another row by its prediction, then explain it: only the row is computed.
    const pick = byTestId<HTMLSelectElement>(root, 'explain-pick');
    const best = e.picks.reduce((a, b) => (b.predictions[0] > a.predictions[0] ? b : a));
    expect(pick.options[1].value).toBe(String(best.row));
    await chooseOption(pick, String(best.row));
    expect(byTestId<HTMLInputElement>(root, 'explain-row-input').value).toBe(String(best.row));
    await click(byTestId(root, 'explain-row-start'));
    expect(host.callsOf('explain:start').at(-1)).toEqual([
      {
        source: { runId: run.id },
        repeats: 3,
        parts: ['rows'],
        explainRows: [best.row],
        subset: 'test',
      },
    ]);

    const pdp = byTestId(root, 'explain-pdp');
    expect(pdp.querySelector('[data-series="pdp"]')!.getAttribute('data-points')).toBe(
      String(e.partialDependence[0].x.length),
    );
    await chooseOption(
      byTestId<HTMLSelectElement>(root, 'explain-pdp-feature'),
      e.partialDependence[1].feature,
    );
    expect(text(byTestId(root, 'explain-pdp'))).toContain(e.partialDependence[1].feature);

    await click(byTestId(root, 'explain-task-amount'));
    const funnel = byTestId(root, 'explain-funnel');
    expect(funnel.querySelector('[data-series="funnel"]')!.getAttribute('data-points')).toBe('6');
    expect(text(byTestId(root, 'explain-attention'))).toMatch(/purchase/);
    expect(text(byTestId(root, 'explain-funnel-help'))).toMatch(/label-embedding share/);
  });

  it('explains a row of another file', async () => {
    const { host, run } = await open(fixture());
    const root = view!.container;
    await flush();
    await click(
      root.querySelector('[data-testid="explain-other-file-files-use"][data-name="scored.csv"]')!,
    );
    expect(text(byTestId(root, 'explain-row-start'))).toBe('Explain row of scored.csv');
    await typeInto(byTestId<HTMLInputElement>(root, 'explain-row-input'), '3');
    await click(byTestId(root, 'explain-row-start'));
    expect(host.callsOf('explain:start').at(-1)).toEqual([
      {
        source: { runId: run.id },
        repeats: 3,
        parts: ['rows'],
        explainRows: [3],
        dataPath: '/ws/scored.csv',
        subset: 'all',
      },
    ]);
  });
});

describe('groups and the regression metric', () => {
  it('sends groups of columns and the chosen metric; says what is wrong with a bad group', async () => {
    const { host, run } = await open(null);
    const root = view!.container;
    await typeInto(byTestId<HTMLInputElement>(root, 'explain-groups'), 'user=user_id');
    await typeInto(
      byTestId<HTMLInputElement>(root, 'explain-groups'),
      'user=user_id,user_age; oops',
    );
    await click(byTestId(root, 'explain-start'));
    expect(text(byTestId(root, 'explain-error'))).toMatch(/"oops" must be NAME=column,column/);
    expect(host.callsOf('explain:start')).toEqual([]);
    await typeInto(
      byTestId<HTMLInputElement>(root, 'explain-groups'),
      'user=user_id,user_age; item=item_id, price',
    );
    await chooseOption(byTestId<HTMLSelectElement>(root, 'explain-regression-metric'), 'rmse-rise');
    await click(byTestId(root, 'explain-start'));
    expect(host.callsOf('explain:start')).toEqual([
      [
        {
          source: { runId: run.id },
          repeats: 3,
          subset: 'test',
          regressionMetric: 'rmse-rise',
          groups: [
            { name: 'user', columns: ['user_id', 'user_age'] },
            { name: 'item', columns: ['item_id', 'price'] },
          ],
        },
      ],
    ]);
  });
});

describe('what the panel saves and draws', () => {
  it('writes every table as CSV', () => {
    const e = fixture();
    const imp = importanceCsv(e).trim().split('\n');
    expect(imp[0]).toBe('task,metric,rank,feature,columns,importance,low,high');
    expect(imp).toHaveLength(1 + 3 * 20);
    const rows = contributionsCsv(e.rows[0]).trim().split('\n');
    expect(rows[0]).toBe('row,task,feature,value,contribution,stderr');
    expect(rows).toHaveLength(1 + 3 * 22);
    expect(pdpCsv(e.partialDependence[0]).split('\n')[0]).toBe('feature,value,task,mean,p10,p90');
    expect(funnelCsv(e.funnel!.tasks[1])).toMatch(/attention reps,click/);
  });

  it('a waterfall runs from the average prediction to the row, the rest summed', () => {
    const task = fixture().rows[0].tasks[2];
    const steps = waterfallSteps(task, 4);
    expect(steps).toHaveLength(1 + 4 + 1 + 1);
    expect(steps[0].to).toBe(task.baseline);
    expect(steps.at(-2)!.to).toBeCloseTo(task.prediction, 3);
    expect(steps.at(-1)!.to).toBe(task.prediction);
  });
});
