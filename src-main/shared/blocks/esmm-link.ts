// The ESMM product link's catalog entry: chains two binary tasks as prior x conditional.
// Data only (the renderer imports it): the engine's behaviour for the block is in
// engine/blocks/esmm-link.ts.

import { catalogEntry } from './spec';

export const esmmLink = catalogEntry({
  type: 'esmm-link',
  title: 'ESMM product link',
  group: 'Multi-task',
  description:
    "Chains two binary tasks: the later task's probability becomes prior x conditional (ESMM).",
  inputs: [
    {
      name: 'prior',
      title: 'prior',
      type: 'binary',
      required: true,
      description: 'The earlier task in the chain (e.g. click).',
    },
    {
      name: 'conditional',
      title: 'conditional',
      type: 'binary',
      required: true,
      description: "The later task's head, read as a conditional probability.",
    },
  ],
  outputs: [
    {
      name: 'prediction',
      title: 'prediction',
      type: 'binary',
      description: "The later task's chained probability.",
    },
  ],
  params: [],
});
