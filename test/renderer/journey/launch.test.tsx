// @vitest-environment happy-dom
// Launching experiments from the Train tab (issue 17): "repeat with N seeds" beside Train, the
// sweep panel (parameters picked with Vary, values, grid or one change at a time, seeds, the
// number of runs) and the one-click ablation. Each checks the data first as training does and
// sends one experiments:start request; the test reads that request, the messages for bad values
// and blocked or refused starts, and the journey store's state after a start.

import { act } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExperimentRequestArgs, ExperimentSummary } from '../../../src-main/ipc/api';
import type { Problem } from '../../../src-main/shared/problems';
import type { ProjectFile } from '../../../src-main/shared/project';
import { TrainScreen } from '../../../src-renderer/features/train/TrainScreen';
import { launchStoreOf } from '../../../src-renderer/store/launch/launch-store';
import { newAxis, newPresenceAxis, variableSpec } from '../../../src-renderer/store/launch/sweep';
import {
  byTestId,
  chooseOption,
  click,
  fakeHost,
  fixtureProject,
  fixtureRuns,
  flush,
  maybeTestId,
  render,
  summaryOf,
  text,
  typeInto,
  type FakeHost,
  type Handlers,
  type Rendered,
} from './helpers';

let view: Rendered | null = null;
afterEach(() => {
  view?.unmount();
  view = null;
});

const DATA = '/ws/sample-6k.csv';
/** The experiment as the fake host's queue has it now (experiments:get answers with it). */
let latest: ExperimentSummary | null = null;

function summary(request: ExperimentRequestArgs, patch: Partial<ExperimentSummary> = {}) {
  return {
    id: 'x1',
    name: request.name ?? `${request.project.name} ${request.kind}`,
    kind: request.kind,
    reference: 'project',
    createdAt: '2025-03-01T11:00:00.000Z',
    status: 'queued',
    message: '',
    seeds: [1, 2, 3],
    total: 3,
    done: 0,
    failed: 0,
    running: 0,
    ...patch,
  } satisfies ExperimentSummary;
}

async function open(
  options: { problems?: Problem[]; handlers?: Handlers; project?: ProjectFile } = {},
) {
  const host: FakeHost = fakeHost({
    'data:check': () => options.problems ?? [],
    'train:start': () => ({ jobId: 'j-train', runId: 'r1' }),
    'runs:list': () => fixtureRuns().map(summaryOf),
    'experiments:start': (request) => (latest = summary(request)),
    'experiments:get': (id) => ({
      ...latest!,
      id,
      runs: [],
      report: { variants: [], reference: 'project', comparisons: [], summaries: [] },
      dataPath: DATA,
    }),
    ...options.handlers,
  });
  const project = options.project ?? fixtureProject();
  const onNavigate = vi.fn();
  const onShowBlocks = vi.fn();
  view = await render(
    <TrainScreen
      project={project}
      onProjectChange={vi.fn()}
      onNavigate={onNavigate}
      onShowBlocks={onShowBlocks}
    />,
  );
  const launch = launchStoreOf(host.journey);
  return { host, project, onNavigate, onShowBlocks, launch, c: view.container };
}

function startRequest(host: FakeHost): ExperimentRequestArgs {
  const calls = host.callsOf('experiments:start');
  return calls[calls.length - 1]?.[0];
}

function block(project: ProjectFile, id: string) {
  return project.graph.blocks.find((b) => b.id === id)!;
}

/** Adds a parameter to the sweep as the inspector's Vary does (inside act, through a render). */
async function vary(
  launch: ReturnType<typeof launchStoreOf>,
  project: ProjectFile,
  id: string,
  param: string,
) {
  const b = block(project, id);
  await act(async () => launch.getState().vary(newAxis(b, variableSpec(b.type, param)!)));
  await flush();
}

