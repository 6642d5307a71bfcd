// The information fusion unit's catalog entry (IFU): attention (or concatenation) over what
// earlier tasks produced.
// Data only (the renderer imports it): the engine's behaviour for the block is in
// engine/blocks/fusion.ts.

import { catalogEntry } from './spec';

export const fusion = catalogEntry({
  type: 'fusion',
  title: 'Information fusion unit',
  group: 'Multi-task',
  description:
    'Fuses what earlier tasks produced: their representations and their label embeddings.',
  inputs: [
    {
      name: 'reps',
      title: 'representations',
      type: 'vector',
      multiple: true,
      description: 'Representations of preceding tasks (same width).',
    },
    {
      name: 'labels',
      title: 'label embeddings',
      type: 'label',
      multiple: true,
      description: 'Label embeddings of preceding tasks (same size).',
    },
  ],
  outputs: [
    {
      name: 'out',
      title: 'output',
      type: 'vector',
      description: 'Fused representations, then fused label embeddings, concatenated.',
    },
  ],
  params: [
    {
      name: 'mode',
      title: 'Fusion',
      description: 'Self-attention over the inputs, or plain concatenation (ablation).',
      kind: 'choice',
      default: 'attention',
      options: [
        { value: 'attention', title: 'attention' },
        { value: 'concat', title: 'concatenation' },
      ],
    },
  ],
});
