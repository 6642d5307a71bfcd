// Every application command with its keyboard shortcuts, defined once. The main process builds
// the application menu from it (the first combination of a command is its accelerator); the
// renderer reads the same table for key hints and handles every combination of a command.
// Pure data and pure functions: no Node, Electron or DOM imports.

export type MenuName = 'file' | 'edit' | 'view' | 'help';

export interface ShortcutSpec {
  /** Stable command id, sent to the renderer on the menu:command channel. */
  id: string;
  /** Menu item title (Electron's '&' mnemonics are not used). */
  title: string;
  menu: MenuName;
  /**
   * Key combinations on macOS, in Electron accelerator syntax ('Cmd+Shift+Z'); the first is the
   * menu accelerator, the renderer handles all. Empty: none.
   */
  mac: readonly string[];
  /** The same on Windows and Linux. */
  other: readonly string[];
}

export const SHORTCUTS = [
  { id: 'file.new', title: 'New', menu: 'file', mac: ['Cmd+N'], other: ['Ctrl+N'] },
  { id: 'file.open', title: 'Open…', menu: 'file', mac: ['Cmd+O'], other: ['Ctrl+O'] },
  { id: 'file.save', title: 'Save', menu: 'file', mac: ['Cmd+S'], other: ['Ctrl+S'] },
  {
    id: 'file.saveAs',
    title: 'Save As…',
    menu: 'file',
    mac: ['Cmd+Shift+S'],
    other: ['Ctrl+Shift+S'],
  },
  {
    id: 'file.exportOnnx',
    title: 'Export Model as ONNX…',
    menu: 'file',
    mac: [],
    other: [],
  },
  { id: 'app.quit', title: 'Quit', menu: 'file', mac: ['Cmd+Q'], other: ['Ctrl+Q'] },
  { id: 'edit.undo', title: 'Undo', menu: 'edit', mac: ['Cmd+Z'], other: ['Ctrl+Z'] },
  {
    id: 'edit.redo',
    title: 'Redo',
    menu: 'edit',
    mac: ['Cmd+Shift+Z', 'Ctrl+Y'],
    other: ['Ctrl+Shift+Z', 'Ctrl+Y'],
  },
  { id: 'edit.cut', title: 'Cut', menu: 'edit', mac: ['Cmd+X'], other: ['Ctrl+X'] },
  { id: 'edit.copy', title: 'Copy', menu: 'edit', mac: ['Cmd+C'], other: ['Ctrl+C'] },
  { id: 'edit.paste', title: 'Paste', menu: 'edit', mac: ['Cmd+V'], other: ['Ctrl+V'] },
  { id: 'edit.duplicate', title: 'Duplicate', menu: 'edit', mac: ['Cmd+D'], other: ['Ctrl+D'] },
  {
    id: 'edit.delete',
    title: 'Delete',
    menu: 'edit',
    mac: ['Backspace', 'Delete'],
    other: ['Delete', 'Backspace'],
  },
  { id: 'edit.selectAll', title: 'Select All', menu: 'edit', mac: ['Cmd+A'], other: ['Ctrl+A'] },
  { id: 'view.fit', title: 'Fit View', menu: 'view', mac: ['Cmd+1'], other: ['Ctrl+1'] },
  {
    id: 'view.layout',
    title: 'Tidy Layout',
    menu: 'view',
    mac: ['Cmd+Shift+L'],
    other: ['Ctrl+Shift+L'],
  },
  {
    id: 'view.snap',
    title: 'Snap to Grid',
    menu: 'view',
    mac: ['Cmd+Shift+G'],
    other: ['Ctrl+Shift+G'],
  },
  {
    id: 'view.toggleDark',
    title: 'Toggle Dark Mode',
    menu: 'view',
    mac: ['Cmd+Shift+D'],
    other: ['Ctrl+Shift+D'],
  },
  {
    id: 'view.devTools',
    title: 'Developer Tools',
    menu: 'view',
    mac: ['Alt+Cmd+I'],
    other: ['Ctrl+Shift+I'],
  },
  { id: 'help.about', title: 'About HTLNet Studio', menu: 'help', mac: [], other: [] },
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

/** Every key combination of a command on a platform (process.platform naming), first first. */
export function keyCombos(id: CommandId, platform: string): readonly string[] {
  const spec = shortcut(id);
  return platform === 'darwin' ? spec.mac : spec.other;
}

/** The Electron accelerator of a command on a platform (its first combination), if any. */
export function accelerator(id: CommandId, platform: string): string | undefined {
  return keyCombos(id, platform)[0];
}

const MODIFIERS = ['Ctrl', 'Alt', 'Shift', 'Cmd'] as const;
type Modifier = (typeof MODIFIERS)[number];

/**
 * Whether a combination is a plain key without Ctrl/Cmd/Alt (Delete, Backspace): the menu shows
 * it but does not register it, or it would take the key away from text fields.
 */
export function isPlainKey(combo: string): boolean {
  return !combo.split('+').some((part) => part === 'Ctrl' || part === 'Cmd' || part === 'Alt');
}

/** A key hint for the UI: '⇧⌘Z' on macOS, 'Ctrl+Shift+Z' elsewhere; '' when there is none. */
export function keyLabel(id: CommandId, isMac: boolean): string {
  const combo = keyCombos(id, isMac ? 'darwin' : 'other')[0];
  if (!combo) return '';
  if (!isMac) return combo === 'Delete' ? 'Del' : combo;
  const symbols: Record<Modifier, string> = { Ctrl: '⌃', Alt: '⌥', Shift: '⇧', Cmd: '⌘' };
  const keys: Record<string, string> = { Backspace: '⌫', Delete: '⌦' };
  const parts = combo.split('+');
  const key = parts.pop() ?? '';
  const mods = MODIFIERS.filter((m) => parts.includes(m)).map((m) => symbols[m]);
  return mods.join('') + (keys[key] ?? key);
}

/** The parts of a keyboard event the table is matched against (a DOM KeyboardEvent fits). */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** Whether a keyboard event is this combination exactly (no extra modifiers). */
export function matchesCombo(event: KeyLike, combo: string): boolean {
  const parts = combo.split('+');
  const key = parts.pop() ?? '';
  const want = (m: Modifier) => parts.includes(m);
  if (event.ctrlKey !== want('Ctrl')) return false;
  if (event.metaKey !== want('Cmd')) return false;
  if (event.altKey !== want('Alt')) return false;
  if (event.shiftKey !== want('Shift')) return false;
  return event.key.toLowerCase() === key.toLowerCase();
}

/** The command a keyboard event stands for on a platform, or null. */
export function commandForKey(event: KeyLike, platform: string): CommandId | null {
  for (const s of SHORTCUTS) {
    if (keyCombos(s.id, platform).some((combo) => matchesCombo(event, combo))) return s.id;
  }
  return null;
}
