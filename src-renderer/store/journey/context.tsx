// The journey store reaches the screens through a React context (as the editor's store does,
// ../context.tsx): the app provides the one it made over its API; a test provides its own.

import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { JourneyStore } from './store';
import type { JourneyState } from './types';

const JourneyContext = createContext<JourneyStore | null>(null);

export function JourneyProvider({ store, children }: { store: JourneyStore; children: ReactNode }) {
  return <JourneyContext.Provider value={store}>{children}</JourneyContext.Provider>;
}

export function useJourneyStore(): JourneyStore {
  const store = useContext(JourneyContext);
  if (!store) throw new Error('No journey store: render inside <JourneyProvider>.');
  return store;
}

/** A value from the journey store; the component re-renders when it changes (Object.is). */
export function useJourney<T>(selector: (state: JourneyState) => T): T {
  return useStore(useJourneyStore(), selector);
}

/** The journey's actions (stable functions; reading them never re-renders). */
export function useJourneyActions(): JourneyState {
  return useJourneyStore().getState();
}

/** Subscribes the journey store to the host's events on mount (once per store; it stays). */
export function useJourneyConnection(): void {
  const store = useJourneyStore();
  useEffect(() => {
    store.getState().connect();
  }, [store]);
}
