// The one typed contract between the UI and the engine host. Electron IPC (main.ts / preload.ts)
// and a future browser-mode HTTP server both serve it from the same handler table
// (handlers.ts). Type imports only: the sandboxed preload and the renderer import this file.

import type { BlockSpec, PortSpec, PortType } from '../shared/catalog';
import type { BlockShapes, Problem } from '../shared/problems';
import type { ProjectFile } from '../shared/project';
import type { CommandId } from './shortcuts';

export interface AppInfo {
  version: string;
  /** The compute backend in use ('tensorflow' or 'wasm'), or null when none could be started. */
  backend: string | null;
  /** process.platform of the engine host. */
  platform: string;
  /**
   * 'electron': native file dialogs (dialog:* channels). 'browser': the page is served by
   * `npm run web`; there are no native dialogs, files live in `workspace` (files:list, uploads).
   */
  mode: 'electron' | 'browser';
  /** The folder new projects, imported data and models go to by default. */
  workspace: string;
}

/** What a file dialog or the in-app file browser is choosing. */
export type FileKind = 'project' | 'csv' | 'model';

export interface OpenedProject {
  project: ProjectFile;
  /** Where it was read from; null for a project parsed from text (an upload, a drop). */
  path: string | null;
  /** The file name shown in the title. */
  name: string;
  /** The format version the file had when it was older than the current one, else null. */
  migratedFrom: number | null;
  /** Things dropped or fixed while reading (unknown parameters, fields), one sentence each. */
  warnings: string[];
}

export interface SavedProject {
  path: string;
  name: string;
  /** ISO time of the write. */
  savedAt: string;
}

export interface RecentProject {
  path: string;
  name: string;
  /** ISO time it was last opened or saved. */
  openedAt: string;
  /** Whether the file is still there. */
  exists: boolean;
}

/** What autosave keeps so that work survives a crash. */
export interface RecoverySnapshot {
  project: ProjectFile;
  /** The file the project belongs to, or null when it was never saved. */
  path: string | null;
  name: string;
}

export interface Recovery extends RecoverySnapshot {
  savedAt: string;
}

export interface FileEntry {
  name: string;
  path: string;
  isDirectory: boolean;
  size: number;
  modifiedAt: string;
}

export interface FileListing {
  dir: string;
  /** The parent folder, or null at the top of what may be browsed. */
  parent: string | null;
  /** Folders first, then the files of the requested kind, by name. */
  entries: FileEntry[];
}

/** Block positions by block id, as the auto-layout places them. */
export type Positions = Record<string, { x: number; y: number }>;

/**
 * A port as sent over the wire. A port whose type depends on the block's parameters (a task
 * head's prediction) has its type for the default parameters in `type` and every case in
 * `typeByParam`: the port's type is `typeByParam.types[String(params[typeByParam.param])]`.
 */
export interface CatalogPort extends Omit<PortSpec, 'type'> {
  type: PortType;
  typeByParam?: { param: string; types: Record<string, PortType> };
}

export interface CatalogBlock extends Omit<BlockSpec, 'inputs' | 'outputs'> {
  inputs: CatalogPort[];
  outputs: CatalogPort[];
}

export interface TemplateSummary {
  kind: string;
  title: string;
  description: string;
}

export interface ProjectValidation {
  problems: Problem[];
  /** Inferred shapes by block id. */
  shapes: Record<string, BlockShapes>;
}

