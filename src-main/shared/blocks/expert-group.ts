// The expert group's catalog entry: parallel MLP experts over one input (MMoE, PLE).
// Data only (the renderer imports it): the engine's behaviour for the block is in
// engine/blocks/expert-group.ts.

import { activation, catalogEntry, layerSizes, vectorInput } from './spec';

export const expertGroup = catalogEntry({
  type: 'expert-group',
  title: 'Expert group',
  group: 'Multi-task',
  description: 'Several parallel MLP experts over the same input (MMoE and PLE).',
  inputs: [vectorInput('Vectors to concatenate as every expert input.')],
  outputs: [
    {
      name: 'experts',
      title: 'experts',
      type: 'experts',
      description: 'Expert outputs [batch, experts, width].',
    },
  ],
  params: [
    {
      name: 'experts',
      title: 'Experts',
      description: 'Number of experts.',
      kind: 'number',
      default: 4,
      min: 1,
      max: 64,
      integer: true,
    },
    layerSizes('Hidden layer sizes of each expert, comma-separated.', '64'),
    activation,
  ],
});
