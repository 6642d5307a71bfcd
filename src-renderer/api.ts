// The renderer's access to the engine host. In Electron it is the preload's window.htlnet; in
// browser mode it will be an HTTP client of the same contract (src-main/ipc/api.ts).

import type { HtlnetApi } from '../src-main/preload';

declare global {
  interface Window {
    htlnet?: HtlnetApi;
  }
}

export type { HtlnetApi };

export function hasApi(): boolean {
  return window.htlnet !== undefined;
}

export function api(): HtlnetApi {
  const bridge = window.htlnet;
  if (!bridge) {
    throw new Error('The HTLNet Studio engine is not connected (window.htlnet is missing).');
  }
  return bridge;
}
