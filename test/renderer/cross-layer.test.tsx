// @vitest-environment happy-dom
// The DCN-v2 cross layer (a block added through its catalog entry alone on the renderer side):
// the palette offers it among the representation blocks, a click places it with its catalog
// defaults, and the inspector shows its parameters.

import './setup';
import { afterEach, describe, expect, it } from 'vitest';
import { byTestId, cleanup, click, startApp, waitFor } from './helpers';

afterEach(cleanup);

describe('the cross layer in the editor', () => {
  it('is placed from the palette with its catalog defaults', async () => {
    const { store } = await startApp();
    const item = byTestId('palette-item-cross-layer');
    expect(item.closest('section')?.getAttribute('aria-label')).toBe('Representation');
    await click(item);
    await waitFor(() => byTestId('node-cross-layer'));
    const [block] = store.getState().project.graph.blocks;
    expect(block).toMatchObject({
      type: 'cross-layer',
      label: 'Cross layer',
      params: { layers: 2, rank: 0 },
    });
    expect(byTestId('inspector-description').textContent).toContain('DCN-v2');
  });
});
