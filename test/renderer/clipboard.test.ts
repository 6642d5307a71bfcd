// @vitest-environment happy-dom
// Copy, cut, paste and duplicate of a selection with the edges inside it: new ids, offset
// positions; the clipboard holds JSON text (the system clipboard when the page may use it,
// else memory); the page's own copy/paste events carry keyboard and Electron-menu clipboard.

import './setup';
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTemplate } from '../../src-main/engine/graph/templates';
import { sampleBinding } from '../../src-main/engine/data/sample-layout';
import { indexCatalog } from '../../src-renderer/store/catalog';
import {
  copySelection,
  parseClipboard,
  pasteInto,
  serializeClipboard,
} from '../../src-renderer/store/clipboard';
import { createAppStore } from '../../src-renderer/store/store';
import type { ClipboardAccess } from '../../src-renderer/store/types';
import { fakeApi, wireCatalog } from './fake-api';
import { byTestId, cleanup, flush, startApp } from './helpers';

afterEach(cleanup);

const catalog = indexCatalog(wireCatalog());
const htlnet = () => buildTemplate('htlnet', sampleBinding());

describe('clipboard (pure)', () => {
  it('copies the selected blocks and only the edges between them', () => {
    const p = htlnet();
    const data = copySelection(p, ['embedding', 'tower-click', 'head-click', 'optimizer'])!;
    expect(data.blocks.map((b) => b.id)).toEqual([
      'embedding',
      'tower-click',
      'head-click',
      'optimizer',
    ]);
    expect(data.edges.map((e) => e.id).sort()).toEqual(
      ['embedding.embedding->tower-click.in', 'tower-click.out->head-click.in'].sort(),
    );
    expect(copySelection(p, [])).toBeNull();
  });

  it('pastes copies with new ids and offset positions, edges between the copies', () => {
    const p = htlnet();
    const data = parseClipboard(
      serializeClipboard(copySelection(p, ['embedding', 'tower-click', 'head-click'])!),
    )!;
    const result = pasteInto(p, data, { x: 40, y: 40 }, catalog);
    expect(result.blockIds).toEqual(['embedding-copy', 'tower-click-copy', 'head-click-copy']);
    const byId = new Map(result.project.graph.blocks.map((b) => [b.id, b]));
    const original = p.graph.blocks.find((b) => b.id === 'tower-click')!;
    expect(byId.get('tower-click-copy')).toMatchObject({
      type: 'tower',
      label: original.label,
      params: original.params,
      position: { x: original.position.x + 40, y: original.position.y + 40 },
    });
    const pasted = result.project.graph.edges.filter((e) => result.edgeIds.includes(e.id));
    expect(
      pasted
        .map((e) => `${e.source.block}.${e.source.port}->${e.target.block}.${e.target.port}`)
        .sort(),
    ).toEqual(
      [
        'embedding-copy.embedding->tower-click-copy.in',
        'tower-click-copy.out->head-click-copy.in',
      ].sort(),
    );
    // Ids are unique; the original is untouched.
    const ids = result.project.graph.blocks.map((b) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(p.graph.blocks).toHaveLength(13);
    // Pasting again gives other ids.
    const again = pasteInto(result.project, data, { x: 80, y: 80 }, catalog);
    expect(again.blockIds).toEqual(['embedding-copy-2', 'tower-click-copy-2', 'head-click-copy-2']);
  });

  it('leaves out a second optimizer, and blocks of unknown types', () => {
    const p = htlnet();
    const data = copySelection(p, ['optimizer', 'tower-click'])!;
    data.blocks.push({ ...data.blocks[1], id: 'alien', type: 'teleporter' as never });
    const result = pasteInto(p, data, { x: 40, y: 40 }, catalog);
    expect(result.blockIds).toEqual(['tower-click-copy']);
    expect(result.skipped.map((b) => b.id)).toEqual(['optimizer', 'alien']);
  });

  it('reads only its own format from the clipboard', () => {
    expect(parseClipboard('hello')).toBeNull();
    expect(
      parseClipboard('{"format":"something-else","version":1,"blocks":[],"edges":[]}'),
    ).toBeNull();
    expect(
      parseClipboard(
        '{"format":"htlnet-studio-blocks","version":1,"blocks":[{"id":"x"}],"edges":[]}',
      ),
    ).toBeNull();
    const text = serializeClipboard(copySelection(htlnet(), ['tower-click'])!);
    expect(parseClipboard(text)?.blocks[0].id).toBe('tower-click');
  });
});

function memoryClipboard(): ClipboardAccess & { text: string | null; readable: boolean } {
  const c = {
    text: null as string | null,
    readable: true,
    async write(t: string) {
      c.text = t;
    },
    async read() {
      if (!c.readable) throw new Error('NotAllowedError');
      return c.text;
    },
  };
  return c;
}

describe('copy and paste in the editor', () => {
  async function withTemplate(clipboard: ClipboardAccess | null) {
    const s = createAppStore(fakeApi(), { validateDelay: 0, autosaveDelay: 60_000, clipboard });
    await s.getState().start();
    await s.getState().loadTemplate('htlnet');
    s.getState().select({ blocks: ['tower-click', 'head-click', 'leu-click'], edges: [] });
    return s;
  }

  it('writes JSON to the system clipboard and pastes from it, offsetting each paste further', async () => {
    const clipboard = memoryClipboard();
    const s = await withTemplate(clipboard);
    const text = await s.getState().copy();
    expect(clipboard.text).toBe(text);
    expect(JSON.parse(clipboard.text!).format).toBe('htlnet-studio-blocks');
    await s.getState().paste();
    await s.getState().paste();
    const blocks = s.getState().project.graph.blocks;
    const tower = (id: string) => blocks.find((b) => b.id === id)!.position;
    expect(tower('tower-click-copy').x - tower('tower-click').x).toBe(40);
    expect(tower('tower-click-copy-2').x - tower('tower-click').x).toBe(80);
    // The pasted copies are selected.
    expect(s.getState().selection.blocks).toEqual([
      'tower-click-copy-2',
      'head-click-copy-2',
      'leu-click-copy-2',
    ]);
  });

  it('falls back to memory when the system clipboard cannot be read, or there is none', async () => {
    const clipboard = memoryClipboard();
    clipboard.readable = false;
    for (const s of [await withTemplate(clipboard), await withTemplate(null)]) {
      await s.getState().copy();
      await s.getState().paste();
      expect(s.getState().project.graph.blocks).toHaveLength(16);
    }
  });

  it('cuts (copy, then delete as one step) and duplicates with internal edges', async () => {
    const s = await withTemplate(null);
    await s.getState().cut();
    expect(s.getState().project.graph.blocks).toHaveLength(10);
    await s.getState().paste();
    expect(s.getState().project.graph.blocks.map((b) => b.id)).toContain('tower-click');
    s.getState().select({ blocks: ['tower-purchase', 'head-purchase'], edges: [] });
    const edges = s.getState().project.graph.edges.length;
    s.getState().duplicate();
    expect(s.getState().project.graph.edges.length).toBe(edges + 1);
    expect(s.getState().selection.blocks).toEqual(['tower-purchase-copy', 'head-purchase-copy']);
  });

  it("handles the page's copy and paste events (keys and Electron's Edit menu), not a text field's", async () => {
    const { store } = await startApp();
    await act(async () => {
      await store.getState().loadTemplate('dnn');
    });
    store.getState().select({ blocks: ['tower-click', 'head-click'], edges: [] });
    const data = new Map<string, string>();
    const clipboardEvent = (type: string, target: EventTarget = document.body) => {
      const event = new Event(type, { bubbles: true, cancelable: true });
      Object.assign(event, {
        clipboardData: {
          setData: (k: string, v: string) => data.set(k, v),
          getData: (k: string) => data.get(k) ?? '',
        },
      });
      act(() => {
        target.dispatchEvent(event);
      });
      return event;
    };
    expect(clipboardEvent('copy').defaultPrevented).toBe(true);
    expect(parseClipboard(data.get('text/plain')!)?.blocks.map((b) => b.id)).toEqual([
      'tower-click',
      'head-click',
    ]);
    const before = store.getState().project.graph.blocks.length;
    expect(clipboardEvent('paste').defaultPrevented).toBe(true);
    await flush();
    expect(store.getState().project.graph.blocks.length).toBe(before + 2);
    // In a text field the field keeps its clipboard.
    const field = byTestId('palette-search');
    expect(clipboardEvent('copy', field).defaultPrevented).toBe(false);
    expect(clipboardEvent('paste', field).defaultPrevented).toBe(false);
  });
});
