// A sweep as the analyst builds it (issue 17): the parameters picked in the inspector, each with
// the values to try (typed for numbers and layer lists, ticked for choices, switches and a unit's
// presence), then grid or one-at-a-time and the seeds per variant. Pure functions: which
// parameters can be varied, the path the engine reads for each (engine/experiments/params.ts:
// BLOCK_ID.PARAM, training.PARAM for the optimizer, TYPE.enabled for a unit's presence),
// sensible neighbours of the current value, every value checked with the shared validity
// library (the engine's own wording) so a bad value is named before anything is queued, and
// the experiments:start request with the number of variants and runs it makes.

import type { ExperimentRequestArgs, ExperimentValue } from '../../../src-main/ipc/api';
import {
  blockSpec,
  isBlockType,
  MAX_LAYER_UNITS,
  parseIntList,
  type NumberParam,
  type ParamSpec,
} from '../../../src-main/shared/catalog';
import type { Block, BlockType, ParamValue, ProjectFile } from '../../../src-main/shared/project';
import { ENABLED, TRAINING_SCOPE } from '../../../src-main/shared/experiments/paths';
import { parseNumberInput, parseParamInput } from '../../../src-main/shared/validity/params';

/** Above this many runs the sweep panel warns before starting. */
export const LARGE_RUNS = 24;
/** Seeds per variant unless the analyst says otherwise. */
export const DEFAULT_SEEDS = 3;

type AxisKind = 'number' | 'choice' | 'boolean' | 'layers' | 'presence';

/** One parameter of the sweep with the values to try. */
export interface SweepAxis {
  /** The engine's path: "tower-click.units", "training.learningRate", "fusion.enabled". */
  path: string;
  /** The block type whose catalog entry checks the values. */
  type: BlockType;
  /** The parameter's name, or ENABLED. */
  param: string;
  /** How the analyst reads it: "Click tower · Units", "Optimizer · Learning rate". */
  title: string;
  kind: AxisKind;
  /** Numbers and layer lists: the values as typed (numbers by commas, layer lists by ";"). */
  text: string;
  /** Choices, switches and presence: the ticked values ("true"/"false" for switches). */
  picked: string[];
}

export type SweepMode = 'grid' | 'list';

interface SweepDraft {
  axes: SweepAxis[];
  /** grid: every combination; list: one value changed at a time against the project as it is. */
  mode: SweepMode;
  /** Seeds per variant. */
  seeds: number;
}

/** The catalog entry of a block's parameter, when a sweep can vary it. */
export function variableSpec(type: BlockType, param: string): ParamSpec | null {
  if (type === 'optimizer' && param === 'seed') return null; // set per run by the experiment
  const spec = blockSpec(type).params.find((p) => p.name === param);
  if (!spec) return null;
  if (spec.kind === 'text') return spec.format === 'int-list' ? spec : null;
  return spec;
}

/** The path of a block's parameter: the optimizer's by "training.", others by the block's id. */
export function paramPath(block: Block, param: string): string {
  return block.type === 'optimizer' ? `${TRAINING_SCOPE}.${param}` : `${block.id}.${param}`;
}

/** The path of a unit's presence: every unit of the type (as the ablation switches them off). */
export function presencePath(type: BlockType): string {
  return `${type}.${ENABLED}`;
}

const round = (v: number) => Number(v.toPrecision(6));

/** Values near a number (half, itself, double), inside its bounds and whole when it must be. */
export function neighbours(spec: NumberParam, value: number): number[] {
  const fits = (v: number) => Number.isFinite(v) && parseNumberInput(spec, String(v)).ok;
  const fix = (v: number) => (spec.integer ? Math.round(v) : round(v));
  const candidates =
    value === 0
      ? [0, spec.integer ? 1 : 0.1, spec.integer ? 2 : 0.2]
      : [fix(value / 2), value, fix(value * 2)];
  const out: number[] = [];
  for (const v of candidates) if (fits(v) && !out.includes(v)) out.push(v);
  if (!out.includes(value)) out.unshift(value);
  return out;
}

function blockName(block: Block): string {
  return block.label?.trim() || blockSpec(block.type).title;
}

