// The editor's store: the four slices in one zustand store, plus the two things that run on
// their own: validation (debounced after every model edit; a stale answer is ignored) and
// autosave to the recovery file (debounced, while there are unsaved changes).

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { RendererApi } from '../../src-main/ipc/api';
import { createGraphSlice } from './graph-slice';
import { sameModel } from './graph-ops';
import { createHistorySlice } from './history-slice';
import { createProjectSlice, documentName, emptyProject, isDirty } from './project-slice';
import type { SliceEnv } from './slice';
import type { AppState, ClipboardAccess, StoreOptions } from './types';
import { createUiSlice, errorMessage } from './ui-slice';

export type AppStore = StoreApi<AppState>;

const VALIDATE_DELAY = 250;
const AUTOSAVE_DELAY = 2000;

/** navigator.clipboard, when the page may use it. */
function systemClipboard(): ClipboardAccess | null {
  const clipboard = typeof navigator === 'undefined' ? undefined : navigator.clipboard;
  if (!clipboard?.writeText || !clipboard.readText) return null;
  return {
    write: (text) => clipboard.writeText(text),
    read: () => clipboard.readText(),
  };
}

export function createAppStore(api: RendererApi, options: StoreOptions = {}): AppStore {
  const resolved: StoreOptions = {
    validateDelay: VALIDATE_DELAY,
    autosaveDelay: AUTOSAVE_DELAY,
    ...options,
    clipboard: options.clipboard === undefined ? systemClipboard() : options.clipboard,
  };
  const store = createStore<AppState>()((set, get) => {
    const env: SliceEnv = { set, get, options: resolved, blank: emptyProject() };
    return {
      api,
      clipboardText: null,
      pasteCount: 0,
      ...createGraphSlice(env),
      ...createHistorySlice(env),
      ...createProjectSlice(env),
      ...createUiSlice(env),
    };
  });
  wireValidation(store, resolved.validateDelay ?? VALIDATE_DELAY);
  wireAutosave(store, resolved.autosaveDelay ?? AUTOSAVE_DELAY);
  return store;
}

function wireValidation(store: AppStore, delay: number): void {
  let latest = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function validate(): Promise<void> {
    clearTimeout(timer);
    const id = ++latest;
    const { api, project } = store.getState();
    if (project.graph.blocks.length === 0) {
      // Nothing built yet: no problems to pin (the canvas invites a first block).
      store.setState({ problems: [], shapes: {}, validation: 'idle', validationError: null });
      return;
    }
    store.setState({ validation: 'pending' });
    try {
      const result = await api.projectValidate(project);
      if (id !== latest) return; // a later edit's answer is on its way
      store.setState({
        problems: result.problems,
        shapes: result.shapes,
        validation: 'idle',
        validationError: null,
      });
    } catch (error) {
      if (id !== latest) return;
      store.setState({ validation: 'failed', validationError: errorMessage(error) });
    }
  }

  store.setState({ validateNow: validate });
  store.subscribe((state, previous) => {
    if (state.status !== 'ready') return;
    if (state.status === previous.status && sameModel(state.project, previous.project)) return;
    clearTimeout(timer);
    if (state.project.graph.blocks.length > 0) store.setState({ validation: 'pending' });
    timer = setTimeout(() => void validate(), delay);
  });
}

function wireAutosave(store: AppStore, delay: number): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  store.subscribe((state, previous) => {
    if (state.project === previous.project && state.saved === previous.saved) return;
    clearTimeout(timer);
    if (!isDirty(state)) return;
    timer = setTimeout(() => {
      const now = store.getState();
      if (!isDirty(now) || now.status !== 'ready') return;
      void now.api
        .recoveryWrite({ project: now.project, path: now.path, name: documentName(now) })
        .catch(() => undefined); // best effort: the next edit tries again
    }, delay);
  });
}
