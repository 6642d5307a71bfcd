// What counts as the app's own content, and the Content-Security-Policy it runs under. Pure
// functions (no Electron imports) so they are tested without Electron; electron.vite.config.ts
// reads the policy too, so index.html's <meta> and the response header cannot drift apart.

const DOCUMENT_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
];

/** The policy of the packaged app, sent as a header (Electron and the browser-mode server). */
export const CONTENT_SECURITY_POLICY = [...DOCUMENT_DIRECTIVES, "frame-ancestors 'none'"].join(
  '; ',
);

/**
 * The same policy in src-renderer/index.html's <meta>, for wherever the page is loaded without
 * the header. frame-ancestors only works as a header (browsers ignore it, with an error, in a
 * <meta>), so the <meta> carries every other directive.
 */
export const META_CONTENT_SECURITY_POLICY = DOCUMENT_DIRECTIVES.join('; ');

/**
 * The dev server's policy: Vite's React refresh preamble is an inline module script, and hot
 * reload talks over a WebSocket. Never used in a packaged app.
 */
export const DEV_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
  "script-src 'self'",
  "script-src 'self' 'unsafe-inline'",
).replace("connect-src 'self'", "connect-src 'self' ws: wss:");

/** Where the renderer is loaded from: the built index.html, or the dev server. */
export type AppLocation = { kind: 'file'; indexUrl: string } | { kind: 'dev'; url: string };

function parse(url: string | null | undefined): URL | null {
  if (!url) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function withoutQueryAndHash(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** Whether `url` is the app's own page (IPC sender check, navigation). */
export function isAppPage(url: string | null | undefined, app: AppLocation): boolean {
  const u = parse(url);
  if (!u) return false;
  if (app.kind === 'dev') {
    const dev = parse(app.url);
    return (
      dev !== null && (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === dev.origin
    );
  }
  const index = parse(app.indexUrl);
  return (
    index !== null &&
    u.protocol === 'file:' &&
    withoutQueryAndHash(u) === withoutQueryAndHash(index)
  );
}

/** Whether `url` is a document or asset of the app (the CSP header goes on these). */
export function isAppContent(url: string | null | undefined, app: AppLocation): boolean {
  const u = parse(url);
  if (!u) return false;
  if (app.kind === 'dev') return isAppPage(url, app);
  const index = parse(app.indexUrl);
  if (index === null || u.protocol !== 'file:') return false;
  const dir = index.pathname.slice(0, index.pathname.lastIndexOf('/') + 1);
  return u.pathname.startsWith(dir);
}
