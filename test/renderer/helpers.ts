// Small testing helpers for renderer components (no @testing-library): render into a container
// with React 19's act(), find by data-testid, type into fields, click, wait for the store.

import { act, createElement, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { App } from '../../src-renderer/app/App';
import { createJourneyStore, type JourneyStore } from '../../src-renderer/store/journey';
import { createAppStore, type AppStore } from '../../src-renderer/store/store';
import type { StoreOptions } from '../../src-renderer/store/types';
import { fakeApi, type FakeApi } from './fake-api';

export interface Rendered {
  container: HTMLElement;
  root: Root;
  unmount(): void;
}

const mounted: Rendered[] = [];

export async function render(ui: ReactNode): Promise<Rendered> {
  const container = document.createElement('div');
  document.body.appendChild(container);
  const root = createRoot(container);
  await act(async () => root.render(ui));
  const rendered = {
    container,
    root,
    unmount() {
      act(() => root.unmount());
      container.remove();
    },
  };
  mounted.push(rendered);
  return rendered;
}

/** Unmounts everything render() mounted (call in afterEach). */
export function cleanup(): void {
  for (const r of mounted.splice(0)) r.unmount();
  document.body.innerHTML = '';
}

export function byTestId<T extends Element = HTMLElement>(
  id: string,
  root: ParentNode = document,
): T {
  const el = root.querySelector<T>(`[data-testid="${CSS.escape(id)}"]`);
  if (!el) throw new Error(`No element with data-testid="${id}"`);
  return el;
}

export function queryTestId<T extends Element = HTMLElement>(
  id: string,
  root: ParentNode = document,
): T | null {
  return root.querySelector<T>(`[data-testid="${CSS.escape(id)}"]`);
}

export function allByTestId<T extends Element = HTMLElement>(
  id: string,
  root: ParentNode = document,
): T[] {
  return [...root.querySelectorAll<T>(`[data-testid="${CSS.escape(id)}"]`)];
}

/** Lets pending promises and zero-delay timers run, inside act(). */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
  }
}

/** Waits (by flushing) until `check` passes; fails with its last error after many rounds. */
export async function waitFor(check: () => void, rounds = 200): Promise<void> {
  let last: unknown;
  for (let i = 0; i < rounds; i++) {
    try {
      check();
      return;
    } catch (error) {
      last = error;
    }
    await flush(1);
  }
  throw last;
}

export async function click(el: Element): Promise<void> {
  await act(async () => {
    (el as HTMLElement).click();
  });
}

/** Sets an input's or select's value as typing would (React sees an input/change event). */
export async function typeInto(el: Element, value: string): Promise<void> {
  const input = el as HTMLInputElement | HTMLSelectElement;
  const proto =
    input instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  await act(async () => {
    setter?.call(input, value);
    input.dispatchEvent(
      new Event(input instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }),
    );
  });
}

export async function blur(el: Element): Promise<void> {
  await act(async () => {
    (el as HTMLElement).focus();
    (el as HTMLElement).blur();
  });
}

export async function keyDown(
  key: string,
  mods: Partial<Pick<KeyboardEvent, 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>> = {},
  target: EventTarget = window,
): Promise<void> {
  await act(async () => {
    target.dispatchEvent(
      new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...mods }),
    );
  });
}

// ---- the app over a fake API ----------------------------------------------------------------

export interface TestApp extends Rendered {
  api: FakeApi;
  store: AppStore;
  /** The journey's store, made over the same API. */
  journey: JourneyStore;
}

/** The whole app over a fake API, started; no debounce delays, no system clipboard. */
export async function startApp(
  api: FakeApi = fakeApi(),
  options: StoreOptions = {},
): Promise<TestApp> {
  const store = createAppStore(api, {
    validateDelay: 0,
    autosaveDelay: 0,
    clipboard: null,
    applyTheme: () => undefined,
    ...options,
  });
  const journey = createJourneyStore(api);
  const rendered = await render(createElement(App, { store, journey }));
  await waitFor(() => {
    if (store.getState().status !== 'ready') throw new Error('not started');
    if (!document.querySelector('[data-testid="app"]')) throw new Error('not rendered');
  });
  await flush();
  return { ...rendered, api, store: acting(store), journey };
}

/**
 * The store with its synchronous actions run inside act(), as a user's clicks are: a test that
 * calls `store.getState().connect(...)` directly lets React render the result before it looks.
 * Async actions are left to the test (they may wait on a prompt): it wraps them in act().
 */
function acting(store: AppStore): AppStore {
  const state = (): ReturnType<AppStore['getState']> =>
    new Proxy(store.getState(), {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        const fn = value as (...a: unknown[]) => unknown;
        // Async actions may wait on the user (a prompt): the test decides where their act ends.
        if (fn.constructor.name === 'AsyncFunction') return fn.bind(target);
        return (...args: unknown[]) => {
          let result: unknown;
          act(() => {
            result = fn.apply(target, args);
          });
          return result;
        };
      },
    });
  return { ...store, getState: state };
}

/** Waits until the engine's validation of the current project has arrived. */
export async function validated(store: AppStore): Promise<void> {
  await waitFor(() => {
    if (store.getState().validation === 'pending') throw new Error('validating');
  });
}
