// The app's connections to the window: the title, the prompt before closing with unsaved
// changes, keyboard shortcuts, the page's clipboard events and Electron's menu commands.

import { useEffect } from 'react';
import { copySelection, serializeClipboard } from '../store/clipboard';
import { documentName, isDirty } from '../store/project-slice';
import { useJourneyStore } from '../store/journey';
import type { AppStore } from '../store/store';
import { commandForKeyEvent, isEditable, runCommand } from './commands';
import { useAppStore } from '../store/context';

const APP_NAME = 'HTLNet Studio';

/** "• Shop funnel — HTLNet Studio" while there are unsaved changes. */
function windowTitle(name: string, dirty: boolean): string {
  return `${dirty ? '• ' : ''}${name} — ${APP_NAME}`;
}

export function useDocumentTitle(): void {
  const name = useAppStore(documentName);
  const dirty = useAppStore(isDirty);
  const ready = useAppStore((s) => s.status === 'ready');
  useEffect(() => {
    document.title = ready ? windowTitle(name, dirty) : APP_NAME;
  }, [name, dirty, ready]);
}

/** Asks before the window closes or reloads with unsaved changes. */
export function useBeforeUnload(store: AppStore): void {
  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (!isDirty(store.getState())) return;
      event.preventDefault();
      // Older browsers (and Electron's will-prevent-unload) look at returnValue.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [store]);
}

export function useKeyboardShortcuts(store: AppStore): void {
  const journey = useJourneyStore();
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const { info } = store.getState();
      const platform = info?.platform ?? (/Mac/.test(navigator.platform) ? 'darwin' : 'linux');
      const command = commandForKeyEvent(event, platform, info?.mode === 'electron');
      if (!command) return;
      event.preventDefault();
      runCommand(store, command, undefined, journey);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store, journey]);
}

/** Text selected on the page (outside fields): a plain copy should copy it, not blocks. */
function hasTextSelection(): boolean {
  const selection = window.getSelection?.();
  return !!selection && !selection.isCollapsed && selection.toString().trim() !== '';
}

/**
 * Copy, cut and paste of blocks through the page's clipboard events: they come from the keys
 * (Ctrl/Cmd+C, X, V) and from Electron's Edit menu alike, and text fields keep their own.
 */
export function useClipboardEvents(store: AppStore): void {
  useEffect(() => {
    const copyTo = (event: ClipboardEvent, cut: boolean) => {
      if (isEditable(event.target) || hasTextSelection()) return;
      const state = store.getState();
      if (state.dialog || state.tab !== 'model') return;
      const data = copySelection(state.project, state.selection.blocks);
      if (!data || !event.clipboardData) return;
      event.preventDefault();
      const text = serializeClipboard(data);
      event.clipboardData.setData('text/plain', text);
      store.setState({ clipboardText: text, pasteCount: 0 });
      if (cut) state.deleteSelection();
    };
    const onCopy = (event: ClipboardEvent) => copyTo(event, false);
    const onCut = (event: ClipboardEvent) => copyTo(event, true);
    const onPaste = (event: ClipboardEvent) => {
      if (isEditable(event.target)) return;
      const state = store.getState();
      if (state.dialog || state.tab !== 'model') return;
      event.preventDefault();
      const text = event.clipboardData?.getData('text/plain') ?? '';
      void state.paste(text === '' ? null : text);
    };
    document.addEventListener('copy', onCopy);
    document.addEventListener('cut', onCut);
    document.addEventListener('paste', onPaste);
    return () => {
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('cut', onCut);
      document.removeEventListener('paste', onPaste);
    };
  }, [store]);
}

/** Electron's application menu (and browser mode's local commands) arrive here. */
export function useMenuCommands(store: AppStore): void {
  const journey = useJourneyStore();
  useEffect(() => {
    const { api } = store.getState();
    return api.onMenuCommand((command, path) => runCommand(store, command, path, journey));
  }, [store, journey]);
}
