// The engine host as the journey reaches it: the API object the app gives connectJourney()
// (the editor's store holds one), else the renderer's default (window.htlnet in Electron, the
// HTTP client in browser mode).

import type { RendererApi } from '../../../src-main/ipc/api';
import { api as defaultApi, type BrowserExtras } from '../../app/api';

let provided: RendererApi | null = null;

export function setJourneyApi(api: RendererApi | null): void {
  provided = api;
}

export function journeyApi(): RendererApi {
  return provided ?? defaultApi();
}

/** Browser mode's upload, or null in Electron (which opens files by path). */
export function journeyUploads(): BrowserExtras | null {
  const a = journeyApi();
  return 'upload' in a ? (a as RendererApi & BrowserExtras) : null;
}
