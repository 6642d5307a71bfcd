// @vitest-environment happy-dom
// Project files through a fake API over the real engine: save and reopen (browser mode's file
// dialog and Electron's native dialogs), the unsaved marker in the title, the prompt before
// replacing unsaved work, an old file migrated on open, a broken file refused with the host's
// message (nothing lost), and crash recovery (autosave, the offer to restore at start).

import './setup';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { serializeProject } from '../../src-main/engine/graph/project-file';
import { isDirty } from '../../src-renderer/store/project-slice';
import { fakeApi, WORKSPACE } from './fake-api';
import {
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

const FIXTURE = path.join(
  import.meta.dirname,
  '..',
  'fixtures',
  'projects',
  'htlnet-v1.htlnet.json',
);

async function fromTemplate(kind: string) {
  await click(byTestId('toolbar-new'));
  await waitFor(() => byTestId('template-gallery'));
  await waitFor(() => byTestId(`template-${kind}`));
  await click(byTestId(`template-${kind}`));
  await waitFor(() => {
    if (!document.querySelector('[data-testid^="node-"]')) throw new Error('no blocks yet');
  });
}

describe('saving and opening (browser mode)', () => {
  it('saves through the in-app file dialog and opens the file again, the same project', async () => {
    const { api, store } = await startApp();
    expect(document.title).toBe('Untitled — HTLNet Studio');
    await fromTemplate('mmoe');
    await waitFor(() => expect(document.title).toBe('• MMoE — HTLNet Studio'));
    expect(byTestId('dirty-marker')).toBeTruthy();

    await click(byTestId('toolbar-save'));
    await waitFor(() => byTestId('file-dialog'));
    expect(byTestId('file-dialog-dir').textContent).toBe(WORKSPACE);
    const name = byTestId<HTMLInputElement>('file-name');
    expect(name.value).toBe('mmoe.htlnet.json');
    await typeInto(name, 'funnel');
    await click(byTestId('file-dialog-confirm'));
    await waitFor(() => expect(api.files.has(`${WORKSPACE}/funnel.htlnet.json`)).toBe(true));
    await waitFor(() => expect(document.title).toBe('funnel.htlnet.json — HTLNet Studio'));
    expect(queryTestId('dirty-marker')).toBeNull();
    const saved = store.getState().project;
    expect(api.files.get(`${WORKSPACE}/funnel.htlnet.json`)).toBe(serializeProject(saved));
    expect(api.callsOf('recovery:clear').length).toBeGreaterThan(0);

    // Save again: same file, no dialog.
    store.getState().setParam('tower-click', 'dropout', 0.2);
    await click(byTestId('toolbar-save'));
    await flush();
    expect(queryTestId('file-dialog')).toBeNull();
    expect(api.callsOf('project:save').map((a) => a[0])).toEqual([
      `${WORKSPACE}/funnel.htlnet.json`,
      `${WORKSPACE}/funnel.htlnet.json`,
    ]);
    const edited = store.getState().project;

    // A new project, then open the saved file.
    await click(byTestId('toolbar-new'));
    await click(byTestId('template-empty'));
    await waitFor(() => byTestId('empty-state'));
    await click(byTestId('toolbar-open'));
    await waitFor(() => byTestId('file-entry-funnel.htlnet.json'));
    await click(byTestId('file-entry-funnel.htlnet.json'));
    await click(byTestId('file-dialog-confirm'));
    await waitFor(() => byTestId('node-gate-click'));
    expect(serializeProject(store.getState().project)).toBe(serializeProject(edited));
    expect(store.getState().path).toBe(`${WORKSPACE}/funnel.htlnet.json`);
    expect(isDirty(store.getState())).toBe(false);
    expect(store.getState().history.past).toHaveLength(0);
    expect(store.getState().recent[0].path).toBe(`${WORKSPACE}/funnel.htlnet.json`);
  });

  it('names an Untitled project after the file it is saved as (runs, exports use it)', async () => {
    const { api, store } = await startApp();
    await act(async () => store.getState().newProject(null));
    store.getState().addBlock('feature-input', { x: 0, y: 0 });
    expect(store.getState().project.name).toBe('Untitled');
    await click(byTestId('toolbar-save'));
    await waitFor(() => byTestId('file-dialog'));
    await typeInto(byTestId<HTMLInputElement>('file-name'), 'Shop funnel');
    await click(byTestId('file-dialog-confirm'));
    await waitFor(() => expect(api.files.has(`${WORKSPACE}/Shop funnel.htlnet.json`)).toBe(true));
    expect(store.getState().project.name).toBe('Shop funnel');
    expect(api.files.get(`${WORKSPACE}/Shop funnel.htlnet.json`)).toContain('"Shop funnel"');
    expect(isDirty(store.getState())).toBe(false);
  });

  it('asks before replacing unsaved changes: cancel keeps them, discard replaces them', async () => {
    const { store, api } = await startApp();
    await fromTemplate('dnn');
    const work = store.getState().project;
    await click(byTestId('toolbar-new'));
    await click(byTestId('template-empty'));
    await waitFor(() => byTestId('confirm-dialog'));
    expect(byTestId('confirm-dialog').textContent).toContain('has changes that are not saved');
    await click(byTestId('confirm-cancel'));
    await flush();
    expect(store.getState().project).toBe(work);

    await click(byTestId('toolbar-new'));
    await click(byTestId('template-empty'));
    await waitFor(() => byTestId('confirm-dialog'));
    await click(byTestId('confirm-discard'));
    await waitFor(() => byTestId('empty-state'));
    expect(store.getState().project.graph.blocks).toHaveLength(0);
    expect(api.callsOf('recovery:clear').length).toBeGreaterThan(0);
  });

  it('"Save" in the prompt saves first, then goes on', async () => {
    const { store, api } = await startApp();
    await fromTemplate('esmm');
    await act(async () => void store.getState().newProject(null));
    await waitFor(() => byTestId('confirm-dialog'));
    await click(byTestId('confirm-save'));
    await waitFor(() => byTestId('file-dialog'));
    await click(byTestId('file-dialog-confirm'));
    await waitFor(() => byTestId('empty-state'));
    expect([...api.files.keys()]).toEqual([`${WORKSPACE}/esmm.htlnet.json`]);
  });
});

describe("the project's data", () => {
  it("a new model keeps the project's data by default, heads named after its targets", async () => {
    const { store } = await startApp();
    const base = store.getState().project;
    const data = {
      source: `${WORKSPACE}/campaign.csv`,
      features: [
        { column: 'channel', kind: 'categorical' as const },
        { column: 'recency', kind: 'numeric' as const },
      ],
      tasks: [
        { name: 'visit', column: 'visit', type: 'binary' as const },
        { name: 'conversion', column: 'conversion', type: 'binary' as const },
        { name: 'spend', column: 'spend', type: 'regression' as const },
      ],
      excluded: [],
    };
    await act(async () => store.getState().newProject('htlnet', data));
    await waitFor(() => byTestId('canvas-data'));
    expect(byTestId('canvas-data').getAttribute('data-source')).toBe(`${WORKSPACE}/campaign.csv`);
    expect(byTestId('canvas-data').textContent).toContain('visit → conversion → spend');
    store.getState().select({ blocks: [], edges: [] });
    await waitFor(() => expect(byTestId('project-data').textContent).toContain('campaign.csv'));

    // Another model: the gallery offers this project's data, chosen by default.
    await click(byTestId('toolbar-new'));
    await waitFor(() => byTestId('template-gallery'));
    expect(byTestId<HTMLInputElement>('new-project-data-own').checked).toBe(true);
    await waitFor(() => byTestId('template-mmoe'));
    await click(byTestId('template-mmoe'));
    await waitFor(() => byTestId('confirm-discard'));
    await click(byTestId('confirm-discard'));
    await waitFor(() => expect(store.getState().project.name).toBe('MMoE'));
    const next = store.getState().project;
    expect(next.data).toEqual(data);
    const heads = next.graph.blocks.filter((b) => b.type === 'task-head');
    expect(heads.map((h) => h.params.task)).toEqual(['visit', 'conversion', 'spend']);
    expect(heads.map((h) => h.label).join(' ')).not.toMatch(/click|purchase|amount/i);

    // The sample's columns when asked for.
    await click(byTestId('toolbar-new'));
    await waitFor(() => byTestId('template-gallery'));
    await click(byTestId('new-project-data-sample'));
    await click(byTestId('template-empty'));
    await waitFor(() => byTestId('confirm-discard'));
    await click(byTestId('confirm-discard'));
    await waitFor(() => byTestId('empty-state'));
    expect(store.getState().project.data).toEqual(base.data);
    expect(store.getState().project.data.source).toBeUndefined();
  });
});

describe('the canvas of a new project', () => {
  it('starts at full size, not at the zoom a big template was fitted to', async () => {
    const { store } = await startApp();
    await fromTemplate('htlnet');
    store.getState().setViewport({ x: 10, y: 20, zoom: 0.27 });
    await click(byTestId('toolbar-new'));
    await click(byTestId('template-empty'));
    await waitFor(() => byTestId('confirm-discard'));
    await click(byTestId('confirm-discard'));
    await waitFor(() => byTestId('empty-state'));
    expect(store.getState().viewport?.zoom ?? 1).toBe(1);
  });
});

describe('saving and opening (Electron)', () => {
  it('uses the native dialogs', async () => {
    const api = fakeApi({ mode: 'electron' });
    const { store } = await startApp(api);
    expect(queryTestId('menu-file')).toBeNull(); // the native menu has the commands
    await fromTemplate('ple');
    api.dialogAnswers.save = '/home/ana/models/ple';
    await act(async () => void (await store.getState().saveAs()));
    expect(api.callsOf('dialog:saveFile')).toEqual([['project', 'ple.htlnet.json']]);
    expect(api.files.has('/home/ana/models/ple.htlnet.json')).toBe(true);

    api.dialogAnswers.open = '/home/ana/models/ple.htlnet.json';
    await act(async () => void (await store.getState().openProject()));
    expect(api.callsOf('dialog:openFile')).toEqual([['project']]);
    expect(store.getState().fileName).toBe('ple.htlnet.json');

    // Cancelled dialogs change nothing.
    api.dialogAnswers.open = null;
    const before = store.getState().project;
    await act(async () => void (await store.getState().openProject()));
    expect(store.getState().project).toBe(before);
    expect(queryTestId('error-dialog')).toBeNull();
  });
});

describe('old and broken files', () => {
  it('opens a version 1 file migrated by the engine and says saving writes version 2', async () => {
    const { store } = await startApp();
    const text = readFileSync(FIXTURE, 'utf8');
    await act(async () => {
      await store
        .getState()
        .uploadProject({ name: 'htlnet-v1.htlnet.json', text: async () => text });
    });
    await waitFor(() => byTestId('notice'));
    expect(byTestId('notice').textContent).toContain(
      'migrated from version 1; saving writes version 2',
    );
    expect(store.getState().project.version).toBe(2);
    expect(store.getState().fileName).toBe('htlnet-v1.htlnet.json');
    expect(store.getState().path).toBeNull();
    await waitFor(() => byTestId('node-tower-click'));
    // v1 edges ("block.port" strings) became {block, port}.
    expect(store.getState().project.graph.edges[0].source).toEqual({
      block: 'features',
      port: 'features',
    });
    expect(document.title).toBe('htlnet-v1.htlnet.json — HTLNet Studio');
  });

  it('opens a file picked with "Upload project…" (browser mode)', async () => {
    const { store, api } = await startApp();
    await click(byTestId('menu-file'));
    await click(byTestId('menu-item-file.upload'));
    const input = byTestId<HTMLInputElement>('upload-input');
    const file = new File([readFileSync(FIXTURE, 'utf8')], 'shop.htlnet.json', {
      type: 'application/json',
    });
    Object.defineProperty(input, 'files', { configurable: true, value: [file] });
    await act(async () => {
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await waitFor(() => byTestId('notice'));
    expect(api.callsOf('project:parse')[0][1]).toBe('shop.htlnet.json');
    expect(store.getState().project.graph.blocks).toHaveLength(13);
  });

  it('opens the same file from the workspace', async () => {
    const api = fakeApi();
    api.files.set(`${WORKSPACE}/old.htlnet.json`, readFileSync(FIXTURE, 'utf8'));
    const { store } = await startApp(api);
    await act(
      async () => void (await store.getState().openProject(`${WORKSPACE}/old.htlnet.json`)),
    );
    expect(byTestId('notice').textContent).toContain('migrated from version 1');
    await click(byTestId('notice-dismiss'));
    expect(queryTestId('notice')).toBeNull();
  });

  it("refuses a broken file with the host's message naming the place, and keeps the work", async () => {
    const { store } = await startApp();
    await fromTemplate('aitm');
    const work = store.getState().project;
    await act(async () => {
      void store.getState().uploadProject({
        name: 'broken.htlnet.json',
        text: async () =>
          '{\n  "format": "htlnet-studio-project",\n  "version": 2,\n  "name": "x",,\n}',
      });
    });
    // (The unsaved-changes prompt comes first.)
    await waitFor(() => byTestId('confirm-dialog'));
    await click(byTestId('confirm-discard'));
    await waitFor(() => byTestId('error-dialog'));
    expect(byTestId('error-message').textContent).toMatch(
      /broken\.htlnet\.json, line 4, column \d+/,
    );
    expect(store.getState().project).toBe(work);
    await click(byTestId('error-dialog-ok'));
    expect(queryTestId('error-dialog')).toBeNull();
  });

  it('refuses a file that is not a project', async () => {
    const { store } = await startApp();
    await act(async () => {
      await store.getState().uploadProject({ name: 'data.json', text: async () => '{"rows": []}' });
    });
    await waitFor(() => byTestId('error-dialog'));
    expect(byTestId('error-message').textContent).toContain(
      'data.json is not an HTLNet Studio project',
    );
  });
});

describe('recovery', () => {
  it('writes unsaved work to the recovery file after edits, and clears it on save', async () => {
    const { api } = await startApp();
    await fromTemplate('shared-bottom');
    await waitFor(() => expect(api.recovery?.project.name).toBe('Shared-Bottom'));
    expect(api.recovery?.path).toBeNull();
    api.dialogAnswers.save = null;
    await click(byTestId('toolbar-save'));
    await click(byTestId('file-dialog-confirm'));
    await waitFor(() => expect(api.recovery).toBeNull());
  });

  it('offers to restore what was kept: Restore brings it back unsaved', async () => {
    const api = fakeApi();
    const kept = (await api.templatesCreate('htlnet')) as never;
    api.recovery = {
      project: kept,
      path: null,
      name: 'HTLNet',
      savedAt: '2026-01-02T03:04:05.000Z',
    };
    const { store } = await startApp(api);
    await waitFor(() => byTestId('recovery-dialog'));
    expect(byTestId('recovery-dialog').textContent).toContain('HTLNet');
    expect(byTestId('recovery-dialog').textContent).toContain('13 blocks');
    await click(byTestId('recovery-restore'));
    await waitFor(() => byTestId('node-fusion-amount'));
    expect(store.getState().project).toEqual(kept);
    expect(isDirty(store.getState())).toBe(true);
    expect(document.title).toBe('• HTLNet — HTLNet Studio');
  });

  it('offers to restore what was kept: Discard clears it', async () => {
    const api = fakeApi();
    api.recovery = {
      project: await api.templatesCreate('dnn'),
      path: `${WORKSPACE}/a.htlnet.json`,
      name: 'a.htlnet.json',
      savedAt: '2026-01-02T03:04:05.000Z',
    };
    const { store } = await startApp(api);
    await waitFor(() => byTestId('recovery-dialog'));
    await click(byTestId('recovery-discard'));
    await waitFor(() => expect(api.recovery).toBeNull());
    expect(queryTestId('recovery-dialog')).toBeNull();
    expect(store.getState().project.graph.blocks).toHaveLength(0);
  });

  it('asks before the page closes with unsaved changes, not otherwise', async () => {
    const { store } = await startApp();
    const unload = () => {
      const event = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(unload()).toBe(false);
    store.getState().addBlock('tower');
    expect(unload()).toBe(true);
  });
});
