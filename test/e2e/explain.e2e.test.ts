// Explaining a run end to end, in Chromium against the real engine (browser mode): a run trained
// through the API, then in Results the Explain panel computes in the host's worker thread with
// progress, and shows importance, a row's waterfall, partial dependence and the funnel; the
// explanation is kept with the run. Screenshot: test-results/screenshots/explain-*.png.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Explanation } from '../../src-main/shared/explain';
import type { JobStarted, RunSummary, TrainStarted } from '../../src-main/ipc/api';
import type { ProjectFile } from '../../src-main/shared/project';
import { startApp, type AppSession, LONG, byId, describeE2E, invoke } from './harness';

/** Waits until `check` holds (set-up code runs outside a test, where expect.poll cannot). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + LONG;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describeE2E('explaining a run (Chromium)', () => {
  let app: AppSession;
  let page: Page;
  let runId: string;

  beforeAll(async () => {
    app = await startApp({ viewport: { width: 1440, height: 1400 } });
    page = app.page;
    await byId(page, 'app').waitFor({ timeout: LONG });
    const sample = await invoke<string>(page, 'data:sample', [5000]);
    const imported = await invoke<JobStarted>(page, 'data:import', [sample]);
    if (!imported.jobId) throw new Error('data:import started no job');
    await until(
      async () => (await invoke<unknown>(page, 'data:preview', [sample])) !== null,
      'the import',
    );
    const project = await invoke<ProjectFile>(page, 'templates:create', ['htlnet']);
    const optimizer = project.graph.blocks.find((b) => b.type === 'optimizer')!;
    optimizer.params = { ...optimizer.params, epochs: 2, batchSize: 256 };
    const started = await invoke<TrainStarted>(page, 'train:start', [
      { project, dataPath: sample, label: 'to explain' },
    ]);
    runId = started.runId;
    await until(
      async () =>
        (await invoke<RunSummary[]>(page, 'runs:list')).find((r) => r.id === runId)?.status ===
        'completed',
      'the training run',
    );
  }, LONG);

  afterAll(async () => {
    await app?.close();
  });

  it(
    'computes and shows the explanation, and keeps it with the run',
    async () => {
      await byId(page, 'tab-results').click();
      await byId(page, `run-open-${runId}`).click();
      await byId(page, 'explain-start').click();
      await byId(page, 'explain-importance').waitFor({ timeout: LONG });
      const bars = page.locator('[data-testid="explain-importance"] [data-series="importance"]');
      expect(Number(await bars.getAttribute('data-points'))).toBe(12);
      await byId(page, 'explain-waterfall').waitFor();
      await byId(page, 'explain-pdp').waitFor();
      await byId(page, 'explain-funnel').waitFor();
      await byId(page, 'explain-panel').scrollIntoViewIfNeeded();
      await app.screenshot('explain-01-panel');
      const kept = await invoke<Explanation | null>(page, 'explain:get', [runId]);
      expect(kept?.data.subset).toBe('test');
      expect(kept?.importance?.tasks.map((t) => t.task)).toEqual(['click', 'purchase', 'amount']);
      expect(kept?.rows).toHaveLength(1);
      expect(app.errors).toEqual([]);
    },
    LONG,
  );
});
