// The shape of a block's catalog entry (ports, parameters, description), the types derived
// from an entry (its parameter values: ParamValues), and the declarations several entries
// share (the concatenated vector input, layer sizes, the activation). Each block's entry lives
// in its own file beside this one; shared/catalog.ts lists them and derives BlockType and
// ParamsOf from that list. Data and types only: no Node, DOM or engine imports, because the
// renderer imports every entry.

import type { ParamValue } from '../project';

/** The largest batch a training run accepts (see the optimizer's batchSize). */
export const MAX_BATCH_SIZE = 131_072;
/** The largest layer of a tower or expert: one 8192x8192 layer alone is 256 MB with Adam. */
export const MAX_LAYER_UNITS = 8192;

/**
 * Port types. A connection is allowed only between ports of the same type.
 * - features: a set of input columns (feature input -> shared embedding)
 * - vector:   a [batch, width] float representation
 * - experts:  a [batch, experts, width] stack of expert outputs
 * - binary:   a binary task's prediction (its logit and probability)
 * - regression: a regression task's prediction
 * - label:    a label embedding [batch, L]
 */
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

interface BooleanParam extends ParamBase {
  kind: 'boolean';
  default: boolean;
}

export interface ChoiceParam extends ParamBase {
  kind: 'choice';
  default: string;
  options: readonly { value: string; title: string }[];
}

interface TextParam extends ParamBase {
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

/** One block's catalog entry; `T` is its type name (kept literal so BlockType can be derived). */
export interface BlockSpec<T extends string = string> {
  type: T;
  title: string;
  group: 'Inputs' | 'Representation' | 'Multi-task' | 'Tasks' | 'Training';
  description: string;
  inputs: readonly PortSpec[];
  outputs: readonly PortSpec[];
  params: readonly (ParamSpec & { when?: ParamCondition })[];
  /** At most this many of the block per graph (the optimizer: exactly one). */
  maxPerGraph?: number;
}

/**
 * Declares a catalog entry, keeping its literals (its `type`, port and parameter names), so
 * BlockType and each block's port names can be derived from the entries.
 */
export function catalogEntry<const S extends BlockSpec>(spec: S): S {
  return spec;
}

/**
 * The value a parameter holds (in a project file, after its defaults are filled): one of a
 * choice's option values, a number, a boolean, or text (layer and column lists stay text: the
 * file, the inspector and the PyTorch job carry them so; parseIntList reads them).
 */
type ParamValueOf<P> = P extends {
  kind: 'choice';
  options: readonly { value: infer V }[];
}
  ? V
  : P extends { kind: 'number' }
    ? number
    : P extends { kind: 'boolean' }
      ? boolean
      : P extends { kind: 'text' }
        ? string
        : never;

/**
 * An entry's parameter values by name, typed from its declarations (declared with
 * catalogEntry, so the names, kinds and options are literal): a renamed or mistyped parameter,
 * or a choice compared with a value it does not offer, fails typecheck where it is read.
 */
export type ParamValues<S extends { params: readonly { name: string }[] }> = {
  readonly [P in S['params'][number] as P['name']]: ParamValueOf<P>;
};

/**
 * The input port of the blocks that concatenate vectors (tower, cross layer, expert group,
 * task head): port `in`, required, taking several connections in connection order.
 */
export function vectorInput(description: string) {
  return {
    name: 'in',
    title: 'input',
    type: 'vector',
    required: true,
    multiple: true,
    description,
  } as const satisfies PortSpec;
}

/** The layer sizes of a tower or of each expert: positive integers, comma-separated. */
export function layerSizes(description: string, defaultSizes: string) {
  return {
    name: 'units',
    title: 'Layer sizes',
    description,
    kind: 'text',
    default: defaultSizes,
    format: 'int-list',
  } as const satisfies TextParam;
}

/** The activation choice of towers and experts. */
export const activation = {
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
