// The optimizer block's catalog entry: how the model trains (update rule, batches, epochs,
// gradient adjustment, early stopping, seed). Exactly one per graph.
// Data only (the renderer imports it): the engine's behaviour for the block is in
// engine/blocks/optimizer.ts.

import { catalogEntry, MAX_BATCH_SIZE } from './spec';

export const optimizer = catalogEntry({
  type: 'optimizer',
  title: 'Optimizer',
  group: 'Training',
  description: 'How the model trains: optimizer, batches, epochs and the gradient adjustment.',
  inputs: [],
  outputs: [],
  maxPerGraph: 1,
  params: [
    {
      name: 'optimizer',
      title: 'Optimizer',
      description: 'Update rule.',
      kind: 'choice',
      default: 'adam',
      options: [
        { value: 'adam', title: 'Adam' },
        { value: 'sgd', title: 'SGD' },
      ],
    },
    {
      name: 'tableAdam',
      title: 'Embedding tables (Adam)',
      description:
        'Lazy: only the rows a batch used move (their moments too), the usual choice for large tables. Dense: every row moves every step with its decaying moments, as plain Adam does (slower on large vocabularies).',
      kind: 'choice',
      default: 'lazy',
      options: [
        { value: 'lazy', title: 'lazy (rows in the batch)' },
        { value: 'dense', title: 'dense (every row)' },
      ],
      when: { param: 'optimizer', equals: ['adam'] },
    },
    {
      name: 'learningRate',
      title: 'Learning rate',
      description: 'Step size.',
      kind: 'number',
      default: 0.001,
      min: 0,
      exclusiveMin: true,
      max: 10,
    },
    {
      name: 'batchSize',
      title: 'Batch size',
      description: 'Rows per training step.',
      kind: 'number',
      default: 1024,
      min: 1,
      // The trainer's buffers are sized by the batch: 131,072 rows of the default HTLNet take
      // 3.3 GB of the backend's 4 GB (a larger model is refused by the memory estimate).
      max: MAX_BATCH_SIZE,
      integer: true,
    },
    {
      name: 'epochs',
      title: 'Epochs',
      description: 'Passes over the training split (at most).',
      kind: 'number',
      default: 10,
      min: 1,
      max: 10_000,
      integer: true,
    },
    {
      name: 'adjustment',
      title: 'Gradient adjustment',
      description:
        'How per-task gradients on shared parameters combine: plain sum, PCGrad, MetaBalance or HTLNet.',
      kind: 'choice',
      default: 'htlnet',
      options: [
        { value: 'none', title: 'none (sum)' },
        { value: 'pcgrad', title: 'PCGrad (direction)' },
        { value: 'metabalance', title: 'MetaBalance (magnitude)' },
        { value: 'htlnet', title: 'HTLNet (direction + magnitude)' },
      ],
    },
    {
      name: 'alpha',
      title: 'Projection strength (alpha)',
      description: 'How much of a conflicting component is removed.',
      kind: 'number',
      default: 1,
      min: 0,
      max: 1,
      when: { param: 'adjustment', equals: ['pcgrad', 'htlnet'] },
    },
    {
      name: 'gamma',
      title: 'Magnitude mix (gamma)',
      description: 'How far each gradient is rescaled toward the core task gradient norm.',
      kind: 'number',
      default: 0.1,
      min: 0,
      max: 1,
      when: { param: 'adjustment', equals: ['metabalance', 'htlnet'] },
    },
    {
      name: 'clip',
      title: 'Scale clip (C)',
      description: 'The magnitude ratio is clipped to [1/C, C].',
      kind: 'number',
      default: 10,
      min: 1,
      max: 1000,
      when: { param: 'adjustment', equals: ['metabalance', 'htlnet'] },
    },
    {
      name: 'stopGradient',
      title: 'Stop-gradient',
      description:
        'Information passed from one task to a later one (label embeddings, fused representations) carries no gradient back.',
      kind: 'boolean',
      default: true,
    },
    {
      name: 'calibrator',
      title: 'Calibrator weight',
      description:
        "AITM's behavioural expectation calibrator (Xi et al. 2021): adds weight x the batch mean of max(p_t - p_t-1, 0) for consecutive binary tasks, so a later funnel step is not predicted likelier than the one before it. 0 turns it off; the AITM template uses the paper's 0.6.",
      kind: 'number',
      default: 0,
      min: 0,
      max: 100,
    },
    {
      name: 'patience',
      title: 'Early-stopping patience',
      description: 'Epochs without validation improvement before stopping (0: never stop early).',
      kind: 'number',
      default: 2,
      min: 0,
      max: 1000,
      integer: true,
    },
    {
      name: 'selection',
      title: 'Best epoch by',
      description:
        'What "better on the validation split" means, for early stopping and for the epoch kept. All tasks: the mean, weighted by loss weight, of each task\'s score (binary: 2 x AUC - 1; regression: 1 - NRMSE, where 0 is no better than predicting the average for everyone). Core task: that score for the core task alone. Core loss: the core task\'s validation loss. Binary AUC: the mean AUC of the binary tasks, which ignores the core amount.',
      kind: 'choice',
      default: 'all',
      options: [
        { value: 'all', title: 'all tasks (weighted score)' },
        { value: 'core', title: 'core task score' },
        { value: 'core-loss', title: 'core task loss' },
        { value: 'binary-auc', title: 'binary tasks AUC' },
      ],
    },
    {
      name: 'seed',
      title: 'Seed',
      description: 'Seeds the split, the initial weights, dropout and Gumbel noise.',
      kind: 'number',
      default: 42,
      min: 0,
      max: 2_147_483_647,
      integer: true,
    },
  ],
});
