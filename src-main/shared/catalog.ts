// The block catalog: every block defined once (ports and their types, parameter schema,
// defaults, a one-line description). The palette, inspector, validator, shape inference and
// compiler all read it. No Node or DOM imports: the renderer imports this file too.

import type { BlockType, ParamValue } from './project';

/**
 * Port types. A connection is allowed only between ports of the same type.
 * - features: a set of input columns (feature input -> shared embedding)
 * - vector:   a [batch, width] float representation
 * - experts:  a [batch, experts, width] stack of expert outputs
 * - binary:   a binary task's prediction (its logit and probability)
 * - regression: a regression task's prediction
 * - label:    a label embedding [batch, L]
 */
/** The largest batch a training run accepts (see the optimizer's batchSize). */
export const MAX_BATCH_SIZE = 131_072;
/** The largest layer of a tower or expert: one 8192x8192 layer alone is 256 MB with Adam. */
export const MAX_LAYER_UNITS = 8192;

export type PortType = 'features' | 'vector' | 'experts' | 'binary' | 'regression' | 'label';

export interface PortSpec {
  name: string;
  title: string;
  /** A fixed type, or one that depends on the block's parameters (a task head's output). */
  type: PortType | ((params: Record<string, ParamValue>) => PortType);
  /** Inputs only: must have at least one connection. */
  required?: boolean;
  /** Inputs only: accepts several connections (concatenated or fused in connection order). */
  multiple?: boolean;
  description: string;
}

interface ParamBase {
  name: string;
  title: string;
  description: string;
}

export interface NumberParam extends ParamBase {
  kind: 'number';
  default: number;
  min?: number;
  max?: number;
  integer?: boolean;
  /** Exclusive lower bound (e.g. a learning rate must be > 0). */
  exclusiveMin?: boolean;
}

export interface BooleanParam extends ParamBase {
  kind: 'boolean';
  default: boolean;
}

export interface ChoiceParam extends ParamBase {
  kind: 'choice';
  default: string;
  options: readonly { value: string; title: string }[];
}

export interface TextParam extends ParamBase {
  kind: 'text';
  default: string;
  /** A comma-separated list of positive integers (layer sizes). */
  format?: 'int-list' | 'column-list' | 'task';
}

export type ParamSpec = NumberParam | BooleanParam | ChoiceParam | TextParam;

/** When a param applies only for some values of another param (the inspector hides it otherwise). */
export interface ParamCondition {
  param: string;
  equals: readonly ParamValue[];
  /** A further condition that must hold too (one level: the catalog crosses IPC as plain data). */
  and?: { param: string; equals: readonly ParamValue[] };
}

/** Whether a parameter applies for a block's parameters (its `when` condition, if any). */
export function conditionHolds(
  when: ParamCondition | undefined,
  params: Record<string, ParamValue>,
): boolean {
  if (!when) return true;
  if (!when.equals.includes(params[when.param])) return false;
  return !when.and || when.and.equals.includes(params[when.and.param]);
}

export interface BlockSpec {
  type: BlockType;
  title: string;
  group: 'Inputs' | 'Representation' | 'Multi-task' | 'Tasks' | 'Training';
  description: string;
  inputs: readonly PortSpec[];
  outputs: readonly PortSpec[];
  params: readonly (ParamSpec & { when?: ParamCondition })[];
  /** At most this many of the block per graph (the optimizer: exactly one). */
  maxPerGraph?: number;
}

const activation = {
  name: 'activation',
  title: 'Activation',
  description: 'Non-linearity after each hidden layer.',
  kind: 'choice',
  default: 'relu',
  options: [
    { value: 'relu', title: 'ReLU' },
    { value: 'gelu', title: 'GELU' },
    { value: 'tanh', title: 'tanh' },
    { value: 'sigmoid', title: 'sigmoid' },
    { value: 'linear', title: 'none (linear)' },
  ],
} as const satisfies ChoiceParam;

export const ADJUSTMENTS = ['none', 'pcgrad', 'metabalance', 'htlnet'] as const;

/** What the best epoch (and early stopping) looks at on the validation split. */
export const SELECTIONS = ['all', 'core', 'core-loss', 'binary-auc'] as const;
export type Selection = (typeof SELECTIONS)[number];
export type GradientAdjustment = (typeof ADJUSTMENTS)[number];

