// The dense stack towers and expert groups share: MLPs over the concatenation of the `in`
// port, with layer sizes from the `units` parameter and the `activation` choice. A tower is one
// stack (prefix '', its layers `dense<i>/...`); an expert group is one stack per expert (prefix
// `expert<e>/`). Each path's part lives here once: the output width, the dense parameters, the
// tfjs forward pass, the fast executor's layers and the ONNX nodes; the modules keep what
// differs (a tower's dropout and `mlp` op, the experts' stack and `experts` op).

import type * as tfc from '@tensorflow/tfjs-core';
import { parseIntList } from '../../shared/catalog';
import type { Dim } from '../../shared/problems';
import { UNKNOWN } from '../graph/dims';
import type { DenseLayer, InputPart } from '../model/program';
import {
  ACTIVATIONS,
  type ForwardContext,
  type LowerContext,
  type OnnxContext,
  type ParamContext,
} from './define';

type Stacked = 'tower' | 'expert-group';

/** The layer sizes; none while the list is malformed (validateGraph reports that). */
export const layerUnits = (p: { units: string }): number[] => parseIntList(p.units) ?? [];

/** The width a stack outputs: its last layer's, UNKNOWN while it has none. */
export function stackWidth(p: { units: string }): Dim {
  const units = layerUnits(p);
  return units.length > 0 ? units[units.length - 1] : UNKNOWN;
}

/** The prefixes of an expert group's stacks, `expert0/` onward. */
export const expertPrefixes = (experts: number): string[] =>
  Array.from({ length: experts }, (_, e) => `expert${e}/`);

/** Creates each stack's kernels and biases in order; returns the last width (the input's without layers). */
export function addStacks(ctx: ParamContext<Stacked>, prefixes: readonly string[]): number {
  const inWidth = ctx.inputWidth('in');
  let out = inWidth;
  for (const prefix of prefixes) out = ctx.addMlp(prefix, inWidth, layerUnits(ctx.params));
  return out;
}

/** The tfjs forward pass of each stack over the one concatenated input. */
export function forwardStacks(
  ctx: ForwardContext<Stacked>,
  prefixes: readonly string[],
  dropout: number,
): tfc.Tensor2D[] {
  const x = ctx.ops.concatColumns(ctx.vectors('in'));
  const units = layerUnits(ctx.params);
  return prefixes.map((prefix) => ctx.mlp(prefix, x, units, ctx.params.activation, dropout));
}

/** What the fast executor's op of a tower or expert group needs. */
interface LoweredStacks {
  input: InputPart[];
  inWidth: number;
  units: number[];
  activation: string;
  /** One layer list per prefix. */
  layers: DenseLayer[][];
}

/** The executor's view of the stacks, or why it cannot run them (`empty`: the reason without layers). */
export function lowerStacks(
  ctx: LowerContext<Stacked>,
  prefixes: readonly string[],
  empty: string,
): LoweredStacks | { reason: string } {
  const { activation } = ctx.params;
  if (!ACTIVATIONS.has(activation)) return { reason: `activation ${activation}` };
  const input = ctx.vectorInput('in');
  const inWidth = ctx.widthOf(input);
  const units = layerUnits(ctx.params);
  if (units.length === 0) return { reason: empty };
  const layers = prefixes.map((prefix) => ctx.layersOf(prefix, inWidth, units));
  return { input, inWidth, units, activation, layers };
}

/** Each stack's ONNX output (eval mode: no dropout) over the one concatenated input. */
export function onnxStacks(ctx: OnnxContext<Stacked>, prefixes: readonly string[]): string[] {
  const x = ctx.concatColumns(ctx.vectors('in'), `${ctx.block.id}/in`);
  const units = layerUnits(ctx.params);
  return prefixes.map((prefix) => ctx.mlp(prefix, x, units, ctx.params.activation));
}
