// The gate's catalog entry: a softmax over experts from a selector input (MMoE, PLE).
// Data only (the renderer imports it): the engine's behaviour for the block is in
// engine/blocks/gate.ts.

import { catalogEntry } from './spec';

export const gate = catalogEntry({
  type: 'gate',
  title: 'Gate',
  group: 'Multi-task',
  description: 'A softmax over experts computed from a selector input; outputs their weighted sum.',
  inputs: [
    {
      name: 'experts',
      title: 'experts',
      type: 'experts',
      required: true,
      multiple: true,
      description: 'Expert groups to choose from (all must have the same width).',
    },
    {
      name: 'selector',
      title: 'selector',
      type: 'vector',
      required: true,
      multiple: true,
      description: 'Input the gate weights are computed from.',
    },
  ],
  outputs: [
    { name: 'out', title: 'output', type: 'vector', description: 'Weighted sum of experts.' },
  ],
  params: [],
});
