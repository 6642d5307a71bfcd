// The cross layer's catalog entry (DCN-v2, Wang et al. 2021): explicit feature crosses,
// x_{l+1} = x_0 * (W x_l + b) + x_l, stacked `layers` times, with an optional low-rank W.
// Data only (the renderer imports it): the engine's behaviour for the block is in
// engine/blocks/cross-layer.ts.

import { catalogEntry, MAX_LAYER_UNITS, vectorInput } from './spec';

export const crossLayer = catalogEntry({
  type: 'cross-layer',
  title: 'Cross layer',
  group: 'Representation',
  description:
    'Explicit feature crosses (DCN-v2): each layer multiplies the input by a linear map of the previous layer and adds the previous layer back. Same width out as in.',
  inputs: [vectorInput('Vectors to concatenate as the input x0 (an embedding, usually).')],
  outputs: [
    {
      name: 'out',
      title: 'output',
      type: 'vector',
      description: 'The last cross layer, as wide as the input.',
    },
  ],
  params: [
    {
      name: 'layers',
      title: 'Cross layers',
      description: 'How many cross layers are stacked (each adds one degree of interaction).',
      kind: 'number',
      default: 2,
      min: 1,
      max: 16,
      integer: true,
    },
    {
      name: 'rank',
      title: 'Rank',
      description:
        'Low-rank W = U V with U d x r and V r x d (fewer parameters on wide inputs); 0 keeps the full d x d matrix.',
      kind: 'number',
      default: 0,
      min: 0,
      max: MAX_LAYER_UNITS,
      integer: true,
    },
  ],
});
