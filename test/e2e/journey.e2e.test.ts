// The analyst's journey end to end, in Chromium against the real engine (browser mode): import
// the sample CSV through the wizard and bind its targets, train the HTLNet template while the
// charts fill up, stop a second run, train MMoE, then compare the runs, save a chart as PNG,
// export a model and score a file with it. The numbers on screen are checked against the
// host's own (runs:get), rounded as the screens show them. Screenshots:
// test-results/screenshots/journey-*.png.

import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunDetail, RunSummary } from '../../src-main/ipc/api';
import { formatCount, formatMetric } from '../../src-renderer/ui/format';
import {
  SCREENSHOT_DIR,
  startApp,
  type AppSession,
  LONG,
  byId,
  describeE2E,
  invoke,
} from './harness';

const ROWS = 20_000;

/** How many points a chart's series holds. */
async function points(page: Page, chart: string, series: string): Promise<number> {
  const g = page.locator(`[data-testid="${chart}"] [data-series="${series}"]`);
  if ((await g.count()) === 0) return -1;
  return Number(await g.getAttribute('data-points'));
}

async function waitForPoints(page: Page, chart: string, series: string, atLeast: number) {
  await page.waitForFunction(
    ({ chart, series, atLeast }) => {
      const g = document.querySelector(`[data-testid="${chart}"] [data-series="${series}"]`);
      return Number(g?.getAttribute('data-points') ?? -1) >= atLeast;
    },
    { chart, series, atLeast },
    { timeout: LONG },
  );
}

async function setNumber(page: Page, id: string, value: string) {
  const input = byId(page, id);
  await input.fill(value);
  await input.press('Enter');
  await expect.poll(() => input.inputValue()).toBe(value);
}

/** Starts training the project from the Train tab; returns the new run's id once it exists. */
async function train(page: Page, label: string, epochs: string): Promise<string> {
  await byId(page, 'tab-train').click();
  await setNumber(page, 'setting-epochs', epochs);
  await byId(page, 'run-label').fill(label);
  const before = await invoke<RunSummary[]>(page, 'runs:list');
  await byId(page, 'train-start').click();
  await byId(page, 'train-stop').waitFor({ timeout: LONG });
  // The run's record appears when training starts (after data:check).
  const isNew = (r: RunSummary) => !before.some((b) => b.id === r.id);
  await expect
    .poll(async () => (await invoke<RunSummary[]>(page, 'runs:list')).some(isNew), {
      timeout: LONG,
      interval: 250,
    })
    .toBe(true);
  const after = await invoke<RunSummary[]>(page, 'runs:list');
  return after.find(isNew)!.id;
}

async function waitForOutcome(page: Page): Promise<string> {
  await byId(page, 'train-outcome').waitFor({ timeout: LONG });
  return (await byId(page, 'train-outcome').getAttribute('data-status'))!;
}

