// Uploads and refusals of the browser-mode server: a 413 answered (announced or streamed),
// concurrent uploads of one name kept apart, an upload never touching another file, the same
// content reused, a bad % escape and a raw errno answered as one-line 400s.

import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandlerTable } from '../../src-main/ipc/api';
import { saveUpload } from '../../src-main/host/uploads';
import { startBrowserHost } from '../../src-main/web/host';
import { startWebServer, TOKEN_HEADER, type WebServer } from '../../src-main/web/server';

let dir: string;
let uploads: string;
let server: WebServer;
const LIMIT = 256 * 1024;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'htlnet-upload-'));
  const staticDir = path.join(dir, 'renderer');
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>app</title>');
  uploads = path.join(dir, 'workspace', 'uploads');
  const handlers = {
    'app:info': async () => {
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${dir}'`), {
        code: 'EISDIR',
        path: dir,
      });
    },
  } as unknown as HandlerTable;
  server = await startWebServer({
    handlers,
    staticDir,
    maxUploadBytes: LIMIT,
    upload: (name, body) => saveUpload(uploads, name, body, { maxBytes: LIMIT }),
  });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});

interface Reply {
  status: number;
  body: string;
}

/** A raw upload; `chunked` sends the body without announcing its length. */
function upload(name: string, body: Buffer, chunked = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {
      Origin: server.origin,
      [TOKEN_HEADER]: server.token,
      'Content-Type': 'application/octet-stream',
    };
    if (!chunked) headers['Content-Length'] = body.length;
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: 'POST',
        path: '/api/upload?name=' + encodeURIComponent(name),
        headers,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    // Written in pieces, as a browser streams a file.
    for (let i = 0; i < body.length; i += 16 * 1024) req.write(body.subarray(i, i + 16 * 1024));
    req.end();
  });
}

function get(pathname: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: server.port, method: 'GET', path: pathname }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    })
      .on('error', reject)
      .end();
  });
}

const csv = (tag: string, bytes: number) =>
  Buffer.from(('a,b\n' + `${tag},1\n`.repeat(Math.ceil(bytes / 4))).slice(0, bytes));

describe('uploads', () => {
  it('answers 413 to an upload announced too large, and to one that grows too large', async () => {
    const big = csv('x', LIMIT + 1000);
    const announced = await upload('big.csv', big);
    expect(announced.status).toBe(413);
    expect(JSON.parse(announced.body)).toMatchObject({ code: 'upload-too-large' });
    const streamed = await upload('big.csv', big, true);
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).error).toMatch(/big\.csv is larger than/);
    expect(readdirSync(uploads).filter((n) => n.includes('big'))).toEqual([]);
  });

  it('keeps two concurrent uploads of one name apart, each whole', async () => {
    const one = csv('one', 100_000);
    const two = csv('two', 120_000);
    const [a, b] = await Promise.all([upload('race.csv', one), upload('race.csv', two)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const files = [JSON.parse(a.body).result as string, JSON.parse(b.body).result as string];
    expect(new Set(files).size).toBe(2);
    expect(files.map((f) => path.basename(f)).sort()).toEqual(['race (2).csv', 'race.csv']);
    expect(readFileSync(files[0]).equals(one)).toBe(true);
    expect(readFileSync(files[1]).equals(two)).toBe(true);
  });

  it('never touches another file, and reuses a file of the same content', async () => {
    mkdirSync(uploads, { recursive: true });
    writeFileSync(path.join(uploads, 'y.csv.part'), 'mine');
    const first = await upload('y.csv', csv('y', 1000));
    expect(first.status).toBe(200);
    expect(readFileSync(path.join(uploads, 'y.csv.part'), 'utf8')).toBe('mine');
    const again = await upload('y.csv', csv('y', 1000));
    expect(JSON.parse(again.body).result).toBe(JSON.parse(first.body).result);
    const changed = await upload('y.csv', csv('z', 1000));
    expect(path.basename(JSON.parse(changed.body).result)).toBe('y (2).csv');
    expect(readdirSync(uploads).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

describe('one-line refusals', () => {
  it('answers a bad % escape in a static address with a 400', async () => {
    const reply = await get('/%E0%A4%A');
    expect(reply.status).toBe(400);
    expect(reply.body).toMatch(/invalid % escape/);
  });

  it('turns a raw errno into a 400 naming the file', async () => {
    const reply = await new Promise<Reply>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          method: 'POST',
          path: '/api/invoke/app:info',
          headers: {
            Origin: server.origin,
            [TOKEN_HEADER]: server.token,
            'Content-Type': 'application/json',
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end('[]');
    });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).error).toBe(`${dir} is a folder.`);
  });
});

describe('the workspace', () => {
  it('refuses uploads through an uploads link that leads outside', async () => {
    const ws = path.join(dir, 'ws-link');
    const outside = path.join(dir, 'elsewhere');
    mkdirSync(ws, { recursive: true });
    mkdirSync(outside, { recursive: true });
    symlinkSync(outside, path.join(ws, 'uploads'));
    const host = await startBrowserHost({
      workspace: ws,
      dataDir: path.join(dir, 'data-link'),
      staticDir: path.join(dir, 'renderer'),
      workerScript: path.join(dir, 'worker.cjs'),
    });
    try {
      const reply = await new Promise<Reply>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: host.server.port,
            method: 'POST',
            path: '/api/upload?name=x.csv',
            headers: { Origin: host.server.origin, [TOKEN_HEADER]: host.server.token },
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.end('a,b\n1,2\n');
      });
      expect(reply.status).toBe(400);
      expect(JSON.parse(reply.body).error).toMatch(/outside the workspace/);
      expect(readdirSync(outside)).toEqual([]);
    } finally {
      await host.server.close();
    }
  });

  it('is never a file', async () => {
    const file = path.join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    await expect(
      startBrowserHost({
        workspace: file,
        dataDir: path.join(dir, 'data'),
        staticDir: path.join(dir, 'renderer'),
        workerScript: path.join(dir, 'worker.cjs'),
      }),
    ).rejects.toThrow(/is a file, not a folder/);
  });
});
