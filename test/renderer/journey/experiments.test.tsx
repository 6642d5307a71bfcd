// @vitest-environment happy-dom
// Results › Experiments on an ablation of two variants over three seeds: the list with its
// progress (live through experiment:progress), cancel, the resumed note; the report's mean ± sd
// per task and metric with the reference marked, each difference's interval and verdict (a real
// one marked by symbol and words, not colour alone), the ablation's plain summary, and the
// links to each seed's run; and the comparison of ticked runs as groups paired by seed.

import { afterEach, describe, expect, it } from 'vitest';
import type { ExperimentDetail, RunDetail } from '../../../src-main/ipc/api';
import { ResultsScreen } from '../../../src-renderer/features/results/ResultsScreen';
import { formatMetric, slug } from '../../../src-renderer/ui/format';
import {
  EXPERIMENT_ID,
  EXPERIMENT_NAME,
  experimentDetail,
  experimentRuns,
  experimentSummaries,
  summaryOfExperiment,
} from './experiment-fixture';
import {
  byTestId,
  chooseOption,
  click,
  fakeHost,
  journey,
  maybeTestId,
  render,
  text,
  type Rendered,
} from './helpers';

let view: Rendered | null = null;
afterEach(() => {
  view?.unmount();
  view = null;
});

async function open(detail: ExperimentDetail = experimentDetail()) {
  const runs = experimentRuns();
  const host = fakeHost({
    'runs:list': () => experimentSummaries(),
    'runs:get': (id) => runs.find((r) => r.id === id)!,
    'experiments:list': () => [summaryOfExperiment(detail)],
    'experiments:get': () => detail,
    'experiments:cancel': () => null,
  });
  view = await render(<ResultsScreen />);
  await click(byTestId(view.container, 'results-tab-experiments'));
  return { host, c: view.container };
}

describe('Results › Experiments', () => {
  it('lists experiments and says when there are none', async () => {
    fakeHost({ 'runs:list': () => [], 'experiments:list': () => [] });
    view = await render(<ResultsScreen />);
    await click(byTestId(view.container, 'results-tab-experiments'));
    expect(text(byTestId(view.container, 'experiments-empty'))).toContain('No experiments yet');
  });

  it('reads the report: mean ± sd, the reference, intervals, verdicts, the summary', async () => {
    const { c } = await open();
    const row = byTestId(c, `experiment-row-${EXPERIMENT_ID}`);
    expect(text(row)).toContain(EXPERIMENT_NAME);
    expect(text(row)).toContain('Ablation');
    expect(text(row)).toContain('Completed');
    expect(byTestId(c, `experiment-progress-${EXPERIMENT_ID}`).textContent).toContain('6/6');
    // Completed: nothing to cancel.
    expect(maybeTestId(c, `experiment-cancel-${EXPERIMENT_ID}`)).toBeNull();
    await click(byTestId(c, `experiment-open-${EXPERIMENT_ID}`));
    const report = byTestId(c, 'experiment-report');
    const { report: r } = experimentDetail();

    // purchase AUC: full 0.741 ± 0.001, without LEU 0.7363 ± 0.0015; the drop is real.
    const full = byTestId(report, 'report-purchase-auc-full');
    expect(maybeTestId(full, 'report-purchase-auc-full-reference')).not.toBeNull();
    expect(text(full)).toContain('0.7410 ± 0.0010');
    const without = byTestId(report, 'report-purchase-auc-without-leu');
    expect(text(without)).toContain('0.7363 ± 0.0015');
    expect(text(without)).toContain('without the label embedding unit');
    const auc = r.comparisons.find((x) => x.task === 'purchase' && x.metric === 'auc')!;
    expect(auc.verdict).toBe('likely real');
    expect(auc.diff).toBeCloseTo(-0.004667, 5);
    // To the first significant digit of the interval's half width (0.0014: two, it starts with 1).
    expect(text(without)).toContain('-0.0047');
    expect(text(without)).toContain('-0.0061 to -0.0032');
    const verdict = byTestId(report, 'report-purchase-auc-without-leu-verdict');
    expect(verdict.getAttribute('data-verdict')).toBe('likely real');
    // Symbol and words, not colour alone.
    expect(text(verdict)).toBe('▼ worse, likely real');
    expect(without.className).toContain('j-report-real');

    // amount NRMSE moves both ways: within noise, and said so.
    const nrmse = byTestId(report, 'report-amount-nrmse-without-leu-verdict');
    expect(nrmse.getAttribute('data-verdict')).toBe('within noise');
    expect(text(nrmse)).toBe('≈ within noise');
    expect(byTestId(report, 'report-amount-nrmse-without-leu').className).not.toContain(
      'j-report-real',
    );

    // The ablation's summary, one sentence per component and headline metric.
    const summary = byTestId(report, 'ablation-summary');
    const sentences = Array.from(summary.querySelectorAll('li')).map((li) => text(li));
    const purchase = sentences.find((s) => s.includes('purchase AUC'))!;
    expect(purchase).toContain(
      'The label embedding unit helps purchase AUC by +0.0047 ± 0.0014 on this data (likely real)',
    );
    expect(sentences.some((s) => /amount NRMSE .*within noise\)/.test(s))).toBe(true);
    // Other metrics of a task are one click away.
    expect(report.querySelector('[data-testid="report-purchase-logloss"]')).not.toBeNull();
    expect(text(report.querySelector('details summary'))).toContain('LogLoss');
  });

  it("opens a seed's run from the report, and the experiment from the run", async () => {
    const { c } = await open();
    await click(byTestId(c, `experiment-open-${EXPERIMENT_ID}`));
    const target = experimentRuns().find(
      (r) => r.group!.variant === 'without LEU' && r.group!.seed === 2,
    )!;
    await click(byTestId(c, 'experiment-run-without-leu-2'));
    expect(journey().getState().resultsView).toBe('runs');
    expect(byTestId(c, 'run-detail').getAttribute('data-run')).toBe(target.id);
    expect(text(byTestId(c, 'test-metric-purchase-auc'))).toBe(
      formatMetric('auc', target.test!.purchase.auc),
    );
    // And back from the run to its experiment.
    expect(text(byTestId(c, 'run-group'))).toBe(
      `Seed 2 of without LEU in the experiment ${EXPERIMENT_NAME}`,
    );
    await click(byTestId(c, 'run-group-open'));
    expect(journey().getState().resultsView).toBe('experiments');
    expect(maybeTestId(c, 'experiment-report')).not.toBeNull();
  });

  it('follows progress live, cancels a running experiment, says it resumed', async () => {
    const running = experimentDetail({
      status: 'running',
      message: 'Training…',
      done: 2,
      running: 2,
      failed: 1,
      resumedAt: '2026-03-01T11:00:00.000Z',
    });
    const { host, c } = await open(running);
    const progress = byTestId(c, `experiment-progress-${EXPERIMENT_ID}`);
    expect(progress.textContent).toContain('2/6');
    expect(progress.textContent).toContain('2 training · 1 failed');
    expect(text(byTestId(c, `experiment-resumed-${EXPERIMENT_ID}`))).toMatch(
      /^Resumed after a restart/,
    );
    expect(text(byTestId(c, 'results-tab-experiments'))).toBe('Experiments1');

    await host.emit({
      type: 'experiment:progress',
      jobId: EXPERIMENT_ID,
      experiment: { ...summaryOfExperiment(running), done: 4, running: 1 },
    });
    expect(byTestId(c, `experiment-progress-${EXPERIMENT_ID}`).textContent).toContain('4/6');

    await click(byTestId(c, `experiment-cancel-${EXPERIMENT_ID}`));
    expect(host.callsOf('experiments:cancel')).toEqual([]); // it asks first
    await click(byTestId(c, `experiment-cancel-confirm-${EXPERIMENT_ID}`));
    expect(host.callsOf('experiments:cancel')).toEqual([[EXPERIMENT_ID]]);
  });
});

