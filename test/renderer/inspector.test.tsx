// @vitest-environment happy-dom
// The inspector edits the selected block from the catalog's schema: numbers with bounds,
// switches, choices, text and layer lists, with messages as you type; and the label.

import './setup';
import { afterEach, describe, expect, it } from 'vitest';
import { parseParamInput, type ParamSchema } from '../../src-renderer/store/params';
import { wireCatalog } from './fake-api';
import {
  blur,
  byTestId,
  cleanup,
  click,
  flush,
  queryTestId,
  startApp,
  typeInto,
  validated,
  waitFor,
} from './helpers';

afterEach(cleanup);

const param = (type: string, name: string): ParamSchema =>
  wireCatalog()
    .find((b) => b.type === type)!
    .params.find((p) => p.name === name)!;

async function withBlock(type: string) {
  const app = await startApp();
  await click(byTestId(`palette-item-${type}`));
  await waitFor(() => byTestId('inspector-block'));
  const id = app.store.getState().selection.blocks[0];
  const params = () => app.store.getState().project.graph.blocks.find((b) => b.id === id)!.params;
  return { ...app, id, params };
}

describe('parsing what is typed', () => {
  it('checks numbers against their bounds and integrality', () => {
    expect(parseParamInput(param('tower', 'dropout'), '0.5')).toEqual({ ok: true, value: 0.5 });
    expect(parseParamInput(param('tower', 'dropout'), '1.5')).toEqual({
      ok: false,
      message: 'Must be between 0 and 0.9.',
    });
    expect(parseParamInput(param('shared-embedding', 'dim'), '2.5').message).toBe(
      'Must be a whole number between 1 and 512.',
    );
    expect(parseParamInput(param('shared-embedding', 'dim'), '').message).toBe(
      'Enter a whole number between 1 and 512.',
    );
    expect(parseParamInput(param('shared-embedding', 'dim'), 'abc').message).toBe(
      '"abc" is not a number; enter a whole number between 1 and 512.',
    );
    expect(parseParamInput(param('optimizer', 'learningRate'), '0').message).toBe(
      'Must be greater than 0 and at most 10.',
    );
  });

  it('keeps a badly formatted layer list (as text) but says what is wrong', () => {
    expect(parseParamInput(param('tower', 'units'), '128, 64,32')).toEqual({
      ok: true,
      value: '128, 64,32',
    });
    const bad = parseParamInput(param('tower', 'units'), '128,,32');
    expect(bad).toMatchObject({ ok: false, value: '128,,32' });
    expect(bad.message).toContain('e.g. 128,64,32');
    expect(parseParamInput(param('tower', 'units'), '').message).toBe(
      'List at least one layer size, e.g. 128,64,32.',
    );
  });
});

