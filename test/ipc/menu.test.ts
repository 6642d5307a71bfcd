import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { menuTemplate } from '../../src-main/ipc/menu';
import { SHORTCUTS, accelerator, keyLabel, type CommandId } from '../../src-main/ipc/shortcuts';

function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((m) => [
    m,
    ...(Array.isArray(m.submenu) ? items(m.submenu as MenuItemConstructorOptions[]) : []),
  ]);
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
    byId.get('view.toggleDark')?.click?.({} as never, undefined, {} as never);
    byId.get('help.about')?.click?.({} as never, undefined, {} as never);
    expect(sent).toEqual(['view.toggleDark', 'help.about']);
    expect(byId.get('edit.copy')?.role).toBe('copy');
    expect(byId.get('app.quit')?.role).toBe('quit');
    expect(byId.get('edit.copy')?.click).toBeUndefined();
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
    for (const s of SHORTCUTS) expect(s.mac === null, s.id).toBe(s.other === null);
  });

  it('gives platform key labels', () => {
    expect(keyLabel('edit.redo', true)).toBe('⇧⌘Z');
    expect(keyLabel('edit.redo', false)).toBe('Ctrl+Y');
    expect(keyLabel('view.devTools', true)).toBe('⌥⌘I');
    expect(keyLabel('help.about', false)).toBe('');
  });
});
