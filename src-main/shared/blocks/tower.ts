// The tower's catalog entry: one MLP per task; its last hidden layer is the representation.
// Data only (the renderer imports it): the engine's behaviour for the block is in
// engine/blocks/tower.ts.

import { activation, catalogEntry, layerSizes, vectorInput } from './spec';

export const tower = catalogEntry({
  type: 'tower',
  title: 'Tower',
  group: 'Representation',
  description:
    'A multi-layer perceptron; its last hidden layer is the representation it passes on.',
  inputs: [vectorInput('Vectors to concatenate as the tower input.')],
  outputs: [
    { name: 'out', title: 'output', type: 'vector', description: 'The last hidden layer.' },
  ],
  params: [
    layerSizes('Hidden layer sizes, comma-separated.', '128,64,32'),
    activation,
    {
      name: 'dropout',
      title: 'Dropout',
      description: 'Fraction of units dropped during training.',
      kind: 'number',
      default: 0,
      min: 0,
      max: 0.9,
    },
  ],
});
