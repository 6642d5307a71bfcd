import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { menuTemplate } from '../../src-main/ipc/menu';
import {
  SHORTCUTS,
  accelerator,
  commandForKey,
  keyCombos,
  keyLabel,
  matchesCombo,
  type CommandId,
  type KeyLike,
} from '../../src-main/ipc/shortcuts';

function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((m) => [m, ...(Array.isArray(m.submenu) ? items(m.submenu) : [])]);
}

function build(platform: string, dev: boolean, disabled: CommandId[] = []) {
  const sent: CommandId[] = [];
  const template = menuTemplate({
    platform,
    dev,
    appName: 'HTLNet Studio',
    send: (command) => sent.push(command),
    disabled: new Set(disabled),
  });
  return {
    template,
    sent,
    byId: new Map(
      items(template)
        .filter((i) => i.id)
        .map((i) => [i.id, i]),
    ),
  };
}

describe('application menu', () => {
  it.each(['linux', 'win32', 'darwin'])(
    'on %s holds every command once, with its accelerator',
    (platform) => {
      const { template, byId } = build(platform, true);
      const ids = items(template)
        .map((i) => i.id)
        .filter(Boolean);
      expect(new Set(ids).size).toBe(ids.length);
      for (const s of SHORTCUTS) {
        const item = byId.get(s.id);
        expect(item, s.id).toBeDefined();
        expect(item?.label).toBe(s.title);
        expect(item?.accelerator).toBe(accelerator(s.id, platform));
      }
    },
  );

  it('has File, Edit, View and Help menus', () => {
    const labels = build('linux', false).template.map((m) => m.label ?? m.role);
    expect(labels).toEqual(['File', 'Edit', 'View', 'help']);
  });

  it('offers developer tools in development only', () => {
    expect(build('linux', false).byId.has('view.devTools')).toBe(false);
    expect(build('linux', true).byId.get('view.devTools')?.role).toBe('toggleDevTools');
  });

  it('sends app commands to the renderer and leaves text editing and quitting to Electron', () => {
    const { byId, sent } = build('linux', true);
    byId.get('view.toggleDark')?.click?.({} as never, undefined, {});
    byId.get('help.about')?.click?.({} as never, undefined, {});
    expect(sent).toEqual(['view.toggleDark', 'help.about']);
    expect(byId.get('edit.copy')?.role).toBe('copy');
    expect(byId.get('app.quit')?.role).toBe('quit');
    expect(byId.get('edit.copy')?.click).toBeUndefined();
  });

  it('sends undo, redo, select all, duplicate and delete to the renderer', () => {
    const { byId, sent } = build('linux', false);
    for (const id of [
      'edit.undo',
      'edit.redo',
      'edit.selectAll',
      'edit.duplicate',
      'edit.delete',
    ] as const) {
      expect(byId.get(id)?.role, id).toBeUndefined();
      byId.get(id)?.click?.({} as never, undefined, {});
    }
    expect(sent).toEqual([
      'edit.undo',
      'edit.redo',
      'edit.selectAll',
      'edit.duplicate',
      'edit.delete',
    ]);
  });

  it('shows the Delete key but leaves it to the page (text fields keep it)', () => {
    const del = build('linux', false).byId.get('edit.delete');
    expect(del?.accelerator).toBe('Delete');
    expect(del?.registerAccelerator).toBe(false);
    expect(build('linux', false).byId.get('edit.undo')?.registerAccelerator).toBeUndefined();
  });

  it('disables the commands it is told to', () => {
    const { byId } = build('linux', false, ['file.open']);
    expect(byId.get('file.open')?.enabled).toBe(false);
    expect(byId.get('file.save')?.enabled).toBe(true);
  });
});

describe('shortcuts table', () => {
  it('has unique ids and a combination for both platforms or neither', () => {
    expect(new Set(SHORTCUTS.map((s) => s.id)).size).toBe(SHORTCUTS.length);
    for (const s of SHORTCUTS) expect(s.mac.length === 0, s.id).toBe(s.other.length === 0);
  });

  it('never gives one combination to two commands', () => {
    for (const platform of ['darwin', 'linux']) {
      const combos = SHORTCUTS.flatMap((s) => keyCombos(s.id, platform));
      expect(new Set(combos).size, platform).toBe(combos.length);
    }
  });

  it('has the editing shortcuts people expect', () => {
    expect(keyCombos('edit.undo', 'linux')).toEqual(['Ctrl+Z']);
    expect(keyCombos('edit.redo', 'linux')).toEqual(['Ctrl+Shift+Z', 'Ctrl+Y']);
    expect(keyCombos('edit.redo', 'darwin')[0]).toBe('Cmd+Shift+Z');
    expect(keyCombos('edit.duplicate', 'darwin')).toEqual(['Cmd+D']);
    expect(keyCombos('edit.delete', 'linux')).toEqual(['Delete', 'Backspace']);
    expect(accelerator('edit.redo', 'win32')).toBe('Ctrl+Shift+Z');
  });

  it('gives platform key labels', () => {
    expect(keyLabel('edit.redo', true)).toBe('⇧⌘Z');
    expect(keyLabel('edit.redo', false)).toBe('Ctrl+Shift+Z');
    expect(keyLabel('view.devTools', true)).toBe('⌥⌘I');
    expect(keyLabel('edit.delete', true)).toBe('⌫');
    expect(keyLabel('edit.delete', false)).toBe('Del');
    expect(keyLabel('help.about', false)).toBe('');
  });

  const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
    key: k,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    altKey: false,
    ...mods,
  });

  it('matches keyboard events against every combination of a command', () => {
    expect(commandForKey(key('z', { ctrlKey: true }), 'linux')).toBe('edit.undo');
    expect(commandForKey(key('Z', { ctrlKey: true, shiftKey: true }), 'linux')).toBe('edit.redo');
    expect(commandForKey(key('y', { ctrlKey: true }), 'linux')).toBe('edit.redo');
    expect(commandForKey(key('z', { metaKey: true, shiftKey: true }), 'darwin')).toBe('edit.redo');
    expect(commandForKey(key('Delete'), 'linux')).toBe('edit.delete');
    expect(commandForKey(key('Backspace'), 'darwin')).toBe('edit.delete');
    expect(commandForKey(key('d', { ctrlKey: true }), 'linux')).toBe('edit.duplicate');
    expect(commandForKey(key('s', { ctrlKey: true, shiftKey: true }), 'linux')).toBe('file.saveAs');
  });

  it('needs the exact modifiers', () => {
    expect(commandForKey(key('z'), 'linux')).toBeNull();
    expect(commandForKey(key('z', { metaKey: true }), 'linux')).toBeNull();
    expect(commandForKey(key('z', { ctrlKey: true, altKey: true }), 'linux')).toBeNull();
    expect(matchesCombo(key('Delete', { shiftKey: true }), 'Delete')).toBe(false);
  });
});