describe('repeat with N seeds', () => {
  it('keeps one seed as the single live run, and queues a seeds group for more', async () => {
    const { host, project, onNavigate, c } = await open();
    const seeds = byTestId<HTMLInputElement>(c, 'repeat-seeds');
    expect(seeds.value).toBe('1');
    expect(text(byTestId(c, 'train-start'))).toBe('Train');

    await typeInto(seeds, '3');
    await flush();
    const button = byTestId(c, 'train-start');
    expect(text(button)).toBe('Train 3 seeds');
    expect(button.getAttribute('aria-label')).toBe('Train with 3 seeds');
    await typeInto(byTestId(c, 'run-label'), 'Baseline');
    await click(button);

    expect(host.callsOf('data:check')).toEqual([[project, DATA]]);
    expect(host.callsOf('train:start')).toEqual([]);
    expect(host.callsOf('experiments:start')).toEqual([
      [{ kind: 'seeds', project, dataPath: DATA, seeds: 3, name: 'Baseline' }],
    ]);
    const state = host.journey.getState();
    expect(state.resultsView).toBe('experiments');
    expect(state.openExperiment).toBe('x1');
    expect(onNavigate).toHaveBeenCalledWith('results');
    expect(text(byTestId(c, 'seeds-launch-status'))).toContain('Baseline: queued: 3 runs');

    // Progress arrives from the host's queue: running k of n.
    latest = summary(startRequest(host), { status: 'running', done: 1, running: 1 });
    await host.emit({ type: 'experiment:progress', jobId: 'x1', experiment: latest });
    await flush();
    expect(text(byTestId(c, 'seeds-launch-status'))).toContain('running 2 of 3 (1 done)');
  });

  it('names a bad number of seeds and starts nothing', async () => {
    const { host, c } = await open();
    await typeInto(byTestId(c, 'repeat-seeds'), '0');
    await flush();
    expect(text(c)).toContain('Repeat with seeds: a whole number from 1 to 100.');
    const button = byTestId<HTMLButtonElement>(c, 'train-start');
    expect(button.disabled).toBe(true);
    await click(button);
    expect(host.callsOf('experiments:start')).toEqual([]);
    expect(host.callsOf('train:start')).toEqual([]);
  });

  it('is blocked by data:check errors, which it shows with the blocks', async () => {
    const problem: Problem = {
      severity: 'error',
      code: 'data-missing-column',
      message: 'Column "amount" is not in sample-6k.csv.',
      blocks: ['head-amount'],
    };
    const { host, launch, onShowBlocks, c } = await open({ problems: [problem] });
    await act(async () => launch.getState().setRepeat(3));
    await flush();
    await click(byTestId(c, 'train-start'));
    expect(host.callsOf('experiments:start')).toEqual([]);
    expect(host.journey.getState().dataProblems).toEqual([problem]);
    const status = byTestId(c, 'seeds-launch-status');
    expect(status.getAttribute('role')).toBe('alert');
    expect(text(status)).toContain('Column "amount" is not in sample-6k.csv.');
    await click(status.querySelector('button')!);
    expect(onShowBlocks).toHaveBeenCalledWith(['head-amount']);
  });

  it("shows the host's refusal beside the button", async () => {
    const { c, launch, host } = await open({
      handlers: {
        'experiments:start': () => {
          throw new Error('Variant "project" cannot be trained on sample-6k.csv: too many rows.');
        },
      },
    });
    await act(async () => launch.getState().setRepeat(2));
    await flush();
    await click(byTestId(c, 'train-start'));
    expect(host.journey.getState().experimentStartError).toContain('too many rows');
    expect(text(byTestId(c, 'seeds-launch-status'))).toContain(
      'Not started: Variant "project" cannot be trained on sample-6k.csv: too many rows.',
    );
    expect(maybeTestId(c, 'sweep-launch-status')).toBeNull();
  });
});

