// Browser mode: the same handler table as the Electron app, served over HTTP to a page on
// 127.0.0.1, so the app runs where Electron cannot (and CI drives it in Chromium).
//
// Security: it listens on the loopback interface only; every API call must carry the per-launch
// token (a header for calls and uploads, the query for the event stream, which cannot set
// headers), come from the server's own origin, and name the server itself as Host (no DNS
// rebinding). Static files get the same Content-Security-Policy as the desktop app.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { UserError } from '../engine/errors';
import type { HandlerTable } from '../ipc/api';
import { ArgumentError } from '../ipc/args';
import { invokeHandler } from '../ipc/handlers';
import { CONTENT_SECURITY_POLICY } from '../ipc/security';
import { MAX_UPLOAD_BYTES } from '../host/uploads';

export const TOKEN_HEADER = 'x-htlnet-token';
/** Largest JSON body of an API call (a project file's text for project:parse). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** How long close() waits for requests still being handled (their clean-up), at most. */
const CLOSE_PATIENCE_MS = 5000;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

export interface WebServerOptions {
  handlers: HandlerTable;
  /** The built renderer (out/renderer). */
  staticDir: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Defaults to a fresh random token. */
  token?: string;
  /** Saves an uploaded file's bytes; returns its path. Without it, uploads are refused. */
  upload?: (name: string, body: IncomingMessage) => Promise<string>;
  /** Uploads announcing more bytes than this are refused with a 413 before reading them. */
  maxUploadBytes?: number;
}

interface HostEventSink {
  /** Sends an event to every connected page. */
  broadcast(event: unknown): void;
}

