// @vitest-environment happy-dom
// A project the operating system asks the desktop app to open (a double-clicked .htlnet.json,
// a path on the command line, macOS open-file): main sends the 'file.open' menu command with the
// path; the window opens it without the file dialog, after the unsaved-changes question.

import './setup';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeApi } from './fake-api';
import { byTestId, cleanup, click, flush, startApp, waitFor } from './helpers';

afterEach(cleanup);

const FIXTURE = readFileSync(
  path.join(import.meta.dirname, '..', 'fixtures', 'projects', 'htlnet-v1.htlnet.json'),
  'utf8',
);

describe('opening a project the OS hands over', () => {
  it('opens it without the file dialog', async () => {
    const api = fakeApi({ mode: 'electron' });
    api.files.set('/home/ana/Shop funnel.htlnet.json', FIXTURE);
    const { store } = await startApp(api);
    api.menu('file.open', '/home/ana/Shop funnel.htlnet.json');
    await waitFor(() => expect(store.getState().fileName).toBe('Shop funnel.htlnet.json'));
    expect(api.callsOf('project:open')).toEqual([['/home/ana/Shop funnel.htlnet.json']]);
    expect(api.callsOf('dialog:openFile')).toEqual([]);
  });

  it('asks about unsaved changes first; cancel keeps the work', async () => {
    const api = fakeApi({ mode: 'electron' });
    api.files.set('/p/other.htlnet.json', FIXTURE);
    const { store } = await startApp(api);
    await click(byTestId('toolbar-new'));
    await waitFor(() => byTestId('template-dnn'));
    await click(byTestId('template-dnn'));
    await waitFor(() => expect(store.getState().project.graph.blocks.length).toBeGreaterThan(0));
    const work = store.getState().project;
    api.menu('file.open', '/p/other.htlnet.json');
    await waitFor(() => byTestId('confirm-dialog'));
    await click(byTestId('confirm-cancel'));
    await flush();
    expect(store.getState().project).toBe(work);
    expect(api.callsOf('project:open')).toEqual([]);

    api.menu('file.open', '/p/other.htlnet.json');
    await waitFor(() => byTestId('confirm-dialog'));
    await click(byTestId('confirm-discard'));
    await waitFor(() => expect(store.getState().fileName).toBe('other.htlnet.json'));
    expect(api.callsOf('project:open')).toEqual([['/p/other.htlnet.json']]);
  });
});