describe('the sweep panel', () => {
  it('says how to pick parameters while the sweep is empty', async () => {
    const { c, onNavigate } = await open();
    expect(text(byTestId(c, 'sweep-empty'))).toContain('press Vary beside a parameter');
    await click(byTestId(c, 'sweep-go-model'));
    expect(onNavigate).toHaveBeenCalledWith('model');
  });

  it('adds a parameter from its own list, grouped by block', async () => {
    const { c, launch } = await open();
    const select = () => byTestId<HTMLSelectElement>(c, 'sweep-add');
    const options = () => [...select().querySelectorAll('option')].map((o) => o.value);
    const groups = [...select().querySelectorAll('optgroup')].map((g) => g.label);
    expect(groups).toContain('Optimizer (training settings)');
    expect(groups).toContain('Click tower');
    expect(options()).toContain('training.learningRate');
    expect(options()).toContain('tower-click.units');
    expect(options()).not.toContain('training.seed');
    expect(options()).not.toContain('head-click.task');
    // One "with and without" per kind of unit, however many units there are.
    expect(options().filter((o) => o === 'label-embedding.enabled')).toHaveLength(1);
    expect(options().filter((o) => o === 'fusion.enabled')).toHaveLength(1);

    const list = select();
    await chooseOption(list, 'tower-click.units');
    // The same list, in the same place (a keyboard user's focus stays on it).
    expect(select()).toBe(list);
    expect(launch.getState().axes.map((a) => a.path)).toEqual(['tower-click.units']);
    expect(options()).not.toContain('tower-click.units');
    expect(select().value).toBe('');
    await chooseOption(select(), 'fusion.enabled');
    expect(launch.getState().axes.map((a) => [a.path, a.picked])).toEqual([
      ['tower-click.units', []],
      ['fusion.enabled', ['true', 'false']],
    ]);
  });

  it("adds the Train tab's optimizer settings with their own Vary", async () => {
    const { c, launch } = await open();
    const vary = byTestId(c, 'vary-setting-batchSize');
    expect(vary.getAttribute('aria-label')).toBe('Vary Batch size in a sweep');
    await click(vary);
    expect(launch.getState().axes.map((a) => a.path)).toEqual(['training.batchSize']);
    expect(byTestId<HTMLInputElement>(c, 'sweep-values-training.batchSize').value).toBe(
      '128, 256, 512',
    );
    expect(maybeTestId(c, 'vary-setting-batchSize')).toBeNull();
    expect(maybeTestId(c, 'vary-setting-epochs')).not.toBeNull();
  });

  it('builds a grid of the picked values with seeds per variant', async () => {
    const { host, project, launch, c } = await open();
    await vary(launch, project, 'optimizer', 'learningRate');
    await vary(launch, project, 'tower-click', 'dropout');
    await vary(launch, project, 'fusion-purchase', 'mode');
    await act(async () => launch.getState().vary(newPresenceAxis('label-embedding')));
    await flush();

    // Prefilled with neighbours of the current value, inside the bounds.
    const lr = byTestId<HTMLInputElement>(c, 'sweep-values-training.learningRate');
    expect(lr.value).toBe('0.0005, 0.001, 0.002');
    expect(byTestId<HTMLInputElement>(c, 'sweep-values-tower-click.dropout').value).toBe(
      '0, 0.1, 0.2',
    );
    await typeInto(lr, '0.001, 0.01');
    await typeInto(byTestId(c, 'sweep-values-tower-click.dropout'), '0, 0.2');
    // Only the attention and concat modes, with and without the label embeddings.
    const modes = c.querySelectorAll<HTMLInputElement>(
      '[data-testid^="sweep-pick-fusion-purchase.mode-"]',
    );
    for (const m of modes) {
      const keep =
        m.dataset.testid!.endsWith('-attention') || m.dataset.testid!.endsWith('-concat');
      if (m.checked !== keep) await click(m);
    }
    await flush();
    expect(text(byTestId(c, 'sweep-count'))).toContain('16 variants × 3 seeds = 48 runs');
    expect(text(byTestId(c, 'sweep-count'))).toContain(
      'Time: about 32 min of training in all (40 s a run',
    );
    expect(maybeTestId(c, 'sweep-large')).not.toBeNull();

    await click(byTestId(c, 'sweep-start'));
    expect(host.callsOf('data:check')).toEqual([[project, DATA]]);
    expect(startRequest(host)).toEqual({
      kind: 'sweep',
      project,
      dataPath: DATA,
      seeds: 3,
      grid: [
        { path: 'training.learningRate', values: [0.001, 0.01] },
        { path: 'tower-click.dropout', values: [0, 0.2] },
        { path: 'fusion-purchase.mode', values: ['attention', 'concat'] },
        { path: 'label-embedding.enabled', values: [true, false] },
      ],
    });
    expect(host.journey.getState().resultsView).toBe('experiments');
  });

  it('varies one value at a time against the project as it is', async () => {
    const { host, project, launch, c } = await open();
    await vary(launch, project, 'optimizer', 'batchSize');
    await vary(launch, project, 'tower-amount', 'units');
    expect(byTestId<HTMLInputElement>(c, 'sweep-values-tower-amount.units').value).toBe(
      '128,64,32; 64,32',
    );
    await click(byTestId(c, 'sweep-mode-list'));
    await typeInto(byTestId(c, 'sweep-seeds'), '2');
    await flush();
    // 128, 256 (the project's), 512; two layer lists (one the project's): 1 + 2 + 1 variants.
    expect(text(byTestId(c, 'sweep-count'))).toContain('4 variants × 2 seeds = 8 runs');
    expect(maybeTestId(c, 'sweep-large')).toBeNull();
    await click(byTestId(c, 'sweep-start'));
    expect(startRequest(host)).toEqual({
      kind: 'sweep',
      project,
      dataPath: DATA,
      seeds: 2,
      list: [
        { name: 'project', params: {} },
        { params: { 'training.batchSize': 128 } },
        { params: { 'training.batchSize': 512 } },
        { params: { 'tower-amount.units': '64,32' } },
      ],
    });
  });

  it('names a bad value before anything is queued', async () => {
    const { host, project, launch, c } = await open();
    await vary(launch, project, 'optimizer', 'learningRate');
    await vary(launch, project, 'tower-click', 'units');
    await vary(launch, project, 'optimizer', 'adjustment');
    const start = () => byTestId<HTMLButtonElement>(c, 'sweep-start');

    await typeInto(byTestId(c, 'sweep-values-training.learningRate'), '0.001, 20');
    await flush();
    const message =
      'Optimizer · Learning rate: "20" is refused: must be greater than 0 and at most 10.';
    expect(text(byTestId(c, 'sweep-error-training.learningRate'))).toBe(message);
    expect(text(byTestId(c, 'sweep-problem'))).toBe(message);
    expect(start().disabled).toBe(true);

    await typeInto(byTestId(c, 'sweep-values-training.learningRate'), '0.001, 0.01');
    await typeInto(byTestId(c, 'sweep-values-tower-click.units'), '64,32; 64,x');
    await flush();
    expect(text(byTestId(c, 'sweep-error-tower-click.units'))).toContain(
      'Click tower · Layer sizes: "64,x" is refused: layer sizes are whole numbers',
    );
    await typeInto(byTestId(c, 'sweep-values-tower-click.units'), '64,32');
    for (const box of c.querySelectorAll<HTMLInputElement>(
      '[data-testid^="sweep-pick-training.adjustment-"]',
    ))
      if (box.checked) await click(box);
    expect(text(byTestId(c, 'sweep-error-training.adjustment'))).toBe(
      'Optimizer · Gradient adjustment: tick at least one value to try.',
    );
    expect(start().disabled).toBe(true);

    await click(byTestId(c, 'sweep-pick-training.adjustment-none'));
    expect(start().disabled).toBe(false);
    await click(byTestId(c, 'sweep-remove-training.adjustment'));
    expect(maybeTestId(c, 'sweep-axis-training.adjustment')).toBeNull();
    expect(host.callsOf('experiments:start')).toEqual([]);
  });

  it('refuses a grid of one variant', async () => {
    const { project, launch, c } = await open();
    await vary(launch, project, 'optimizer', 'learningRate');
    await typeInto(byTestId(c, 'sweep-values-training.learningRate'), '0.001');
    await flush();
    expect(text(byTestId(c, 'sweep-problem'))).toContain('one variant only');
    expect(byTestId<HTMLButtonElement>(c, 'sweep-start').disabled).toBe(true);
  });
});

