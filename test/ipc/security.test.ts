import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  DEV_CONTENT_SECURITY_POLICY,
  META_CONTENT_SECURITY_POLICY,
  APP_INDEX_URL,
  appFileFor,
  contentTypeOf,
  isAppContent,
  isAppPage,
  type AppLocation,
} from '../../src-main/ipc/security';

const packaged: AppLocation = { kind: 'app' };
const dev: AppLocation = { kind: 'dev', url: 'http://localhost:5173/' };

describe('app page (IPC sender check, navigation)', () => {
  it("accepts the app's own index.html on app://htlnet, with a hash or query", () => {
    expect(APP_INDEX_URL).toBe('app://htlnet/index.html');
    expect(isAppPage(APP_INDEX_URL, packaged)).toBe(true);
    expect(isAppPage('app://htlnet/', packaged)).toBe(true);
    expect(isAppPage(`${APP_INDEX_URL}#/project`, packaged)).toBe(true);
    expect(isAppPage(`${APP_INDEX_URL}?x=1`, packaged)).toBe(true);
  });

  it('refuses other pages, hosts, schemes and nothing', () => {
    expect(isAppPage('app://htlnet/other.html', packaged)).toBe(false);
    expect(isAppPage('app://evil/index.html', packaged)).toBe(false);
    expect(isAppPage('app://user:pw@htlnet/index.html', packaged)).toBe(false);
    expect(
      isAppPage('file:///opt/HTLNet%20Studio/resources/app.asar/out/renderer/index.html', packaged),
    ).toBe(false);
    expect(isAppPage('https://htlnet/index.html', packaged)).toBe(false);
    expect(isAppPage('http://localhost:5173/', packaged)).toBe(false);
    expect(isAppPage(undefined, packaged)).toBe(false);
    expect(isAppPage(null, packaged)).toBe(false);
    expect(isAppPage('', packaged)).toBe(false);
    expect(isAppPage('not a url', packaged)).toBe(false);
  });

  it('in development, accepts the dev server origin only', () => {
    expect(isAppPage('http://localhost:5173/', dev)).toBe(true);
    expect(isAppPage('http://localhost:5173/index.html#x', dev)).toBe(true);
    expect(isAppPage('http://localhost:5174/', dev)).toBe(false);
    expect(isAppPage('http://127.0.0.1:5173/', dev)).toBe(false);
    expect(isAppPage('https://localhost:5173/', dev)).toBe(false);
    expect(isAppPage(APP_INDEX_URL, dev)).toBe(false);
  });
});

describe('app content (where the CSP header goes) and the files app:// serves', () => {
  it('covers the app origin only', () => {
    expect(isAppContent('app://htlnet/assets/index-x.js', packaged)).toBe(true);
    expect(isAppContent(APP_INDEX_URL, packaged)).toBe(true);
    expect(isAppContent('app://other/assets/index-x.js', packaged)).toBe(false);
    expect(isAppContent('file:///opt/x/out/renderer/index.html', packaged)).toBe(false);
    expect(isAppContent('https://example.com/', packaged)).toBe(false);
    expect(isAppContent('http://localhost:5173/src/main.tsx', dev)).toBe(true);
  });

  it('maps app:// paths into the renderer folder and nowhere else', () => {
    const root = '/opt/HTLNet Studio/resources/app.asar/out/renderer';
    expect(appFileFor('app://htlnet/', root, path.posix.join)).toBe(`${root}/index.html`);
    expect(appFileFor('app://htlnet/assets/a%20b.js?v=1#x', root, path.posix.join)).toBe(
      `${root}/assets/a b.js`,
    );
    // The URL parser resolves literal dot segments first: they stay inside the root.
    expect(appFileFor('app://htlnet/../main/main.js', root, path.posix.join)).toBe(
      `${root}/main/main.js`,
    );
    expect(
      appFileFor('app://htlnet/assets/%2e%2e/%2e%2e/main/main.js', root, path.posix.join),
    ).toBe(`${root}/main/main.js`);
    for (const bad of [
      'app://htlnet/assets/..%2f..%2fmain.js',
      'app://htlnet/a%00.js',
      'app://htlnet/a%5c..%5cmain.js',
      'app://htlnet/%E0%A4%A',
      'app://other/index.html',
      'file:///etc/passwd',
    ]) {
      expect(appFileFor(bad, root, path.posix.join), bad).toBeNull();
    }
  });

  it('names content types, nosniff-safe', () => {
    expect(contentTypeOf('/x/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('/x/a.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('/x/a.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeOf('/x/a.bin')).toBe('application/octet-stream');
  });
});

describe('Content-Security-Policy', () => {
  it('is the strict policy, and index.html carries the same in its <meta>', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    const html = readFileSync(new URL('../../src-renderer/index.html', import.meta.url), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html);
    // The header carries frame-ancestors, which only works as a header; the <meta> the rest.
    expect(meta?.[1]).toBe(META_CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toBe(`${META_CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`);
  });

  it('is relaxed in development only for inline scripts and WebSockets', () => {
    expect(DEV_CONTENT_SECURITY_POLICY).toContain("script-src 'self' 'unsafe-inline';");
    expect(DEV_CONTENT_SECURITY_POLICY).toContain("connect-src 'self' ws: wss:;");
    expect(DEV_CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
  });
});
