// The model editor end to end, in Chromium against the real engine (browser mode): from an
// empty canvas, build HTLNet for the sample's three tasks by dragging blocks out of the palette
// and connecting ports with the mouse; see a refused connection and its reason; edit a
// parameter (an out-of-range value is refused in the inspector); tidy the layout; save; reload
// the page and reopen the project; undo. Screenshots: test-results/screenshots/editor-*.png.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, type AppSession, LONG, byId, describeE2E } from './harness';

async function centre(locator: Locator): Promise<{ x: number; y: number }> {
  await locator.waitFor({ state: 'visible' });
  const box = await locator.boundingBox();
  if (!box) throw new Error('The element has no box (not on screen).');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** A real mouse drag with intermediate moves (as a hand makes). */
async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 8, from.y + 4, { steps: 2 });
  await page.mouse.move(to.x, to.y, { steps: 12 });
  await page.mouse.up();
}

/** Closes the toasts (they would cover the canvas in screenshots). */
async function dismissToasts(page: Page) {
  for (const close of await page.locator('[data-testid="toast"] button').all()) {
    await close.click().catch(() => undefined);
  }
}

/** "13 blocks · 17 connections" from the status bar. */
async function counts(page: Page): Promise<{ blocks: number; edges: number }> {
  const text = (await byId(page, 'status-bar').innerText()).replace(/\s+/g, ' ');
  const found = /(\d+) blocks · (\d+) connections/.exec(text);
  if (!found) throw new Error(`No counts in the status bar: ${text}`);
  return { blocks: Number(found[1]), edges: Number(found[2]) };
}

async function expectCounts(page: Page, blocks: number, edges: number) {
  await expect.poll(() => counts(page), { timeout: 20_000 }).toEqual({ blocks, edges });
}

const port = (page: Page, block: string, dir: 'in' | 'out', name: string) =>
  byId(page, `port-${block}-${dir}-${name}`);

/** Waits until the engine has checked the latest edit (shapes and problems are in place). */
async function settled(page: Page) {
  await expect
    .poll(() => page.locator('.problems-header').innerText(), { timeout: 30_000 })
    .not.toContain('Checking');
}

/** Connects an output port to an input port by dragging between them. */
async function connect(page: Page, from: [string, string], to: [string, string]) {
  await settled(page);
  const before = await counts(page);
  await drag(
    page,
    await centre(port(page, from[0], 'out', from[1])),
    await centre(port(page, to[0], 'in', to[1])),
  );
  await expectCounts(page, before.blocks, before.edges + 1);
}

/**
 * HTLNet for click → purchase → amount, dropped on a 5 × 4 grid of the zoomed-out canvas.
 * Block ids follow the drop order (tower, tower-2, ...); task heads take the tasks in order.
 */
const LAYOUT: [type: string, column: number, row: number][] = [
  ['feature-input', 0, 1],
  ['shared-embedding', 1, 1],
  ['tower', 2, 0],
  ['task-head', 3, 0],
  ['label-embedding', 4, 0],
  ['fusion', 2, 1],
  ['tower', 3, 1],
  ['task-head', 4, 1],
  ['label-embedding', 4, 2],
  ['fusion', 2, 2],
  ['tower', 3, 2],
  ['task-head', 3, 3],
  ['optimizer', 0, 3],
];

const CONNECTIONS: [[string, string], [string, string]][] = [
  [
    ['feature-input', 'features'],
    ['shared-embedding', 'features'],
  ],
  [
    ['shared-embedding', 'embedding'],
    ['tower', 'in'],
  ],
  [
    ['tower', 'out'],
    ['task-head', 'in'],
  ],
  [
    ['task-head', 'prediction'],
    ['label-embedding', 'prediction'],
  ],
  [
    ['tower', 'out'],
    ['fusion', 'reps'],
  ],
  [
    ['label-embedding', 'label'],
    ['fusion', 'labels'],
  ],
  [
    ['fusion', 'out'],
    ['tower-2', 'in'],
  ],
  [
    ['shared-embedding', 'embedding'],
    ['tower-2', 'in'],
  ],
  [
    ['tower-2', 'out'],
    ['task-head-2', 'in'],
  ],
  [
    ['task-head-2', 'prediction'],
    ['label-embedding-2', 'prediction'],
  ],
  [
    ['tower', 'out'],
    ['fusion-2', 'reps'],
  ],
  [
    ['tower-2', 'out'],
    ['fusion-2', 'reps'],
  ],
  [
    ['label-embedding', 'label'],
    ['fusion-2', 'labels'],
  ],
  [
    ['label-embedding-2', 'label'],
    ['fusion-2', 'labels'],
  ],
  [
    ['fusion-2', 'out'],
    ['tower-3', 'in'],
  ],
  [
    ['shared-embedding', 'embedding'],
    ['tower-3', 'in'],
  ],
  [
    ['tower-3', 'out'],
    ['task-head-3', 'in'],
  ],
];

