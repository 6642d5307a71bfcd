// The label embedding unit's catalog entry (LEU): a binary task's own prediction turned into
// a soft label embedding with a binary Gumbel-softmax.
// Data only (the renderer imports it): the engine's behaviour for the block is in
// engine/blocks/label-embedding.ts.

import { catalogEntry } from './spec';

export const labelEmbedding = catalogEntry({
  type: 'label-embedding',
  title: 'Label embedding unit',
  group: 'Multi-task',
  description:
    "Turns a binary task's own prediction into a soft label embedding with a binary Gumbel-softmax.",
  inputs: [
    {
      name: 'prediction',
      title: 'prediction',
      type: 'binary',
      required: true,
      description: "A binary task head's output.",
    },
  ],
  outputs: [
    { name: 'label', title: 'label', type: 'label', description: 'Label embedding [batch, L].' },
  ],
  params: [
    {
      name: 'dim',
      title: 'Label embedding size',
      description: 'Size L of the two label vectors.',
      kind: 'number',
      default: 16,
      min: 1,
      max: 512,
      integer: true,
    },
    {
      name: 'temperature',
      title: 'Temperature',
      description: 'Gumbel-softmax temperature tau.',
      kind: 'number',
      default: 1,
      min: 0.01,
      max: 100,
    },
    {
      name: 'gumbel',
      title: 'Gumbel noise',
      description: 'Sample with logistic noise while training (off: use the plain sigmoid).',
      kind: 'boolean',
      default: true,
    },
  ],
});
