// Helpers for the journey's component tests (happy-dom, react-dom/client + act, no testing
// library): rendering, DOM events React listens to, a fake engine host with recorded calls and
// host events, and the recorded fixtures.

import { act, createElement, type ReactElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type {
  AppInfo,
  ApiArgs,
  ApiResult,
  Channel,
  DataPreview,
  HostEvent,
  RendererApi,
  RunDetail,
  TrainProgress,
} from '../../../src-main/ipc/api';
import { createInvokeApi } from '../../../src-main/ipc/client';
import {
  defaultTrainingSettings,
  PROJECT_FORMAT,
  PROJECT_VERSION,
  type ProjectFile,
} from '../../../src-main/shared/project';
import {
  createJourneyStore,
  JourneyProvider,
  type JourneyStore,
} from '../../../src-renderer/store/journey';
import previewJson from '../../fixtures/journey/preview.json';
import runsJson from '../../fixtures/journey/runs.json';
import eventsJson from '../../fixtures/journey/train-events.json';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

// ---- fixtures --------------------------------------------------------------------------------

/** The wizard's preview of a 6,000-row sample, as the host built it. */
export function fixturePreview(): DataPreview {
  const preview = structuredClone(previewJson) as unknown as DataPreview;
  return { ...preview, path: '/ws/sample-6k.csv', suggested: { ...preview.suggested } };
}

/** The TrainProgress events of a 3-epoch HTLNet run on that sample, as the host sends them. */
export function fixtureEvents(): TrainProgress[] {
  return structuredClone(eventsJson) as unknown as TrainProgress[];
}

/** Two runs on the same data: HTLNet, then MMoE. */
export function fixtureRuns(): RunDetail[] {
  return structuredClone(runsJson) as unknown as RunDetail[];
}

export function summaryOf(detail: RunDetail) {
  const { project: _p, history: _h, curves: _c, ...summary } = detail;
  return summary;
}

/** The HTLNet run's project (graph, binding, settings) with the data file set. */
export function fixtureProject(): ProjectFile {
  const project = fixtureRuns()[0].project;
  return { ...project, data: { ...project.data, source: '/ws/sample-6k.csv' } };
}

export function emptyProject(): ProjectFile {
  return {
    format: PROJECT_FORMAT,
    version: PROJECT_VERSION,
    name: 'Untitled',
    graph: { blocks: [], edges: [] },
    data: { features: [], tasks: [], excluded: [] },
    training: defaultTrainingSettings(),
  };
}

// ---- a fake engine host ------------------------------------------------------------------------

export type Handlers = {
  [C in Channel]?: (...args: ApiArgs<C>) => ApiResult<C> | Promise<ApiResult<C>>;
};

export interface FakeHost {
  api: RendererApi;
  calls: { channel: string; args: unknown[] }[];
  /** Arguments of every call of a channel, in order. */
  callsOf<C extends Channel>(channel: C): ApiArgs<C>[];
  /** Sends a host event to the subscribers (inside act). */
  emit(event: HostEvent): Promise<void>;
  handlers: Handlers;
  /** The journey store made over this host (render() provides it to the screens). */
  journey: JourneyStore;
}

/** The journey store of the latest fakeHost(); render() puts the screens under it. */
let current: JourneyStore | null = null;

/** The latest fakeHost()'s journey store. */
export function journey(): JourneyStore {
  if (!current) throw new Error('No fake host yet: call fakeHost() first.');
  return current;
}

function appInfo(mode: 'browser' | 'electron' = 'browser'): AppInfo {
  return { version: '0.1.0', backend: 'wasm', platform: 'linux', mode, workspace: '/ws' };
}

/**
 * A fake host: each channel answers from `handlers` (a missing one rejects, naming the channel);
 * every call is recorded; in browser mode it has upload(). Connected to the journey store.
 */
export function fakeHost(
  handlers: Handlers = {},
  mode: 'browser' | 'electron' = 'browser',
): FakeHost {
  current?.getState().disconnect();
  current = null;
  globalThis.localStorage?.removeItem('htlnet.journey.lastData');
  const calls: FakeHost['calls'] = [];
  const listeners = new Set<(e: HostEvent) => void>();
  const all: Handlers = { ...handlers };
  if (!all['app:info']) all['app:info'] = () => appInfo(mode);
  const invoke = async (channel: Channel, args: unknown[]) => {
    calls.push({ channel, args });
    const handler = all[channel] as ((...a: unknown[]) => unknown) | undefined;
    if (!handler) throw new Error(`The fake host has no handler for ${channel}.`);
    return handler(...args);
  };
  const base: RendererApi = {
    ...createInvokeApi(invoke),
    onMenuCommand: () => () => undefined,
    onHostEvent(callback) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
  };
  const api =
    mode === 'browser'
      ? {
          ...base,
          async upload(file: Blob, name: string) {
            calls.push({ channel: 'upload', args: [file, name] });
            return `/ws/uploads/${name}`;
          },
        }
      : base;
  const journeyStore = createJourneyStore(api);
  journeyStore.getState().connect();
  current = journeyStore;
  return {
    api,
    journey: journeyStore,
    calls,
    handlers: all,
    callsOf: <C extends Channel>(channel: C) =>
      calls.filter((c) => c.channel === channel).map((c) => c.args as ApiArgs<C>),
    async emit(event) {
      await act(async () => {
        for (const l of listeners) l(event);
      });
    },
  };
}

// ---- rendering and events ----------------------------------------------------------------------

export interface Rendered {
  container: HTMLElement;
  root: Root;
  rerender(element: ReactElement): Promise<void>;
  unmount(): void;
}

/** Renders under the latest fakeHost()'s journey store (when there is one). */
export async function render(element: ReactElement): Promise<Rendered> {
  const container = document.createElement('div');
  document.body.appendChild(container);
  const root = createRoot(container);
  const store = current;
  const wrap = (el: ReactElement) =>
    store ? createElement(JourneyProvider, { store, children: el }) : el;
  await act(async () => root.render(wrap(element)));
  await flush();
  return {
    container,
    root,
    async rerender(next) {
      await act(async () => root.render(wrap(next)));
      await flush();
    },
    unmount() {
      act(() => root.unmount());
      container.remove();
    },
  };
}

/** Lets pending promises (fake host answers) and the renders they cause settle. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
  }
}

export function byTestId<T extends Element = HTMLElement>(root: ParentNode, id: string): T {
  const el = root.querySelector<T & Element>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`No element with data-testid="${id}".`);
  return el;
}

export function maybeTestId<T extends Element = HTMLElement>(
  root: ParentNode,
  id: string,
): T | null {
  return root.querySelector<T & Element>(`[data-testid="${id}"]`);
}

export async function click(el: Element): Promise<void> {
  await act(async () => {
    (el as HTMLElement).click();
  });
  await flush();
}

/** Sets an input's value the way typing does (React's value tracker sees the change). */
export async function typeInto(input: HTMLInputElement, value: string): Promise<void> {
  await act(async () => {
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    setter.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

/** Presses Enter in a field (commits a typed setting). */
export async function pressEnter(input: HTMLElement): Promise<void> {
  await act(async () => {
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
  });
  await flush();
}

export async function chooseOption(select: HTMLSelectElement, value: string): Promise<void> {
  await act(async () => {
    const setter = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value')!.set!;
    setter.call(select, value);
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await flush();
}

export function text(el: Element | null): string {
  return (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
}
