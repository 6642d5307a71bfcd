// Every application command with its keyboard shortcut, defined once. The main process builds
// the application menu from it; the renderer reads the same table (key hints, key handling).
// Pure data: no Node, Electron or DOM imports.

export type MenuName = 'file' | 'edit' | 'view' | 'help';

export interface ShortcutSpec {
  /** Stable command id, sent to the renderer on the menu:command channel. */
  id: string;
  /** Menu item title (Electron's '&' mnemonics are not used). */
  title: string;
  menu: MenuName;
  /** Key combination on macOS, in Electron accelerator syntax ('Cmd+Shift+Z'); null: none. */
  mac: string | null;
  /** Key combination on Windows and Linux, in Electron accelerator syntax; null: none. */
  other: string | null;
}

export const SHORTCUTS = [
  { id: 'file.new', title: 'New', menu: 'file', mac: 'Cmd+N', other: 'Ctrl+N' },
  { id: 'file.open', title: 'Open…', menu: 'file', mac: 'Cmd+O', other: 'Ctrl+O' },
  { id: 'file.save', title: 'Save', menu: 'file', mac: 'Cmd+S', other: 'Ctrl+S' },
  { id: 'file.saveAs', title: 'Save As…', menu: 'file', mac: 'Cmd+Shift+S', other: 'Ctrl+Shift+S' },
  { id: 'app.quit', title: 'Quit', menu: 'file', mac: 'Cmd+Q', other: 'Ctrl+Q' },
  { id: 'edit.undo', title: 'Undo', menu: 'edit', mac: 'Cmd+Z', other: 'Ctrl+Z' },
  { id: 'edit.redo', title: 'Redo', menu: 'edit', mac: 'Cmd+Shift+Z', other: 'Ctrl+Y' },
  { id: 'edit.cut', title: 'Cut', menu: 'edit', mac: 'Cmd+X', other: 'Ctrl+X' },
  { id: 'edit.copy', title: 'Copy', menu: 'edit', mac: 'Cmd+C', other: 'Ctrl+C' },
  { id: 'edit.paste', title: 'Paste', menu: 'edit', mac: 'Cmd+V', other: 'Ctrl+V' },
  { id: 'edit.selectAll', title: 'Select All', menu: 'edit', mac: 'Cmd+A', other: 'Ctrl+A' },
  { id: 'view.fit', title: 'Fit View', menu: 'view', mac: 'Cmd+1', other: 'Ctrl+1' },
  {
    id: 'view.toggleDark',
    title: 'Toggle Dark Mode',
    menu: 'view',
    mac: 'Cmd+Shift+D',
    other: 'Ctrl+Shift+D',
  },
  {
    id: 'view.devTools',
    title: 'Developer Tools',
    menu: 'view',
    mac: 'Alt+Cmd+I',
    other: 'Ctrl+Shift+I',
  },
  { id: 'help.about', title: 'About HTLNet Studio', menu: 'help', mac: null, other: null },
] as const satisfies readonly ShortcutSpec[];

export type CommandId = (typeof SHORTCUTS)[number]['id'];

const BY_ID: ReadonlyMap<string, ShortcutSpec> = new Map(SHORTCUTS.map((s) => [s.id, s]));

export function isCommandId(value: unknown): value is CommandId {
  return typeof value === 'string' && BY_ID.has(value);
}

export function shortcut(id: CommandId): ShortcutSpec {
  const spec = BY_ID.get(id);
  if (!spec) throw new Error(`Unknown command "${id}"`);
  return spec;
}

/** The Electron accelerator of a command on a platform (process.platform naming), if any. */
export function accelerator(id: CommandId, platform: string): string | undefined {
  const spec = shortcut(id);
  return (platform === 'darwin' ? spec.mac : spec.other) ?? undefined;
}

/** A key hint for the UI: '⇧⌘Z' on macOS, 'Ctrl+Y' elsewhere; '' when there is none. */
export function keyLabel(id: CommandId, isMac: boolean): string {
  const combo = isMac ? shortcut(id).mac : shortcut(id).other;
  if (!combo) return '';
  if (!isMac) return combo;
  const symbols: Record<string, string> = { Ctrl: '⌃', Alt: '⌥', Shift: '⇧', Cmd: '⌘' };
  const parts = combo.split('+');
  const key = parts.pop() ?? '';
  const order = ['Ctrl', 'Alt', 'Shift', 'Cmd'];
  const mods = order.filter((m) => parts.includes(m)).map((m) => symbols[m]);
  return mods.join('') + key;
}