export const TARGET_TRANSFORMS = ['none', 'log1p', 'zscore', 'log1p-zscore'] as const;
export type TargetTransform = (typeof TARGET_TRANSFORMS)[number];

/** What a regression head's loss is (see HTLNET.md, "Core-target objectives"). */
export const OBJECTIVES = ['mse', 'ziln', 'tweedie'] as const;
export type Objective = (typeof OBJECTIVES)[number];
/** The objective of a regression head whose project does not name one (models saved before objectives). */
export const LEGACY_OBJECTIVE: Objective = 'mse';

export const CATALOG: readonly BlockSpec[] = [
  {
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
  },
  {
    type: 'shared-embedding',
    title: 'Shared embedding',
    group: 'Representation',
    description: 'One table of d-dimensional vectors per input field; outputs their concatenation.',
    inputs: [
      {
        name: 'features',
        title: 'features',
        type: 'features',
        required: true,
        multiple: true,
        description: 'Feature inputs to embed.',
      },
    ],
    outputs: [
      {
        name: 'embedding',
        title: 'embedding',
        type: 'vector',
        description: 'Concatenated field embeddings [batch, fields x d].',
      },
    ],
    params: [
      {
        name: 'dim',
        title: 'Embedding size',
        description: 'Size d of each field vector.',
        kind: 'number',
        default: 16,
        min: 1,
        max: 512,
        integer: true,
      },
    ],
  },
  {
    type: 'tower',
    title: 'Tower',
    group: 'Representation',
    description:
      'A multi-layer perceptron; its last hidden layer is the representation it passes on.',
    inputs: [
      {
        name: 'in',
        title: 'input',
        type: 'vector',
        required: true,
        multiple: true,
        description: 'Vectors to concatenate as the tower input.',
      },
    ],
    outputs: [
      { name: 'out', title: 'output', type: 'vector', description: 'The last hidden layer.' },
    ],
    params: [
      {
        name: 'units',
        title: 'Layer sizes',
        description: 'Hidden layer sizes, comma-separated.',
        kind: 'text',
        default: '128,64,32',
        format: 'int-list',
      },
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
  },
  {
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
  },
  {
    type: 'gate',
    title: 'Gate',
    group: 'Multi-task',
    description:
      'A softmax over experts computed from a selector input; outputs their weighted sum.',
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
  },
  {
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
  },
  {
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
  },
  {
    type: 'task-head',
    title: 'Task head',
    group: 'Tasks',
    description: 'The prediction for one task: a probability (binary) or a value (regression).',
    inputs: [
      {
        name: 'in',
        title: 'input',
        type: 'vector',
        required: true,
        multiple: true,
        description: 'Representation to predict from.',
      },
    ],
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
        description:
          'Binary (probability, cross-entropy) or regression (an amount; see Objective).',
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
        description:
          'Transform of a regression target before the loss; predictions are mapped back.',
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
  },
  {
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
  },
  {
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
  },
];

const BY_TYPE = new Map<BlockType, BlockSpec>(CATALOG.map((s) => [s.type, s]));

export function blockSpec(type: BlockType): BlockSpec {
  const spec = BY_TYPE.get(type);
  if (!spec) throw new Error(`Unknown block type "${type}"`);
  return spec;
}

export function isBlockType(type: unknown): type is BlockType {
  return typeof type === 'string' && BY_TYPE.has(type as BlockType);
}

export function portType(port: PortSpec, params: Record<string, ParamValue>): PortType {
  return typeof port.type === 'function' ? port.type(params) : port.type;
}

/** A block's parameters with every missing one filled from the catalog default. */
export function withDefaults(
  type: BlockType,
  params: Record<string, ParamValue> = {},
): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const p of blockSpec(type).params) out[p.name] = params[p.name] ?? p.default;
  return out;
}

/** Parses an int-list parameter ("128,64,32"); returns null when malformed. */
export function parseIntList(value: ParamValue): number[] | null {
  const text = String(value).trim();
  if (text === '') return [];
  const parts = text.split(',').map((s) => s.trim());
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p)) return null;
    const n = Number(p);
    if (n < 1 || n > MAX_LAYER_UNITS) return null;
    out.push(n);
  }
  return out;
}

export function parseColumnList(value: ParamValue): string[] {
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
