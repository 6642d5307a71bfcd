// End-to-end harness: the app in browser mode exactly as `npm run web` runs it (the built
// out/cli/web.cjs serving out/renderer, the real engine behind the same handlers as Electron,
// training in its worker thread), driven in Debian's Chromium by playwright-core. Each app gets
// a fresh workspace and data folder; screenshots are kept under test-results/screenshots/.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';
import { describe } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const RENDERER_DIR = path.join(ROOT, 'out', 'renderer');
const WEB_SERVER = path.join(ROOT, 'out', 'cli', 'web.cjs');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');

/** Why the end-to-end tests cannot run here, or null when they can. */
function e2eUnavailable(): string | null {
  if (!existsSync(CHROMIUM))
    return `Chromium is not installed at ${CHROMIUM} (apt-get install chromium).`;
  if (!existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    return 'The renderer is not built (out/renderer): run `npm run build` first.';
  }
  if (!existsSync(WEB_SERVER)) return 'The browser-mode server is not built: run `npm run build`.';
  return null;
}

/**
 * Where these tests run: Chromium and a build are here, or they are required (CI installs
 * Chromium and builds first, and HTLNET_E2E=1 asks for them), so a missing piece is a failure
 * (startApp throws the reason), not a skip.
 */
export const describeE2E = describe.skipIf(
  e2eUnavailable() !== null && process.env.CI === undefined && process.env.HTLNET_E2E !== '1',
);

/** Waits for the engine: generous, since the machine may be busy; nothing asserts speed. */
export const LONG = 600_000;

export const byId = (page: Page | Locator, id: string) => page.locator(`[data-testid="${id}"]`);

/** Calls the host's API from the page, as the app does (token from the session). */
export async function invoke<T>(page: Page, channel: string, args: unknown[] = []): Promise<T> {
  return page.evaluate(
    async ({ channel, args }) => {
      const token = sessionStorage.getItem('htlnet-studio-token') ?? '';
      const r = await fetch(`/api/invoke/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-HTLNet-Token': token },
        body: JSON.stringify(args),
      });
      const body = (await r.json()) as { result?: unknown; error?: string };
      if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
      return body.result;
    },
    { channel, args },
  ) as Promise<T>;
}

/** A small seeded generator (mulberry32): the same data every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface AppSession {
  page: Page;
  context: BrowserContext;
  browser: Browser;
  /** The address with the token, as `npm run web` prints it. */
  url: string;
  origin: string;
  workspace: string;
  dataDir: string;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  /** What the server printed (stdout and stderr). */
  serverOutput(): string;
  screenshot(name: string): Promise<string>;
  /** Closes the browser and the server; removes the scratch folders it made. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Reuse a workspace (e.g. to reopen what an earlier session saved). */
  workspace?: string;
  dataDir?: string;
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  /**
   * Lets auditA11y inject axe-core's script (the app's Content-Security-Policy refuses inline
   * scripts, rightly). Only for sessions that audit; the others keep the policy enforced.
   */
  bypassCSP?: boolean;
}

/** Starts `node out/cli/web.cjs` and waits for the address it prints. */
async function startServer(
  workspace: string,
  dataDir: string,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(
    process.execPath,
    [WEB_SERVER, '--port', '0', '--workspace', workspace, '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`The server did not start:\n${output}`)),
      60_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /Open: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The server exited (${code}):\n${output}`));
    });
  });
  return { child, url, output: () => output };
}

export async function startApp(options: StartOptions = {}): Promise<AppSession> {
  const unavailable = e2eUnavailable();
  if (unavailable) throw new Error(unavailable);
  const scratch = mkdtempSync(path.join(tmpdir(), 'htlnet-e2e-'));
  const workspace = options.workspace ?? path.join(scratch, 'workspace');
  const dataDir = options.dataDir ?? path.join(scratch, 'data');
  const server = await startServer(workspace, dataDir);
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
    bypassCSP: options.bypassCSP ?? false,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()} ${response.url()}`);
  });
  await page.goto(server.url);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    page,
    context,
    browser,
    url: server.url,
    origin: new URL(server.url).origin,
    workspace,
    dataDir,
    errors,
    serverOutput: server.output,
    async screenshot(name: string) {
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async close() {
      await browser.close().catch(() => undefined);
      server.child.kill('SIGTERM');
      await new Promise((resolve) => {
        if (server.child.exitCode !== null) resolve(null);
        else server.child.once('exit', resolve);
      });
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

// ---- accessibility ----------------------------------------------------------------------------

const AXE_SOURCE = readFileSync(
  path.join(path.dirname(createRequire(import.meta.url).resolve('axe-core')), 'axe.min.js'),
  'utf8',
);

export interface A11yViolation {
  id: string;
  impact: string | null;
  help: string;
  /** "selector: why" for each element concerned. */
  nodes: string[];
}

/**
 * Runs an axe-core audit (WCAG 2 A and AA rules) of what the page shows now; returns the
 * violations (empty when there are none). axe.min.js is injected with addScriptTag once per page
 * (the session must be started with bypassCSP).
 */
export async function auditA11y(page: Page): Promise<A11yViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (...a: unknown[]) => Promise<AxeResults> } })
      .axe;
    interface AxeResults {
      violations: {
        id: string;
        impact: string | null;
        help: string;
        nodes: { target: unknown[]; failureSummary?: string }[];
      }[];
    }
    const results = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map(
        (n) => `${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`,
      ),
    }));
  });
}

/** A readable list of violations for an assertion message. */
export function describeViolations(screen: string, violations: A11yViolation[]): string {
  return violations
    .map((v) => `${screen}: ${v.id} (${v.impact}) ${v.help}\n  ${v.nodes.slice(0, 6).join('\n  ')}`)
    .join('\n');
}
