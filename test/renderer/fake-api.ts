// A RendererApi for component tests, backed by the real engine's pure parts (catalog, templates,
// validation and shapes, layout, project files with their migrations) and an in-memory file
// system, recent list and recovery slot. Every call is recorded. Channels a test does not need
// reject with a clear message.

import { act } from 'react';
import { catalogForWire } from '../../src-main/ipc/catalog-wire';
import { sampleBinding } from '../../src-main/engine/data/sample-layout';
import { layoutGraph } from '../../src-main/engine/graph/layout';
import {
  readProject,
  serializeProject,
  validateProjectDocument,
} from '../../src-main/engine/graph/project-file';
import { inferShapes } from '../../src-main/engine/graph/shapes';
import {
  buildTemplate,
  TEMPLATE_KINDS,
  type TemplateKind,
} from '../../src-main/engine/graph/templates';
import { validateGraph } from '../../src-main/engine/graph/validate';
import type {
  ApiMap,
  AppInfo,
  CatalogBlock,
  Channel,
  OpenedProject,
  Recovery,
  RecentProject,
  RendererApi,
} from '../../src-main/ipc/api';
import { createInvokeApi } from '../../src-main/ipc/client';
import type { CommandId } from '../../src-main/ipc/shortcuts';

/** The catalog as catalog:get sends it (the host's own code, which is light). */
export function wireCatalog(): CatalogBlock[] {
  return catalogForWire();
}

type Handlers = { [C in Channel]?: (...args: ApiMap[C]['args']) => Promise<ApiMap[C]['result']> };

export interface FakeApi extends RendererApi {
  calls: { channel: Channel; args: unknown[] }[];
  /** Files by path (project files as text). */
  files: Map<string, string>;
  recovery: Recovery | null;
  recent: RecentProject[];
  /** What the native dialogs answer (Electron mode). */
  dialogAnswers: { open: string | null; save: string | null };
  /** Sends a menu command, as Electron's menu does ('file.open' may carry a project's path). */
  menu(command: CommandId, path?: string): void;
  callsOf(channel: Channel): unknown[][];
}

export const WORKSPACE = '/work/space';

const baseName = (p: string) => p.split('/').pop() ?? p;

export function fakeApi(
  options: { mode?: AppInfo['mode']; handlers?: Handlers; recovery?: Recovery | null } = {},
): FakeApi {
  const files = new Map<string, string>();
  const listeners = new Set<(command: CommandId, path?: string) => void>();
  const opened = (text: string, path: string | null, name: string): OpenedProject => {
    const loaded = readProject(text, name);
    return {
      project: loaded.project,
      path,
      name,
      migratedFrom: loaded.migratedFrom,
      warnings: loaded.warnings,
    };
  };
  const touch = (path: string) => {
    fake.recent = [
      { path, name: baseName(path), openedAt: new Date(0).toISOString(), exists: true },
      ...fake.recent.filter((r) => r.path !== path),
    ];
  };
  const handlers: Handlers = {
    'app:info': async () => ({
      version: '0.0.0-test',
      backend: 'wasm',
      platform: 'linux',
      mode: options.mode ?? 'browser',
      workspace: WORKSPACE,
    }),
    'catalog:get': async () => wireCatalog(),
    'templates:list': async () =>
      TEMPLATE_KINDS.map(({ kind, title, description }) => ({ kind, title, description })),
    'project:validate': async (project) => {
      const checked = validateProjectDocument(structuredClone(project), 'The project');
      return { problems: validateGraph(checked), shapes: inferShapes(checked) };
    },
    'templates:create': async (kind, binding) =>
      buildTemplate(kind as TemplateKind, binding ?? sampleBinding()),
    'project:new': async () => ({
      ...buildTemplate('htlnet', sampleBinding()),
      name: 'Untitled',
      graph: { blocks: [], edges: [] },
    }),
    'graph:layout': async (project) => layoutGraph(project),
    'project:open': async (path) => {
      const text = files.get(path);
      if (text === undefined) throw new Error(`${path}: no such file.`);
      touch(path);
      return opened(text, path, baseName(path));
    },
    'project:parse': async (text, name) => opened(text, null, name),
    'project:save': async (path, project) => {
      validateProjectDocument(structuredClone(project), baseName(path));
      files.set(path, serializeProject(project));
      touch(path);
      return { path, name: baseName(path), savedAt: new Date(0).toISOString() };
    },
    'project:recent': async () => fake.recent,
    'recovery:write': async (snapshot) => {
      fake.recovery = { ...structuredClone(snapshot), savedAt: new Date(0).toISOString() };
      return null;
    },
    'recovery:read': async () => fake.recovery,
    'recovery:clear': async () => {
      fake.recovery = null;
      return null;
    },
    'dialog:openFile': async () => fake.dialogAnswers.open,
    'dialog:saveFile': async () => fake.dialogAnswers.save,
    'files:list': async (dir) => {
      const at = dir ?? WORKSPACE;
      const entries = [...files.keys()]
        .filter((p) => p.startsWith(`${at}/`) && !p.slice(at.length + 1).includes('/'))
        .sort()
        .map((p) => ({
          name: baseName(p),
          path: p,
          isDirectory: false,
          size: files.get(p)!.length,
          modifiedAt: new Date(0).toISOString(),
        }));
      return { dir: at, parent: null, entries };
    },
    ...options.handlers,
  };
  const invoke = createInvokeApi(async (channel, args) => {
    fake.calls.push({ channel, args });
    const handler = handlers[channel] as ((...a: unknown[]) => Promise<unknown>) | undefined;
    if (!handler) throw new Error(`The fake API does not serve ${channel}.`);
    return handler(...args);
  });
  const fake: FakeApi = {
    ...invoke,
    calls: [],
    files,
    recovery: options.recovery ?? null,
    recent: [],
    dialogAnswers: { open: null, save: null },
    onMenuCommand(callback) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
    onHostEvent() {
      return () => undefined;
    },
    menu(command, path) {
      // Inside act(), as a user's click on a menu item would be.
      act(() => {
        for (const l of listeners) l(command, path);
      });
    },
    callsOf(channel) {
      return fake.calls.filter((c) => c.channel === channel).map((c) => c.args);
    },
  };
  return fake;
}