describeE2E('model editor (Chromium)', () => {
  let app: AppSession;
  let page: Page;

  beforeAll(async () => {
    app = await startApp();
    page = app.page;
    page.on('dialog', (dialog) => void dialog.accept());
    await byId(page, 'app').waitFor({ timeout: 60_000 });
  }, LONG);

  afterAll(async () => {
    await app?.close();
  });

  it('starts empty and offers the templates', async () => {
    await byId(page, 'empty-state').waitFor();
    expect(await byId(page, 'empty-state').innerText()).toContain(
      'Start from a template or drag a block here',
    );
    expect(await page.title()).toBe('Untitled — HTLNet Studio');
    await app.screenshot('editor-empty-state');

    await byId(page, 'empty-templates').click();
    await byId(page, 'template-gallery').waitFor();
    for (const kind of ['htlnet', 'dnn', 'shared-bottom', 'mmoe', 'ple', 'esmm', 'aitm']) {
      await byId(page, `template-${kind}`).waitFor();
    }
    // Wait for the previews (each is a template the engine built).
    await expect
      .poll(() => page.locator('[data-testid="template-gallery"] svg.template-preview').count())
      .toBe(7);
    await app.screenshot('editor-template-gallery');
    await page.keyboard.press('Escape');
    await byId(page, 'template-gallery').waitFor({ state: 'detached' });
  });

  it(
    'builds HTLNet from the palette with the mouse, refusing a wrong connection with its reason',
    async () => {
      // Zoom out so the whole model fits while it is built.
      for (let i = 0; i < 3; i++) await page.locator('.react-flow__controls-zoomout').click();
      const canvas = (await byId(page, 'canvas').boundingBox())!;
      const zoom = await page.evaluate(() => {
        const viewport = document.querySelector<HTMLElement>('.react-flow__viewport');
        return new DOMMatrixReadOnly(getComputedStyle(viewport!).transform).a;
      });
      // A drop puts the block's top-left corner 90 × 20 (graph units) up-left of the pointer.
      const at = (column: number, row: number) => ({
        x: canvas.x + 40 + column * 150 + 90 * zoom,
        y: canvas.y + 40 + row * 125 + 20 * zoom,
      });
      for (const [type, column, row] of LAYOUT) {
        const before = await counts(page);
        await drag(page, await centre(byId(page, `palette-item-${type}`)), at(column, row));
        await expectCounts(page, before.blocks + 1, 0);
      }
      await byId(page, 'node-task-head-3').waitFor();
      expect(await byId(page, 'node-task-head-3').innerText()).toContain('Amount head');

      // With nothing connected, the problems are pinned to the blocks and listed.
      await expect.poll(() => byId(page, 'problem-item').count()).toBeGreaterThan(10);
      expect(await byId(page, 'node-problem-tower').innerText()).toContain('needs a connection');
      await app.screenshot('editor-problems-panel');

      // A wrong connection: features are not a vector. The reason shows while dragging.
      const from = await centre(port(page, 'feature-input', 'out', 'features'));
      const to = await centre(port(page, 'tower', 'in', 'in'));
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(from.x + 10, from.y + 5, { steps: 2 });
      await page.mouse.move(to.x, to.y, { steps: 12 });
      await byId(page, 'connection-hint').waitFor();
      const reason = 'Wrong type: a feature set cannot connect to a vector input.';
      expect(await byId(page, 'connection-hint').innerText()).toContain(reason);
      expect(await byId(page, 'status-hint').innerText()).toContain(reason);
      await app.screenshot('editor-refused-connection');
      await page.mouse.up();
      await expect
        .poll(() => byId(page, 'toast').allInnerTexts())
        .toContainEqual(expect.stringContaining(`Not connected. ${reason}`));
      expect((await counts(page)).edges).toBe(0);

      for (const [a, b] of CONNECTIONS) await connect(page, a, b);
      await expectCounts(page, 13, 17);

      // A port that takes one connection refuses a second one.
      await drag(
        page,
        await centre(port(page, 'task-head-2', 'out', 'prediction')),
        await centre(port(page, 'label-embedding', 'in', 'prediction')),
      );
      await expect
        .poll(() => byId(page, 'toast').allInnerTexts())
        .toContainEqual(expect.stringContaining('Port already connected'));
      await expectCounts(page, 13, 17);

      // The engine finds nothing wrong with the model.
      await expect
        .poll(
          () =>
            byId(page, 'problems-empty')
              .innerText()
              .catch(() => ''),
          { timeout: 30_000 },
        )
        .toContain('No problems');
      // Shapes on the ports: the embedding of the sample's 20 fields × 16.
      expect(await byId(page, 'shape-shared-embedding-embedding').innerText()).toBe('[batch, 320]');
      expect(await byId(page, 'shape-tower-3-out').innerText()).toBe('[batch, 32]');
      expect(await page.locator('.react-flow__edge').count()).toBe(17);
    },
    LONG,
  );

  it('edits a parameter in the inspector', async () => {
    await byId(page, 'node-tower-3').locator('.block-header').click();
    await byId(page, 'inspector-block').waitFor();
    const dropout = byId(page, 'param-dropout');
    await dropout.fill('2');
    expect(await byId(page, 'param-dropout-message').innerText()).toBe(
      'Must be between 0 and 0.9.',
    );
    await dismissToasts(page);
    await app.screenshot('editor-inspector');
    await dropout.fill('0.1');
    await byId(page, 'param-dropout-message').waitFor({ state: 'detached' });
    await byId(page, 'param-units').fill('256,128,64');
    await expect
      .poll(() => byId(page, 'shape-tower-3-out').innerText(), { timeout: 20_000 })
      .toBe('[batch, 64]');
    await byId(page, 'inspector-label').fill('Amount tower');
    expect(await byId(page, 'node-tower-3').innerText()).toContain('Amount tower');
  });

  it(
    'tidies the layout, saves, reopens after a reload, and undoes',
    async () => {
      await byId(page, 'toolbar-layout').click();
      await page.waitForTimeout(600); // the view's fit animation
      const canvas = (await byId(page, 'canvas').boundingBox())!;
      await page.mouse.click(canvas.x + 20, canvas.y + 20); // nothing selected
      await dismissToasts(page);
      await app.screenshot('editor-built-graph');
      // Closer: the first task's chain.
      await byId(page, 'node-tower').locator('.block-header').click();
      for (let i = 0; i < 3; i++) await page.locator('.react-flow__controls-zoomin').click();
      await page.mouse.click(canvas.x + 20, canvas.y + 20);
      await app.screenshot('editor-built-graph-detail');
      await byId(page, 'toolbar-fit').click();

      expect(await page.title()).toBe('• Untitled — HTLNet Studio');
      await page.keyboard.press('Control+s');
      await byId(page, 'file-dialog').waitFor();
      await byId(page, 'file-name').fill('funnel');
      await byId(page, 'file-dialog-confirm').click();
      await expect.poll(() => page.title()).toBe('funnel — HTLNet Studio');
      const file = path.join(app.workspace, 'funnel.htlnet.json');
      expect(existsSync(file)).toBe(true);
      const saved = JSON.parse(readFileSync(file, 'utf8')) as {
        version: number;
        graph: { blocks: { id: string; label?: string; params: Record<string, unknown> }[] };
      };
      expect(saved.version).toBe(2);
      expect(saved.graph.blocks.find((b) => b.id === 'tower-3')).toMatchObject({
        label: 'Amount tower',
        params: { units: '256,128,64', dropout: 0.1 },
      });

      await page.reload();
      await byId(page, 'app').waitFor();
      await byId(page, 'empty-state').waitFor();
      expect(await page.title()).toBe('Untitled — HTLNet Studio');

      await byId(page, 'menu-file').click();
      await byId(page, 'menu-item-file.open').click();
      await byId(page, 'file-entry-funnel.htlnet.json').click();
      await byId(page, 'file-dialog-confirm').click();
      await expectCounts(page, 13, 17);
      expect(await page.title()).toBe('funnel — HTLNet Studio');
      expect(await byId(page, 'node-tower-3').innerText()).toContain('Amount tower');

      // Delete a block, then undo: back to the saved project.
      await byId(page, 'node-fusion-2').locator('.block-header').click();
      await page.keyboard.press('Delete');
      await expectCounts(page, 12, 12);
      expect(await page.title()).toBe('• funnel — HTLNet Studio');
      await page.keyboard.press('Control+z');
      await expectCounts(page, 13, 17);
      expect(await page.title()).toBe('funnel — HTLNet Studio');
      await page.keyboard.press('Control+y');
      await expectCounts(page, 12, 12);
      await byId(page, 'toolbar-undo').click();
      await expectCounts(page, 13, 17);
    },
    LONG,
  );

  it('has a dark theme', async () => {
    await byId(page, 'toolbar-theme').click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await byId(page, 'problem-item').count(); // (none: the model is complete)
    // Centre a block from the problems-free model and look closer.
    await byId(page, 'node-tower-2').locator('.block-header').click();
    for (let i = 0; i < 3; i++) await page.locator('.react-flow__controls-zoomin').click();
    await dismissToasts(page);
    await app.screenshot('editor-dark-theme');
    expect(app.errors).toEqual([]);
  });
});
