// @vitest-environment happy-dom
// Keys come from the one shortcuts table; while typing, only save is taken from the field. In
// Electron the menu handles each command's first combination (the page must not do it twice)
// and sends it as a menu command; the page handles the others (Ctrl+Y, Delete).

import './setup';
import { afterEach, describe, expect, it } from 'vitest';
import { commandForKeyEvent } from '../../src-renderer/app/commands';
import { fakeApi } from './fake-api';
import { byTestId, cleanup, click, flush, keyDown, startApp, waitFor } from './helpers';

afterEach(cleanup);

const ctrl = { ctrlKey: true };

async function withBlocks(mode: 'browser' | 'electron' = 'browser') {
  const app = await startApp(fakeApi({ mode }));
  for (const type of ['tower', 'gate', 'fusion']) await click(byTestId(`palette-item-${type}`));
  const blocks = () => app.store.getState().project.graph.blocks.map((b) => b.id);
  return { ...app, blocks };
}

describe('keyboard shortcuts (browser mode)', () => {
  it('undoes with Ctrl+Z and redoes with Ctrl+Shift+Z or Ctrl+Y', async () => {
    const { blocks } = await withBlocks();
    await keyDown('z', ctrl);
    expect(blocks()).toEqual(['tower', 'gate']);
    await keyDown('z', ctrl);
    expect(blocks()).toEqual(['tower']);
    await keyDown('Z', { ctrlKey: true, shiftKey: true });
    expect(blocks()).toEqual(['tower', 'gate']);
    await keyDown('y', ctrl);
    expect(blocks()).toEqual(['tower', 'gate', 'fusion']);
  });

  it('deletes the selection with Delete or Backspace, duplicates with Ctrl+D, selects all with Ctrl+A', async () => {
    const { store, blocks } = await withBlocks();
    store.getState().select({ blocks: ['gate'], edges: [] });
    await keyDown('Delete');
    expect(blocks()).toEqual(['tower', 'fusion']);
    store.getState().select({ blocks: ['tower'], edges: [] });
    await keyDown('Backspace');
    expect(blocks()).toEqual(['fusion']);
    store.getState().select({ blocks: ['fusion'], edges: [] });
    await keyDown('d', ctrl);
    expect(blocks()).toEqual(['fusion', 'fusion-copy']);
    await keyDown('a', ctrl);
    expect(store.getState().selection.blocks).toEqual(['fusion', 'fusion-copy']);
  });

  it('leaves keys to a text field, except save', async () => {
    const { store, blocks, api } = await withBlocks();
    const search = byTestId('palette-search');
    await keyDown('z', ctrl, search);
    await keyDown('Backspace', {}, search);
    expect(blocks()).toEqual(['tower', 'gate', 'fusion']);
    await keyDown('s', ctrl, search);
    await waitFor(() => byTestId('file-dialog'));
    expect(store.getState().dialog?.kind).toBe('file');
    expect(api.callsOf('project:save')).toHaveLength(0);
  });

  it('opens the template gallery, fits and tidies from keys', async () => {
    const { store, api } = await withBlocks();
    const fits = store.getState().fitRequest;
    await keyDown('1', ctrl);
    expect(store.getState().fitRequest).toBe(fits + 1);
    await keyDown('L', { ctrlKey: true, shiftKey: true });
    await flush();
    expect(api.callsOf('graph:layout')).toHaveLength(1);
    await keyDown('n', ctrl);
    await waitFor(() => byTestId('template-gallery'));
  });

  it('File › Export Model as ONNX opens Results and asks the journey to focus the export', async () => {
    const { store, journey, api } = await withBlocks();
    journey.setState({ resultsView: 'compare' });
    api.menu('file.exportOnnx');
    await flush();
    expect(store.getState().tab).toBe('results');
    expect(journey.getState().resultsView).toBe('runs');
    expect(journey.getState().onnxRequest).toBe(1);
  });

  it('offers the same commands in the menu bar, with their keys', async () => {
    const { blocks } = await withBlocks();
    await click(byTestId('menu-edit'));
    const undo = byTestId('menu-item-edit.undo');
    expect(undo.textContent).toBe('UndoCtrl+Z');
    expect(byTestId('menu-item-edit.redo').textContent).toBe('RedoCtrl+Shift+Z');
    expect(byTestId('menu-item-edit.delete').textContent).toBe('DeleteDel');
    await click(undo);
    expect(blocks()).toEqual(['tower', 'gate']);
    await click(byTestId('menu-file'));
    expect(byTestId('menu-item-file.upload').textContent).toBe('Upload project…');
    expect(byTestId('toolbar-undo').getAttribute('title')).toBe('Undo (Ctrl+Z)');
  });
});

describe('keyboard shortcuts (Electron)', () => {
  it("leaves the menu's accelerators to the menu and handles the other keys", async () => {
    const { blocks, api } = await withBlocks('electron');
    await keyDown('z', ctrl); // the menu's: it arrives as a menu command instead
    expect(blocks()).toEqual(['tower', 'gate', 'fusion']);
    api.menu('edit.undo');
    await flush();
    expect(blocks()).toEqual(['tower', 'gate']);
    await keyDown('y', ctrl); // not the menu's accelerator: the page redoes
    expect(blocks()).toEqual(['tower', 'gate', 'fusion']);
    api.menu('edit.selectAll');
    api.menu('edit.delete');
    await flush();
    expect(blocks()).toEqual([]);
  });

  it('maps key events to commands by the table', () => {
    const ev = (
      key: string,
      mods: Partial<KeyboardEvent> = {},
      target: EventTarget | null = null,
    ) => ({
      key,
      ctrlKey: false,
      metaKey: false,
      shiftKey: false,
      altKey: false,
      target,
      ...mods,
    });
    expect(commandForKeyEvent(ev('z', { metaKey: true }), 'darwin', false)).toBe('edit.undo');
    expect(commandForKeyEvent(ev('z', { metaKey: true }), 'darwin', true)).toBeNull();
    expect(commandForKeyEvent(ev('Delete'), 'linux', true)).toBe('edit.delete');
    expect(commandForKeyEvent(ev('c', ctrl), 'linux', false)).toBeNull(); // clipboard events do it
    const input = document.createElement('input');
    expect(commandForKeyEvent(ev('Delete', {}, input), 'linux', false)).toBeNull();
    expect(commandForKeyEvent(ev('s', ctrl, input), 'linux', false)).toBe('file.save');
  });
});
