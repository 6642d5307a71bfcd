// The shared embedding's catalog entry: one table of d-dim vectors per input field, the
// only parameters every task shares.
// Data only (the renderer imports it): the engine's behaviour for the block is in
// engine/blocks/shared-embedding.ts.

import { catalogEntry } from './spec';

export const sharedEmbedding = catalogEntry({
  type: 'shared-embedding',
  title: 'Shared embedding',
  group: 'Representation',
  description: 'One table of d-dimensional vectors per input field; outputs their concatenation.',
  inputs: [
    {
      name: 'features',
      title: 'features',
      type: 'features',
      required: true,
      multiple: true,
      description: 'Feature inputs to embed.',
    },
  ],
  outputs: [
    {
      name: 'embedding',
      title: 'embedding',
      type: 'vector',
      description: 'Concatenated field embeddings [batch, fields x d].',
    },
  ],
  params: [
    {
      name: 'dim',
      title: 'Embedding size',
      description: 'Size d of each field vector.',
      kind: 'number',
      default: 16,
      min: 1,
      max: 512,
      integer: true,
    },
  ],
});
