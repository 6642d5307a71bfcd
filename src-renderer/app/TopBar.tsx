// The top bar: the document's name (with a dot while there are unsaved changes), the menu bar
// (browser mode; Electron has its native menu), the toolbar, and the tabs of the app's screens.

import { useEffect, useRef, useState, type ReactNode } from 'react';
import { keyLabel, shortcut, type CommandId, type MenuName } from '../../src-main/ipc/shortcuts';
import { documentName, isDirty } from '../store/project-slice';
import { useJourneyStore } from '../store/journey';
import type { Tab } from '../store/types';
import { runCommand } from './commands';
import { useAppStore, useStoreApi } from '../store/context';
import { Icon, type IconName } from '../ui/Icon';

function useIsMac(): boolean {
  const platform = useAppStore((s) => s.info?.platform);
  return platform === 'darwin';
}

/** "Undo (Ctrl+Z)" */
function withKey(title: string, id: CommandId, isMac: boolean): string {
  const key = keyLabel(id, isMac);
  return key ? `${title} (${key})` : title;
}

export function TopBar({ onUpload }: { onUpload: () => void }) {
  const name = useAppStore(documentName);
  const dirty = useAppStore(isDirty);
  const path = useAppStore((s) => s.path);
  const mode = useAppStore((s) => s.info?.mode);
  return (
    <header className="top-bar">
      <div className="brand" title="HTLNet Studio">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">HTLNet Studio</span>
      </div>
      {mode === 'browser' && <MenuBar onUpload={onUpload} />}
      <div
        className="document-title"
        data-testid="document-title"
        title={path ?? 'Not saved yet'}
        aria-label={`${name}${dirty ? ', unsaved changes' : ''}`}
      >
        {dirty && (
          <span className="dirty-marker" data-testid="dirty-marker" aria-hidden="true">
            •
          </span>
        )}
        <span className="document-name">{name}</span>
      </div>
      <Tabs />
      <Toolbar />
    </header>
  );
}

const TABS: { id: Tab; title: string; hint: string }[] = [
  { id: 'model', title: 'Model', hint: 'Build the model from blocks' },
  { id: 'data', title: 'Data', hint: 'Import a CSV and bind its columns to features and tasks' },
  { id: 'train', title: 'Train', hint: 'Train the model and watch it learn' },
  { id: 'results', title: 'Results', hint: 'Metrics, run comparison, export and scoring' },
];

function Tabs() {
  const tab = useAppStore((s) => s.tab);
  const setTab = useAppStore((s) => s.setTab);
  return (
    <nav className="tabs" role="tablist" aria-label="Screens">
      {TABS.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          aria-selected={tab === t.id}
          className={`tab${tab === t.id ? ' is-active' : ''}`}
          data-testid={`tab-${t.id}`}
          title={t.hint}
          onClick={() => setTab(t.id)}
        >
          {t.title}
        </button>
      ))}
    </nav>
  );
}

function ToolButton({
  id,
  icon,
  title,
  disabled,
  pressed,
  onClick,
}: {
  id: string;
  icon: IconName;
  title: string;
  disabled?: boolean;
  pressed?: boolean;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className={`tool${pressed ? ' is-pressed' : ''}`}
      data-testid={`toolbar-${id}`}
      title={title}
      aria-label={title}
      aria-pressed={pressed}
      disabled={disabled}
      onClick={onClick}
    >
      <Icon name={icon} size={17} />
    </button>
  );
}

function Toolbar() {
  const store = useStoreApi();
  const isMac = useIsMac();
  const canUndo = useAppStore((s) => s.history.past.length > 0);
  const canRedo = useAppStore((s) => s.history.future.length > 0);
  const hasBlocks = useAppStore((s) => s.project.graph.blocks.length > 0);
  const hasSelection = useAppStore((s) => s.selection.blocks.length + s.selection.edges.length > 0);
  const hasBlockSelection = useAppStore((s) => s.selection.blocks.length > 0);
  const snap = useAppStore((s) => s.snapToGrid);
  const theme = useAppStore((s) => s.theme);
  const journey = useJourneyStore();
  const run = (id: CommandId) => () => runCommand(store, id, undefined, journey);
  const t = (id: CommandId, title = shortcut(id).title.replace('…', '')) =>
    withKey(title, id, isMac);
  return (
    <div className="toolbar" role="toolbar" aria-label="Commands">
      <div className="tool-group">
        <ToolButton
          id="new"
          icon="new"
          title={t('file.new', 'New project')}
          onClick={run('file.new')}
        />
        <ToolButton
          id="open"
          icon="open"
          title={t('file.open', 'Open project')}
          onClick={run('file.open')}
        />
        <ToolButton id="save" icon="save" title={t('file.save')} onClick={run('file.save')} />
      </div>
      <div className="tool-group">
        <ToolButton
          id="undo"
          icon="undo"
          title={t('edit.undo')}
          disabled={!canUndo}
          onClick={run('edit.undo')}
        />
        <ToolButton
          id="redo"
          icon="redo"
          title={t('edit.redo')}
          disabled={!canRedo}
          onClick={run('edit.redo')}
        />
      </div>
      <div className="tool-group">
        <ToolButton
          id="copy"
          icon="copy"
          title={t('edit.copy')}
          disabled={!hasBlockSelection}
          onClick={run('edit.copy')}
        />
        <ToolButton id="paste" icon="paste" title={t('edit.paste')} onClick={run('edit.paste')} />
        <ToolButton
          id="duplicate"
          icon="duplicate"
          title={t('edit.duplicate')}
          disabled={!hasBlockSelection}
          onClick={run('edit.duplicate')}
        />
        <ToolButton
          id="delete"
          icon="trash"
          title={t('edit.delete')}
          disabled={!hasSelection}
          onClick={run('edit.delete')}
        />
      </div>
      <div className="tool-group">
        <ToolButton
          id="layout"
          icon="layout"
          title={t('view.layout')}
          disabled={!hasBlocks}
          onClick={run('view.layout')}
        />
        <ToolButton
          id="fit"
          icon="fit"
          title={t('view.fit')}
          disabled={!hasBlocks}
          onClick={run('view.fit')}
        />
        <ToolButton
          id="snap"
          icon="grid"
          title={t('view.snap')}
          pressed={snap}
          onClick={run('view.snap')}
        />
        <ToolButton
          id="theme"
          icon={theme === 'dark' ? 'sun' : 'moon'}
          title={t('view.toggleDark', theme === 'dark' ? 'Light theme' : 'Dark theme')}
          onClick={run('view.toggleDark')}
        />
      </div>
    </div>
  );
}

