// Property-based tests of confinement (fast-check, seeded): whatever path a page sends (links
// in and out of the workspace, "..", ".", absolute paths), the host either refuses it in one
// line or returns a path whose real location is inside the workspace; a write never targets
// the workspace folder itself; the static server never serves a file outside its folder and
// never answers 500.

import fc from 'fast-check';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src-main/engine/errors';
import { realPathOf } from '../../src-main/engine/export/outputs';
import { PathPolicy } from '../../src-main/host/files';
import type { HandlerTable } from '../../src-main/ipc/api';
import { startWebServer, type WebServer } from '../../src-main/web/server';

let dir: string;
let ws: string;
let realWs: string;
let server: WebServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'htlnet-paths-'));
  ws = path.join(dir, 'ws');
  mkdirSync(path.join(ws, 'sub', 'deep'), { recursive: true });
  mkdirSync(path.join(dir, 'outside'), { recursive: true });
  writeFileSync(path.join(dir, 'outside', 'secret.csv'), 'secret');
  writeFileSync(path.join(ws, 'sub', 'a.csv'), 'a\n1\n');
  symlinkSync(path.join(dir, 'outside'), path.join(ws, 'link'));
  symlinkSync('..', path.join(ws, 'sub', 'up')); // a link that stays inside
  symlinkSync('../../outside', path.join(ws, 'sub', 'esc'));
  symlinkSync(path.join(dir, 'outside', 'secret.csv'), path.join(ws, 'sub', 'file-link.csv'));
  realWs = realpathSync(ws);
  const staticDir = path.join(dir, 'static');
  mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  writeFileSync(path.join(staticDir, 'index.html'), 'app');
  writeFileSync(path.join(staticDir, 'assets', 'a.js'), 'js');
  symlinkSync(path.join(dir, 'outside'), path.join(staticDir, 'assets', 'out'));
  server = await startWebServer({ handlers: {} as HandlerTable, staticDir });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const inside = (p: string, root: string) => {
  const rel = path.relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel));
};

const segment = fc.constantFrom(
  'sub',
  'deep',
  'link',
  'up',
  'esc',
  'file-link.csv',
  '..',
  '.',
  'a.csv',
  'new',
  'secret.csv',
  'x.htlnet.json',
  '..dots.csv',
);
const pathArb = fc
  .tuple(fc.constantFrom('', 'ws', '/'), fc.array(segment, { minLength: 0, maxLength: 6 }))
  .map(([prefix, parts]) => {
    const rel = parts.join('/');
    if (prefix === 'ws') return path.join(ws, rel);
    if (prefix === '/') return '/' + rel;
    return rel === '' ? '.' : rel;
  });

describe('confinement, for any path', () => {
  it('refuses in one line or stays inside the workspace by real path', async () => {
    const policy = new PathPolicy([ws], ws);
    await fc.assert(
      fc.asyncProperty(pathArb, fc.boolean(), async (p, write) => {
        let got: string;
        try {
          got = await policy.confine(p, 'path', { write });
        } catch (error) {
          expect(error).toBeInstanceOf(UserError);
          expect((error as Error).message).not.toMatch(/\n/);
          return;
        }
        expect(inside(await realPathOf(got), realWs)).toBe(true);
        if (write) expect(got).not.toBe(realWs);
      }),
      { seed: 1234, numRuns: 400 },
    );
  });

  it('refuses every path that goes through a link out', async () => {
    const policy = new PathPolicy([ws], ws);
    for (const p of [
      'link',
      'link/secret.csv',
      'sub/esc/secret.csv',
      'sub/file-link.csv',
      'sub/up/link/x',
    ]) {
      await expect(policy.confine(p)).rejects.toThrow(/outside the workspace/);
    }
    expect(await policy.confine('sub/up/sub/a.csv')).toBe(path.join(realWs, 'sub', 'a.csv'));
  });
});

function get(p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, method: 'GET', path: p }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static files, for any address', () => {
  it('never serves outside its folder and never answers 500', async () => {
    const piece = fc.constantFrom(
      'assets',
      'a.js',
      'index.html',
      'out',
      'secret.csv',
      '..',
      '%2e%2e',
      '%2E%2e',
      '%2f',
      '%5c',
      '%00',
      '%',
      '%zz',
      '%E0%A4%A',
      '.',
      '',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 5 }), async (parts) => {
        const reply = await get('/' + parts.join('/'));
        expect([200, 400, 404]).toContain(reply.status);
        expect(reply.body).not.toContain('secret');
      }),
      { seed: 99, numRuns: 200 },
    );
  });
});
