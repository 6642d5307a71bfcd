// The task head's catalog entry: a task's prediction (binary probability or regression
// amount), its objective, target transform and loss weight.
// Data only (the renderer imports it): the engine's behaviour for the block is in
// engine/blocks/task-head.ts.

import { catalogEntry, vectorInput } from './spec';

export const taskHead = catalogEntry({
  type: 'task-head',
  title: 'Task head',
  group: 'Tasks',
  description: 'The prediction for one task: a probability (binary) or a value (regression).',
  inputs: [vectorInput('Representation to predict from.')],
  outputs: [
    {
      name: 'prediction',
      title: 'prediction',
      type: (p) => (p.kind === 'regression' ? 'regression' : 'binary'),
      description: "The task's prediction.",
    },
  ],
  params: [
    {
      name: 'task',
      title: 'Task',
      description: 'The task (target) this head predicts, from the data binding.',
      kind: 'text',
      default: '',
      format: 'task',
    },
    {
      name: 'kind',
      title: 'Kind',
      description: 'Binary (probability, cross-entropy) or regression (an amount; see Objective).',
      kind: 'choice',
      default: 'binary',
      options: [
        { value: 'binary', title: 'binary' },
        { value: 'regression', title: 'regression' },
      ],
    },
    {
      name: 'objective',
      title: 'Objective',
      description:
        'How a regression head learns its amount. Squared error: fits the amount after the target transform (log1p then z-score by default, as in the HTLNet paper), with a mean correction. Zero-inflated lognormal: learns the chance the amount is above 0 and, when it is, its typical size and spread; predicts their product, an average (best for spend that is mostly 0 with a long tail). Tweedie (the default: in the objectives benchmark it ranked best on mostly-zero spend and, with the mean correction, kept totals within 10% and NRMSE below 1 on every target): a compound Poisson-gamma fit of the average amount, made for amounts that are mostly 0.',
      kind: 'choice',
      default: 'tweedie',
      options: [
        { value: 'mse', title: 'squared error (transformed target)' },
        { value: 'ziln', title: 'zero-inflated lognormal' },
        { value: 'tweedie', title: 'Tweedie' },
      ],
      when: { param: 'kind', equals: ['regression'] },
    },
    {
      name: 'transform',
      title: 'Target transform',
      description: 'Transform of a regression target before the loss; predictions are mapped back.',
      kind: 'choice',
      default: 'log1p-zscore',
      options: [
        { value: 'none', title: 'none' },
        { value: 'log1p', title: 'log1p' },
        { value: 'zscore', title: 'z-score' },
        { value: 'log1p-zscore', title: 'log1p, then z-score' },
      ],
      when: {
        param: 'kind',
        equals: ['regression'],
        and: { param: 'objective', equals: ['mse'] },
      },
    },
    {
      name: 'meanCorrection',
      title: 'Mean correction',
      description:
        "After training, scale the predictions so that on the validation split they add up to the actual total (with a log1p transform, Duan's smearing first turns typical values into averages). Without it, predictions of a mostly-zero amount can sum to far less than the actual total.",
      kind: 'boolean',
      default: true,
      when: { param: 'kind', equals: ['regression'] },
    },
    {
      name: 'tweediePower',
      title: 'Tweedie power',
      description:
        'Between 1 (Poisson-like: many small amounts) and 2 (gamma-like: few, widely spread amounts).',
      kind: 'number',
      default: 1.5,
      min: 1.05,
      max: 1.95,
      when: {
        param: 'kind',
        equals: ['regression'],
        and: { param: 'objective', equals: ['tweedie'] },
      },
    },
    {
      name: 'lossWeight',
      title: 'Loss weight',
      description: "Weight of this task's loss in the total.",
      kind: 'number',
      default: 1,
      min: 0,
      max: 100,
    },
  ],
});