interface MenuEntry {
  id: CommandId | 'file.upload' | `recent:${string}`;
  title: string;
  key?: string;
  disabled?: boolean;
  run: () => void;
}

const MENUS: {
  name: MenuName;
  title: string;
  items: (CommandId | '-' | 'file.upload' | 'file.recent')[];
}[] = [
  {
    name: 'file',
    title: 'File',
    items: [
      'file.new',
      'file.open',
      'file.upload',
      'file.recent',
      '-',
      'file.save',
      'file.saveAs',
      '-',
      'file.exportOnnx',
    ],
  },
  {
    name: 'edit',
    title: 'Edit',
    items: [
      'edit.undo',
      'edit.redo',
      '-',
      'edit.cut',
      'edit.copy',
      'edit.paste',
      'edit.duplicate',
      'edit.delete',
      '-',
      'edit.selectAll',
    ],
  },
  {
    name: 'view',
    title: 'View',
    items: ['view.fit', 'view.layout', 'view.snap', '-', 'view.toggleDark'],
  },
  { name: 'help', title: 'Help', items: ['help.about'] },
];

/** Browser mode's menu bar: the same commands as Electron's menu, with their keys. */
function MenuBar({ onUpload }: { onUpload: () => void }) {
  const store = useStoreApi();
  const journey = useJourneyStore();
  const isMac = useIsMac();
  const recent = useAppStore((s) => s.recent);
  const canUndo = useAppStore((s) => s.history.past.length > 0);
  const canRedo = useAppStore((s) => s.history.future.length > 0);
  const [open, setOpen] = useState<MenuName | null>(null);
  const bar = useRef<HTMLElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (e: PointerEvent) => {
      if (!bar.current?.contains(e.target as Node)) setOpen(null);
    };
    const escape = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(null);
    window.addEventListener('pointerdown', close);
    window.addEventListener('keydown', escape);
    return () => {
      window.removeEventListener('pointerdown', close);
      window.removeEventListener('keydown', escape);
    };
  }, [open]);

  const entries = (items: (typeof MENUS)[number]['items']): (MenuEntry | '-')[] =>
    items.flatMap((item): (MenuEntry | '-')[] => {
      if (item === '-') return ['-'];
      if (item === 'file.upload') {
        return [{ id: 'file.upload', title: 'Upload project…', run: onUpload }];
      }
      if (item === 'file.recent') {
        return recent
          .filter((r) => r.exists)
          .slice(0, 5)
          .map((r) => ({
            id: `recent:${r.path}` as const,
            title: `Open recent: ${r.name}`,
            run: () => void store.getState().openProject(r.path),
          }));
      }
      return [
        {
          id: item,
          title: shortcut(item).title,
          key: keyLabel(item, isMac),
          disabled: (item === 'edit.undo' && !canUndo) || (item === 'edit.redo' && !canRedo),
          run: () => runCommand(store, item, undefined, journey),
        },
      ];
    });

  return (
    <nav className="menu-bar" ref={bar} aria-label="Menu">
      {MENUS.map((menu) => (
        <div className="menu" key={menu.name}>
          <button
            type="button"
            className={`menu-button${open === menu.name ? ' is-open' : ''}`}
            aria-haspopup="menu"
            aria-expanded={open === menu.name}
            data-testid={`menu-${menu.name}`}
            onClick={() => setOpen(open === menu.name ? null : menu.name)}
            onPointerEnter={() => open && open !== menu.name && setOpen(menu.name)}
          >
            {menu.title}
          </button>
          {open === menu.name && (
            <ul className="menu-list" role="menu" aria-label={menu.title}>
              {entries(menu.items).map((entry, i) =>
                entry === '-' ? (
                  <li key={`sep-${i}`} role="separator" className="menu-separator" />
                ) : (
                  <li key={entry.id} role="none">
                    <MenuItem entry={entry} onDone={() => setOpen(null)} />
                  </li>
                ),
              )}
            </ul>
          )}
        </div>
      ))}
    </nav>
  );
}

function MenuItem({ entry, onDone }: { entry: MenuEntry; onDone: () => void }): ReactNode {
  return (
    <button
      type="button"
      role="menuitem"
      className="menu-item"
      data-testid={`menu-item-${entry.id}`}
      disabled={entry.disabled}
      title={entry.title}
      onClick={() => {
        onDone();
        entry.run();
      }}
    >
      <span>{entry.title}</span>
      {entry.key && <kbd>{entry.key}</kbd>}
    </button>
  );
}
