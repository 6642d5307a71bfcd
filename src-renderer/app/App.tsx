// The app: the editor's store and the journey's store over the engine host's API
// (window.htlnet in Electron, HTTP in browser mode, or whatever a test provides), started once,
// under the shell.

import { useEffect, useState } from 'react';
import type { RendererApi } from '../../src-main/ipc/api';
import { api as defaultApi } from './api';
import { StoreProvider } from '../store/context';
import { createJourneyStore, JourneyProvider, type JourneyStore } from '../store/journey';
import { Shell } from './Shell';
import { createAppStore, type AppStore } from '../store/store';
import type { StoreOptions } from '../store/types';
import { applyTheme, currentTheme } from './theme';

const started = new WeakSet<AppStore>();

export interface AppProps {
  /** The engine host (default: src-renderer/api.ts). */
  api?: RendererApi;
  /** A ready store (tests); otherwise one is made over `api`. */
  store?: AppStore;
  /** A ready journey store (tests); otherwise one is made over the store's API. */
  journey?: JourneyStore;
  options?: StoreOptions;
}

function makeStore(props: AppProps): AppStore | Error {
  if (props.store) return props.store;
  try {
    return createAppStore(props.api ?? defaultApi(), {
      applyTheme,
      initialTheme: currentTheme(),
      ...props.options,
    });
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

export function App(props: AppProps) {
  const [store] = useState(() => makeStore(props));
  const [journey] = useState(() =>
    store instanceof Error ? null : (props.journey ?? createJourneyStore(store.getState().api)),
  );
  useEffect(() => {
    if (store instanceof Error || started.has(store)) return;
    started.add(store);
    void store.getState().start();
  }, [store]);
  useEffect(() => {
    journey?.getState().connect();
  }, [journey]);
  if (store instanceof Error || !journey) {
    return (
      <div className="app app-message" data-testid="app-error">
        <div className="empty-card">
          <h2>HTLNet Studio is not connected to its engine</h2>
          <p className="error-message" role="alert">
            {store instanceof Error ? store.message : ''}
          </p>
        </div>
      </div>
    );
  }
  return (
    <StoreProvider store={store}>
      <JourneyProvider store={journey}>
        <Shell />
      </JourneyProvider>
    </StoreProvider>
  );
}