/** A new axis for a block's parameter, prefilled from its current value. */
export function newAxis(block: Block, spec: ParamSpec): SweepAxis {
  const current = block.params[spec.name] ?? spec.default;
  const base = {
    path: paramPath(block, spec.name),
    type: block.type,
    param: spec.name,
    title: `${blockName(block)} · ${spec.title}`,
  };
  switch (spec.kind) {
    case 'number':
      return {
        ...base,
        kind: 'number',
        text: neighbours(spec, typeof current === 'number' ? current : spec.default).join(', '),
        picked: [],
      };
    case 'choice':
      return { ...base, kind: 'choice', text: '', picked: spec.options.map((o) => o.value) };
    case 'boolean':
      return { ...base, kind: 'boolean', text: '', picked: ['true', 'false'] };
    case 'text':
      return { ...base, kind: 'layers', text: layersSuggestion(String(current)), picked: [] };
  }
}

/**
 * The current layer sizes, then one layer fewer with the same output width (a tower feeding a
 * fusion unit must keep its width): "128,64,32; 64,32"; a single layer gets one before it.
 */
function layersSuggestion(current: string): string {
  const sizes = parseIntList(current);
  if (!sizes || sizes.length === 0) return current;
  const other =
    sizes.length > 1 ? sizes.slice(1) : [Math.min(MAX_LAYER_UNITS, sizes[0] * 2), sizes[0]];
  return [sizes.join(','), other.join(',')].join('; ');
}

/** A new axis for the presence of every unit of a type: with and without. */
export function newPresenceAxis(type: BlockType): SweepAxis {
  const title = blockSpec(type).title;
  return {
    path: presencePath(type),
    type,
    param: ENABLED,
    title: `${title} · present`,
    kind: 'presence',
    text: '',
    picked: ['true', 'false'],
  };
}

