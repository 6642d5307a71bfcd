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

/**
 * The packaged renderer is served from this privileged scheme (main.ts registers it as
 * standard and secure, and serves out/renderer through protocol.handle with the CSP header on
 * every response): a real origin instead of file://, so the page needs no file-protocol
 * privileges and the policy is a header, not only a <meta>.
 */
export const APP_SCHEME = 'app';
const APP_HOST = 'htlnet';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Where the renderer is loaded from: the app's own scheme, or the dev server. */
export type AppLocation = { kind: 'app' } | { kind: 'dev'; url: string };

function parse(url: string | null | undefined): URL | null {
  if (!url) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function isAppOrigin(u: URL): boolean {
  // app: is not a special scheme for WHATWG URLs (origin "null"): compare scheme and host.
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && !u.username && !u.password;
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
  return isAppOrigin(u) && (u.pathname === '/index.html' || u.pathname === '/');
}

/** Whether `url` is a document or asset of the app (the CSP header goes on these). */
export function isAppContent(url: string | null | undefined, app: AppLocation): boolean {
  const u = parse(url);
  if (!u) return false;
  if (app.kind === 'dev') return isAppPage(url, app);
  return isAppOrigin(u);
}

/**
 * The file under `root` (the built renderer) that an app:// request names, or null for
 * anything else: another scheme or host, a path leaving `root` (also percent-encoded), a NUL.
 * "/" is index.html. Pure path arithmetic on POSIX-style URL paths; `join` is the platform's.
 */
export function appFileFor(
  url: string,
  root: string,
  join: (...parts: string[]) => string,
): string | null {
  const u = parse(url);
  if (!u || !isAppOrigin(u)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const parts = pathname.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '..' || p === '.')) return null;
  if (parts.length === 0) parts.push('index.html');
  return join(root, ...parts);
}

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  png: 'image/png',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  woff: 'font/woff',
  wasm: 'application/wasm',
};

/** The Content-Type of an app file, by its extension. */
export function contentTypeOf(file: string): string {
  const ext = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}
