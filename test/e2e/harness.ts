// End-to-end harness: the app in browser mode (the real engine behind the same handlers as
// Electron) served from the built renderer in out/renderer, driven in Debian's Chromium by
// playwright-core. Each app gets a fresh workspace and data folder; screenshots are kept under
// test-results/screenshots/ as test artefacts.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startBrowserHost } from '../../src-main/web/host';
import type { WebServer } from '../../src-main/web/server';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const RENDERER_DIR = path.join(ROOT, 'out', 'renderer');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');

/** Why the end-to-end tests cannot run here, or null when they can. */
export function e2eUnavailable(): string | null {
  if (!existsSync(CHROMIUM))
    return `Chromium is not installed at ${CHROMIUM} (apt-get install chromium).`;
  if (!existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    return 'The renderer is not built (out/renderer): run `npx electron-vite build` first.';
  }
  return null;
}

export interface AppSession {
  page: Page;
  context: BrowserContext;
  browser: Browser;
  server: WebServer;
  /** The address with the token, as `npm run web` prints it. */
  url: string;
  workspace: string;
  dataDir: string;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  screenshot(name: string): Promise<string>;
  /** Closes the browser and the server; removes the scratch folders. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Reuse a workspace (e.g. to reopen what an earlier session saved). */
  workspace?: string;
  dataDir?: string;
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
}

export async function startApp(options: StartOptions = {}): Promise<AppSession> {
  const unavailable = e2eUnavailable();
  if (unavailable) throw new Error(unavailable);
  const scratch = mkdtempSync(path.join(tmpdir(), 'htlnet-e2e-'));
  const workspace = options.workspace ?? path.join(scratch, 'workspace');
  const dataDir = options.dataDir ?? path.join(scratch, 'data');
  const { server } = await startBrowserHost({ workspace, dataDir, staticDir: RENDERER_DIR });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1440, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(server.url);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    page,
    context,
    browser,
    server,
    url: server.url,
    workspace,
    dataDir,
    errors,
    async screenshot(name: string) {
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async close() {
      await browser.close().catch(() => undefined);
      await server.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
