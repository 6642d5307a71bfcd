// @vitest-environment happy-dom
// The journey's tabs on the editor's real store: they show its project, a change (training
// settings) is one undo step, "Show in model" switches to the canvas with the blocks selected,
// and data:check's binding problems join the editor's problems list.

import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Problem } from '../../../src-main/shared/problems';
import type { ProjectFile } from '../../../src-main/shared/project';
import { StoreProvider } from '../../../src-renderer/store/context';
import { ResultsTab, TrainTab, TrySampleButton } from '../../../src-renderer/app/tabs';
import { createAppStore, type AppStore } from '../../../src-renderer/store/store';
import {
  byTestId,
  click,
  fakeHost,
  fixturePreview,
  fixtureProject,
  flush,
  journey,
  maybeTestId,
  pressEnter,
  render,
  typeInto,
  type Rendered,
} from './helpers';

let view: Rendered | null = null;
afterEach(() => {
  view?.unmount();
  view = null;
});

const missing: Problem = {
  severity: 'error',
  code: 'data-missing-column',
  message: 'sample-6k.csv has no column "amount", the target of task "amount".',
  blocks: ['head-amount'],
  field: 'task',
};

/** Another project, saved in the workspace: MMoE on other data. */
function otherProject(): ProjectFile {
  const p = fixtureProject();
  return { ...p, name: 'MMoE funnel', data: { ...p.data, source: '/ws/other.csv' } };
}

async function mount(problems: Problem[] = [], project = fixtureProject()): Promise<AppStore> {
  const host = fakeHost({
    'data:check': () => problems,
    'project:validate': () => ({ problems: [], shapes: {} }),
    'project:open': (file) => ({
      project: otherProject(),
      path: file,
      name: 'mmoe.htlnet.json',
      migratedFrom: null,
      warnings: [],
    }),
    'recovery:clear': () => null,
    'project:recent': () => [],
  });
  const store = createAppStore(host.api, { validateDelay: 0, autosaveDelay: 1e9 });
  store.setState({ project, saved: project });
  view = await render(
    <StoreProvider store={store}>
      <TrainTab />
    </StoreProvider>,
  );
  return store;
}

describe('the journey tabs on the editor store', () => {
  it("edits the editor's project as one undo step", async () => {
    const store = await mount();
    const c = view!.container;
    const before = store.getState().project;
    const epochs = byTestId<HTMLInputElement>(c, 'setting-epochs');
    expect(epochs.value).toBe('3');
    await typeInto(epochs, '12');
    await pressEnter(epochs);
    const optimizer = () =>
      store.getState().project.graph.blocks.find((b) => b.type === 'optimizer')!;
    expect(optimizer().params.epochs).toBe(12);
    expect(byTestId<HTMLInputElement>(c, 'setting-epochs').value).toBe('12');
    act(() => store.getState().undo());
    expect(store.getState().project).toBe(before);
    await flush();
    expect(byTestId<HTMLInputElement>(c, 'setting-epochs').value).toBe('3');
  });

  it('pins binding problems to blocks in the editor and shows them there', async () => {
    const store = await mount([missing]);
    const c = view!.container;
    await click(byTestId(c, 'train-start'));
    expect(journey().getState().dataProblems).toEqual([missing]);
    expect(store.getState().problems).toContainEqual(missing);
    // A validation of the model replaces the list: the binding problem stays in it.
    store.setState({ problems: [] });
    expect(store.getState().problems).toEqual([missing]);

    await click(byTestId(c, 'check-problem').querySelector('button')!);
    expect(store.getState().tab).toBe('model');
    expect(store.getState().selection.blocks).toEqual(['head-amount']);

    // A check that finds nothing takes it out again.
    journey().setState({ dataProblems: [] });
    expect(store.getState().problems).toEqual([]);
  });

  it("drops the previous project's problems and run name when another is opened", async () => {
    const store = await mount([missing]);
    const c = view!.container;
    await typeInto(byTestId(c, 'run-label'), 'HTLNet, 3 epochs');
    await click(byTestId(c, 'train-start'));
    expect(maybeTestId(c, 'train-blocked')).not.toBeNull();
    expect(store.getState().problems).toContainEqual(missing);

    await act(async () => store.getState().openProject('/ws/mmoe.htlnet.json'));
    await flush();
    expect(store.getState().project.name).toBe('MMoE funnel');
    expect(store.getState().problems).not.toContainEqual(missing);
    expect(journey().getState().dataProblems).toEqual([]);
    expect(maybeTestId(c, 'check-problem')).toBeNull();
    expect(maybeTestId(c, 'train-blocked')).toBeNull();
    // The run name was typed for the other project.
    expect(byTestId<HTMLInputElement>(c, 'run-label').value).toBe('');
    // A validation of the new model does not bring them back.
    store.setState({ problems: [] });
    expect(store.getState().problems).toEqual([]);
  });

  it("trains only on the project's own data, never on a file read for another", async () => {
    const p = fixtureProject();
    const unbound = { ...p, data: { ...p.data, source: undefined } };
    await mount([], unbound);
    // A file read as the wizard would: previewed, never applied.
    journey().setState({ preview: fixturePreview() });
    await flush();
    const c = view!.container;
    expect(maybeTestId(c, 'train-start')).toBeNull();
    expect(maybeTestId(c, 'train-empty')).not.toBeNull();
  });

  it("uses the store's API object, even when it is not the renderer's default", async () => {
    const host = fakeHost({ 'runs:list': () => [] });
    // No window.htlnet: the journey store is made over the host's API object, as the editor's.
    const store = createAppStore(host.api, { validateDelay: 0, autosaveDelay: 1e9 });
    view = await render(
      <StoreProvider store={store}>
        <ResultsTab />
      </StoreProvider>,
    );
    expect(host.callsOf('runs:list').length).toBeGreaterThan(0);
    expect(journey().getState().runsError).toBeNull();
    expect(maybeTestId(view.container, 'runs-empty')).not.toBeNull();
    // Host events reach the journey through the store's API.
    expect(host.callsOf('app:info').length).toBeGreaterThan(0);
  });
});

describe('the empty canvas’s one click', () => {
  it('writes the sample, imports it and starts training HTLNet from TrySampleButton', async () => {
    const host = fakeHost({
      'data:sample': () => '/ws/samples/funnel-sample-100000.csv',
      'data:import': () => ({ jobId: 'j-import' }),
      'templates:create': () => fixtureProject(),
      'data:check': () => [],
      'project:validate': () => ({ problems: [], shapes: {} }),
      'train:start': () => ({ jobId: 'j-train', runId: 'r1' }),
    });
    const store = createAppStore(host.api, { validateDelay: 0, autosaveDelay: 1e9 });
    view = await render(
      <StoreProvider store={store}>
        <TrySampleButton />
      </StoreProvider>,
    );
    await click(byTestId(view.container, 'empty-sample'));
    expect(host.callsOf('data:sample')).toEqual([[100000]]);
    expect(host.callsOf('data:import')).toEqual([['/ws/samples/funnel-sample-100000.csv']]);
  });
});