describeE2E("the analyst's journey (Chromium)", () => {
  let app: AppSession;
  let page: Page;
  let samplePath: string;
  const runs: { htlnet?: string; stopped?: string; mmoe?: string } = {};

  beforeAll(async () => {
    app = await startApp({ viewport: { width: 1440, height: 960 } });
    page = app.page;
    await byId(page, 'app').waitFor({ timeout: LONG });
  }, LONG);

  afterAll(async () => {
    await app?.close();
  });

  it(
    'imports the sample CSV through the wizard and binds its targets',
    async () => {
      samplePath = await invoke<string>(page, 'data:sample', [ROWS]);
      await byId(page, 'tab-data').click();
      await byId(page, 'data-screen').waitFor();
      await app.screenshot('journey-01-data');
      const files = byId(page, 'import-picker-files');
      await files.locator('[aria-label="Open folder samples"]').click();
      const name = path.basename(samplePath);
      await files.locator(`[data-testid="import-picker-files-use"][data-name="${name}"]`).click();
      await page
        .locator('[data-testid="wizard-step-columns"][aria-current="step"]')
        .waitFor({ timeout: LONG });
      await expect
        .poll(() => byId(page, 'file-facts').innerText())
        .toContain(`${formatCount(ROWS)} rows`);

      // Kinds: ids are categories, whatever their numbers look like.
      await byId(page, 'kind-user_id').selectOption('categorical');
      await byId(page, 'kind-item_id').selectOption('categorical');
      await byId(page, 'kind-hour').selectOption('numeric');
      // Exclude a column.
      await byId(page, 'exclude-campaign').check();
      expect(await byId(page, 'column-row-campaign').getAttribute('data-role')).toBe('excluded');
      // Targets and their order: purchase out and back in goes last; move it up again.
      const chain = async () =>
        page
          .locator('[data-testid^="chain-"]')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
      expect(await chain()).toEqual(['chain-click', 'chain-purchase', 'chain-amount']);
      await byId(page, 'target-purchase').uncheck();
      await byId(page, 'target-purchase').check();
      expect(await chain()).toEqual(['chain-click', 'chain-amount', 'chain-purchase']);
      await byId(page, 'move-up-purchase').click();
      expect(await chain()).toEqual(['chain-click', 'chain-purchase', 'chain-amount']);
      // The profile of the continuous target, with its histogram.
      await page.locator('button[aria-label="Profile of amount"]').click();
      await byId(page, 'profile-histogram').waitFor();
      const preview = await invoke<{ columns: { name: string; positiveRate?: number }[] }>(
        page,
        'data:preview',
        [samplePath],
      );
      const click = preview.columns.find((c) => c.name === 'click')!;
      expect(await byId(page, 'target-rate-click').innerText()).toBe(
        `${(click.positiveRate! * 100).toFixed(2)}% positive`,
      );
      await app.screenshot('journey-02-columns');
      await page.evaluate(() => {
        document.documentElement.dataset.theme = 'dark';
      });
      await app.screenshot('journey-02-columns-dark');
      await page.evaluate(() => {
        document.documentElement.dataset.theme = 'light';
      });

      await byId(page, 'wizard-next').click();
      await byId(page, 'review-step').waitFor();
      await app.screenshot('journey-03-review');
      const withTemplate = byId(page, 'apply-with-template');
      if (await withTemplate.isVisible()) await withTemplate.click();
      else await byId(page, 'apply-binding').click();
      await byId(page, 'binding-applied').waitFor({ timeout: LONG });
    },
    LONG,
  );

  it(
    'trains the HTLNet template and shows its progress and charts as it learns',
    async () => {
      await byId(page, 'go-train').click();
      await byId(page, 'train-screen').waitFor();
      runs.htlnet = await train(page, 'HTLNet, 3 epochs', '3');
      // The charts fill up while it trains.
      await waitForPoints(page, 'chart-loss-click', 'batch', 1);
      const early = await points(page, 'chart-loss-click', 'batch');
      await waitForPoints(page, 'chart-loss-click', 'batch', early + 1);
      await waitForPoints(page, 'chart-metric-click', 'auc', 1);
      expect(await points(page, 'chart-grad-cosine', 'click')).toBeGreaterThan(0);
      const bar = byId(page, 'train-progress').locator('[role="progressbar"]');
      expect(Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
      await app.screenshot('journey-04-training');

      expect(['completed', 'early-stopping']).toContain(await waitForOutcome(page));
      await app.screenshot('journey-05-trained');
      await byId(page, 'gradient-panel').scrollIntoViewIfNeeded();
      await app.screenshot('journey-05-gradients');
      await page.evaluate(() => {
        document.documentElement.dataset.theme = 'dark';
      });
      await app.screenshot('journey-05-gradients-dark');
      await page.evaluate(() => {
        document.documentElement.dataset.theme = 'light';
      });
      await byId(page, 'train-outcome').scrollIntoViewIfNeeded();
      const run = await invoke<RunDetail>(page, 'runs:get', [runs.htlnet]);
      expect(run.history).toHaveLength(3);
      // The numbers shown are the run's own, rounded as displayed.
      for (const task of ['click', 'purchase']) {
        expect(await byId(page, `outcome-metric-${task}`).locator('strong').innerText()).toBe(
          formatMetric('auc', run.test![task].auc),
        );
      }
      expect(await byId(page, 'outcome-metric-amount').locator('strong').innerText()).toBe(
        formatMetric('nrmse', run.test!.amount.nrmse),
      );
      expect(await points(page, 'chart-metric-amount', 'nrmse')).toBe(3);
    },
    LONG,
  );

  it(
    'follows a run across a reload, and stops it: it keeps its best weights and test metrics',
    async () => {
      runs.stopped = await train(page, 'HTLNet, stopped', '50');
      await waitForPoints(page, 'chart-metric-click', 'auc', 1);
      // A reload (or a crash of the window) while it trains: nothing is lost.
      await page.reload();
      await byId(page, 'app').waitFor({ timeout: LONG });
      const restore = byId(page, 'recovery-restore');
      if (await restore.isVisible().catch(() => false)) await restore.click();
      await byId(page, 'tab-train').click();
      await byId(page, 'train-stop').waitFor({ timeout: LONG });
      // The epochs before the reload come back from the run's record.
      await waitForPoints(page, 'chart-metric-click', 'auc', 1);
      await app.screenshot('journey-05-after-reload');
      await byId(page, 'train-stop').click();
      expect(await waitForOutcome(page)).toBe('cancelled');
      const run = await invoke<RunDetail>(page, 'runs:get', [runs.stopped]);
      expect(run.status).toBe('cancelled');
      expect(run.epochs).toBeLessThan(50);
      expect(run.test?.click.auc).toBeGreaterThan(0.5);
      expect(await byId(page, 'outcome-metric-click').locator('strong').innerText()).toBe(
        formatMetric('auc', run.test!.click.auc),
      );
    },
    LONG,
  );

  it(
    'trains MMoE on the same data',
    async () => {
      await byId(page, 'tab-model').click();
      // Unsaved changes (the title's •) are asked about before the template replaces them.
      const dirty = (await page.title()).includes('•');
      await byId(page, 'toolbar-new').click();
      await byId(page, 'template-mmoe').click();
      if (dirty) await byId(page, 'confirm-discard').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="editor"]') !== null);
      runs.mmoe = await train(page, 'MMoE, 3 epochs', '3');
      expect(['completed', 'early-stopping']).toContain(await waitForOutcome(page));
      const run = await invoke<RunDetail>(page, 'runs:get', [runs.mmoe]);
      expect(run.dataPath).toBe(samplePath);
    },
    LONG,
  );

  it(
    "lists the runs with the host's numbers, and saves a chart as PNG",
    async () => {
      await byId(page, 'open-results').click();
      await byId(page, 'results-screen').waitFor();
      const list = await invoke<RunSummary[]>(page, 'runs:list');
      expect(list).toHaveLength(3);
      for (const summary of list) {
        await byId(page, `run-row-${summary.id}`).waitFor();
        for (const t of summary.tasks) {
          const metric = t.type === 'binary' ? 'auc' : 'nrmse';
          expect(await byId(page, `run-metric-${summary.id}-${t.name}`).innerText()).toBe(
            formatMetric(metric, summary.test?.[t.name]?.[metric]),
          );
        }
      }
      // Sort by click AUC, best first.
      await byId(page, 'sort-task:click').click();
      await byId(page, 'sort-task:click').click();
      const order = await page
        .locator('[data-testid="runs-table"] tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')));
      const expected = [...list]
        .sort((a, b) => b.test!.click.auc - a.test!.click.auc)
        .map((r) => r.id);
      expect(order).toEqual(expected);

      // The HTLNet run's metrics and curves.
      await byId(page, `run-open-${runs.htlnet}`).click();
      await page.locator(`[data-testid="run-detail"][data-run="${runs.htlnet}"]`).waitFor();
      const run = await invoke<RunDetail>(page, 'runs:get', [runs.htlnet]);
      expect(await byId(page, 'test-metric-click-auc').innerText()).toBe(
        formatMetric('auc', run.test!.click.auc),
      );
      expect(await byId(page, 'test-metric-amount-gini').innerText()).toBe(
        formatMetric('gini', run.test!.amount.gini),
      );
      expect(await points(page, 'chart-roc-click', runs.htlnet!)).toBe(
        run.curves.click.roc!.fpr.length,
      );
      expect(await points(page, 'chart-lorenz-amount', runs.htlnet!)).toBe(
        run.curves.amount.lorenz!.population.length,
      );
      await byId(page, 'chart-scatter-amount').waitFor();
      await byId(page, 'chart-calibration-purchase').waitFor();
      await app.screenshot('journey-06-results');

      const download = page.waitForEvent('download');
      await byId(page, 'chart-roc-click-png').click();
      const file = await download;
      expect(file.suggestedFilename()).toBe('roc-click.png');
      const saved = path.join(SCREENSHOT_DIR, 'journey-chart-roc-click.png');
      await file.saveAs(saved);
      const bytes = readFileSync(saved);
      expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(bytes.readUInt32BE(16)).toBe(960); // 480 px wide, drawn at 2x
    },
    LONG,
  );

  it(
    'compares HTLNet and MMoE: metrics lined up, the best highlighted, curves overlaid',
    async () => {
      await byId(page, `compare-${runs.htlnet}`).check();
      await byId(page, `compare-${runs.mmoe}`).check();
      await byId(page, 'compare-open').click();
      await byId(page, 'compare-view').waitFor({ timeout: LONG });
      const [a, b] = await Promise.all([
        invoke<RunDetail>(page, 'runs:get', [runs.htlnet]),
        invoke<RunDetail>(page, 'runs:get', [runs.mmoe]),
      ]);
      for (const [task, metric, higher] of [
        ['click', 'auc', true],
        ['purchase', 'auc', true],
        ['amount', 'nrmse', false],
        ['amount', 'gini', true],
      ] as const) {
        const va = a.test![task][metric];
        const vb = b.test![task][metric];
        const cellA = byId(page, `compare-metric-${task}-${metric}-${a.id}`);
        const cellB = byId(page, `compare-metric-${task}-${metric}-${b.id}`);
        expect(await cellA.innerText()).toBe(formatMetric(metric, va));
        expect(await cellB.innerText()).toBe(formatMetric(metric, vb));
        // Equal as shown (e.g. both 0.7123): nobody is crowned.
        const tie = formatMetric(metric, va) === formatMetric(metric, vb);
        const aWins = !tie && (higher ? va > vb : va < vb);
        const bWins = !tie && !aWins;
        expect(await cellA.getAttribute('data-best')).toBe(aWins ? 'true' : null);
        expect(await cellB.getAttribute('data-best')).toBe(bWins ? 'true' : null);
      }
      for (const chart of ['compare-roc-click', 'compare-lorenz-amount', 'compare-history-click']) {
        expect(await points(page, chart, a.id)).toBeGreaterThan(0);
        expect(await points(page, chart, b.id)).toBeGreaterThan(0);
      }
      await app.screenshot('journey-07-compare');
    },
    LONG,
  );

  it(
    'exports the HTLNet model and scores a file with it',
    async () => {
      await byId(page, 'results-tab-runs').click();
      await byId(page, `run-open-${runs.htlnet}`).click();
      await page.locator(`[data-testid="run-detail"][data-run="${runs.htlnet}"]`).waitFor();
      await byId(page, 'export-name').fill('funnel-htlnet');
      await byId(page, 'export-button').click();
      await byId(page, 'export-path').waitFor({ timeout: LONG });
      const exported = await byId(page, 'export-path').innerText();
      expect(exported).toBe(path.join(app.workspace, 'models', 'funnel-htlnet'));
      expect(statSync(exported).isDirectory()).toBe(true);

      await byId(page, 'results-tab-score').click();
      await byId(page, 'score-kind-folder').check();
      const models = byId(page, 'score-models');
      await models.locator('[aria-label="Open folder models"]').click();
      await models.locator('[data-testid="score-models-use"][data-name="funnel-htlnet"]').click();
      expect(await byId(page, 'score-model-dir').innerText()).toBe(exported);
      const files = byId(page, 'score-picker-files');
      await files.locator('[aria-label="Open folder samples"]').click();
      await files
        .locator(`[data-testid="score-picker-files-use"][data-name="${path.basename(samplePath)}"]`)
        .click();
      await byId(page, 'score-out-name').fill('scored');
      await byId(page, 'score-start').click();
      await byId(page, 'score-result').waitFor({ timeout: LONG });
      const out = path.join(app.workspace, 'predictions', 'scored.csv');
      expect(await byId(page, 'score-out').innerText()).toBe(out);
      expect(await byId(page, 'score-rows').innerText()).toBe(formatCount(ROWS));
      expect(existsSync(out)).toBe(true);
      const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(ROWS + 1);
      // The file has the targets: metrics are shown for each task.
      const auc = await byId(page, 'score-metric-click-auc').innerText();
      expect(auc).toMatch(/^AUC 0\.\d{4}$/);
      await app.screenshot('journey-08-score');

      await page.evaluate(() => {
        document.documentElement.dataset.theme = 'dark';
      });
      await byId(page, 'results-tab-compare').click();
      await byId(page, 'compare-view').waitFor();
      await app.screenshot('journey-09-compare-dark');
      expect(app.errors, app.errors.join('\n')).toEqual([]);
    },
    LONG,
  );
});

