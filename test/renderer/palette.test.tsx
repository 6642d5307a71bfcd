// @vitest-environment happy-dom
// The palette: every catalog block in its group, searchable, added by a click (or a drop).

import './setup';
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { CATALOG } from '../../src-main/shared/catalog';
import { matchesSearch } from '../../src-renderer/features/editor/Palette';
import { wireCatalog } from './fake-api';
import {
  allByTestId,
  byTestId,
  cleanup,
  click,
  flush,
  queryTestId,
  startApp,
  typeInto,
  waitFor,
} from './helpers';

afterEach(cleanup);

const items = () =>
  [...document.querySelectorAll<HTMLElement>('[data-testid^="palette-item-"]')].map((e) =>
    e.dataset.testid!.replace('palette-item-', ''),
  );

describe('palette', () => {
  it('lists every block of the catalog once, in its group, groups in catalog order', async () => {
    await startApp();
    const groups = [...document.querySelectorAll('.palette-group')].map((g) =>
      g.getAttribute('aria-label'),
    );
    expect(groups).toEqual(['Inputs', 'Representation', 'Multi-task', 'Tasks', 'Training']);
    expect(items().sort()).toEqual(CATALOG.map((b) => b.type).sort());
    for (const spec of CATALOG) {
      const item = byTestId(`palette-item-${spec.type}`);
      expect(item.closest('section')?.getAttribute('aria-label')).toBe(spec.group);
      expect(item.getAttribute('title')).toContain(spec.description);
      expect(item.getAttribute('aria-label')).toBe(`Add ${spec.title}`);
      expect(item.getAttribute('draggable')).toBe('true');
    }
    // Within a group, the catalog's order.
    const multiTask = [...document.querySelectorAll('[aria-label="Multi-task"] [data-testid]')].map(
      (e) => e.getAttribute('data-testid'),
    );
    expect(multiTask).toEqual(
      CATALOG.filter((b) => b.group === 'Multi-task').map((b) => `palette-item-${b.type}`),
    );
  });

  it('filters by every word typed, over titles, descriptions and port types', async () => {
    await startApp();
    const search = byTestId<HTMLInputElement>('palette-search');
    await typeInto(search, 'gumbel');
    expect(items()).toEqual(['label-embedding']);
    await typeInto(search, 'experts');
    expect(items()).toEqual(['expert-group', 'gate']);
    await typeInto(search, 'regression prediction');
    expect(items()).toEqual(['task-head']);
    await typeInto(search, 'TOWER');
    expect(items()).toContain('tower');
    await typeInto(search, 'no such block');
    expect(items()).toEqual([]);
    expect(byTestId('palette-empty').textContent).toContain('No block matches “no such block”');
    await typeInto(search, '');
    expect(items()).toHaveLength(CATALOG.length);
  });

  it('matches the same way without the page', () => {
    const byType = new Map(wireCatalog().map((b) => [b.type, b]));
    expect(matchesSearch(byType.get('fusion')!, 'label embeddings')).toBe(true);
    expect(matchesSearch(byType.get('tower')!, 'label embeddings')).toBe(false);
    expect(matchesSearch(byType.get('tower')!, '   ')).toBe(true);
  });

  it('adds a block with its catalog defaults on click, selects it and shows it in the inspector', async () => {
    const { store } = await startApp();
    expect(byTestId('empty-state')).toBeTruthy();
    await click(byTestId('palette-item-tower'));
    await waitFor(() => byTestId('node-tower'));
    const [block] = store.getState().project.graph.blocks;
    expect(block).toMatchObject({
      id: 'tower',
      type: 'tower',
      label: 'Tower',
      params: { units: '128,64,32', activation: 'relu', dropout: 0 },
    });
    expect(store.getState().selection.blocks).toEqual(['tower']);
    expect(byTestId('inspector-description').textContent).toBe(
      CATALOG.find((b) => b.type === 'tower')!.description,
    );
    expect(queryTestId('empty-state')).toBeNull();

    await click(byTestId('palette-item-tower'));
    await waitFor(() => byTestId('node-tower-2'));
    const second = store.getState().project.graph.blocks[1];
    expect(second.label).toBe('Tower 2');
    expect(second.position).not.toEqual(block.position);
    expect(allByTestId('palette-item-tower')).toHaveLength(1);
  });

  it('gives each new task head the next task of the data binding without a head', async () => {
    const { store } = await startApp();
    for (let i = 0; i < 3; i++) await click(byTestId('palette-item-task-head'));
    const heads = store.getState().project.graph.blocks;
    expect(heads.map((b) => [b.label, b.params.task, b.params.kind])).toEqual([
      ['Click head', 'click', 'binary'],
      ['Purchase head', 'purchase', 'binary'],
      ['Amount head', 'amount', 'regression'],
    ]);
    await waitFor(() =>
      expect(byTestId('port-task-head-3-out-prediction').className).toContain('port-regression'),
    );
    expect(byTestId('port-task-head-out-prediction').className).toContain('port-binary');
  });

  it('refuses a second optimizer and says why', async () => {
    const { store } = await startApp();
    await click(byTestId('palette-item-optimizer'));
    await click(byTestId('palette-item-optimizer'));
    await flush();
    expect(store.getState().project.graph.blocks.map((b) => b.type)).toEqual(['optimizer']);
    expect(byTestId('toast').textContent).toContain(
      'already has its optimizer block (one per model)',
    );
    expect(byTestId('palette-item-optimizer').className).toContain('is-full');
  });

  it('adds a dragged block where it is dropped', async () => {
    const { store } = await startApp();
    const data = new Map<string, string>();
    const transfer = {
      types: ['application/x-htlnet-block'],
      setData: (k: string, v: string) => data.set(k, v),
      getData: (k: string) => data.get(k) ?? '',
      dropEffect: 'none',
      effectAllowed: 'all',
    };
    data.set('application/x-htlnet-block', 'gate');
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.assign(drop, { dataTransfer: transfer, clientX: 400, clientY: 300 });
    act(() => {
      byTestId('canvas').dispatchEvent(drop);
    });
    await flush();
    const [gate] = store.getState().project.graph.blocks;
    expect(gate.type).toBe('gate');
    expect(drop.defaultPrevented).toBe(true);
    // Snapped to the 20 px grid.
    expect(gate.position.x % 20).toBe(0);
    expect(gate.position.y % 20).toBe(0);
  });
});