describe('the ablation', () => {
  it('explains the six variants of an HTLNet project and queues them with its seeds', async () => {
    const { host, project, c } = await open();
    const variants = [...byTestId(c, 'ablation-variants').querySelectorAll('li strong')].map(text);
    expect(variants).toEqual([
      'full',
      'without LEU',
      'without IFU',
      'without gradient adjustment',
      'projection only',
      'magnitude only',
    ]);
    expect(text(byTestId(c, 'ablation-count'))).toContain('6 variants × 3 seeds = 18 runs');
    await typeInto(byTestId(c, 'ablation-seeds'), '2');
    await flush();
    expect(text(byTestId(c, 'ablation-count'))).toContain('12 runs');
    await click(byTestId(c, 'ablation-start'));
    expect(host.callsOf('experiments:start')).toEqual([
      [{ kind: 'ablation', project, dataPath: DATA, seeds: 2 }],
    ]);
    expect(host.journey.getState().openExperiment).toBe('x1');
  });

  it('says why a graph without the HTLNet components cannot be ablated', async () => {
    const base = fixtureProject();
    const blocks = base.graph.blocks
      .filter((b) => b.type !== 'label-embedding' && b.type !== 'fusion')
      .map((b) =>
        b.type === 'optimizer' ? { ...b, params: { ...b.params, adjustment: 'none' } } : b,
      );
    const project = { ...base, graph: { ...base.graph, blocks } };
    const { host, c } = await open({ project });
    expect(text(byTestId(c, 'ablation-unavailable'))).toContain(
      'The ablation needs an HTLNet project (label embeddings, fusion units or the HTLNet gradient adjustment)',
    );
    const button = byTestId<HTMLButtonElement>(c, 'ablation-start');
    expect(button.disabled).toBe(true);
    expect(button.getAttribute('aria-describedby')).toBe(byTestId(c, 'ablation-unavailable').id);
    expect(maybeTestId(c, 'ablation-variants')).toBeNull();
    await click(button);
    expect(host.callsOf('experiments:start')).toEqual([]);
  });

  it('leaves out a step that would change nothing', async () => {
    const base = fixtureProject();
    const blocks = base.graph.blocks.map((b) =>
      b.type === 'optimizer' ? { ...b, params: { ...b.params, adjustment: 'pcgrad' } } : b,
    );
    const { c } = await open({ project: { ...base, graph: { ...base.graph, blocks } } });
    const variants = [...byTestId(c, 'ablation-variants').querySelectorAll('li strong')].map(text);
    expect(variants).toEqual(['full', 'without LEU', 'without IFU']);
    expect(text(byTestId(c, 'ablation-count'))).toContain('3 variants × 3 seeds = 9 runs');
  });
});
