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
}

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