/** Channel -> argument tuple and result. Results must be plain data (structured-clone / JSON). */
export interface ApiMap {
  'app:info': { args: []; result: AppInfo };
  'catalog:get': { args: []; result: CatalogBlock[] };
  'templates:list': { args: []; result: TemplateSummary[] };
  'project:validate': { args: [project: ProjectFile]; result: ProjectValidation };
  /** A new project from a template, bound to the built-in sample's columns, laid out. */
  'templates:create': { args: [kind: string]; result: ProjectFile };
  /** Tidy positions for any graph (a layered left-to-right layout). */
  'graph:layout': { args: [project: ProjectFile]; result: Positions };
  /** Reads, migrates and checks a project file; refuses broken or foreign files with a reason. */
  'project:open': { args: [path: string]; result: OpenedProject };
  /** The same from text (a file picked in a browser, a drop). */
  'project:parse': { args: [text: string, name: string]; result: OpenedProject };
  /** Writes atomically; never overwrites a file that is not an HTLNet Studio project. */
  'project:save': { args: [path: string, project: ProjectFile]; result: SavedProject };
  'project:recent': { args: []; result: RecentProject[] };
  'recovery:write': { args: [snapshot: RecoverySnapshot]; result: null };
  'recovery:read': { args: []; result: Recovery | null };
  'recovery:clear': { args: []; result: null };
  /** Native open dialog (Electron only); null when cancelled. */
  'dialog:openFile': { args: [kind: FileKind]; result: string | null };
  /** Native save dialog (Electron only); null when cancelled. */
  'dialog:saveFile': { args: [kind: FileKind, suggestedName: string]; result: string | null };
  /** A folder's entries for the in-app file browser (null: the workspace). */
  'files:list': { args: [dir: string | null, kind: FileKind]; result: FileListing };
}

export type Channel = keyof ApiMap;
export type ApiArgs<C extends Channel> = ApiMap[C]['args'];
export type ApiResult<C extends Channel> = ApiMap[C]['result'];

/** Every channel, at run time. The compile-time checks below keep it equal to `Channel`. */
export const CHANNELS = [
  'app:info',
  'catalog:get',
  'templates:list',
  'project:validate',
  'templates:create',
  'graph:layout',
  'project:open',
  'project:parse',
  'project:save',
  'project:recent',
  'recovery:write',
  'recovery:read',
  'recovery:clear',
  'dialog:openFile',
  'dialog:saveFile',
  'files:list',
] as const satisfies readonly Channel[];

/** Main -> renderer: a menu item (or accelerator) was chosen; the payload is its CommandId. */
export const MENU_COMMAND_CHANNEL = 'menu:command';

/** The handler of one channel: a plain async function of its (run-time validated) arguments. */
export type Handler<C extends Channel> = (...args: ApiArgs<C>) => Promise<ApiResult<C>>;
export type HandlerTable = { [C in Channel]: Handler<C> };

/** 'project:validate' -> 'projectValidate': the method name the preload exposes per channel. */
export type MethodName<C extends string> = C extends `${infer Scope}:${infer Action}`
  ? `${Scope}${Capitalize<Action>}`
  : never;

/** What the preload exposes as window.htlnet (the renderer's view of the contract). */
export type InvokeApi = {
  [C in Channel as MethodName<C>]: (...args: ApiArgs<C>) => Promise<ApiResult<C>>;
};
export interface RendererApi extends InvokeApi {
  /** Subscribes to menu commands; returns the unsubscribe function. */
  onMenuCommand(callback: (command: CommandId) => void): () => void;
}

// ---- compile-time checks -----------------------------------------------------------------

/** True when T holds nothing that structured clone or JSON would drop or reject. */
export type IsPlainData<T> = T extends (...args: never[]) => unknown
  ? false
  : T extends string | number | boolean | null | undefined
    ? true
    : T extends readonly (infer E)[]
      ? IsPlainData<E>
      : T extends object
        ? false extends { [K in keyof T]-?: IsPlainData<T[K]> }[keyof T]
          ? false
          : true
        : false;

type Expect<T extends true> = T;
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export type _ChannelsComplete = Expect<Equal<(typeof CHANNELS)[number], Channel>>;
export type _ResultsArePlainData = Expect<
  Equal<{ [C in Channel]: IsPlainData<ApiResult<C>> }[Channel], true>
>;
export type _ArgsArePlainData = Expect<
  Equal<{ [C in Channel]: IsPlainData<ApiArgs<C>> }[Channel], true>
>;
