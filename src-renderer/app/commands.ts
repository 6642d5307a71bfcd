// Application commands (the ids of the shortcuts table) carried out on the store, whichever way
// they arrive: the Electron menu, the in-app menu bar and toolbar, or a key.

import {
  commandForKey,
  isPlainKey,
  keyCombos,
  matchesCombo,
  type CommandId,
  type KeyLike,
} from '../../src-main/ipc/shortcuts';
import type { JourneyStore } from '../store/journey';
import type { AppStore } from '../store/store';

/** Whether an element takes typed text (keys and clipboard belong to it, not to the graph). */
export function isEditable(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  if (el.tagName !== 'INPUT') return false;
  const type = (el as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'range', 'color'].includes(
    type,
  );
}

/** A text command for the focused field, when a menu item arrives while typing. */
function textCommand(command: CommandId): string | null {
  switch (command) {
    case 'edit.undo':
      return 'undo';
    case 'edit.redo':
      return 'redo';
    case 'edit.selectAll':
      return 'selectAll';
    default:
      return null;
  }
}

const GRAPH_COMMANDS: ReadonlySet<CommandId> = new Set([
  'edit.cut',
  'edit.copy',
  'edit.paste',
  'edit.duplicate',
  'edit.delete',
  'edit.selectAll',
  'view.fit',
  'view.layout',
]);

/** Carries out a command. `path`: with 'file.open', a project the OS asked to open (skips the file dialog). */
export function runCommand(
  store: AppStore,
  command: CommandId,
  path?: string,
  journey?: JourneyStore,
): void {
  const s = store.getState();
  // While typing in a field, undo/redo/select-all from the menu act on the text.
  if (typeof document !== 'undefined' && isEditable(document.activeElement)) {
    const text = textCommand(command);
    if (text) {
      document.execCommand(text);
      return;
    }
    if (command === 'edit.delete' || command === 'edit.duplicate') return;
  }
  if (s.dialog && !['file.save', 'file.saveAs', 'view.toggleDark'].includes(command)) {
    // A dialog is open: it has the keyboard.
    if (s.dialog.kind !== 'about' && s.dialog.kind !== 'error') return;
  }
  // Editing the graph and its view needs the graph on screen.
  if (s.tab !== 'model' && GRAPH_COMMANDS.has(command)) return;
  switch (command) {
    case 'file.new':
      s.openDialog({ kind: 'templates' });
      return;
    case 'file.open':
      void s.openProject(path);
      return;
    case 'file.save':
      void s.save();
      return;
    case 'file.saveAs':
      void s.saveAs();
      return;
    case 'edit.undo':
      s.undo();
      return;
    case 'edit.redo':
      s.redo();
      return;
    case 'edit.cut':
      void s.cut();
      return;
    case 'edit.copy':
      void s.copy();
      return;
    case 'edit.paste':
      void s.paste();
      return;
    case 'edit.duplicate':
      s.duplicate();
      return;
    case 'edit.delete':
      s.deleteSelection();
      return;
    case 'edit.selectAll':
      s.selectAll();
      return;
    case 'view.fit':
      s.fitView();
      return;
    case 'view.layout':
      void s.tidyLayout();
      return;
    case 'view.snap':
      s.toggleSnap();
      return;
    case 'view.toggleDark':
      s.toggleTheme();
      return;
    case 'help.about':
      s.openDialog({ kind: 'about' });
      return;
    case 'file.exportOnnx':
      s.setTab('results');
      journey?.getState().requestOnnxExport();
      return;
    case 'app.quit':
    case 'view.devTools':
      return; // Electron's own (menu roles)
  }
}

/** Clipboard commands: the page's copy/cut/paste events carry them out (see useClipboardEvents). */
const CLIPBOARD: ReadonlySet<CommandId> = new Set(['edit.cut', 'edit.copy', 'edit.paste']);

/**
 * The command a key press stands for, or null when the page should leave the key alone: while
 * typing (except save), clipboard keys (the browser turns them into clipboard events), and in
 * Electron the keys the menu already handles (each command's first combination, unless it is
 * a plain key the menu shows but does not take).
 */
export function commandForKeyEvent(
  event: KeyLike & { target: EventTarget | null },
  platform: string,
  electron: boolean,
): CommandId | null {
  const command = commandForKey(event, platform);
  if (!command) return null;
  if (isEditable(event.target) && command !== 'file.save' && command !== 'file.saveAs') {
    return null;
  }
  if (CLIPBOARD.has(command) || command === 'app.quit' || command === 'view.devTools') return null;
  if (electron) {
    const first = keyCombos(command, platform)[0];
    if (first && !isPlainKey(first) && matchesCombo(event, first)) return null;
  }
  return command;
}