describeE2E('first start: the sample in one click', () => {
  let app: AppSession;

  beforeAll(async () => {
    app = await startApp();
    await byId(app.page, 'app').waitFor({ timeout: LONG });
  }, LONG);

  afterAll(async () => {
    await app?.close();
  });

  it(
    'writes the sample, imports it, builds HTLNet and trains it without another click',
    async () => {
      const { page } = app;
      await byId(page, 'tab-data').click();
      await byId(page, 'try-sample').click();
      // The app moves to the Train tab by itself and the run starts.
      await byId(page, 'train-screen').waitFor({ timeout: LONG });
      await waitForPoints(page, 'chart-loss-click', 'batch', 1);
      await app.screenshot('journey-00-sample-training');
      const runs = await invoke<RunSummary[]>(page, 'runs:list');
      expect(runs).toHaveLength(1);
      expect(runs[0].dataPath).toBe(
        path.join(app.workspace, 'samples', 'funnel-sample-100000.csv'),
      );
      expect(runs[0].tasks.map((t) => t.name)).toEqual(['click', 'purchase', 'amount']);
      const run = await invoke<RunDetail>(page, 'runs:get', [runs[0].id]);
      expect(run.project.graph.blocks.some((b) => b.type === 'fusion')).toBe(true); // HTLNet
      // Stopping keeps the best weights so far: the run is still evaluated.
      await waitForPoints(page, 'chart-metric-click', 'auc', 1);
      await byId(page, 'train-stop').click();
      expect(await waitForOutcome(page)).toBe('cancelled');
      expect(await byId(page, 'outcome-metric-click').locator('strong').innerText()).toMatch(
        /^0\.\d{4}$/,
      );
      expect(app.errors, app.errors.join('\n')).toEqual([]);
    },
    LONG,
  );
});
