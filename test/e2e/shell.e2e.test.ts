// The browser-mode shell in Chromium: the page loads under the app's CSP without errors, the
// token leaves the address bar but survives a reload, and another site cannot use the API.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, type AppSession, describeE2E } from './harness';

describeE2E('browser-mode shell (Chromium)', () => {
  let app: AppSession;

  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('loads the app under the CSP, with the token moved out of the address bar', async () => {
    const { page } = app;
    await page.waitForFunction(() => document.body.innerText.length > 0);
    expect(new URL(page.url()).searchParams.get('token')).toBeNull();
    const csp = await page.evaluate(async () => {
      const r = await fetch('/');
      return r.headers.get('content-security-policy');
    });
    expect(csp).toContain("script-src 'self'");
    const info = await page.evaluate(async () => {
      const token = sessionStorage.getItem('htlnet-studio-token') ?? '';
      const r = await fetch('/api/invoke/app:info', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-HTLNet-Token': token },
        body: '[]',
      });
      return (await r.json()) as { result: { mode: string; backend: string | null } };
    });
    expect(info.result.mode).toBe('browser');
    expect(info.result.backend).toBe('wasm');
  });

  it('keeps working after a reload', async () => {
    const missing: string[] = [];
    app.page.on('response', (r) => {
      if (r.status() >= 400) missing.push(`${r.status()} ${r.url()}`);
    });
    await app.page.reload();
    const status = await app.page.evaluate(async () => {
      const token = sessionStorage.getItem('htlnet-studio-token') ?? '';
      const r = await fetch('/api/invoke/templates:list', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-HTLNet-Token': token },
        body: '[]',
      });
      return r.status;
    });
    expect(status).toBe(200);
    expect(missing).toEqual([]);
    expect(app.errors, app.errors.join('\n')).toEqual([]);
  });

  it('refuses the API to a page without the token and to another origin', async () => {
    const other = await app.context.newPage();
    await other.goto(app.origin + '/');
    const noToken = await other.evaluate(async () => {
      sessionStorage.clear();
      const r = await fetch('/api/invoke/app:info', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '[]',
      });
      return r.status;
    });
    expect(noToken).toBe(401);
    // A page of another origin posting, even with a stolen token: the browser's preflight is
    // refused, so the call never happens.
    const token = await app.page.evaluate(() => sessionStorage.getItem('htlnet-studio-token'));
    await other.goto('about:blank');
    const outcome = await other.evaluate(
      async ({ origin, token }) => {
        try {
          const r = await fetch(`${origin}/api/invoke/app:info`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'X-HTLNet-Token': token },
            body: '[]',
          });
          return `status ${r.status}`;
        } catch {
          return 'refused';
        }
      },
      { origin: app.origin, token: token ?? '' },
    );
    expect(outcome).toBe('refused');
    await other.close();
  });
});
