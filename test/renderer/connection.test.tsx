// @vitest-environment happy-dom
// Refusing a connection while it is dragged, with the reason: wrong type, a cycle, a port that
// takes one connection and has one. The check is pure (store/connection.ts); the canvas shows
// its reason next to the cursor and in the status line, and a refused drop as a toast.

import './setup';
import { Position, ReactFlowProvider, useStoreApi as useFlowStore } from '@xyflow/react';
import { useEffect } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { binding, sketch } from '../engine/graph/sketch';
import { StoreProvider } from '../../src-renderer/store/context';
import { ConnectionHint } from '../../src-renderer/features/editor/Canvas';
import { indexCatalog } from '../../src-renderer/store/catalog';
import { checkConnection, refusalBetweenHandles } from '../../src-renderer/store/connection';
import type { AppStore } from '../../src-renderer/store/store';
import { wireCatalog } from './fake-api';
import { byTestId, cleanup, flush, queryTestId, render, startApp, waitFor } from './helpers';

afterEach(cleanup);

const catalog = indexCatalog(wireCatalog());

/** features → embedding → tower-a → head-a → leu; tower-b; head-b (regression). */
function graph() {
  return sketch(
    binding(['a:binary', 'b:regression']),
    [
      ['features', 'feature-input', {}, 'Features'],
      ['embedding', 'shared-embedding', {}, 'Embedding'],
      ['tower-a', 'tower', {}, 'A tower'],
      ['tower-b', 'tower', {}, 'B tower'],
      ['head-a', 'task-head', { task: 'a', kind: 'binary' }, 'A head'],
      ['head-b', 'task-head', { task: 'b', kind: 'regression' }, 'B head'],
      ['head-c', 'task-head', { task: 'a', kind: 'binary' }, 'C head'],
      ['leu', 'label-embedding', {}, 'A label'],
    ],
    [
      'features.features -> embedding.features',
      'embedding.embedding -> tower-a.in',
      'tower-a.out -> tower-b.in',
      'tower-a.out -> head-a.in',
      'head-a.prediction -> leu.prediction',
    ],
  ).graph;
}

const check = (s: string, sp: string, t: string, tp: string) =>
  checkConnection(catalog, graph(), { block: s, port: sp }, { block: t, port: tp });

describe('checkConnection', () => {
  it('allows an output to an input of the same type', () => {
    expect(check('embedding', 'embedding', 'tower-b', 'in')).toEqual({ isValid: true });
    expect(check('tower-b', 'out', 'head-b', 'in')).toEqual({ isValid: true });
  });

  it('refuses a wrong type and names both types', () => {
    const r = check('features', 'features', 'tower-b', 'in');
    expect(r).toMatchObject({ isValid: false, code: 'type' });
    expect(!r.isValid && r.reason).toBe(
      'Wrong type: a feature set cannot connect to a vector input.',
    );
  });

  it("follows a task head's kind: a regression prediction cannot feed a label embedding", () => {
    const g = graph();
    g.edges = g.edges.filter((e) => e.target.block !== 'leu');
    const r = checkConnection(
      catalog,
      g,
      { block: 'head-b', port: 'prediction' },
      { block: 'leu', port: 'prediction' },
    );
    expect(r).toMatchObject({ isValid: false, code: 'type' });
    expect(!r.isValid && r.reason).toContain(
      'a regression prediction cannot connect to a binary prediction input',
    );
    const binaryHead = checkConnection(
      catalog,
      g,
      { block: 'head-c', port: 'prediction' },
      { block: 'leu', port: 'prediction' },
    );
    expect(binaryHead.isValid).toBe(true);
  });

  it('refuses a connection that would make a cycle, naming the blocks around it', () => {
    const r = check('tower-b', 'out', 'tower-a', 'in');
    expect(r).toMatchObject({ isValid: false, code: 'cycle' });
    expect(!r.isValid && r.reason).toBe('Would make a cycle: A tower → B tower → A tower.');
  });

  it('refuses a second connection into a port that takes one', () => {
    const r = check('head-c', 'prediction', 'leu', 'prediction');
    expect(r).toMatchObject({ isValid: false, code: 'occupied' });
    expect(!r.isValid && r.reason).toBe(
      'Port already connected: A label\'s "prediction" takes one connection and has one from A head.',
    );
  });

  it('refuses the same connection twice, and a block to itself', () => {
    expect(check('tower-a', 'out', 'head-a', 'in')).toMatchObject({
      isValid: false,
      code: 'duplicate',
    });
    expect(check('tower-b', 'out', 'tower-b', 'in')).toMatchObject({
      isValid: false,
      code: 'self',
    });
  });

  it('accepts several connections into a port that takes several', () => {
    expect(check('embedding', 'embedding', 'tower-a', 'in')).toMatchObject({ code: 'duplicate' });
    expect(check('tower-b', 'out', 'head-a', 'in')).toEqual({ isValid: true });
  });

  it('explains handles of the same direction and reads a drag started at an input', () => {
    const g = graph();
    expect(
      refusalBetweenHandles(
        catalog,
        g,
        { nodeId: 'tower-a', id: 'out', type: 'source' },
        { nodeId: 'tower-b', id: 'out', type: 'source' },
      ),
    ).toBe('Connect an output to an input: both ends are outputs.');
    // Dragged from the input back to an output: the same check, the other way round.
    expect(
      refusalBetweenHandles(
        catalog,
        g,
        { nodeId: 'tower-b', id: 'in', type: 'target' },
        { nodeId: 'features', id: 'features', type: 'source' },
      ),
    ).toBe('Wrong type: a feature set cannot connect to a vector input.');
    expect(
      refusalBetweenHandles(
        catalog,
        g,
        { nodeId: 'head-b', id: 'in', type: 'target' },
        { nodeId: 'tower-b', id: 'out', type: 'source' },
      ),
    ).toBeNull();
  });
});

