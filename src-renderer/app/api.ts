// The renderer's access to the engine host, one typed contract (src-main/ipc/api.ts) over two
// transports: in Electron the preload's window.htlnet; in browser mode (`npm run web`) an HTTP
// client of the same methods, authorised by the per-launch token from the page's address.

import type { HostEvent, RendererApi } from '../../src-main/ipc/api';
import { createInvokeApi } from '../../src-main/ipc/client';

declare global {
  interface Window {
    htlnet?: RendererApi;
  }
}

const TOKEN_KEY = 'htlnet-studio-token';
const TOKEN_HEADER = 'X-HTLNet-Token';

/**
 * The token of browser mode: taken from ?token= on first load, then kept in sessionStorage and
 * removed from the address bar (so it is not left in history or screenshots); a reload of the
 * tab keeps working.
 */
export function browserToken(): string | null {
  if (typeof window === 'undefined' || typeof location === 'undefined') return null;
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    params.delete('token');
    const query = params.toString();
    history.replaceState(
      history.state,
      '',
      location.pathname + (query ? `?${query}` : '') + location.hash,
    );
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

/**
 * Host events over one shared EventSource per page (server-sent events; EventSource cannot set
 * headers, so the token goes in the query). It reconnects by itself after a drop.
 */
const eventListeners = new Set<(event: HostEvent) => void>();
let source: EventSource | null = null;

function subscribeEvents(
  base: string,
  token: string,
  callback: (event: HostEvent) => void,
): () => void {
  eventListeners.add(callback);
  if (!source && typeof EventSource !== 'undefined') {
    source = new EventSource(`${base}/api/events?token=${encodeURIComponent(token)}`);
    source.onmessage = (message: MessageEvent<string>) => {
      let event: HostEvent;
      try {
        event = JSON.parse(message.data) as HostEvent;
      } catch {
        return;
      }
      for (const listener of eventListeners) listener(event);
    };
  }
  return () => {
    eventListeners.delete(callback);
    if (eventListeners.size === 0 && source) {
      source.close();
      source = null;
    }
  };
}

/** An error the host answered; `code` (e.g. 'output-exists', 'upload-too-large') says which. */
export class HostError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'HostError';
  }
}

/** Parses an API response: the result, or an Error carrying the host's message (and code). */
async function unwrap(response: Response): Promise<unknown> {
  let body: { result?: unknown; error?: string; code?: string };
  try {
    body = (await response.json()) as { result?: unknown; error?: string; code?: string };
  } catch {
    throw new Error(`The HTLNet Studio server answered ${response.status} without a message.`);
  }
  if (!response.ok)
    throw new HostError(body.error ?? `Request failed (${response.status}).`, body.code);
  return body.result ?? null;
}

/** An upload with progress (fetch cannot report what it sent): XMLHttpRequest. */
function uploadWithProgress(
  url: string,
  token: string,
  file: Blob,
  onProgress: (sent: number, total: number) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader(TOKEN_HEADER, token);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new Error('The upload failed: the server could not be reached.'));
    xhr.onload = () => {
      let body: { result?: unknown; error?: string; code?: string } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        reject(new Error(`The HTLNet Studio server answered ${xhr.status} without a message.`));
        return;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body.result as string);
      else reject(new HostError(body.error ?? `Upload failed (${xhr.status}).`, body.code));
    };
    xhr.send(file);
  });
}

export function createBrowserApi(token: string, base = ''): RendererApi & BrowserExtras {
  const headers = { 'Content-Type': 'application/json', [TOKEN_HEADER]: token };
  return {
    ...createInvokeApi(async (channel, args) =>
      unwrap(
        await fetch(`${base}/api/invoke/${channel}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(args),
        }),
      ),
    ),
    // Browser mode has no native menu: no menu command ever arrives (the page's own menu and
    // shortcuts run their commands directly).
    onMenuCommand() {
      return () => undefined;
    },
    onHostEvent(callback: (event: HostEvent) => void) {
      return subscribeEvents(base, token, callback);
    },
    async upload(
      file: Blob,
      name: string,
      onProgress?: (sent: number, total: number) => void,
    ): Promise<string> {
      const url = `${base}/api/upload?name=${encodeURIComponent(name)}`;
      if (onProgress && typeof XMLHttpRequest !== 'undefined')
        return uploadWithProgress(url, token, file, onProgress);
      const response = await fetch(`${base}/api/upload?name=${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { [TOKEN_HEADER]: token, 'Content-Type': 'application/octet-stream' },
        body: file,
      });
      return (await unwrap(response)) as string;
    },
  };
}

/** What browser mode adds: sending a file picked in the page to the workspace. */
export interface BrowserExtras {
  /** Streams the file to the workspace's uploads; `onProgress` reports bytes sent. */
  upload(
    file: Blob,
    name: string,
    onProgress?: (sent: number, total: number) => void,
  ): Promise<string>;
}

let cached: RendererApi | null = null;

export function api(): RendererApi {
  if (window.htlnet) return window.htlnet;
  if (cached) return cached;
  const token = browserToken();
  if (!token) {
    throw new Error(
      'The HTLNet Studio engine is not connected: open the address that `npm run web` printed ' +
        '(it carries the access token), or start the desktop app.',
    );
  }
  cached = createBrowserApi(token);
  return cached;
}