/** The options an axis ticks from (choices, switches, presence), with their words. */
export function axisOptions(axis: SweepAxis): { value: string; title: string }[] {
  if (axis.kind === 'presence')
    return [
      { value: 'true', title: 'with' },
      { value: 'false', title: 'without' },
    ];
  if (axis.kind === 'boolean')
    return [
      { value: 'true', title: 'on' },
      { value: 'false', title: 'off' },
    ];
  if (axis.kind === 'choice') {
    const spec = blockSpec(axis.type).params.find((p) => p.name === axis.param);
    return spec?.kind === 'choice' ? spec.options.map((o) => ({ ...o })) : [];
  }
  return [];
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** Where an axis no longer fits the project (its block was deleted), or null. */
function missingBlock(project: ProjectFile, axis: SweepAxis): string | null {
  const blocks = project.graph.blocks;
  const target = axis.path.slice(0, axis.path.lastIndexOf('.'));
  if (axis.kind === 'presence' || target === TRAINING_SCOPE) {
    const type = axis.kind === 'presence' ? axis.type : 'optimizer';
    return blocks.some((b) => b.type === type)
      ? null
      : `${axis.title}: the model has no ${blockSpec(type).title.toLowerCase()} any more; remove it from the sweep.`;
  }
  return blocks.some((b) => b.id === target)
    ? null
    : `${axis.title}: the block "${target}" is no longer in the model; remove it from the sweep.`;
}

/** An axis's values as the engine takes them, or the first thing wrong with them. */
export function axisValues(
  project: ProjectFile,
  axis: SweepAxis,
): { values: ExperimentValue[] } | { error: string } {
  const missing = missingBlock(project, axis);
  if (missing) return { error: missing };
  const spec = isBlockType(axis.type)
    ? blockSpec(axis.type).params.find((p) => p.name === axis.param)
    : undefined;
  const values: ExperimentValue[] = [];
  const add = (v: ExperimentValue) => {
    if (!values.includes(v)) values.push(v);
  };
  if (axis.kind === 'number' || axis.kind === 'layers') {
    const pieces = axis.text
      .split(axis.kind === 'number' ? /[,;\s]+/ : /;/)
      .map((p) => p.trim())
      .filter(Boolean);
    if (pieces.length === 0)
      return {
        error: `${axis.title}: type the values to try, separated by ${axis.kind === 'number' ? 'commas' : 'semicolons'}.`,
      };
    if (!spec) return { error: `${axis.title}: the catalog has no such parameter.` };
    for (const piece of pieces) {
      const r = parseParamInput(spec, piece);
      if (!r.ok) return { error: `${axis.title}: "${piece}" is refused: ${lowerFirst(r.message)}` };
      add(axis.kind === 'layers' ? String(r.value).replace(/\s+/g, '') : r.value);
    }
    return { values };
  }
  const allowed = axisOptions(axis).map((o) => o.value);
  const picked = axis.picked.filter((v) => allowed.includes(v));
  if (picked.length === 0) return { error: `${axis.title}: tick at least one value to try.` };
  for (const v of picked) add(axis.kind === 'choice' ? v : v === 'true');
  return { values };
}

/** The value an axis's parameter has in the project now (presence: true while there). */
function currentValue(project: ProjectFile, axis: SweepAxis): ParamValue | undefined {
  const blocks = project.graph.blocks;
  if (axis.kind === 'presence') return blocks.some((b) => b.type === axis.type);
  const target = axis.path.slice(0, axis.path.lastIndexOf('.'));
  const block =
    target === TRAINING_SCOPE
      ? blocks.find((b) => b.type === 'optimizer')
      : blocks.find((b) => b.id === target);
  const spec = blockSpec(axis.type).params.find((p) => p.name === axis.param);
  return block?.params[axis.param] ?? spec?.default;
}

interface SweepPlan {
  /** Each axis's problem (by path), none when its values are fine. */
  axisErrors: Record<string, string>;
  /** What keeps the sweep from starting, in words (the first problem). */
  error: string | null;
  variants: number;
  runs: number;
  request: ExperimentRequestArgs | null;
}

/** The request a draft makes for a project on its data, or why it cannot start. */
export function planSweep(
  project: ProjectFile,
  dataPath: string,
  draft: SweepDraft,
  name?: string,
): SweepPlan {
  const axisErrors: Record<string, string> = {};
  const axes: { path: string; values: ExperimentValue[]; current: ParamValue | undefined }[] = [];
  for (const axis of draft.axes) {
    const r = axisValues(project, axis);
    if ('error' in r) axisErrors[axis.path] = r.error;
    else axes.push({ path: axis.path, values: r.values, current: currentValue(project, axis) });
  }
  const seeds = draft.seeds;
  let variants = 0;
  let shape: Pick<ExperimentRequestArgs, 'grid' | 'list'> = {};
  if (draft.mode === 'grid') {
    variants = axes.length === 0 ? 0 : axes.reduce((n, a) => n * a.values.length, 1);
    shape = { grid: axes.map((a) => ({ path: a.path, values: a.values })) };
  } else {
    const changes = axes.flatMap((a) =>
      a.values.filter((v) => v !== a.current).map((v) => ({ params: { [a.path]: v } })),
    );
    variants = changes.length === 0 ? 0 : changes.length + 1;
    shape = { list: [{ name: 'project', params: {} }, ...changes] };
  }
  let error: string | null = Object.values(axisErrors)[0] ?? null;
  if (!error && draft.axes.length === 0)
    error =
      'Nothing to vary yet: in the Model tab, select a block and press "Vary" beside a parameter.';
  if (!error && !Number.isInteger(seeds)) error = 'Seeds per variant must be a whole number.';
  if (!error && (seeds < 1 || seeds > 100)) error = 'Seeds per variant must be from 1 to 100.';
  if (!error && variants < 2)
    error =
      draft.mode === 'grid'
        ? 'The grid makes one variant only: give some parameter a second value.'
        : "Every value is the project's own: give some parameter a value it does not have yet.";
  const runs = variants * (Number.isInteger(seeds) && seeds > 0 ? seeds : 0);
  const request: ExperimentRequestArgs | null = error
    ? null
    : { kind: 'sweep', project, dataPath, seeds, ...(name ? { name } : {}), ...shape };
  return { axisErrors, error, variants, runs, request };
}
