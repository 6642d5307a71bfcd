// @vitest-environment happy-dom
// The engine validates the project (debounced after each model edit; moves do not count), an
// older answer never replaces a newer one; shapes show on ports and edges; problems are pinned
// to their blocks and listed, and a click on one selects and centres its block.

import './setup';
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { inferShapes } from '../../src-main/engine/graph/shapes';
import type { ProjectFile } from '../../src-main/shared/project';
import type { ProjectValidation } from '../../src-main/ipc/api';
import { createAppStore } from '../../src-renderer/store/store';
import { fakeApi } from './fake-api';
import {
  allByTestId,
  byTestId,
  cleanup,
  click,
  flush,
  startApp,
  validated,
  waitFor,
} from './helpers';

afterEach(cleanup);

describe('validation', () => {
  it('keeps the newest answer when an older one arrives later', async () => {
    const pending: { project: ProjectFile; resolve: (v: ProjectValidation) => void }[] = [];
    const api = fakeApi({
      handlers: {
        'project:validate': (project) =>
          new Promise<ProjectValidation>((resolve) => pending.push({ project, resolve })),
      },
    });
    const store = createAppStore(api, { validateDelay: 0, autosaveDelay: 60_000, clipboard: null });
    await store.getState().start();
    store.getState().addBlock('tower', { x: 0, y: 0 });
    await flush();
    store.getState().addBlock('gate', { x: 0, y: 200 });
    await flush();
    expect(pending).toHaveLength(2);
    const answer = (n: number, message: string): ProjectValidation => ({
      problems: [{ severity: 'error', code: 'test', message, blocks: [] }],
      shapes: { [`b${n}`]: { inputs: {}, outputs: {} } },
    });
    pending[1].resolve(answer(2, 'newest'));
    await flush();
    pending[0].resolve(answer(1, 'stale'));
    await flush();
    expect(store.getState().problems.map((p) => p.message)).toEqual(['newest']);
    expect(store.getState().validation).toBe('idle');
  });

  it('validates after model edits but not after moves', async () => {
    const api = fakeApi();
    const store = createAppStore(api, { validateDelay: 0, autosaveDelay: 60_000, clipboard: null });
    await store.getState().start();
    store.getState().addBlock('tower', { x: 0, y: 0 });
    await flush();
    const calls = api.callsOf('project:validate').length;
    store.getState().beginMove();
    store.getState().moveLive({ tower: { x: 50, y: 50 } });
    store.getState().endMove();
    await flush();
    expect(api.callsOf('project:validate')).toHaveLength(calls);
    store.getState().setParam('tower', 'dropout', 0.1);
    await flush();
    expect(api.callsOf('project:validate')).toHaveLength(calls + 1);
  });

  it('says when the engine could not check the project', async () => {
    const api = fakeApi({
      handlers: {
        'project:validate': async () => {
          throw new Error('project:validate: The project, block "x": unknown type');
        },
      },
    });
    const { store } = await startApp(api);
    store.getState().addBlock('tower');
    await waitFor(() => byTestId('validation-error'));
    expect(byTestId('validation-error').textContent).toContain('block "x": unknown type');
  });
});

describe('shapes and problems on the canvas', () => {
  it('shows inferred shapes on output ports and on edges, and updates them as parameters change', async () => {
    const { store } = await startApp();
    await act(async () => store.getState().loadTemplate('shared-bottom'));
    await validated(store);
    const shapes = inferShapes(store.getState().project);
    const expected = `[${shapes['shared-bottom'].outputs.out.dims.join(', ')}]`;
    await waitFor(() => expect(byTestId('shape-shared-bottom-out').textContent).toBe(expected));
    expect(expected).toBe('[batch, 64]');
    store.getState().setParam('shared-bottom', 'units', '128,48');
    await validated(store);
    await waitFor(() =>
      expect(byTestId('shape-shared-bottom-out').textContent).toBe('[batch, 48]'),
    );
    // An input port tells what it receives.
    expect(byTestId('port-tower-click-in-in').getAttribute('title')).toContain(
      'Receives [batch, 48]',
    );
  });

  it('pins problems to their blocks, lists them, and focuses a block from the list', async () => {
    const { store } = await startApp();
    store.getState().addBlock('tower', { x: 0, y: 0 });
    store.getState().addBlock('task-head', { x: 300, y: 0 });
    await validated(store);
    await waitFor(() => expect(byTestId('node-tower').className).toContain('has-error'));
    expect(byTestId('node-problem-tower').textContent).toContain(
      'needs a connection on its "input" port',
    );
    const items = allByTestId('problem-item');
    expect(items.length).toBe(store.getState().problems.length);
    expect(byTestId('problems-counts').textContent).toMatch(/\d+\s*\d+/);
    const towerProblem = items.find((i) => i.textContent?.includes('Tower needs a connection'))!;
    store.getState().select({ blocks: [], edges: [] });
    await click(towerProblem);
    expect(store.getState().selection.blocks).toEqual(['tower']);
    expect(store.getState().focusRequest?.id).toBe('tower');
    await waitFor(() => byTestId('inspector-block'));
    expect(
      allByTestId('inspector-problem').some((p) => p.textContent?.includes('needs a connection')),
    ).toBe(true);
  });

  it('says the model is complete when the engine finds nothing', async () => {
    const { store } = await startApp();
    await act(async () => store.getState().loadTemplate('htlnet'));
    await validated(store);
    await waitFor(() => expect(byTestId('problems-empty').textContent).toContain('No problems'));
  });
});

describe('building help', () => {
  it('offers what fits an empty input port, and adds and connects it in one click', async () => {
    const { store } = await startApp();
    const tower = store.getState().addBlock('tower', { x: 600, y: 0 })!;
    await validated(store);
    await waitFor(() => byTestId('problem-fixes'));
    const fixes = byTestId('problem-fixes');
    expect(fixes.getAttribute('data-port')).toBe('in');
    // A tower's input takes a vector: an embedding, another tower, a fusion unit...
    expect(fixes.querySelector('[data-testid="fix-add-shared-embedding"]')).not.toBeNull();
    expect(fixes.querySelector('[data-testid="fix-add-task-head"]')).toBeNull();
    const steps = store.getState().history.past.length;
    await click(fixes.querySelector<HTMLElement>('[data-testid="fix-add-shared-embedding"]')!);
    const { blocks, edges } = store.getState().project.graph;
    const embedding = blocks.find((b) => b.type === 'shared-embedding')!;
    expect(edges).toContainEqual(
      expect.objectContaining({
        source: { block: embedding.id, port: 'embedding' },
        target: { block: tower, port: 'in' },
      }),
    );
    expect(embedding.position.x).toBeLessThan(600); // left of the tower it feeds
    expect(store.getState().history.past.length).toBe(steps + 1); // one undo step
    // Now the embedding's own input is the empty one, with feature inputs offered.
    await validated(store);
    await waitFor(() =>
      expect(
        allByTestId('problem-fixes').some((f) =>
          f.querySelector('[data-testid="fix-add-feature-input"]'),
        ),
      ).toBe(true),
    );
    // A block already on the canvas is offered to connect as well.
    const other = store.getState().addBlock('tower', { x: 900, y: 300 })!;
    await validated(store);
    await waitFor(() => byTestId(`fix-connect-${tower}`));
    await click(byTestId(`fix-connect-${tower}`));
    expect(store.getState().project.graph.edges).toContainEqual(
      expect.objectContaining({
        source: { block: tower, port: 'out' },
        target: { block: other, port: 'in' },
      }),
    );
  });
});
