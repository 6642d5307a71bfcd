// The expert group's catalog entry: parallel MLP experts over one input (MMoE, PLE).
// Data only (the renderer imports it): the engine's behaviour for the block is in
// engine/blocks/expert-group.ts.

import { catalogEntry, activation } from './spec';

export const expertGroup = catalogEntry({
  type: 'expert-group',
  title: 'Expert group',
  group: 'Multi-task',
  description: 'Several parallel MLP experts over the same input (MMoE and PLE).',
  inputs: [
    {
      name: 'in',
      title: 'input',
      type: 'vector',
      required: true,
      multiple: true,
      description: 'Vectors to concatenate as every expert input.',
    },
  ],
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
    {
      name: 'units',
      title: 'Layer sizes',
      description: 'Hidden layer sizes of each expert, comma-separated.',
      kind: 'text',
      default: '64',
      format: 'int-list',
    },
    activation,
  ],
});
