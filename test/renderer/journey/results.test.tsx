// @vitest-environment happy-dom
// The Results tab on two recorded runs (HTLNet and MMoE on the same data): the runs table
// sorted by any column, a run's metrics and curves, the comparison (best values highlighted,
// curves overlaid), export, and scoring a file.

import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunDetail, RunSummary } from '../../../src-main/ipc/api';
import { HostError } from '../../../src-renderer/app/api';
import { ResultsScreen } from '../../../src-renderer/features/results/ResultsScreen';
import { formatMetric, slug } from '../../../src-renderer/ui/format';
import { sortRuns, taskColumns, bestOf } from '../../../src-renderer/features/results/runs';
import {
  byTestId,
  chooseOption,
  click,
  fakeHost,
  journey,
  fixtureRuns,
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

/** The two fixture runs plus a failed one without metrics. */
function runs(): { details: RunDetail[]; summaries: RunSummary[] } {
  const details = fixtureRuns();
  const failed: RunDetail = {
    ...details[0],
    id: 'r20250301-103000-0a0b0c',
    label: 'Aborted try',
    projectName: 'AITM funnel · aitm',
    status: 'failed',
    message: 'Interrupted: the app closed while this run was training.',
    startedAt: '2025-03-01T10:30:00.000Z',
    test: null,
    hasModel: false,
  };
  const all = [...details, failed];
  return { details: all, summaries: all.map((d) => summaryOf(d)) };
}

function rowOrder(root: ParentNode): string[] {
  return Array.from(root.querySelectorAll('[data-testid="runs-table"] tbody tr')).map((r) =>
    r.getAttribute('data-run')!,
  );
}

async function open() {
  const { details, summaries } = runs();
  const host = fakeHost({
    'runs:list': () => summaries,
    'runs:get': (id) => {
      const d = details.find((x) => x.id === id);
      if (!d) throw new Error(`There is no run "${id}".`);
      return d;
    },
    'runs:delete': () => null,
    'model:export': (_id, dest) => dest,
    'model:exportOnnx': (_id, dest) => ({
      out: dest,
      preprocessing: dest.replace(/\.onnx$/, '.preprocessing.json'),
      opset: 17,
      inputs: ['user_segment'],
      outputs: ['click', 'purchase', 'amount'],
      bytes: 1000,
    }),
    'files:list': (dir) => ({
      dir: dir ?? '/ws',
      parent: null,
      entries: [
        {
          name: 'new-visits.csv',
          path: '/ws/new-visits.csv',
          isDirectory: false,
          size: 1000,
          modifiedAt: '2025-03-02T09:00:00.000Z',
        },
      ],
    }),
    'score:start': () => ({ jobId: 'j-score' }),
  });
  view = await render(<ResultsScreen />);
  return { host, details, summaries };
}

describe('the runs table logic', () => {
  it('sorts by any column, runs without a value last', () => {
    const { summaries } = runs();
    const [htlnet, mmoe, failed] = summaries.map((s) => s.id);
    const columns = taskColumns(summaries);
    expect(columns.map((c) => `${c.task}:${c.metric}`)).toEqual([
      'click:auc',
      'purchase:auc',
      'amount:nrmse',
    ]);
    const ids = (key: Parameters<typeof sortRuns>[1]) => sortRuns(summaries, key).map((r) => r.id);
    expect(ids({ key: 'time', dir: 'desc' })).toEqual([failed, mmoe, htlnet]);
    expect(ids({ key: 'time', dir: 'asc' })).toEqual([htlnet, mmoe, failed]);
    expect(ids({ key: 'task:click', dir: 'desc' })).toEqual([htlnet, mmoe, failed]);
    expect(ids({ key: 'task:click', dir: 'asc' })).toEqual([mmoe, htlnet, failed]);
    expect(ids({ key: 'label', dir: 'asc' })).toEqual([failed, htlnet, mmoe]);
    expect(ids({ key: 'status', dir: 'asc' })).toEqual([htlnet, mmoe, failed]);
  });

  it('finds the best value whichever way a metric points', () => {
    const m = (id: string, v: number | undefined) => ({
      id,
      metrics: v === undefined ? undefined : { auc: v, nrmse: v },
    });
    expect([...bestOf('auc', [m('a', 0.7), m('b', 0.72), m('c', undefined)])]).toEqual(['b']);
    expect([...bestOf('nrmse', [m('a', 0.9), m('b', 0.95)])]).toEqual(['a']);
    // Equal values (as shown) crown nobody; a tie at the top among worse runs crowns both.
    expect([...bestOf('auc', [m('a', 0.7), m('b', 0.7)])]).toEqual([]);
    expect([...bestOf('auc', [m('a', 0.71231), m('b', 0.71234)])]).toEqual([]);
    expect([...bestOf('auc', [m('a', 0.7), m('b', 0.7), m('c', 0.6)])]).toEqual(['a', 'b']);
    expect([...bestOf('auc', [m('a', 0.7), m('b', undefined)])]).toEqual([]);
  });
});

describe('the Results tab', () => {
  it('lists the runs, sorts them by clicking a header and opens one', async () => {
    const { summaries, details } = await open();
    const c = view!.container;
    const [htlnet, mmoe, failed] = summaries.map((s) => s.id);
    expect(rowOrder(c)).toEqual([failed, mmoe, htlnet]); // newest first
    expect(text(byTestId(c, `run-metric-${htlnet}-click`))).toBe(
      formatMetric('auc', summaries[0].test!.click.auc),
    );
    expect(text(byTestId(c, `run-metric-${failed}-click`))).toBe('–');

    await click(byTestId(c, 'sort-task:click'));
    expect(rowOrder(c)).toEqual([mmoe, htlnet, failed]);
    expect(byTestId(c, 'sort-task:click').closest('th')!.getAttribute('aria-sort')).toBe(
      'ascending',
    );
    await click(byTestId(c, 'sort-task:click'));
    expect(rowOrder(c)).toEqual([htlnet, mmoe, failed]);
    await click(byTestId(c, 'sort-model'));
    expect(rowOrder(c)).toEqual([failed, htlnet, mmoe]);

    // The newest run is open; open the HTLNet one.
    expect(byTestId(c, 'run-detail').getAttribute('data-run')).toBe(failed);
    await click(byTestId(c, `run-row-${htlnet}`));
    const detail = byTestId(c, 'run-detail');
    expect(detail.getAttribute('data-run')).toBe(htlnet);
    const run = details[0];
    expect(text(byTestId(c, 'test-metric-click-auc'))).toBe(
      formatMetric('auc', run.test!.click.auc),
    );
    expect(text(byTestId(c, 'test-metric-amount-gini'))).toBe(
      formatMetric('gini', run.test!.amount.gini),
    );
    // Curves: ROC and calibration per binary task, scatter and Lorenz per regression task.
    for (const t of ['click', 'purchase']) {
      const roc = byTestId(c, `chart-roc-${t}`);
      expect(roc.querySelector('[data-series]')!.getAttribute('data-points')).toBe(
        String(run.curves[t].roc!.fpr.length),
      );
      expect(text(roc.querySelector('figcaption'))).toContain(
        `AUC ${formatMetric('auc', run.test![t].auc)}`,
      );
      expect(maybeTestId(c, `chart-calibration-${t}`)).not.toBeNull();
      expect(maybeTestId(c, `chart-lorenz-${t}`)).toBeNull();
    }
    expect(byTestId(c, 'chart-scatter-amount').querySelectorAll('circle.jc-scatter').length).toBe(
      run.curves.amount.scatter!.actual.length,
    );
    expect(text(byTestId(c, 'chart-lorenz-amount').querySelector('figcaption'))).toContain(
      `Gini ${formatMetric('gini', run.test!.amount.gini)}`,
    );
    expect(
      byTestId(c, 'chart-history-click')
        .querySelector('[data-series]')!
        .getAttribute('data-points'),
    ).toBe(String(run.history.length));
    expect(maybeTestId(c, 'chart-roc-click-png')).not.toBeNull();
    // Every chart says how to read it and what good looks like, as do the test metrics.
    const cards = Array.from(detail.querySelectorAll('figure.j-chart-card'));
    expect(cards.length).toBe(10); // ROC, calibration ×2, scatter, Lorenz, deciles, history ×3
    for (const card of cards) {
      const reading = card.querySelector('.j-reading');
      expect(reading, card.getAttribute('data-testid') ?? '').not.toBeNull();
      expect(text(reading!.querySelector('.j-reading-good'))).toMatch(/^Good: /);
      expect(text(reading!.querySelector('summary'))).toBe('How to read this');
    }
    expect(text(byTestId(c, 'chart-calibration-click-reading'))).toContain(
      'ten groups of equal size',
    );
    expect(text(byTestId(c, 'test-metrics-reading'))).toContain('never saw');
  });

  it('compares ticked runs: metrics lined up, the best highlighted, curves overlaid', async () => {
    const { summaries, details } = await open();
    const c = view!.container;
    const [htlnet, mmoe] = summaries.map((s) => s.id);
    expect(byTestId<HTMLButtonElement>(c, 'compare-open').disabled).toBe(true);
    await click(byTestId(c, `compare-${htlnet}`));
    await click(byTestId(c, `compare-${mmoe}`));
    expect(journey().getState().compare).toEqual([htlnet, mmoe]);
    await click(byTestId(c, 'compare-open'));
    const table = byTestId(c, 'compare-table');
    const cell = (task: string, m: string, id: string) =>
      byTestId(table, `compare-metric-${task}-${m}-${id}`);
    const [a, b] = details;
    expect(text(cell('click', 'auc', htlnet))).toBe(formatMetric('auc', a.test!.click.auc));
    expect(text(cell('click', 'auc', mmoe))).toBe(formatMetric('auc', b.test!.click.auc));
    // Best: higher AUC, lower NRMSE.
    const best = (task: string, m: string, higher: boolean) => {
      const va = a.test![task][m];
      const vb = b.test![task][m];
      return (higher ? va >= vb : va <= vb) ? htlnet : mmoe;
    };
    for (const [task, m, higher] of [
      ['click', 'auc', true],
      ['purchase', 'logloss', false],
      ['amount', 'nrmse', false],
      ['amount', 'gini', true],
    ] as const) {
      const winner = best(task, m, higher);
      const loser = winner === htlnet ? mmoe : htlnet;
      expect(cell(task, m, winner).getAttribute('data-best')).toBe('true');
      expect(cell(task, m, loser).getAttribute('data-best')).toBeNull();
    }
    // Overlaid curves: one series per run.
    for (const id of ['compare-roc-click', 'compare-roc-purchase', 'compare-lorenz-amount']) {
      const series = byTestId(c, id).querySelectorAll('[data-series]');
      expect(Array.from(series).map((s) => s.getAttribute('data-series'))).toEqual([htlnet, mmoe]);
    }
    expect(byTestId(c, 'compare-history-amount').querySelectorAll('[data-legend]')).toHaveLength(2);

    // Fewer than two: an empty state.
    await click(c.querySelector(`[aria-label="Remove ${a.label} from the comparison"]`)!);
    expect(maybeTestId(c, 'compare-empty')).not.toBeNull();
  });

  it("exports a run's model into the workspace's models folder (browser mode)", async () => {
    const { host, summaries } = await open();
    const c = view!.container;
    const htlnet = summaries[0].id;
    await click(byTestId(c, `run-row-${htlnet}`));
    expect(byTestId<HTMLInputElement>(c, 'export-name').value).toBe('htlnet-funnel-3-epochs-model');
    await typeInto(byTestId(c, 'export-name'), 'funnel v1');
    await click(byTestId(c, 'export-button'));
    expect(host.callsOf('model:export')).toEqual([[htlnet, '/ws/models/funnel v1']]);
    expect(text(byTestId(c, 'export-path'))).toBe('/ws/models/funnel v1');
  });

  it('names the export after the run open now, not the first one opened', async () => {
    const { host, summaries } = await open();
    const c = view!.container;
    const [htlnet, mmoe] = summaries.map((s) => s.id);
    await click(byTestId(c, `run-row-${htlnet}`));
    expect(byTestId<HTMLInputElement>(c, 'export-name').value).toBe('htlnet-funnel-3-epochs-model');
    await click(byTestId(c, `run-row-${mmoe}`));
    const name = byTestId<HTMLInputElement>(c, 'export-name').value;
    expect(name).toBe(`${slug(summaries[1].label)}-model`);
    expect(name).not.toBe('htlnet-funnel-3-epochs-model');
    await click(byTestId(c, 'export-onnx-button'));
    expect(host.callsOf('model:exportOnnx')).toEqual([[mmoe, `/ws/models/${name}.onnx`]]);
    // A name typed for one run does not follow to another.
    await typeInto(byTestId(c, 'export-name'), 'mine');
    await click(byTestId(c, `run-row-${htlnet}`));
    expect(byTestId<HTMLInputElement>(c, 'export-name').value).toBe('htlnet-funnel-3-epochs-model');
  });

  it('exports a run as ONNX with its preprocessing spec (browser mode)', async () => {
    const { host, summaries } = await open();
    const c = view!.container;
    const htlnet = summaries[0].id;
    await click(byTestId(c, `run-row-${htlnet}`));
    await typeInto(byTestId(c, 'export-name'), 'funnel');
    await click(byTestId(c, 'export-onnx-button'));
    expect(host.callsOf('model:exportOnnx')).toEqual([[htlnet, '/ws/models/funnel.onnx']]);
    expect(text(byTestId(c, 'export-path'))).toBe('/ws/models/funnel.onnx');
    expect(text(byTestId(c, 'export-preprocessing'))).toBe('/ws/models/funnel.preprocessing.json');
  });

  it('scores a file with a run and shows the output, rows and metrics', async () => {
    const { host, summaries } = await open();
    const c = view!.container;
    const htlnet = summaries[0].id;
    await click(byTestId(c, `run-row-${htlnet}`));
    await click(byTestId(c, 'score-with-run'));
    expect(byTestId<HTMLSelectElement>(c, 'score-run').value).toBe(htlnet);
    // Only runs with a model are offered.
    expect(byTestId(c, 'score-run').querySelectorAll('option:not([disabled])')).toHaveLength(2);
    await chooseOption(byTestId(c, 'score-run'), summaries[1].id);
    await chooseOption(byTestId(c, 'score-run'), htlnet);
    expect(byTestId<HTMLButtonElement>(c, 'score-start').disabled).toBe(true);
    await click(
      c.querySelector('[data-testid="score-picker-files-use"][data-name="new-visits.csv"]')!,
    );
    expect(text(byTestId(c, 'score-data-path'))).toBe('/ws/new-visits.csv');
    await click(byTestId(c, 'score-start'));
    expect(host.callsOf('score:start')).toEqual([
      [
        {
          source: { runId: htlnet },
          dataPath: '/ws/new-visits.csv',
          out: '/ws/predictions/new-visits-predictions.csv',
        },
      ],
    ]);
    await host.emit({
      type: 'job:progress',
      jobId: 'j-score',
      kind: 'score',
      done: 250,
      total: 1000,
      stage: 'reading',
    });
    const bar = byTestId(c, 'score-progress').querySelector('[role="progressbar"]')!;
    expect(bar.getAttribute('aria-valuenow')).toBe('25');
    // Measuring against the targets: a stage, not "0 B of 1 B, 0%".
    await host.emit({
      type: 'job:progress',
      jobId: 'j-score',
      kind: 'score',
      done: 0,
      total: 1,
      stage: 'evaluating',
    });
    expect(text(byTestId(c, 'score-progress'))).toContain('Measuring against the targets');
    expect(text(byTestId(c, 'score-progress'))).not.toMatch(/ B of |%/);
    await host.emit({
      type: 'score:done',
      jobId: 'j-score',
      result: {
        out: '/ws/predictions/new-visits-predictions.csv',
        rows: 12345,
        columns: ['click', 'purchase', 'amount'],
        metrics: { click: { auc: 0.71234, logloss: 0.49 } },
      },
    });
    expect(text(byTestId(c, 'score-out'))).toBe('/ws/predictions/new-visits-predictions.csv');
    expect(text(byTestId(c, 'score-rows'))).toBe('12,345');
    expect(text(byTestId(c, 'score-metric-click-auc'))).toBe('AUC 0.7123');
    // Not the training file: no warning.
    expect(maybeTestId(c, 'score-trained-on')).toBeNull();
  });

  it('says when the scored file is the one the run was trained on', async () => {
    const { host, summaries } = await open();
    const c = view!.container;
    const htlnet = summaries[0];
    host.handlers['files:list'] = (dir) => ({
      dir: dir ?? '/workspace',
      parent: null,
      entries: [
        {
          name: 'sample-6k.csv',
          path: htlnet.dataPath,
          isDirectory: false,
          size: 1000,
          modifiedAt: '2025-03-02T09:00:00.000Z',
        },
      ],
    });
    await click(byTestId(c, `run-row-${htlnet.id}`));
    await click(byTestId(c, 'score-with-run'));
    await click(
      c.querySelector('[data-testid="score-picker-files-use"][data-name="sample-6k.csv"]')!,
    );
    await click(byTestId(c, 'score-start'));
    await host.emit({
      type: 'score:done',
      jobId: 'j-score',
      result: {
        out: '/ws/predictions/sample-6k-predictions.csv',
        rows: 6000,
        columns: ['click', 'purchase', 'amount'],
        metrics: { click: { auc: 0.8, logloss: 0.4 } },
      },
    });
    const note = text(byTestId(c, 'score-trained-on'));
    expect(note).toContain('90% of its rows (5,400 of 6,000)');
    expect(note).toContain('test metrics');
  });

  it('scores with an exported model folder', async () => {
    const { host } = await open();
    const c = view!.container;
    host.handlers['files:list'] = (_dir, kind) => ({
      dir: '/ws/models',
      parent: '/ws',
      entries:
        kind === 'model'
          ? [
              {
                name: 'funnel v1',
                path: '/ws/models/funnel v1',
                isDirectory: true,
                size: 0,
                modifiedAt: '2025-03-02T09:00:00.000Z',
              },
            ]
          : [
              {
                name: 'new-visits.csv',
                path: '/ws/new-visits.csv',
                isDirectory: false,
                size: 1000,
                modifiedAt: '2025-03-02T09:00:00.000Z',
              },
            ],
    });
    await click(byTestId(c, 'results-tab-score'));
    await click(byTestId(c, 'score-kind-folder'));
    await click(c.querySelector('[data-testid="score-models-use"][data-name="funnel v1"]')!);
    expect(text(byTestId(c, 'score-model-dir'))).toBe('/ws/models/funnel v1');
    await click(
      c.querySelector('[data-testid="score-picker-files-use"][data-name="new-visits.csv"]')!,
    );
    await typeInto(byTestId(c, 'score-out-name'), 'scored');
    await click(byTestId(c, 'score-start'));
    expect(host.callsOf('score:start')[0][0]).toEqual({
      source: { modelDir: '/ws/models/funnel v1' },
      dataPath: '/ws/new-visits.csv',
      out: '/ws/predictions/scored.csv',
    });
    await host.emit({
      type: 'job:failed',
      jobId: 'j-score',
      kind: 'score',
      error: 'new-visits.csv has no column "price".',
    });
    expect(text(byTestId(c, 'score-error'))).toContain('has no column "price"');
  });

  it('asks before replacing a file the app did not write, then retries with replace', async () => {
    const { host, summaries } = await open();
    const c = view!.container;
    const htlnet = summaries[0].id;
    host.handlers['score:start'] = (request) => {
      if (!request.replace)
        throw new HostError(
          '/ws/predictions/new-visits-predictions.csv exists and was not written by HTLNet Studio.',
          'output-exists',
        );
      return { jobId: 'j-score' };
    };
    await click(byTestId(c, `run-row-${htlnet}`));
    await click(byTestId(c, 'score-with-run'));
    await click(
      c.querySelector('[data-testid="score-picker-files-use"][data-name="new-visits.csv"]')!,
    );
    await click(byTestId(c, 'score-start'));
    const dialog = byTestId(c, 'score-replace-dialog');
    expect(text(dialog)).toContain('/ws/predictions/new-visits-predictions.csv');
    expect(maybeTestId(c, 'score-error')).toBeNull();
    // Cancel keeps the file: nothing more is asked of the host.
    await click(byTestId(c, 'score-replace-cancel'));
    expect(maybeTestId(c, 'score-replace-dialog')).toBeNull();
    expect(host.callsOf('score:start')).toHaveLength(1);
    // Replace retries with replace: true, and the job runs.
    await click(byTestId(c, 'score-start'));
    await click(byTestId(c, 'score-replace-confirm'));
    expect(host.callsOf('score:start').map((a) => a[0].replace)).toEqual([
      undefined,
      undefined,
      true,
    ]);
    expect(maybeTestId(c, 'score-replace-dialog')).toBeNull();
    expect(maybeTestId(c, 'score-cancel')).not.toBeNull();
  });

  it('keeps the input columns chosen and says which were kept', async () => {
    const { host, summaries } = await open();
    const c = view!.container;
    await click(byTestId(c, `run-row-${summaries[0].id}`));
    await click(byTestId(c, 'score-with-run'));
    await click(
      c.querySelector('[data-testid="score-picker-files-use"][data-name="new-visits.csv"]')!,
    );
    expect(byTestId<HTMLInputElement>(c, 'score-keep-all').checked).toBe(true);
    expect(text(byTestId(c, 'score-keep'))).toContain('Keep the input columns');
    await click(byTestId(c, 'score-keep-none'));
    await click(byTestId(c, 'score-start'));
    expect(host.callsOf('score:start')[0][0].keep).toBe('none');
    await host.emit({
      type: 'score:done',
      jobId: 'j-score',
      result: {
        out: '/ws/predictions/new-visits-predictions.csv',
        rows: 10,
        columns: ['click'],
        keptColumns: [],
        metrics: null,
      },
    });
    expect(text(byTestId(c, 'score-kept'))).toContain('No input columns kept');

    await click(byTestId(c, 'score-keep-some'));
    // No names yet: nothing to start.
    expect(byTestId<HTMLButtonElement>(c, 'score-start').disabled).toBe(true);
    await typeInto(byTestId(c, 'score-keep-names'), ' user_id, visit_date ,');
    await click(byTestId(c, 'score-start'));
    expect(host.callsOf('score:start')[1][0].keep).toEqual(['user_id', 'visit_date']);
    await host.emit({
      type: 'score:done',
      jobId: 'j-score',
      result: {
        out: '/ws/predictions/new-visits-predictions.csv',
        rows: 10,
        columns: ['click'],
        keptColumns: ['user_id', 'visit_date'],
        metrics: null,
      },
    });
    expect(text(byTestId(c, 'score-kept'))).toContain('user_id, visit_date');
  });

  it('shows the progress of a file uploaded for scoring, and a refusal as too large', async () => {
    const { host, summaries } = await open();
    const c = view!.container;
    let report: (sent: number, total: number) => void = () => undefined;
    let finish: (path: string) => void = () => undefined;
    Object.assign(host.api, {
      upload: (_file: Blob, _name: string, onProgress?: (sent: number, total: number) => void) => {
        report = (sent, total) => onProgress?.(sent, total);
        return new Promise<string>((resolve) => (finish = resolve));
      },
    });
    await click(byTestId(c, `run-row-${summaries[0].id}`));
    await click(byTestId(c, 'score-with-run'));
    const pick = async (name: string) => {
      const input = byTestId<HTMLInputElement>(c, 'score-picker-input');
      const file = new File(['a,b\n1,2\n'], name, { type: 'text/csv' });
      Object.defineProperty(input, 'files', { value: [file], configurable: true });
      await act(async () => {
        input.dispatchEvent(new Event('change', { bubbles: true }));
      });
    };
    await pick('new.csv');
    await act(async () => report(2_097_152, 4_194_304));
    expect(text(byTestId(c, 'score-upload-progress'))).toContain('2.0 MB of 4.0 MB · 50%');
    await act(async () => finish('/ws/uploads/new.csv'));
    await click(c);
    expect(maybeTestId(c, 'score-upload-progress')).toBeNull();
    expect(text(byTestId(c, 'score-data-path'))).toBe('/ws/uploads/new.csv');

    Object.assign(host.api, {
      upload: () =>
        Promise.reject(
          new HostError(
            'huge.csv is 300 MB, more than the 256 MB an upload may have.',
            'upload-too-large',
          ),
        ),
    });
    await pick('huge.csv');
    await click(c);
    expect(text(byTestId(c, 'score-error'))).toContain(
      'The file is too large to upload. huge.csv is 300 MB',
    );
  });

  it('deletes a run after asking', async () => {
    const { host, summaries } = await open();
    const c = view!.container;
    const id = summaries[2].id;
    await click(byTestId(c, `run-delete-${id}`));
    expect(host.callsOf('runs:delete')).toEqual([]);
    await click(byTestId(c, `run-delete-confirm-${id}`));
    expect(host.callsOf('runs:delete')).toEqual([[id]]);
    expect(maybeTestId(c, `run-row-${id}`)).toBeNull();
  });

  it('has an empty state before the first run', async () => {
    fakeHost({ 'runs:list': () => [] });
    view = await render(<ResultsScreen />);
    expect(maybeTestId(view.container, 'runs-empty')).not.toBeNull();
  });

  it('uses the native dialogs in the desktop app: export and the predictions file', async () => {
    const { details, summaries } = runs();
    const host = fakeHost(
      {
        'runs:list': () => summaries,
        'runs:get': (id) => details.find((d) => d.id === id)!,
        'dialog:saveFile': (kind, name) =>
          kind === 'model' ? `/home/ana/models/${name}` : `/home/ana/${name}`,
        'dialog:openFile': (kind) => (kind === 'csv' ? '/home/ana/new.csv' : '/home/ana/m'),
        'model:export': (_id, dest) => dest,
        'files:list': () => ({ dir: '/ws', parent: null, entries: [] }),
        'score:start': () => ({ jobId: 'j-s' }),
      },
      'electron',
    );
    view = await render(<ResultsScreen />);
    const c = view.container;
    const htlnet = summaries[0].id;
    await click(byTestId(c, `run-row-${htlnet}`));
    expect(maybeTestId(c, 'export-name')).toBeNull();
    await click(byTestId(c, 'export-button'));
    expect(host.callsOf('dialog:saveFile')).toEqual([['model', 'htlnet-funnel-3-epochs-model']]);
    expect(host.callsOf('model:export')).toEqual([
      [htlnet, '/home/ana/models/htlnet-funnel-3-epochs-model'],
    ]);

    await click(byTestId(c, 'score-with-run'));
    await click(byTestId(c, 'score-picker-choose'));
    expect(text(byTestId(c, 'score-data-path'))).toBe('/home/ana/new.csv');
    await click(byTestId(c, 'score-choose-out'));
    expect(host.callsOf('dialog:saveFile')[1]).toEqual(['csv', 'new-predictions.csv']);
    await click(byTestId(c, 'score-start'));
    expect(host.callsOf('score:start')[0][0]).toEqual({
      source: { runId: htlnet },
      dataPath: '/home/ana/new.csv',
      out: '/home/ana/new-predictions.csv',
    });
  });
});
