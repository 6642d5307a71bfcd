// The history slice: undo and redo over whole documents (edits share unchanged objects, so a
// step costs little), capped, with typing in one field as one step.

import { pruneSelection } from './graph-slice';
import { emptyHistory, redo, seal, undo } from './history';
import type { SliceEnv } from './slice';
import type { HistorySlice } from './types';

export function createHistorySlice({ set, get }: SliceEnv): HistorySlice {
  return {
    history: emptyHistory(),
    undo() {
      const step = undo(get().history, get().project);
      if (!step) return;
      set({
        history: step.history,
        project: step.state,
        selection: pruneSelection(get().selection, step.state),
      });
    },
    redo() {
      const step = redo(get().history, get().project);
      if (!step) return;
      set({
        history: step.history,
        project: step.state,
        selection: pruneSelection(get().selection, step.state),
      });
    },
    sealHistory() {
      const sealed = seal(get().history);
      if (sealed !== get().history) set({ history: sealed });
    },
  };
}
