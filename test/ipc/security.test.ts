import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  DEV_CONTENT_SECURITY_POLICY,
  META_CONTENT_SECURITY_POLICY,
  isAppContent,
  isAppPage,
  type AppLocation,
} from '../../src-main/ipc/security';

const packaged: AppLocation = {
  kind: 'file',
  indexUrl: 'file:///opt/HTLNet%20Studio/resources/app.asar/out/renderer/index.html',
};
const dev: AppLocation = { kind: 'dev', url: 'http://localhost:5173/' };

describe('app page (IPC sender check, navigation)', () => {
  it("accepts the app's own index.html, with a hash or query", () => {
    expect(isAppPage(packaged.indexUrl, packaged)).toBe(true);
    expect(isAppPage(`${packaged.indexUrl}#/project`, packaged)).toBe(true);
    expect(isAppPage(`${packaged.indexUrl}?x=1`, packaged)).toBe(true);
  });

  it('refuses other files, other schemes and nothing', () => {
    expect(isAppPage('file:///tmp/evil.html', packaged)).toBe(false);
    expect(
      isAppPage('file:///opt/HTLNet%20Studio/resources/app.asar/out/renderer/other.html', packaged),
    ).toBe(false);
    expect(
      isAppPage(
        'file:///opt/HTLNet%20Studio/resources/app.asar/out/renderer/../../x/index.html',
        packaged,
      ),
    ).toBe(false);
    expect(isAppPage('https://example.com/index.html', packaged)).toBe(false);
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
    expect(isAppPage(packaged.indexUrl, dev)).toBe(false);
  });
});

describe('app content (where the CSP header goes)', () => {
  it("covers the renderer's directory only", () => {
    const assets = 'file:///opt/HTLNet%20Studio/resources/app.asar/out/renderer/assets/index-x.js';
    expect(isAppContent(assets, packaged)).toBe(true);
    expect(isAppContent(packaged.indexUrl, packaged)).toBe(true);
    expect(
      isAppContent('file:///opt/HTLNet%20Studio/resources/app.asar/out/main/main.js', packaged),
    ).toBe(false);
    expect(isAppContent('https://example.com/', packaged)).toBe(false);
    expect(isAppContent('http://localhost:5173/src/main.tsx', dev)).toBe(true);
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
