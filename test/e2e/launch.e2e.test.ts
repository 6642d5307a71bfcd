// Launching experiments from the UI end to end (issue 17), in Chromium against the real engine
// (browser mode): an HTLNet project on a small generated sample (2,000 rows, 1 epoch) is opened,
// the Train tab's "repeat with seeds" queues a group of 2 seeds, and a sweep built with Vary in
// the inspector (the optimizer's learning rate, one change at a time) queues 2 more runs. Each
// start lands in Results, and the runs appear in the runs table as members of their group (the
// host's runs:list says which group each run belongs to). Screenshots:
// test-results/screenshots/launch-*.png. The inspector with a varied parameter and the Train tab
// with the sweep and the ablation are audited with axe-core (WCAG 2 A/AA) in both themes.
// Last, "Run the ablation" with 2 seeds queues the paper's variants (12 runs), Results ›
// Experiments shows it, and Cancel (asked twice) stops it there: no run of it is left training.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serializeProject } from '../../src-main/engine/graph/project-file';
import type { ExperimentSummary, JobStarted, RunSummary } from '../../src-main/ipc/api';
import type { ProjectFile } from '../../src-main/shared/project';
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

const ROWS = 2000;

/** Waits until `check` holds (set-up code runs outside a test, where expect.poll cannot). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + LONG;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The experiment started last (experiments:list, newest first or not), and its runs. */
async function newestExperiment(page: Page, before: string[]): Promise<ExperimentSummary> {
  let found: ExperimentSummary | undefined;
  await until(async () => {
    const all = await invoke<ExperimentSummary[]>(page, 'experiments:list');
    found = all.find((x) => !before.includes(x.id));
    return found !== undefined;
  }, 'the experiment');
  return found!;
}

/** Waits until the group's runs have all finished; returns them. */
async function groupRuns(page: Page, id: string, count: number): Promise<RunSummary[]> {
  let runs: RunSummary[] = [];
  await until(async () => {
    runs = (await invoke<RunSummary[]>(page, 'runs:list')).filter((r) => r.group?.id === id);
    return runs.length === count && runs.every((r) => r.status !== 'running');
  }, `the ${count} runs of ${id}`);
  return runs;
}

/** An axe-core audit (WCAG 2 A/AA) of what the page shows, in the light and the dark theme. */
async function expectAccessible(page: Page, screen: string) {
  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => {
      document.documentElement.dataset.theme = t;
    }, theme);
    const violations = await auditA11y(page);
    expect(violations, describeViolations(`${screen} (${theme})`, violations)).toEqual([]);
  }
  await page.evaluate(() => {
    document.documentElement.dataset.theme = 'light';
  });
}

async function expectInRunsTable(page: Page, runs: RunSummary[]) {
  await byId(page, 'tab-results').click();
  // The experiments view is d-view's; the runs table lists every run with its group.
  await byId(page, 'results-tab-runs').click();
  await byId(page, 'runs-refresh').click();
  for (const r of runs) {
    await byId(page, `run-row-${r.id}`).waitFor({ timeout: LONG });
  }
}