describe('inspector', () => {
  it('shows the block, its description, a field per parameter and its ports', async () => {
    await withBlock('tower');
    expect(byTestId('inspector-description').textContent).toContain('multi-layer perceptron');
    expect(byTestId<HTMLInputElement>('param-units').value).toBe('128,64,32');
    expect(byTestId<HTMLSelectElement>('param-activation').value).toBe('relu');
    const dropout = byTestId<HTMLInputElement>('param-dropout');
    expect([dropout.type, dropout.min, dropout.max, dropout.step]).toEqual([
      'number',
      '0',
      '0.9',
      'any',
    ]);
    expect(byTestId<HTMLInputElement>('inspector-label').value).toBe('Tower');
    for (const field of ['param-units', 'param-activation', 'param-dropout', 'inspector-label']) {
      expect(byTestId(field).getAttribute('aria-label')).toBeTruthy();
      expect(byTestId(field).getAttribute('title')).toBeTruthy();
    }
  });

  it('refuses an out-of-range number with a message, keeping the last valid value', async () => {
    const { params } = await withBlock('tower');
    const dropout = byTestId<HTMLInputElement>('param-dropout');
    await typeInto(dropout, '1.5');
    expect(byTestId('param-dropout-message').textContent).toBe('Must be between 0 and 0.9.');
    expect(dropout.getAttribute('aria-invalid')).toBe('true');
    expect(params().dropout).toBe(0);
    await typeInto(dropout, '0.25');
    expect(queryTestId('param-dropout-message')).toBeNull();
    expect(params().dropout).toBe(0.25);
  });

  it('uses whole-number steps for integer parameters', async () => {
    const { params } = await withBlock('shared-embedding');
    const dim = byTestId<HTMLInputElement>('param-dim');
    expect(dim.step).toBe('1');
    await typeInto(dim, '2.5');
    expect(byTestId('param-dim-message').textContent).toBe(
      'Must be a whole number between 1 and 512.',
    );
    expect(params().dim).toBe(16);
    await typeInto(dim, '32');
    expect(params().dim).toBe(32);
  });

  it('keeps a malformed layer list, says why, and the engine pins the same problem to the block', async () => {
    const { store, id, params } = await withBlock('tower');
    await typeInto(byTestId('param-units'), '128,,32');
    expect(params().units).toBe('128,,32');
    expect(byTestId('param-units-message').textContent).toContain('separated by commas');
    await validated(store);
    const problem = store.getState().problems.find((p) => p.field === 'units');
    expect(problem).toMatchObject({ code: 'param-malformed', blocks: [id] });
    await waitFor(() => expect(byTestId(`node-${id}`).className).toContain('has-error'));
    await typeInto(byTestId('param-units'), '64,32');
    expect(queryTestId('param-units-message')).toBeNull();
    await validated(store);
    expect(store.getState().problems.some((p) => p.field === 'units')).toBe(false);
  });

  it('edits switches and choices, and shows parameters only when they apply', async () => {
    const { params } = await withBlock('optimizer');
    expect(queryTestId('param-alpha')).toBeTruthy(); // adjustment "htlnet" uses alpha and gamma
    await typeInto(byTestId('param-adjustment'), 'metabalance');
    expect(params().adjustment).toBe('metabalance');
    expect(queryTestId('param-alpha')).toBeNull();
    expect(queryTestId('param-gamma')).toBeTruthy();
    const stop = byTestId<HTMLInputElement>('param-stopGradient');
    expect(stop.checked).toBe(true);
    await click(stop);
    expect(params().stopGradient).toBe(false);
  });

  it("chooses a head's task from the data binding, which also sets its kind", async () => {
    const { params, id } = await withBlock('task-head');
    const task = byTestId<HTMLSelectElement>('param-task');
    expect([...task.options].map((o) => o.value)).toEqual(['', 'click', 'purchase', 'amount']);
    expect(queryTestId('param-objective')).toBeNull();
    await typeInto(task, 'amount');
    expect(params()).toMatchObject({ task: 'amount', kind: 'regression' });
    // The regression-only parameter appears, and the prediction port changes type.
    const objective = byTestId<HTMLSelectElement>('param-objective');
    expect(objective.value).toBe('tweedie');
    // The target transform belongs to the squared-error objective only.
    expect(queryTestId('param-transform')).toBeNull();
    await typeInto(objective, 'mse');
    expect(byTestId<HTMLSelectElement>('param-transform').value).toBe('log1p-zscore');
    await waitFor(() =>
      expect(byTestId(`port-${id}-out-prediction`).className).toContain('port-regression'),
    );
  });

  it('edits the label, shown on the block', async () => {
    const { id } = await withBlock('tower');
    await typeInto(byTestId('inspector-label'), 'Click tower');
    await waitFor(() =>
      expect(byTestId(`node-${id}`).querySelector('.block-title')?.textContent).toBe('Click tower'),
    );
  });

  it('makes typing in one field one undo step, and a new step after leaving it', async () => {
    const { store, params } = await withBlock('shared-embedding');
    const steps = store.getState().history.past.length;
    const dim = byTestId<HTMLInputElement>('param-dim');
    for (const text of ['3', '32', '320']) await typeInto(dim, text);
    expect(params().dim).toBe(320);
    expect(store.getState().history.past.length).toBe(steps + 1);
    await blur(dim);
    await typeInto(dim, '64');
    expect(store.getState().history.past.length).toBe(steps + 2);
    store.getState().undo();
    await flush();
    expect(params().dim).toBe(320);
    expect(byTestId<HTMLInputElement>('param-dim').value).toBe('320');
    store.getState().undo();
    await flush();
    expect(params().dim).toBe(16);
    expect(byTestId<HTMLInputElement>('param-dim').value).toBe('16');
  });

  it('describes the project when nothing is selected, and a selection of several', async () => {
    const { store } = await startApp();
    expect(byTestId('inspector-project').textContent).toContain('amount');
    await click(byTestId('palette-item-tower'));
    await click(byTestId('palette-item-gate'));
    store.getState().selectAll();
    await flush();
    expect(byTestId('inspector-multi').textContent).toContain('2 blocks');
  });
});
