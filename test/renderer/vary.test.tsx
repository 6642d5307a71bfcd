// @vitest-environment happy-dom
// The inspector's "Vary" (issue 17): beside each parameter a sweep can vary, it adds the
// parameter to the sweep the Train tab starts (by the engine's path: the block's id, or
// training. for the optimizer), prefilled with values near the current one, and shows the
// values to try in place, with the shared validity library's message for a bad one. A label
// embedding or fusion unit can be varied as present or not; the optimizer's seed and a head's
// task cannot be varied.

import './setup';
import { afterEach, describe, expect, it } from 'vitest';
import { launchStoreOf } from '../../src-renderer/store/launch/launch-store';
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

async function withBlock(type: string) {
  const app = await startApp();
  await click(byTestId(`palette-item-${type}`));
  await waitFor(() => byTestId('inspector-block'));
  const id = app.store.getState().selection.blocks[0];
  const axes = () => launchStoreOf(app.journey).getState().axes;
  return { ...app, id, axes };
}

describe('Vary in the inspector', () => {
  it('adds a block parameter to the sweep with neighbouring values, and names a bad one', async () => {
    const { id, axes } = await withBlock('tower');
    expect(queryTestId('vary-units')).not.toBeNull();
    expect(queryTestId('vary-activation')).not.toBeNull();
    const vary = byTestId('vary-dropout');
    expect(vary.getAttribute('aria-label')).toBe('Vary Dropout in a sweep');
    await click(vary);
    await flush();
    expect(axes().map((a) => [a.path, a.kind, a.text])).toEqual([
      [`${id}.dropout`, 'number', '0, 0.1, 0.2'],
    ]);
    // In place of the button: the values to try, with the keyboard focus.
    expect(queryTestId('vary-dropout')).toBeNull();
    const values = byTestId<HTMLInputElement>(`sweep-values-${id}.dropout`);
    expect(document.activeElement).toBe(values);
    await typeInto(values, '0, 0.95');
    expect(axes()[0].text).toBe('0, 0.95');
    const message = byTestId(`sweep-error-${id}.dropout`);
    expect(message.textContent).toBe(
      'Tower · Dropout: "0.95" is refused: must be between 0 and 0.9.',
    );
    expect(message.getAttribute('role')).toBe('alert');
    expect(values.getAttribute('aria-invalid')).toBe('true');
    await click(byTestId(`sweep-remove-${id}.dropout`));
    expect(axes()).toEqual([]);
    // The focus goes back to Vary.
    expect(document.activeElement).toBe(byTestId('vary-dropout'));
  });

  it("ticks a choice's options, and varies the optimizer's settings as training settings", async () => {
    const { axes } = await withBlock('optimizer');
    expect(queryTestId('vary-seed')).toBeNull();
    await click(byTestId('vary-learningRate'));
    await click(byTestId('vary-adjustment'));
    expect(axes().map((a) => a.path)).toEqual(['training.learningRate', 'training.adjustment']);
    expect(axes()[0].text).toBe('0.0005, 0.001, 0.002');
    const boxes = document.querySelectorAll<HTMLInputElement>(
      '[data-testid^="sweep-pick-training.adjustment-"]',
    );
    expect([...boxes].map((b) => [b.dataset.testid, b.checked])).toEqual([
      ['sweep-pick-training.adjustment-none', true],
      ['sweep-pick-training.adjustment-pcgrad', true],
      ['sweep-pick-training.adjustment-metabalance', true],
      ['sweep-pick-training.adjustment-htlnet', true],
    ]);
    await click(boxes[1]);
    expect(axes()[1].picked).toEqual(['none', 'metabalance', 'htlnet']);
  });

  it("varies a label embedding unit's presence, and never a head's task", async () => {
    const { axes } = await withBlock('label-embedding');
    await click(byTestId('vary-presence'));
    expect(axes().map((a) => [a.path, a.kind, a.picked])).toEqual([
      ['label-embedding.enabled', 'presence', ['true', 'false']],
    ]);
    expect(byTestId('sweep-pick-label-embedding.enabled-false').getAttribute('aria-label')).toBe(
      'Label embedding unit · present: try without',
    );
    await click(byTestId('palette-item-task-head'));
    await waitFor(() => byTestId('param-task'));
    expect(queryTestId('vary-task')).toBeNull();
    expect(queryTestId('vary-lossWeight')).not.toBeNull();
    expect(queryTestId('vary-presence')).toBeNull();
  });
});