describe('Results › Compare with run groups', () => {
  async function compare(pick: (r: RunDetail) => boolean) {
    const { c } = await open();
    const ticked = experimentRuns().filter(pick);
    for (const r of ticked) journey().getState().toggleCompare(r.id);
    await click(byTestId(c, 'results-tab-compare'));
    return { c, ticked };
  }
  const key = (variant: string) => slug(`${EXPERIMENT_ID}/${variant}`);

  it('groups by experiment and variant, pairs by seed, with the report’s own numbers', async () => {
    const { c } = await compare(() => true);
    const table = byTestId(c, 'group-purchase-auc');
    const full = byTestId(table, `group-purchase-auc-${key('full')}`);
    expect(text(full)).toContain(`${EXPERIMENT_NAME} · full`);
    expect(maybeTestId(full, `group-purchase-auc-${key('full')}-reference`)).not.toBeNull();
    expect(text(full)).toContain('0.7410 ± 0.0010');
    const without = byTestId(table, `group-purchase-auc-${key('without LEU')}`);
    // The same difference, interval and verdict as the experiment's report.
    expect(text(without)).toContain('-0.0047');
    expect(text(without)).toContain('-0.0061 to -0.0032');
    expect(text(byTestId(without, `group-purchase-auc-${key('without LEU')}-verdict`))).toBe(
      '▼ worse, likely real',
    );
    expect(
      byTestId(c, `group-amount-nrmse-${key('without LEU')}-verdict`).getAttribute('data-verdict'),
    ).toBe('within noise');
    // The run-by-run table crowns no seed.
    expect(maybeTestId(c, 'compare-no-winner')).not.toBeNull();
    expect(c.querySelector('[data-best="true"]')).toBeNull();

    // Another reference: the full model is then better by as much.
    await chooseOption(
      byTestId<HTMLSelectElement>(c, 'group-reference'),
      `${EXPERIMENT_ID}/without LEU`,
    );
    const fullNow = byTestId(c, `group-purchase-auc-${key('full')}`);
    expect(text(fullNow)).toContain('+0.0047');
    expect(text(byTestId(fullNow, `group-purchase-auc-${key('full')}-verdict`))).toBe(
      '▲ better, likely real',
    );
  });

  it('one seed per group: no interval, no winner', async () => {
    const { c } = await compare((r) => r.group!.seed === 1);
    const row = byTestId(c, `group-purchase-auc-${key('without LEU')}`);
    expect(text(row)).toContain('one seed: no interval');
    expect(
      byTestId(row, `group-purchase-auc-${key('without LEU')}-verdict`).getAttribute(
        'data-verdict',
      ),
    ).toBe('one seed: no interval');
    expect(c.querySelector('[data-best="true"]')).toBeNull();
  });
});