describeE2E('launching experiments (Chromium)', () => {
  let app: AppSession;
  let page: Page;

  beforeAll(async () => {
    app = await startApp({ viewport: { width: 1440, height: 1200 }, bypassCSP: true });
    page = app.page;
    await byId(page, 'app').waitFor({ timeout: LONG });
    const sample = await invoke<string>(page, 'data:sample', [ROWS]);
    await invoke<JobStarted>(page, 'data:import', [sample]);
    await until(
      async () => (await invoke<unknown>(page, 'data:preview', [sample])) !== null,
      'the import',
    );
    const project = await invoke<ProjectFile>(page, 'templates:create', ['htlnet']);
    const optimizer = project.graph.blocks.find((b) => b.type === 'optimizer')!;
    optimizer.params = { ...optimizer.params, epochs: 1, batchSize: 256 };
    project.name = 'Launch';
    project.data = { ...project.data, source: sample };
    const file = path.join(path.dirname(app.workspace), 'launch.htlnet.json');
    writeFileSync(file, serializeProject(project));
    await byId(page, 'upload-input').setInputFiles(file);
    await byId(page, 'node-optimizer').waitFor({ timeout: LONG });
  }, LONG);

  afterAll(async () => {
    await app?.close();
  });

  it(
    'repeats a training with 2 seeds as one group',
    async () => {
      await byId(page, 'tab-train').click();
      await byId(page, 'repeat-seeds').fill('2');
      await expect.poll(() => byId(page, 'train-start').innerText()).toBe('Train 2 seeds');
      await byId(page, 'run-label').fill('Two seeds');
      const before = (await invoke<ExperimentSummary[]>(page, 'experiments:list')).map((x) => x.id);
      await byId(page, 'train-start').click();
      const experiment = await newestExperiment(page, before);
      expect([experiment.kind, experiment.name, experiment.total]).toEqual([
        'seeds',
        'Two seeds',
        2,
      ]);
      // Started: the app shows Results.
      await byId(page, 'results-screen').waitFor({ timeout: LONG });
      const runs = await groupRuns(page, experiment.id, 2);
      expect(runs.map((r) => r.group!.seed).sort()).toEqual([1, 2]);
      expect(
        runs.every((r) => r.status === 'completed' || r.status === 'early-stopping'),
        `${JSON.stringify(runs.map((r) => [r.status, r.message]))}\n${app.serverOutput().slice(-3000)}`,
      ).toBe(true);
      await expectInRunsTable(page, runs);
      await app.screenshot('launch-01-seeds');
    },
    LONG,
  );

  it(
    'sweeps the learning rate picked with Vary in the inspector',
    async () => {
      await byId(page, 'tab-model').click();
      await byId(page, 'node-optimizer').locator('.block-header').click();
      await byId(page, 'vary-learningRate').click();
      const values = byId(page, 'sweep-values-training.learningRate');
      await values.fill('0.001, 0.003');
      await app.screenshot('launch-02-vary');
      await expectAccessible(page, 'inspector with Vary');
      await byId(page, 'tab-train').click();
      await byId(page, 'sweep-mode-list').check();
      await byId(page, 'sweep-seeds').fill('1');
      await expect
        .poll(() => byId(page, 'sweep-count').innerText())
        .toContain('2 variants × 1 seed = 2 runs');
      await byId(page, 'sweep-panel').scrollIntoViewIfNeeded();
      await app.screenshot('launch-03-sweep');
      await expectAccessible(page, 'Train tab with a sweep');
      const before = (await invoke<ExperimentSummary[]>(page, 'experiments:list')).map((x) => x.id);
      await byId(page, 'sweep-start').click();
      const experiment = await newestExperiment(page, before);
      expect([experiment.kind, experiment.reference, experiment.total]).toEqual([
        'sweep',
        'project',
        2,
      ]);
      await byId(page, 'results-screen').waitFor({ timeout: LONG });
      const runs = await groupRuns(page, experiment.id, 2);
      expect(
        runs.map((r) => r.status),
        `${JSON.stringify(runs.map((r) => r.message))}\n${app.serverOutput().slice(-3000)}`,
      ).toEqual(['completed', 'completed']);
      expect(runs.map((r) => r.group!.variant).sort()).toEqual([
        'project',
        'training.learningRate=0.003',
      ]);
      await expectInRunsTable(page, runs);
      expect(app.errors, app.errors.join('\n')).toEqual([]);
    },
    LONG,
  );

  it(
    'queues the ablation with one click, shows it in Results and cancels it there',
    async () => {
      await byId(page, 'tab-train').click();
      await byId(page, 'ablation-panel').scrollIntoViewIfNeeded();
      const variants = await byId(page, 'ablation-variants').locator('li').count();
      expect(variants).toBe(6);
      await byId(page, 'ablation-seeds').fill('2');
      await expect.poll(() => byId(page, 'ablation-count').innerText()).toContain('12 runs');
      const before = (await invoke<ExperimentSummary[]>(page, 'experiments:list')).map((x) => x.id);
      await byId(page, 'ablation-start').click();
      const experiment = await newestExperiment(page, before);
      expect([experiment.kind, experiment.reference, experiment.total]).toEqual([
        'ablation',
        'full',
        12,
      ]);
      // Started: Results opens on the experiment.
      const row = byId(page, `experiment-row-${experiment.id}`);
      await row.waitFor({ timeout: LONG });
      await byId(page, `experiment-cancel-${experiment.id}`).click();
      await byId(page, `experiment-cancel-confirm-${experiment.id}`).click();
      await expect
        .poll(async () => (await row.textContent()) ?? '', { timeout: LONG, interval: 250 })
        .toContain('Cancelled');
      await until(async () => {
        const runs = await invoke<RunSummary[]>(page, 'runs:list');
        return runs.every((r) => r.group?.id !== experiment.id || r.status !== 'running');
      }, 'the cancelled ablation to stop training');
      const [detail] = (await invoke<ExperimentSummary[]>(page, 'experiments:list')).filter(
        (x) => x.id === experiment.id,
      );
      expect([detail.status, detail.running]).toEqual(['cancelled', 0]);
      expect(detail.done).toBeLessThan(12);
      expect(app.errors, app.errors.join('\n')).toEqual([]);
    },
    LONG,
  );
});
