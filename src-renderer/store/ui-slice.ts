// The ui slice: dialogs, toasts, the view requests the canvas carries out (fit, centre a block),
// the hint while a connection is dragged, snapping, theme and the active tab.

import type { SliceEnv } from './slice';
import type { UiSlice } from './types';

const SNAP_KEY = 'htlnet.snapToGrid';

function storedSnap(): boolean {
  try {
    return globalThis.localStorage?.getItem(SNAP_KEY) !== 'false';
  } catch {
    return true;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createUiSlice({ set, get, options }: SliceEnv): UiSlice {
  let toastIds = 0;
  let focusIds = 0;
  return {
    dialog: null,
    toasts: [],
    tab: 'model',
    snapToGrid: storedSnap(),
    theme: options.initialTheme ?? 'light',
    focusRequest: null,
    fitRequest: 0,
    viewport: null,
    connectionHint: null,
    viewCentre: () => ({ x: 0, y: 0 }),
    setViewCentre(viewCentre) {
      set({ viewCentre });
    },
    openDialog(dialog) {
      set({ dialog });
    },
    closeDialog() {
      set({ dialog: null });
    },
    toast(kind, message) {
      const toast = { id: ++toastIds, kind, message };
      // At most four at a time: the oldest go first.
      set({ toasts: [...get().toasts.slice(-3), toast] });
    },
    dismissToast(id) {
      set({ toasts: get().toasts.filter((t) => t.id !== id) });
    },
    showError(title, error) {
      set({ dialog: { kind: 'error', title, message: errorMessage(error) } });
    },
    confirmDiscard(action) {
      return new Promise((resolve) => {
        const name = get().fileName ?? get().project.name;
        set({
          dialog: {
            kind: 'confirm',
            title: 'Unsaved changes',
            message: `"${name}" has changes that are not saved. Save them before you ${action}?`,
            resolve: (choice) => {
              set({ dialog: null });
              resolve(choice);
            },
          },
        });
      });
    },
    chooseFile(mode, suggestedName) {
      return new Promise((resolve) => {
        set({
          dialog: {
            kind: 'file',
            mode,
            suggestedName,
            resolve: (path) => {
              set({ dialog: null });
              resolve(path);
            },
          },
        });
      });
    },
    focusBlock(id) {
      set({ selection: { blocks: [id], edges: [] }, focusRequest: { id, n: ++focusIds } });
    },
    setViewport(viewport) {
      set({ viewport });
    },
    fitView() {
      set({ fitRequest: get().fitRequest + 1 });
    },
    setConnectionHint(connectionHint) {
      if (get().connectionHint !== connectionHint) set({ connectionHint });
    },
    toggleSnap() {
      const snapToGrid = !get().snapToGrid;
      try {
        globalThis.localStorage?.setItem(SNAP_KEY, String(snapToGrid));
      } catch {
        // storage unavailable: the choice lasts for this session
      }
      set({ snapToGrid });
    },
    toggleTheme() {
      const theme = get().theme === 'dark' ? 'light' : 'dark';
      options.applyTheme?.(theme);
      set({ theme });
    },
    setTab(tab) {
      set({ tab });
    },
  };
}