export interface WebServer extends HostEventSink {
  /** The page's address, token included: what the user opens. */
  url: string;
  origin: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

function sameToken(a: string | null | undefined, token: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(token);
  return x.length === y.length && timingSafeEqual(x, y);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ArgumentError('The request is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function errorStatus(error: unknown): number {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return status;
  return error instanceof UserError || error instanceof ArgumentError ? 400 : 500;
}

/** What the page gets for a refused call: the message, and a code it can act on. */
function errorBody(error: unknown): { error: string; code?: string } {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  // Only our own codes (not errno codes such as ENOENT, which say nothing to a page).
  return typeof code === 'string' && /^[a-z]+(-[a-z]+)+$/.test(code)
    ? { error: message, code }
    : { error: message };
}

/** The body of a 400/413 for a failure the handlers did not word (a raw errno). */
function plainMessage(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) {
    const what: Record<string, string> = {
      ENOENT: 'does not exist',
      EISDIR: 'is a folder',
      ENOTDIR: 'is inside something that is not a folder',
      EACCES: 'cannot be accessed (permission denied)',
      EPERM: 'cannot be accessed (not permitted)',
      ENOSPC: 'cannot be written: the disk is full',
      EEXIST: 'already exists',
    };
    return `${e.path ?? 'The file'} ${what[e.code] ?? `cannot be used (${e.code})`}.`;
  }
  return 'Internal error.';
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const staticDir = path.resolve(options.staticDir);
  const clients = new Set<ServerResponse>();
  let origin = '';
  let hosts: string[] = [];

  /** Host names the server itself; Origin (when sent) is the server's own. */
  function sameSite(req: IncomingMessage): string | null {
    if (!hosts.includes(req.headers.host ?? ''))
      return 'The request is not addressed to this server.';
    const from = req.headers.origin;
    if (from !== undefined && !hosts.some((h) => from === `http://${h}`)) {
      return 'The request comes from another site.';
    }
    return null;
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string) {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
    } catch {
      res
        .writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end('Bad request: the address holds an invalid % escape.');
      return;
    }
    if (rel.includes('\0')) {
      res.writeHead(404).end();
      return;
    }
    const file = path.resolve(staticDir, '.' + rel);
    if (!file.startsWith(staticDir + path.sep)) {
      res.writeHead(404).end();
      return;
    }
    const stat = await fs.stat(file).catch(() => null);
    if (!stat?.isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': stat.size,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'X-Frame-Options': 'DENY',
      'Cache-Control': type.startsWith('text/html') ? 'no-store' : 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Appended, not resolved: "//host/x" must stay a path of this server.
    let url: URL;
    try {
      const target = req.url ?? '/';
      url = new URL(origin + (target.startsWith('/') ? target : '/' + target));
    } catch {
      send(res, 400, { error: 'Bad request: the address cannot be read.' });
      return;
    }
    const refused = sameSite(req);
    if (refused) {
      send(res, 403, { error: refused });
      return;
    }
    if (!url.pathname.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      await serveStatic(req, res, url.pathname);
      return;
    }
    if (url.pathname === '/api/events') {
      if (!sameToken(url.searchParams.get('token'), token)) {
        send(res, 401, { error: 'Missing or wrong token.' });
        return;
      }
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (req.method !== 'POST') {
      send(res, 405, { error: 'API calls are POST requests.' });
      return;
    }
    if (!sameToken(req.headers[TOKEN_HEADER] as string | undefined, token)) {
      send(res, 401, { error: 'Missing or wrong token: open the address `npm run web` printed.' });
      return;
    }
    // A browser sends Origin with every POST; a request without one did not come from the page.
    if (req.headers.origin === undefined) {
      send(res, 403, { error: 'The request has no Origin.' });
      return;
    }
    try {
      if (url.pathname === '/api/upload') {
        const name = url.searchParams.get('name') ?? '';
        if (!options.upload) throw new ArgumentError('Uploads are not available.');
        const max = options.maxUploadBytes ?? MAX_UPLOAD_BYTES;
        const announced = Number(req.headers['content-length'] ?? NaN);
        if (Number.isFinite(announced) && announced > max) {
          refuseUpload(
            res,
            req,
            `${name || 'The file'} is ${(announced / 1024 ** 2).toFixed(0)} MB, more than the ${(max / 1024 ** 2).toFixed(0)} MB an upload may have.`,
          );
          return;
        }
        try {
          send(res, 200, { result: await options.upload(name, req) });
        } catch (error) {
          if (errorStatus(error) === 413) {
            refuseUpload(res, req, (error as Error).message);
            return;
          }
          throw error;
        }
        return;
      }
      const channel = url.pathname.slice('/api/invoke/'.length);
      if (!url.pathname.startsWith('/api/invoke/')) {
        send(res, 404, { error: 'Unknown API path.' });
        return;
      }
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        throw new ArgumentError('API calls carry JSON (Content-Type: application/json).');
      }
      let args: unknown;
      try {
        args = JSON.parse(await readBody(req));
      } catch (error) {
        if (error instanceof ArgumentError) throw error;
        throw new ArgumentError('The request body is not valid JSON.');
      }
      if (!Array.isArray(args)) throw new ArgumentError('The request body must be a JSON list.');
      const result = await invokeHandler(options.handlers, channel, args);
      send(res, 200, { result: result ?? null });
    } catch (error) {
      const status = errorStatus(error);
      if (status === 500) {
        // A raw errno (EISDIR, ENOENT...) is a bad request put in one line, not a crash.
        const plain = plainMessage(error);
        if (plain !== 'Internal error.') {
          send(res, 400, { error: plain });
          return;
        }
        console.error(error);
        send(res, 500, { error: error instanceof Error ? error.message : String(error) });
        return;
      }
      send(res, status, errorBody(error));
    }
  }

  /** Answers 413 and closes the connection once the answer is out (the rest is not read). */
  function refuseUpload(res: ServerResponse, req: IncomingMessage, message: string): void {
    res.setHeader('Connection', 'close');
    send(res, 413, { error: message, code: 'upload-too-large' });
    res.once('finish', () => setImmediate(() => req.destroy()));
  }

  // Requests being handled: close() waits for them, so an upload cut off by the close has
  // removed its partial file before close() resolves (nothing is left behind in the workspace).
  const pending = new Set<Promise<void>>();
  const server: Server = createServer((req, res) => {
    const handled = handle(req, res)
      .catch((error: unknown) => {
        console.error(error);
        if (!res.headersSent) send(res, 500, { error: 'Internal error.' });
        else res.end();
      })
      .finally(() => pending.delete(handled));
    pending.add(handled);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const heartbeat = setInterval(() => {
    for (const c of clients) c.write(': ping\n\n');
  }, 15_000);
  heartbeat.unref();

  return {
    url: `${origin}/?token=${encodeURIComponent(token)}`,
    origin,
    token,
    port,
    broadcast(event: unknown) {
      const data = `data: ${JSON.stringify(event)}\n\n`;
      for (const c of clients) c.write(data);
    },
    close() {
      clearInterval(heartbeat);
      for (const c of clients) c.end();
      clients.clear();
      const closed = new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // At most a few seconds for handlers still running (a long call must not hold up a quit).
      let timer: NodeJS.Timeout | undefined;
      const patience = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_PATIENCE_MS);
        timer.unref();
      });
      return closed
        .then(() =>
          Promise.race([Promise.allSettled([...pending]).then(() => undefined), patience]),
        )
        .finally(() => clearTimeout(timer));
    },
  };
}
