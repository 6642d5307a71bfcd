// Reading an experiment end to end, in Chromium against the real engine (browser mode): a small
// sweep (2 variants × 2 seeds, 1 epoch, on a generated 2,000-row sample) queued through the
// API, followed live in Results › Experiments until it completes, its verdicts read from the
// report (checked against the host's own report), then its runs pruned from the runs table
// after the dialog says which and how much space. The report and the dialog pass axe's WCAG 2.1
// AA checks in both themes. Screenshots: test-results/screenshots/experiments-*.png.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ExperimentDetail, ExperimentSummary, RunSummary } from '../../src-main/ipc/api';
import type { ProjectFile } from '../../src-main/shared/project';
import { slug } from '../../src-renderer/ui/format';
import {
  auditA11y,
  describeViolations,
  startApp,
  type AppSession,
  LONG,
  byId,
  describeE2E,
  invoke,
} from './harness';

describeE2E('reading an experiment (Chromium)', () => {
  let app: AppSession;
  let page: Page;
  let experiment: ExperimentSummary;
  const found: string[] = [];

  /** Audits the screen in both themes; violations are asserted at the end. */
  async function audit(screen: string) {
    for (const theme of ['light', 'dark'] as const) {
      await page.evaluate((t) => {
        document.documentElement.dataset.theme = t;
      }, theme);
      await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
      const violations = await auditA11y(page);
      if (violations.length > 0) found.push(describeViolations(`${screen} (${theme})`, violations));
    }
    await page.evaluate(() => {
      document.documentElement.dataset.theme = 'light';
    });
  }

  beforeAll(async () => {
    app = await startApp({ viewport: { width: 1440, height: 1400 }, bypassCSP: true });
    page = app.page;
    await byId(page, 'app').waitFor({ timeout: LONG });
    const sample = await invoke<string>(page, 'data:sample', [2000]);
    const project = await invoke<ProjectFile>(page, 'templates:create', ['htlnet']);
    for (const b of project.graph.blocks) {
      if (b.type === 'tower') b.params.units = '16,8';
      if (b.type === 'optimizer') Object.assign(b.params, { epochs: 1, batchSize: 256 });
    }
    experiment = await invoke<ExperimentSummary>(page, 'experiments:start', [
      {
        kind: 'sweep',
        project,
        dataPath: sample,
        name: 'fusion sweep',
        seeds: 2,
        grid: [{ path: 'fusion.mode', values: ['attention', 'concat'] }],
      },
    ]);
  }, LONG);

  afterAll(async () => {
    await app?.close();
  });

  it(
    'follows the experiment, reads its verdicts, then prunes its runs',
    async () => {
      const id = experiment.id;
      await byId(page, 'tab-results').click();
      await byId(page, 'results-tab-experiments').click();
      const row = byId(page, `experiment-row-${id}`);
      await row.waitFor({ timeout: LONG });
      // Live through experiment:progress events: no reload needed.
      await expect
        .poll(async () => (await row.textContent()) ?? '', { timeout: LONG, interval: 500 })
        .toContain('Completed');
      await byId(page, `experiment-open-${id}`).click();
      const report = byId(page, 'experiment-report');
      await report.waitFor();

      const detail = await invoke<ExperimentDetail>(page, 'experiments:get', [id]);
      expect(detail.done).toBe(4);
      const variant = 'fusion.mode=concat';
      const auc = detail.report.comparisons.find(
        (c) => c.variant === variant && c.task === 'purchase' && c.metric === 'auc',
      )!;
      expect(auc.pairs).toBe(2);
      const cell = byId(page, `report-purchase-auc-${slug(variant)}-verdict`);
      expect(await cell.getAttribute('data-verdict')).toBe(auc.verdict);
      expect(await cell.textContent()).toContain(
        auc.verdict === 'likely real' ? 'likely real' : 'within noise',
      );
      const reference = byId(page, `report-purchase-auc-${slug(detail.reference)}-reference`);
      expect(await reference.count()).toBe(1);
      await report.scrollIntoViewIfNeeded();
      await app.screenshot('experiments-01-report');
      await audit('Results › Experiments');

      // The runs table: the experiment's four runs, then pruned after the dialog says so.
      await byId(page, 'results-tab-runs').click();
      await byId(page, 'runs-group-filter').selectOption(`group:${id}`);
      const runs = await invoke<RunSummary[]>(page, 'runs:list', [{ group: id }]);
      expect(runs).toHaveLength(4);
      await byId(page, 'runs-prune').click();
      const dialog = byId(page, 'prune-dialog');
      await byId(dialog, 'prune-summary').waitFor({ timeout: LONG });
      expect(await byId(dialog, 'prune-summary').textContent()).toContain('4 runs will be deleted');
      await app.screenshot('experiments-02-prune');
      await audit('Prune dialog');
      await byId(dialog, 'prune-confirm').click();
      await byId(page, 'runs-pruned').waitFor({ timeout: LONG });
      expect(await byId(page, 'runs-pruned').textContent()).toMatch(/^Deleted 4 runs, freeing /);
      expect(await invoke<RunSummary[]>(page, 'runs:list', [{ group: id }])).toEqual([]);
      expect(found).toEqual([]);
      expect(app.errors).toEqual([]);
    },
    LONG,
  );
});
