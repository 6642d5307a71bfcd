// Undo history as immutable lists of earlier and later documents, with a cap. Consecutive edits
// with the same coalescing key (typing in one field) are one step.

export interface History<T> {
  past: readonly T[];
  future: readonly T[];
  /** The key of the last recorded edit, when later edits with the same key join it. */
  key: string | null;
}

const HISTORY_LIMIT = 200;

export function emptyHistory<T>(): History<T> {
  return { past: [], future: [], key: null };
}

/**
 * Records an edit made on `before`. With a key equal to the last edit's, the edit joins that
 * step (the state before the first of them stays the undo target).
 */
export function record<T>(
  history: History<T>,
  before: T,
  key: string | null = null,
  limit = HISTORY_LIMIT,
): History<T> {
  if (key !== null && key === history.key && history.past.length > 0) {
    return { past: history.past, future: [], key };
  }
  const past = [...history.past, before];
  return { past: past.length > limit ? past.slice(past.length - limit) : past, future: [], key };
}

export function undo<T>(history: History<T>, current: T): { history: History<T>; state: T } | null {
  if (history.past.length === 0) return null;
  const state = history.past[history.past.length - 1];
  return {
    state,
    history: { past: history.past.slice(0, -1), future: [current, ...history.future], key: null },
  };
}

export function redo<T>(history: History<T>, current: T): { history: History<T>; state: T } | null {
  if (history.future.length === 0) return null;
  const [state, ...future] = history.future;
  return { state, history: { past: [...history.past, current], future, key: null } };
}

/** Ends coalescing: the next edit is a step of its own even with the same key. */
export function seal<T>(history: History<T>): History<T> {
  return history.key === null ? history : { ...history, key: null };
}
