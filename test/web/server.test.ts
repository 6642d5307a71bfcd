// The browser-mode server: loopback only, the per-launch token on every API call, its own
// origin and host only, the app's CSP on static files, the handlers' messages passed through.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../src-main/ipc/handlers';
import { CONTENT_SECURITY_POLICY } from '../../src-main/ipc/security';
import { saveUpload } from '../../src-main/host/uploads';
import { startWebServer, TOKEN_HEADER, type WebServer } from '../../src-main/web/server';

let dir: string;
let server: WebServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'htlnet-web-'));
  const staticDir = path.join(dir, 'renderer');
  mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'secret.txt'), 'secret');
  const workspace = path.join(dir, 'workspace');
  const handlers = createHandlers({
    version: '1.2.3',
    backend: async () => 'wasm',
    mode: 'browser',
    workspace,
    dataDir: path.join(dir, 'data'),
    roots: [workspace],
  });
  server = await startWebServer({
    handlers,
    staticDir,
    upload: (name, body) => saveUpload(path.join(workspace, 'uploads'), name, body),
  });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request (fetch would not let us forge Host). */
function call(
  method: string,
  pathname: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, method, path: pathname, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function api(channel: string, args: unknown[], extra: Record<string, string> = {}) {
  return call(
    'POST',
    `/api/invoke/${channel}`,
    {
      'Content-Type': 'application/json',
      Origin: server.origin,
      [TOKEN_HEADER]: server.token,
      ...extra,
    },
    JSON.stringify(args),
  );
}

describe('browser-mode server', () => {
  it('listens on 127.0.0.1 and prints an address with the token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('answers an API call with the token', async () => {
    const reply = await api('app:info', []);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).result).toMatchObject({ version: '1.2.3', mode: 'browser' });
  });

  it('refuses calls without the token or with a wrong one', async () => {
    expect((await api('app:info', [], { [TOKEN_HEADER]: 'nope' })).status).toBe(401);
    const reply = await call(
      'POST',
      '/api/invoke/app:info',
      { 'Content-Type': 'application/json', Origin: server.origin },
      '[]',
    );
    expect(reply.status).toBe(401);
  });

  it('refuses other origins, a missing Origin and a foreign Host', async () => {
    expect((await api('app:info', [], { Origin: 'http://evil.example' })).status).toBe(403);
    const noOrigin = await call(
      'POST',
      '/api/invoke/app:info',
      { 'Content-Type': 'application/json', [TOKEN_HEADER]: server.token },
      '[]',
    );
    expect(noOrigin.status).toBe(403);
    expect((await api('app:info', [], { Host: 'evil.example' })).status).toBe(403);
    expect((await call('GET', '/', { Host: 'rebind.example' })).status).toBe(403);
  });

  it('passes the handlers’ messages through as 400s', async () => {
    const unknown = await api('nope:nothing', []);
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body).error).toMatch(/Unknown channel/);
    const bad = await api('project:save', ['../../etc/x.htlnet.json', {}]);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatch(/outside the workspace/);
    const notJson = await call(
      'POST',
      '/api/invoke/app:info',
      { 'Content-Type': 'application/json', Origin: server.origin, [TOKEN_HEADER]: server.token },
      '{oops',
    );
    expect(JSON.parse(notJson.body).error).toMatch(/not valid JSON/);
  });

  it('serves the app with the CSP and nothing outside it', async () => {
    const index = await call('GET', '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(index.body).toContain('<title>app</title>');
    const js = await call('GET', '/assets/app.js');
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect((await call('GET', '/../secret.txt')).status).toBe(404);
    expect((await call('GET', '/%2e%2e/secret.txt')).status).toBe(404);
    expect((await call('POST', '/')).status).toBe(405);
  });

  it('stores uploads in the workspace', async () => {
    const reply = await call(
      'POST',
      '/api/upload?name=' + encodeURIComponent('my data.csv'),
      { Origin: server.origin, [TOKEN_HEADER]: server.token },
      'a,b\n1,2\n',
    );
    expect(reply.status).toBe(200);
    const saved = JSON.parse(reply.body).result as string;
    expect(saved).toBe(path.join(dir, 'workspace', 'uploads', 'my data.csv'));
    expect(readFileSync(saved, 'utf8')).toBe('a,b\n1,2\n');
  });

  it('streams events to pages holding the token', async () => {
    expect((await call('GET', '/api/events?token=wrong')).status).toBe(401);
    const received = new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: server.port, path: `/api/events?token=${server.token}` },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
            if (text.includes('data: ')) {
              resolve(text);
              req.destroy();
            } else if (text.includes(': connected')) {
              server.broadcast({ type: 'hello', n: 1 });
            }
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(await received).toContain('data: {"type":"hello","n":1}');
  });
});
