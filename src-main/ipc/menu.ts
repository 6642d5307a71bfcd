// The application menu, built from the shortcuts table. Returns Electron's menu template as
// plain data (type imports only), so it is tested without Electron.

import type { BaseWindow, MenuItemConstructorOptions } from 'electron';
import { accelerator, isPlainKey, shortcut, type CommandId } from './shortcuts';

type Role = NonNullable<MenuItemConstructorOptions['role']>;

/**
 * Commands Electron carries out itself: quitting, developer tools, and the clipboard (the native
 * cut/copy/paste fire the page's clipboard events, which the editor handles when no text field
 * has the focus, so text fields keep their native clipboard). Undo, redo and Select All go to
 * the renderer, which applies them to the graph or, in a text field, to the text.
 */
const ROLES: Partial<Record<CommandId, Role>> = {
  'app.quit': 'quit',
  'edit.cut': 'cut',
  'edit.copy': 'copy',
  'edit.paste': 'paste',
  'view.devTools': 'toggleDevTools',
};

export interface MenuOptions {
  /** process.platform */
  platform: string;
  /** Development build: adds the developer tools item. */
  dev: boolean;
  appName: string;
  /** Sends a command to the renderer of `window` (the menu:command channel). */
  send: (command: CommandId, window: BaseWindow | undefined) => void;
  /** Commands shown but disabled (not implemented by the renderer yet). */
  disabled?: ReadonlySet<CommandId>;
}

export function menuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const { platform, dev, send } = options;
  const mac = platform === 'darwin';
  const item = (id: CommandId): MenuItemConstructorOptions => {
    const role = ROLES[id];
    const key = accelerator(id, platform);
    const common: MenuItemConstructorOptions = {
      id,
      label: shortcut(id).title,
      accelerator: key,
      enabled: !options.disabled?.has(id),
    };
    // A plain key (Delete) is shown but left to the page, or text fields would lose it.
    if (key !== undefined && isPlainKey(key)) common.registerAccelerator = false;
    return role ? { ...common, role } : { ...common, click: (_item, window) => send(id, window) };
  };
  const sep: MenuItemConstructorOptions = { type: 'separator' };

  const file: MenuItemConstructorOptions[] = [
    item('file.new'),
    item('file.open'),
    sep,
    item('file.save'),
    item('file.saveAs'),
    sep,
    item('file.exportOnnx'),
  ];
  // On macOS, Quit and About live in the application menu.
  if (!mac) file.push(sep, item('app.quit'));

  const view: MenuItemConstructorOptions[] = [
    item('view.fit'),
    item('view.layout'),
    item('view.snap'),
    sep,
    item('view.toggleDark'),
  ];
  if (dev) view.push(sep, item('view.devTools'));

  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: options.appName,
      submenu: [
        item('help.about'),
        sep,
        { role: 'services' },
        sep,
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        sep,
        item('app.quit'),
      ],
    });
  }
  template.push(
    { label: 'File', submenu: file },
    {
      label: 'Edit',
      submenu: [
        item('edit.undo'),
        item('edit.redo'),
        sep,
        item('edit.cut'),
        item('edit.copy'),
        item('edit.paste'),
        item('edit.duplicate'),
        item('edit.delete'),
        sep,
        item('edit.selectAll'),
      ],
    },
    { label: 'View', submenu: view },
  );
  if (mac) template.push({ role: 'windowMenu' });
  template.push({ role: 'help', submenu: mac ? [] : [item('help.about')] });
  return template;
}
