// @vitest-environment happy-dom
// The renderer's browser-mode transport: the token moves from the address bar to the tab's
// session storage, every method posts to its own channel with the token, and the host's error
// message reaches the caller.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS } from '../../src-main/ipc/api';
import { methodName } from '../../src-main/ipc/client';
import { browserToken, createBrowserApi } from '../../src-renderer/app/api';

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

describe('browser transport', () => {
  it('takes the token from the address once and keeps it for reloads', () => {
    history.replaceState(null, '', '/?token=abc123&x=1#h');
    expect(browserToken()).toBe('abc123');
    expect(location.search).toBe('?x=1');
    expect(location.hash).toBe('#h');
    expect(browserToken()).toBe('abc123');
  });

  it('posts each method to its channel with the token', async () => {
    const fetchMock = vi.fn(
      async () => new Response(JSON.stringify({ result: { ok: true } }), { status: 200 }),
    );
    vi.stubGlobal('fetch', fetchMock);
    const api = createBrowserApi('tok', 'http://127.0.0.1:9');
    for (const channel of CHANNELS) expect(api).toHaveProperty(methodName(channel));
    await expect(api.projectSave('a.htlnet.json', {} as never)).resolves.toEqual({ ok: true });
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('http://127.0.0.1:9/api/invoke/project:save');
    expect((init.headers as Record<string, string>)['X-HTLNet-Token']).toBe('tok');
    expect(JSON.parse(init.body as string)).toEqual(['a.htlnet.json', {}]);
  });

  it("rejects with the host's message", async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response(JSON.stringify({ error: 'x.csv, line 3, column "price": not a number' }), {
            status: 400,
          }),
      ),
    );
    await expect(createBrowserApi('tok').appInfo()).rejects.toThrow(/line 3, column "price"/);
  });

  it("passes the host's error code on, so the page can ask before replacing a file", async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response(JSON.stringify({ error: 'p.csv already exists', code: 'output-exists' }), {
            status: 400,
          }),
      ),
    );
    const error = (await createBrowserApi('tok')
      .scoreStart({ source: { runId: 'r' }, dataPath: 'a.csv', out: 'p.csv' })
      .then(
        () => null,
        (e: unknown) => e,
      )) as Error & { code?: string };
    expect(error.message).toBe('p.csv already exists');
    expect(error.code).toBe('output-exists');
  });
});
