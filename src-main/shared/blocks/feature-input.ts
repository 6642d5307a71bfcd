// The feature input block's catalog entry: which bound columns feed the model and how
// numeric columns are encoded (buckets or a linear projection).
// Data only (the renderer imports it): the engine's behaviour for the block is in
// engine/blocks/feature-input.ts.

import { catalogEntry } from './spec';

export const featureInput = catalogEntry({
  type: 'feature-input',
  title: 'Feature input',
  group: 'Inputs',
  description: 'Columns of the dataset that feed the model: categorical ids or numeric values.',
  inputs: [],
  outputs: [
    {
      name: 'features',
      title: 'features',
      type: 'features',
      description: 'The selected input columns.',
    },
  ],
  params: [
    {
      name: 'kind',
      title: 'Column kind',
      description: 'Which bound feature columns this block provides.',
      kind: 'choice',
      default: 'all',
      options: [
        { value: 'all', title: 'all features' },
        { value: 'categorical', title: 'categorical' },
        { value: 'numeric', title: 'numeric' },
      ],
    },
    {
      name: 'columns',
      title: 'Columns',
      description: 'Comma-separated column names; empty takes every bound feature of the kind.',
      kind: 'text',
      default: '',
      format: 'column-list',
    },
    {
      name: 'buckets',
      title: 'Buckets',
      description: 'Quantile buckets for numeric columns (one more is kept for missing values).',
      kind: 'number',
      default: 16,
      min: 2,
      max: 1024,
      integer: true,
    },
    {
      name: 'numericEncoding',
      title: 'Numeric encoding',
      description:
        'Bucketise numeric columns and embed the bucket, or standardise signed log1p and project linearly.',
      kind: 'choice',
      default: 'buckets',
      options: [
        { value: 'buckets', title: 'quantile buckets' },
        { value: 'linear', title: 'linear projection' },
      ],
    },
  ],
});
