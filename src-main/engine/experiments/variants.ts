// Variants of a project: each one the project with some parameters set (see params.ts), built
// from a list or a grid (every combination of the axes), or the HTLNet paper's ablation. An
// experiment trains every variant once per seed; the seed is the optimizer's, so the runs of
// one seed share their split and their initial draws and can be compared pair by pair.

import { ABLATION_FULL, ablationRefusal, ablationSteps } from '../../shared/ablation';
import type { ParamValue, ProjectFile } from '../../shared/project';
import { UserError } from '../errors';
import { validateGraph } from '../graph/validate';
import { currentValue, parseValue, resolvePath, withParams } from './params';

export interface Variant {
  /** Unique within the experiment: "full", "without LEU", "training.learningRate=0.01". */
  name: string;
  /** The parameters it sets, by path (empty for the project as it is). */
  params: Record<string, ParamValue>;
  /** The project to train (the seed is set per run). */
  project: ProjectFile;
}

/** One axis of a grid: a path and the values it takes. */
export interface Axis {
  path: string;
  values: ParamValue[];
}

/** The largest number of variants one grid may make (each is trained once per seed). */
const MAX_VARIANTS = 256;

/**
 * Reads a grid: "PATH=[v1,v2];PATH=[...]". A list is JSON when it parses as JSON (so text with
 * commas is quoted: tower.units=["128,64","64,32"]), else bare words split at commas.
 */
export function parseGrid(spec: string): Axis[] {
  const parts = splitTopLevel(spec, ';')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0)
    throw new UserError('--grid names no parameter: write PARAM=[v1,v2];PARAM=[v1,v2].');
  const axes = parts.map((part): Axis => {
    const eq = part.indexOf('=');
    const path = eq < 0 ? '' : part.slice(0, eq).trim();
    const list = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!path || !list.startsWith('[') || !list.endsWith(']')) {
      throw new UserError(
        `--grid: "${part}" must be PARAM=[v1,v2] (e.g. training.learningRate=[0.001,0.01]).`,
      );
    }
    let values: ParamValue[];
    try {
      const parsed: unknown = JSON.parse(list);
      if (!Array.isArray(parsed) || !parsed.every(isParamValue)) throw new Error('not values');
      values = parsed;
    } catch {
      values = splitTopLevel(list.slice(1, -1), ',')
        .map((v) => v.trim())
        .filter(Boolean);
    }
    if (values.length === 0) throw new UserError(`--grid: ${path} lists no value.`);
    return { path, values };
  });
  const seen = new Set<string>();
  for (const a of axes) {
    if (seen.has(a.path)) throw new UserError(`--grid names ${a.path} twice.`);
    seen.add(a.path);
  }
  return axes;
}

function isParamValue(v: unknown): v is ParamValue {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** Splits at `sep` outside brackets and quotes. */
function splitTopLevel(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === sep && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** "training.learningRate=0.01, tower.units=64,32" */
function variantName(params: Readonly<Record<string, ParamValue>>): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length === 0 ? 'project' : parts.join(', ');
}

/** Checks that a variant's project is trainable; throws naming the variant and the problem. */
function checkVariant(variant: Variant): Variant {
  const errors = validateGraph(variant.project).filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw new UserError(`Variant "${variant.name}" cannot be trained: ${errors[0].message}`, {
      block: errors[0].blocks[0],
    });
  }
  return variant;
}

/** One variant per entry of a list of parameter settings (each checked). */
export function listVariants(
  project: ProjectFile,
  list: readonly { name?: string; params: Record<string, ParamValue> }[],
): Variant[] {
  if (list.length > MAX_VARIANTS)
    throw new UserError(`${list.length} variants is more than ${MAX_VARIANTS}; trim the list.`);
  const names = new Set<string>();
  return list.map((entry) => {
    const params: Record<string, ParamValue> = {};
    for (const [text, value] of Object.entries(entry.params)) {
      const path = resolvePath(project, text);
      const optimizer = project.graph.blocks.find((b) => b.id === path.blocks[0]);
      if (optimizer?.type === 'optimizer' && path.param === 'seed')
        throw new UserError(
          `${text}: the seed is set per run; give the number of seeds instead (--seeds N).`,
          { field: text },
        );
      params[text] = parseValue(path, value);
    }
    const name = entry.name ?? variantName(params);
    if (names.has(name)) throw new UserError(`Two variants are called "${name}".`);
    names.add(name);
    return checkVariant({ name, params, project: withParams(project, params) });
  });
}

/** Every combination of the axes' values, the first axis varying slowest. */
export function gridVariants(project: ProjectFile, axes: readonly Axis[]): Variant[] {
  for (const axis of axes) resolvePath(project, axis.path); // names a bad path before expanding
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  if (total > MAX_VARIANTS)
    throw new UserError(
      `The grid makes ${total} variants, more than ${MAX_VARIANTS}; use fewer values.`,
    );
  let combos: Record<string, ParamValue>[] = [{}];
  for (const axis of axes) {
    combos = combos.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.path]: v })));
  }
  return listVariants(
    project,
    combos.map((params) => ({ params })),
  );
}

/**
 * The reference of a sweep: the variant whose values are the project's own, when the grid
 * holds it; else the first.
 */
export function sweepReference(project: ProjectFile, variants: readonly Variant[]): string {
  const own = variants.find((v) =>
    Object.entries(v.params).every(([text, value]) => {
      const current = currentValue(project, resolvePath(project, text));
      return current === value;
    }),
  );
  return (own ?? variants[0]).name;
}

// ---- the HTLNet paper's ablation ---------------------------------------------------------------

export interface AblationVariant extends Variant {
  /** The component the variant takes away, in words ("the label embedding unit"); null: full. */
  component: string | null;
}

/** The name of the full model in an ablation (its reference). */
export const FULL = ABLATION_FULL;

/**
 * The paper's ablation of an HTLNet project: the full model, then one variant per step of the
 * shared rule (shared/ablation.ts: without LEU, without IFU, without gradient adjustment,
 * projection only, magnitude only; a step that would not change the project is left out). A
 * project without an optimizer block or without any of the components is refused.
 */
export function ablationVariants(project: ProjectFile): AblationVariant[] {
  const refusal = ablationRefusal(project.graph.blocks);
  if (refusal) throw new UserError(refusal);
  const full: AblationVariant = { name: FULL, params: {}, project, component: null };
  return [
    full,
    ...ablationSteps(project.graph.blocks).map((s) => ({
      ...checkVariant({ name: s.name, params: s.params, project: withParams(project, s.params) }),
      component: s.component,
    })),
  ];
}

/** The seeds of an experiment: `count` seeds from `first` on. */
export function seedList(count: number, first = 1): number[] {
  if (!Number.isInteger(count) || count < 1) throw new UserError('At least one seed is needed.');
  return Array.from({ length: count }, (_, i) => first + i);
}

/** The project of one run: the variant's, with the optimizer's seed set. */
function withSeed(project: ProjectFile, seed: number): ProjectFile {
  const out = structuredClone(project);
  for (const b of out.graph.blocks) if (b.type === 'optimizer') b.params = { ...b.params, seed };
  return out;
}

/** One run of an experiment: a variant trained with one seed. */
export interface PlannedRun {
  variant: string;
  seed: number;
  project: ProjectFile;
}

/** Every variant with every seed, seed by seed (so the first seeds of all variants come first). */
export function planRuns(variants: readonly Variant[], seeds: readonly number[]): PlannedRun[] {
  return seeds.flatMap((seed) =>
    variants.map((v) => ({ variant: v.name, seed, project: withSeed(v.project, seed) })),
  );
}
