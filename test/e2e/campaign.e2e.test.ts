// A second journey, on data shaped unlike the sample: an e-mail campaign CSV generated here
// (visit -> conversion -> spend, text segments, ids) with one stray "$29.99" in the spend column.
// The wizard names the bad value and its line, the fixed file is read again, the project keeps
// its data across models (HTLNet, then MMoE from File > New), heads are named after the bound
// targets, the runs are compared, exported as ONNX and the training file is scored (with the
// "trained on" note). Every main screen is audited with axe-core (WCAG 2 A/AA) in both themes.
// Screenshots: test-results/screenshots/campaign-*.png.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunDetail, RunSummary } from '../../src-main/ipc/api';
import { formatMetric } from '../../src-renderer/ui/format';
import {
  auditA11y,
  describeViolations,
  startApp,
  type AppSession,
  LONG,
  byId,
  describeE2E,
  invoke,
  rng,
} from './harness';

const ROWS = 4000;
/** The row (0-based) whose spend is written "$29.99"; its file line is STRAY_ROW + 2. */
const STRAY_ROW = 41;

/** The campaign CSV: with the stray "$29.99", or fixed (29.99). */
function campaignCsv(stray: boolean): string {
  const r = rng(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const lines = [
    'customer_id,recency,history_segment,history,mens,womens,zip_code,newbie,channel,segment,visit,conversion,spend',
  ];
  const segments = ['1) $0 - $100', '2) $100 - $200', '3) $200 - $350', '4) $350 - $500'];
  for (let i = 0; i < ROWS; i++) {
    const recency = 1 + Math.floor(r() * 12);
    const history = Math.round(30 + r() * r() * 900 * 100) / 100;
    const channel = pick(['Phone', 'Web', 'Multichannel']);
    const segment = pick(['Mens E-Mail', 'Womens E-Mail', 'No E-Mail']);
    const mailed = segment !== 'No E-Mail';
    const pVisit = 0.08 + (mailed ? 0.08 : 0) + (channel === 'Web' ? 0.04 : 0) - recency * 0.004;
    let visit = r() < pVisit ? 1 : 0;
    let conversion = visit && r() < 0.12 + history / 9000 ? 1 : 0;
    let spend = conversion ? (Math.round((20 + r() * r() * 400) * 100) / 100).toFixed(2) : '0';
    if (i === STRAY_ROW) {
      visit = 1;
      conversion = 1;
      spend = stray ? '$29.99' : '29.99';
    }
    lines.push(
      [
        100000 + i,
        recency,
        pick(segments),
        history.toFixed(2),
        r() < 0.5 ? 1 : 0,
        r() < 0.5 ? 1 : 0,
        pick(['Urban', 'Suburban', 'Rural']),
        r() < 0.5 ? 1 : 0,
        channel,
        segment,
        visit,
        conversion,
        spend,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

async function trainOneEpoch(page: Page, label: string): Promise<RunSummary> {
  await byId(page, 'tab-train').click();
  const epochs = byId(page, 'setting-epochs');
  await epochs.fill('1');
  await epochs.press('Enter');
  await expect.poll(() => epochs.inputValue()).toBe('1');
  await byId(page, 'run-label').fill(label);
  const before = await invoke<RunSummary[]>(page, 'runs:list');
  await byId(page, 'train-start').click();
  await byId(page, 'train-outcome').waitFor({ timeout: LONG });
  const after = await invoke<RunSummary[]>(page, 'runs:list');
  const run = after.find((r) => !before.some((b) => b.id === r.id));
  expect(run, 'a new run').toBeDefined();
  return run!;
}

describeE2E('a second dataset, differently shaped, and accessibility (Chromium)', () => {
  let app: AppSession;
  let page: Page;
  let csv: string;
  const found: string[] = [];
  const runs: { htlnet?: RunSummary; mmoe?: RunSummary } = {};

  /** Audits the screen in both themes; violations are collected and asserted at the end. */
  async function audit(screen: string) {
    for (const theme of ['light', 'dark'] as const) {
      await page.evaluate((t) => {
        document.documentElement.dataset.theme = t;
      }, theme);
      // The theme applies at once (transitions are off in this session).
      await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
      const violations = await auditA11y(page);
      if (violations.length > 0) found.push(describeViolations(`${screen} (${theme})`, violations));
    }
    await page.evaluate(() => {
      document.documentElement.dataset.theme = 'light';
    });
  }

  beforeAll(async () => {
    app = await startApp({ viewport: { width: 1440, height: 960 }, bypassCSP: true });
    page = app.page;
    await byId(page, 'app').waitFor({ timeout: LONG });
    // No transitions or animations: colours are final when axe measures them.
    await page.addStyleTag({
      content:
        '*, *::before, *::after { transition: none !important; animation: none !important; }',
    });
    csv = path.join(app.workspace, 'campaign.csv');
    writeFileSync(csv, campaignCsv(true));
  }, LONG);

  afterAll(async () => {
    await app?.close();
  });

  it(
    'names the stray "$29.99" and its line, lets spend be a regression target, reads the fixed file',
    async () => {
      await audit('model, empty');
      await byId(page, 'tab-data').click();
      await byId(page, 'data-screen').waitFor();
      await audit('data, choose');
      const files = byId(page, 'import-picker-files');
      await files
        .locator('[data-testid="import-picker-files-use"][data-name="campaign.csv"]')
        .click();
      await page
        .locator('[data-testid="wizard-step-columns"][aria-current="step"]')
        .waitFor({ timeout: LONG });
      // spend holds text on one line: it stays a number column, the profile says which cell.
      const preview = await invoke<{ columns: { name: string; notNumbers?: unknown }[] }>(
        page,
        'data:preview',
        [csv],
      );
      expect(preview.columns.find((c) => c.name === 'spend')!.notNumbers).toEqual({
        count: 1,
        line: STRAY_ROW + 2,
        value: '$29.99',
        readAsMissing: true,
      });
      await byId(page, 'column-row-spend').locator('button').click();
      expect(await byId(page, 'profile-invalid').innerText()).toContain(
        `1 cell is not a number ("$29.99" on line ${STRAY_ROW + 2}); it is read as missing`,
      );
      await byId(page, 'exclude-customer_id').check();
      for (const t of ['visit', 'conversion', 'spend']) await byId(page, `target-${t}`).check();
      const chain = await page
        .locator('[data-testid^="chain-"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
      expect(chain).toEqual(['chain-visit', 'chain-conversion', 'chain-spend']);
      expect(await byId(page, 'task-type-spend').inputValue()).toBe('regression');
      await expect
        .poll(() => byId(page, 'draft-issues').innerText())
        .toContain(`"$29.99" on line ${STRAY_ROW + 2} is not a number`);
      expect(await byId(page, 'wizard-next').isDisabled()).toBe(true);
      await app.screenshot('campaign-01-stray-value');
      await audit('data, columns');

      // Fixed in the file; read again: the choices stay, Next opens.
      writeFileSync(csv, campaignCsv(false));
      await byId(page, 'wizard-reread').click();
      await expect
        .poll(() => byId(page, 'wizard-next').isDisabled(), { timeout: LONG })
        .toBe(false);
      expect(await byId(page, 'column-row-customer_id').getAttribute('data-role')).toBe('excluded');
      expect(await byId(page, 'task-type-spend').inputValue()).toBe('regression');
      await byId(page, 'wizard-next').click();
      await byId(page, 'review-step').waitFor();
      await audit('data, review');
      await byId(page, 'apply-with-template').click();
      await byId(page, 'binding-applied').waitFor({ timeout: LONG });
    },
    LONG,
  );

  it(
    'builds HTLNet for these targets: heads named after them, the data shown on the canvas',
    async () => {
      await byId(page, 'tab-model').click();
      await byId(page, 'node-head-visit').waitFor({ timeout: LONG });
      expect(await byId(page, 'node-head-visit').innerText()).toContain('Visit head');
      expect(await byId(page, 'node-head-spend').innerText()).toContain('Spend head');
      expect(await page.locator('[data-testid^="node-"]').allInnerTexts()).not.toContainEqual(
        expect.stringMatching(/Click head|Purchase head|Amount head/),
      );
      expect(await byId(page, 'canvas-data').getAttribute('data-source')).toBe(csv);
      expect(await byId(page, 'canvas-data').innerText()).toContain('visit → conversion → spend');
      await app.screenshot('campaign-02-model');
      await audit('model, HTLNet');
    },
    LONG,
  );

  it(
    'trains HTLNet, then MMoE from File > New on the same data (no second trip to Data)',
    async () => {
      runs.htlnet = await trainOneEpoch(page, 'HTLNet on the campaign');
      expect(runs.htlnet.dataPath).toBe(csv);
      expect(runs.htlnet.tasks.map((t) => `${t.name}:${t.type}`)).toEqual([
        'visit:binary',
        'conversion:binary',
        'spend:regression',
      ]);
      await app.screenshot('campaign-03-trained');
      await audit('train, after a run');

      await byId(page, 'tab-model').click();
      const dirty = (await page.title()).includes('•');
      await byId(page, 'toolbar-new').click();
      await byId(page, 'template-gallery').waitFor();
      expect(await byId(page, 'new-project-data-own').isChecked()).toBe(true);
      await audit('new project');
      await byId(page, 'template-mmoe').click();
      if (dirty) await byId(page, 'confirm-discard').click();
      await byId(page, 'node-head-conversion').waitFor({ timeout: LONG });
      expect(await byId(page, 'canvas-data').getAttribute('data-source')).toBe(csv);
      // No binding problems: the new model was built for the project's data.
      await byId(page, 'tab-train').click();
      expect(await byId(page, 'train-screen').innerText()).toContain('campaign.csv');
      expect(await byId(page, 'check-problem').count()).toBe(0);
      runs.mmoe = await trainOneEpoch(page, 'MMoE on the campaign');
      expect(runs.mmoe.dataPath).toBe(csv);
      const detail = await invoke<RunDetail>(page, 'runs:get', [runs.mmoe.id]);
      expect(detail.project.graph.blocks.some((b) => b.type === 'expert-group')).toBe(true);
    },
    LONG,
  );

  it(
    'compares the runs, exports ONNX and scores the training file with a warning',
    async () => {
      await byId(page, 'tab-results').click();
      await byId(page, 'results-screen').waitFor();
      await byId(page, `run-open-${runs.htlnet!.id}`).click();
      await page
        .locator(`[data-testid="run-detail"][data-run="${runs.htlnet!.id}"]`)
        .waitFor({ timeout: LONG });
      await byId(page, 'chart-calibration-visit').waitFor();
      // Calibration: ten quantile bins (a rare conversion is not one dot).
      const detail = await invoke<RunDetail>(page, 'runs:get', [runs.htlnet!.id]);
      expect(detail.curves.conversion.calibration!.count.length).toBeGreaterThan(2);
      expect(await byId(page, 'chart-calibration-visit-reading').innerText()).toContain('Good:');
      await app.screenshot('campaign-04-results');
      await audit('results, a run');

      await byId(page, `compare-${runs.htlnet!.id}`).check();
      await byId(page, `compare-${runs.mmoe!.id}`).check();
      await byId(page, 'compare-open').click();
      await byId(page, 'compare-view').waitFor({ timeout: LONG });
      const [a, b] = await Promise.all([
        invoke<RunDetail>(page, 'runs:get', [runs.htlnet!.id]),
        invoke<RunDetail>(page, 'runs:get', [runs.mmoe!.id]),
      ]);
      // The best is highlighted only where the shown values differ.
      for (const [task, metric, higher] of [
        ['visit', 'auc', true],
        ['spend', 'nrmse', false],
      ] as const) {
        const [va, vb] = [a.test![task][metric], b.test![task][metric]];
        const [sa, sb] = [formatMetric(metric, va), formatMetric(metric, vb)];
        const cellA = byId(page, `compare-metric-${task}-${metric}-${a.id}`);
        const cellB = byId(page, `compare-metric-${task}-${metric}-${b.id}`);
        expect(await cellA.innerText()).toBe(sa);
        const aWins = sa !== sb && (higher ? va > vb : va < vb);
        const bWins = sa !== sb && !aWins;
        expect(await cellA.getAttribute('data-best')).toBe(aWins ? 'true' : null);
        expect(await cellB.getAttribute('data-best')).toBe(bWins ? 'true' : null);
      }
      await app.screenshot('campaign-05-compare');
      await audit('results, compare');

      await byId(page, 'results-tab-runs').click();
      await byId(page, `run-open-${runs.htlnet!.id}`).click();
      await page.locator(`[data-testid="run-detail"][data-run="${runs.htlnet!.id}"]`).waitFor();
      await byId(page, 'export-name').fill('campaign-htlnet');
      await byId(page, 'export-onnx-button').click();
      await byId(page, 'export-path').waitFor({ timeout: LONG });
      const onnx = path.join(app.workspace, 'models', 'campaign-htlnet.onnx');
      expect(await byId(page, 'export-path').innerText()).toBe(onnx);
      expect(existsSync(onnx)).toBe(true);
      const spec = await byId(page, 'export-preprocessing').innerText();
      expect(readFileSync(spec, 'utf8')).toContain('history_segment');

      await byId(page, 'score-with-run').click();
      const files = byId(page, 'score-picker-files');
      await files
        .locator('[data-testid="score-picker-files-use"][data-name="campaign.csv"]')
        .click();
      await byId(page, 'score-out-name').fill('campaign-scored');
      // A file of the user's own under that name: the app asks before replacing it.
      const out = path.join(app.workspace, 'predictions', 'campaign-scored.csv');
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, 'my,own\n1,2\n');
      await byId(page, 'score-start').click();
      await byId(page, 'score-replace-dialog').waitFor({ timeout: LONG });
      // That refusal (400, code output-exists) is expected: it is what made the app ask.
      await expect.poll(() => app.errors.filter((e) => e.includes('score:start')).length).toBe(1);
      const expected = (e: string) =>
        e.includes('/api/invoke/score:start') || e.includes('status of 400 (Bad Request)');
      app.errors.splice(0, app.errors.length, ...app.errors.filter((e) => !expected(e)));
      await audit('results, replace the file?');
      expect(readFileSync(out, 'utf8')).toBe('my,own\n1,2\n');
      await byId(page, 'score-replace-confirm').click();
      await byId(page, 'score-result').waitFor({ timeout: LONG });
      // The input columns are kept before the predictions (the default).
      expect(await byId(page, 'score-kept').innerText()).toContain('history_segment');
      const note = await byId(page, 'score-trained-on').innerText();
      expect(note).toContain('HTLNet on the campaign');
      expect(note).toMatch(/\d+% of its rows/);
      expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(ROWS + 1);
      await app.screenshot('campaign-06-score');
      await audit('results, score');

      // A new empty canvas keeps the data and starts at full size (not a template's zoom).
      await byId(page, 'tab-model').click();
      const dirty = (await page.title()).includes('•');
      await byId(page, 'toolbar-new').click();
      await byId(page, 'template-empty').click();
      if (dirty) await byId(page, 'confirm-discard').click();
      await byId(page, 'empty-state').waitFor({ timeout: LONG });
      expect(await byId(page, 'project-data').getAttribute('data-source')).toBe(csv);
      await expect
        .poll(() =>
          page.evaluate(() => {
            const viewport = document.querySelector<HTMLElement>('.react-flow__viewport');
            return new DOMMatrixReadOnly(getComputedStyle(viewport!).transform).a;
          }),
        )
        .toBe(1);

      // Building help: a tower alone needs an input; what fits is offered, added and connected.
      await byId(page, 'palette-item-tower').click();
      await byId(page, 'problem-fixes').first().waitFor({ timeout: LONG });
      await audit('model, building help');
      await byId(page, 'fix-add-shared-embedding').first().click();
      await page.locator('.react-flow__edge').first().waitFor({ timeout: LONG });
      // One node added (the node's own problem badge, node-problem-…, is not a node).
      await expect
        .poll(() =>
          page.locator('.block-node[data-testid^="node-"][data-testid*="embedding"]').count(),
        )
        .toBe(1);
      // Next: the embedding's own input, with feature inputs offered.
      await byId(page, 'fix-add-feature-input').first().waitFor({ timeout: LONG });
      await app.screenshot('campaign-07-building-help');

      expect(found, found.join('\n\n')).toEqual([]);
      expect(app.errors, app.errors.join('\n')).toEqual([]);
    },
    LONG,
  );
});
