// @vitest-environment happy-dom
// Undo and redo over every edit; batch actions (paste, delete of a selection, layout, template)
// are one step each; dragging is one step at its end; the history has a cap.

import './setup';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProjectFile } from '../../src-main/shared/project';
import { emptyHistory, record, redo, seal, undo } from '../../src-renderer/store/history';
import { isDirty } from '../../src-renderer/store/project-slice';
import { createAppStore, type AppStore } from '../../src-renderer/store/store';
import { fakeApi } from './fake-api';
import { cleanup, flush } from './helpers';

afterEach(cleanup);

async function started(options = {}): Promise<AppStore> {
  const store = createAppStore(fakeApi(), {
    validateDelay: 0,
    autosaveDelay: 60_000,
    clipboard: null,
    ...options,
  });
  await store.getState().start();
  return store;
}

const blocks = (s: AppStore) => s.getState().project.graph.blocks.map((b) => b.id);
const edges = (s: AppStore) => s.getState().project.graph.edges.length;

/** features → embedding → tower, plus a gate on the side. */
function build(s: AppStore): void {
  const st = s.getState();
  st.addBlock('feature-input', { x: 0, y: 0 });
  st.addBlock('shared-embedding', { x: 240, y: 0 });
  st.addBlock('tower', { x: 480, y: 0 });
  st.addBlock('gate', { x: 480, y: 200 });
  st.connect(
    { block: 'feature-input', port: 'features' },
    { block: 'shared-embedding', port: 'features' },
  );
  st.connect({ block: 'shared-embedding', port: 'embedding' }, { block: 'tower', port: 'in' });
}

describe('history (pure)', () => {
  it('records, undoes and redoes; a new edit clears what could be redone', () => {
    let h = record(emptyHistory<number>(), 1);
    h = record(h, 2);
    const back = undo(h, 3)!;
    expect(back.state).toBe(2);
    const forward = redo(back.history, 2)!;
    expect(forward.state).toBe(3);
    expect(record(back.history, 2).future).toEqual([]);
    expect(undo(emptyHistory<number>(), 0)).toBeNull();
  });

  it('joins edits with the same key into one step until sealed', () => {
    let h = record(emptyHistory<string>(), 'a', 'field');
    h = record(h, 'ab', 'field');
    h = record(h, 'abc', 'field');
    expect(h.past).toEqual(['a']);
    h = record(seal(h), 'abcd', 'field');
    expect(h.past).toEqual(['a', 'abcd']);
    h = record(h, 'x', 'other');
    expect(h.past).toHaveLength(3);
  });

  it('keeps at most the limit, dropping the oldest', () => {
    let h = emptyHistory<number>();
    for (let i = 0; i < 250; i++) h = record(h, i, null, 200);
    expect(h.past).toHaveLength(200);
    expect(h.past[0]).toBe(50);
  });
});

describe('undo and redo in the editor', () => {
  it('undoes every kind of edit, one at a time, back to the empty project', async () => {
    const s = await started();
    const states: ProjectFile[] = [s.getState().project];
    const step = (edit: () => void) => {
      edit();
      states.push(s.getState().project);
    };
    step(() => s.getState().addBlock('tower', { x: 0, y: 0 }));
    step(() => s.getState().addBlock('task-head', { x: 240, y: 0 }));
    step(() =>
      s.getState().connect({ block: 'tower', port: 'out' }, { block: 'task-head', port: 'in' }),
    );
    step(() => s.getState().setParam('tower', 'dropout', 0.5));
    step(() => s.getState().setLabel('tower', 'Click tower'));
    step(() => {
      s.getState().select({ blocks: [], edges: [s.getState().project.graph.edges[0].id] });
      s.getState().deleteSelection(); // disconnect
    });
    step(() => {
      s.getState().beginMove();
      for (let x = 1; x <= 30; x++) s.getState().moveLive({ tower: { x, y: x } });
      s.getState().endMove();
    });
    expect(s.getState().history.past).toHaveLength(states.length - 1);
    for (let i = states.length - 2; i >= 0; i--) {
      s.getState().undo();
      expect(s.getState().project).toBe(states[i]);
    }
    for (let i = 1; i < states.length; i++) {
      s.getState().redo();
      expect(s.getState().project).toBe(states[i]);
    }
  });

  it('makes a whole drag one step, taken when the drag ends', async () => {
    const s = await started();
    s.getState().addBlock('tower', { x: 0, y: 0 });
    const steps = s.getState().history.past.length;
    s.getState().beginMove();
    s.getState().moveLive({ tower: { x: 10, y: 0 } });
    s.getState().moveLive({ tower: { x: 20, y: 5 } });
    expect(s.getState().history.past).toHaveLength(steps);
    s.getState().endMove();
    expect(s.getState().history.past).toHaveLength(steps + 1);
    s.getState().undo();
    expect(s.getState().project.graph.blocks[0].position).toEqual({ x: 0, y: 0 });
    // A click on a block is not a move.
    s.getState().beginMove();
    s.getState().endMove();
    expect(s.getState().history.past).toHaveLength(steps);
  });

  it('pastes a selection in one step and deletes a selection in one step', async () => {
    const s = await started();
    build(s);
    s.getState().select({ blocks: ['feature-input', 'shared-embedding', 'tower'], edges: [] });
    await s.getState().copy();
    const beforePaste = s.getState().project;
    await s.getState().paste();
    expect(blocks(s)).toHaveLength(7);
    expect(edges(s)).toBe(4);
    s.getState().undo();
    expect(s.getState().project).toBe(beforePaste);
    s.getState().redo();

    const beforeDelete = s.getState().project;
    s.getState().selectAll();
    s.getState().deleteSelection();
    expect(blocks(s)).toEqual([]);
    expect(edges(s)).toBe(0);
    s.getState().undo();
    expect(s.getState().project).toBe(beforeDelete);
  });

  it('tidies the layout and loads a template as one step each', async () => {
    const s = await started();
    build(s);
    const before = s.getState().project;
    await s.getState().tidyLayout();
    expect(s.getState().project.graph.blocks.map((b) => b.position)).not.toEqual(
      before.graph.blocks.map((b) => b.position),
    );
    s.getState().undo();
    expect(s.getState().project).toBe(before);

    await s.getState().loadTemplate('mmoe');
    expect(s.getState().project.name).toBe('MMoE');
    s.getState().undo();
    expect(s.getState().project).toBe(before);
  });

  it('keeps 200 steps at most', async () => {
    const s = await started({ historyLimit: 200 });
    s.getState().addBlock('tower', { x: 0, y: 0 });
    for (let i = 1; i <= 250; i++) {
      s.getState().edit((p) => ({
        ...p,
        graph: {
          ...p.graph,
          blocks: p.graph.blocks.map((b) => ({ ...b, position: { x: i, y: 0 } })),
        },
      }));
    }
    expect(s.getState().history.past).toHaveLength(200);
    for (let i = 0; i < 300; i++) s.getState().undo();
    expect(s.getState().project.graph.blocks[0].position.x).toBe(50);
    expect(s.getState().history.future).toHaveLength(200);
  });

  it('forgets what was selected when undo removes it, and is clean again at the saved state', async () => {
    const s = await started();
    expect(isDirty(s.getState())).toBe(false);
    s.getState().addBlock('tower', { x: 0, y: 0 });
    expect(s.getState().selection.blocks).toEqual(['tower']);
    expect(isDirty(s.getState())).toBe(true);
    s.getState().undo();
    expect(s.getState().selection.blocks).toEqual([]);
    expect(isDirty(s.getState())).toBe(false);
    await flush();
  });
});
