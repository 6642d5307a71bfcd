// The block catalog: every block defined once (ports and their types, parameter schema,
// defaults, a one-line description). The palette, inspector, validator, shape inference and
// compiler all read it. Each block's entry is its own file in shared/blocks/ (the engine adds
// the block's behaviour in engine/blocks/<block>.ts); this file lists them, in palette order,
// and derives BlockType, port names and parameter value types (ParamsOf) from the list. No Node
// or DOM imports: the renderer imports this file.

import type { ParamValue } from './project';
import { MAX_LAYER_UNITS } from './blocks/spec';
import type {
  BlockSpec as EntrySpec,
  ParamCondition,
  ParamValues,
  PortSpec,
  PortType,
} from './blocks/spec';
import { featureInput } from './blocks/feature-input';
import { sharedEmbedding } from './blocks/shared-embedding';
import { tower } from './blocks/tower';
import { crossLayer } from './blocks/cross-layer';
import { expertGroup } from './blocks/expert-group';
import { gate } from './blocks/gate';
import { labelEmbedding } from './blocks/label-embedding';
import { fusion } from './blocks/fusion';
import { taskHead } from './blocks/task-head';
import { esmmLink } from './blocks/esmm-link';
import { optimizer } from './blocks/optimizer';

export {
  MAX_BATCH_SIZE,
  MAX_LAYER_UNITS,
  type NumberParam,
  type ParamCondition,
  type ParamSpec,
  type PortSpec,
  type PortType,
} from './blocks/spec';

/** Every block, in palette order. Adding a block: its entry file, then a line here. */
const ENTRIES = [
  featureInput,
  sharedEmbedding,
  tower,
  crossLayer,
  expertGroup,
  gate,
  labelEmbedding,
  fusion,
  taskHead,
  esmmLink,
  optimizer,
] as const;

/** The block types, derived from the catalog (a project file's `type` field). */
export type BlockType = (typeof ENTRIES)[number]['type'];

type Entry = (typeof ENTRIES)[number];
/** The names of a block type's input ports, from its catalog entry. */
export type InputPortName<T extends BlockType> = Extract<
  Entry,
  { type: T }
>['inputs'][number]['name'];

/**
 * A block type's parameter values, derived from its catalog entry, e.g. `ParamsOf<'tower'>` is
 * `{ units: string; activation: 'relu' | 'gelu' | 'tanh' | 'sigmoid' | 'linear'; dropout: number }`.
 * Read them through blockParams (or a block module's context), never by casting a record.
 */
export type ParamsOf<T extends BlockType> = ParamValues<Extract<Entry, { type: T }>>;

/** A catalog entry of any block. */
export type BlockSpec = EntrySpec<BlockType>;

export const CATALOG: readonly BlockSpec[] = ENTRIES;

/** Whether a parameter applies for a block's parameters (its `when` condition, if any). */
export function conditionHolds(
  when: ParamCondition | undefined,
  params: Record<string, ParamValue>,
): boolean {
  if (!when) return true;
  if (!when.equals.includes(params[when.param])) return false;
  return !when.and || when.and.equals.includes(params[when.and.param]);
}

/** How per-task gradients on shared parameters combine (the optimizer's options). */
export type GradientAdjustment = ParamsOf<'optimizer'>['adjustment'];
/** What the best epoch (and early stopping) looks at on the validation split. */
export type Selection = ParamsOf<'optimizer'>['selection'];
/** A regression head's target transform. */
export type TargetTransform = ParamsOf<'task-head'>['transform'];
/** What a regression head's loss is (see HTLNET.md, "Core-target objectives"). */
export type Objective = ParamsOf<'task-head'>['objective'];
/** The objective of a regression head whose project does not name one (models saved before objectives). */
export const LEGACY_OBJECTIVE: Objective = 'mse';

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

/**
 * The one typed view of a block's parameters: its stored values with every missing one filled
 * from the catalog default, typed from its catalog entry. The project file's generic
 * `params: Record<string, ParamValue>` is untrusted: read it through this only once the
 * project-file reader (types, choices, bounds) or validateGraph has checked it. Throws when
 * the block is not of the type asked for.
 */
export function blockParams<T extends BlockType>(
  type: T,
  block: { type: BlockType; params?: Record<string, ParamValue> },
): ParamsOf<T> {
  if (block.type !== type) throw new Error(`A ${block.type} block has no ${type} parameters`);
  return withDefaults(type, block.params) as ParamsOf<T>;
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