/** Puts React Flow in the middle of dragging a connection from one handle to another. */
function DragProbe({
  from,
  to,
}: {
  from: [string, string, 'source' | 'target'];
  to: [string, string, 'source' | 'target'];
}) {
  const flow = useFlowStore();
  useEffect(() => {
    const handle = ([nodeId, id, type]: [string, string, 'source' | 'target']) => ({
      nodeId,
      id,
      type,
      position: type === 'source' ? Position.Right : Position.Left,
      x: 0,
      y: 0,
      width: 12,
      height: 12,
    });
    flow.getState().updateConnection({
      inProgress: true,
      isValid: false,
      from: { x: 0, y: 0 },
      fromHandle: handle(from),
      fromPosition: Position.Right,
      fromNode: null as never,
      to: { x: 300, y: 120 },
      toHandle: handle(to),
      toPosition: Position.Left,
      toNode: null,
      pointer: { x: 300, y: 120 },
    });
  }, [flow, from, to]);
  return null;
}

async function showHint(
  store: AppStore,
  from: [string, string, 'source' | 'target'],
  to: [string, string, 'source' | 'target'],
) {
  return render(
    <StoreProvider store={store}>
      <ReactFlowProvider>
        <div style={{ position: 'relative' }}>
          <DragProbe from={from} to={to} />
          <ConnectionHint />
        </div>
      </ReactFlowProvider>
    </StoreProvider>,
  );
}

describe('while a connection is dragged', () => {
  async function appWithGraph() {
    const app = await startApp();
    app.store
      .getState()
      .edit((p) => ({ ...p, graph: graph(), data: binding(['a:binary', 'b:regression']) }));
    await flush();
    return app;
  }

  it.each([
    [
      ['features', 'features', 'source'],
      ['tower-b', 'in', 'target'],
      'Wrong type: a feature set cannot connect to a vector input.',
    ],
    [
      ['tower-b', 'out', 'source'],
      ['tower-a', 'in', 'target'],
      'Would make a cycle: A tower → B tower → A tower.',
    ],
    [['head-c', 'prediction', 'source'], ['leu', 'prediction', 'target'], 'Port already connected'],
  ] as const)(
    'shows why %j cannot connect to %j, next to the cursor and in the status line',
    async (from, to, reason) => {
      const { store } = await appWithGraph();
      const hint = await showHint(store, [...from], [...to]);
      await waitFor(() =>
        expect(byTestId('connection-hint', hint.container).textContent).toContain(reason),
      );
      expect(byTestId('connection-hint', hint.container).style.left).toBe('316px');
      await waitFor(() => expect(byTestId('status-hint').textContent).toContain(reason));
    },
  );

  it('shows nothing over a port that accepts it', async () => {
    const { store } = await appWithGraph();
    const hint = await showHint(store, ['tower-b', 'out', 'source'], ['head-b', 'in', 'target']);
    await flush();
    expect(queryTestId('connection-hint', hint.container)).toBeNull();
    expect(store.getState().connectionHint).toBeNull();
  });

  it('refuses a connection at the store too, with a toast, and leaves the graph as it was', async () => {
    const { store } = await appWithGraph();
    const before = store.getState().project;
    const result = store
      .getState()
      .connect({ block: 'tower-b', port: 'out' }, { block: 'tower-a', port: 'in' });
    expect(result.isValid).toBe(false);
    await flush();
    expect(store.getState().project).toBe(before);
    expect(byTestId('toast').textContent).toContain('Not connected. Would make a cycle');
    // Allowed: one undoable step.
    store.getState().connect({ block: 'tower-b', port: 'out' }, { block: 'head-b', port: 'in' });
    expect(store.getState().project.graph.edges).toHaveLength(before.graph.edges.length + 1);
    store.getState().undo();
    expect(store.getState().project).toBe(before);
  });
});
