// The training settings the Train tab edits: epochs, batch size and learning rate live in the
// optimizer block's parameters, the split in project.training. Pure edits returning a new
// project (or the same one when nothing changed), and the checks of typed values (limits read
// from the block catalog through the shared validity library, never written here).

import type { NumberParam } from '../../../src-main/shared/catalog';
import type { ProjectFile, SplitSetting } from '../../../src-main/shared/project';
import { catalogNumber, parseNumberInput } from '../../../src-main/shared/validity/params';

export interface OptimizerSetting {
  param: 'epochs' | 'batchSize' | 'learningRate';
  label: string;
  help: string;
  /** The optimizer block's catalog entry: limits, integrality and the default. */
  spec: NumberParam;
  min: number;
  max: number;
  integer: boolean;
  /** The catalog's default, when the graph has no optimizer block. */
  fallback: number;
}

/** A setting whose limits and default are read from the optimizer block's catalog entry. */
function setting(param: OptimizerSetting['param'], help: string): OptimizerSetting {
  const spec = catalogNumber('optimizer', param);
  return {
    param,
    label: spec.title,
    help,
    spec,
    min: spec.min ?? 0,
    max: spec.max ?? Number.MAX_SAFE_INTEGER,
    integer: spec.integer === true,
    fallback: spec.default,
  };
}

export const OPTIMIZER_SETTINGS: OptimizerSetting[] = [
  setting('epochs', 'Passes over the training split (at most: early stopping may end sooner).'),
  setting(
    'batchSize',
    'Rows per training step. Larger batches train faster per row; smaller ones update more often.',
  ),
  setting('learningRate', 'Step size of the optimizer (Adam: 0.001 is a good start).'),
];

export function optimizerBlock(project: ProjectFile) {
  return project.graph.blocks.find((b) => b.type === 'optimizer') ?? null;
}

export function optimizerValue(project: ProjectFile, setting: OptimizerSetting): number {
  const value = optimizerBlock(project)?.params[setting.param];
  return typeof value === 'number' ? value : setting.fallback;
}

/**
 * A typed value checked against the setting's catalog limits (the inspector's wording, after
 * the setting's name): the number, or why it is refused.
 */
export function parseSetting(
  setting: OptimizerSetting,
  text: string,
): { value: number } | { error: string } {
  const parsed = parseNumberInput(setting.spec, text);
  if (parsed.ok) return { value: parsed.value };
  return {
    error: `${setting.label}: ${parsed.message[0].toLowerCase()}${parsed.message.slice(1)}`,
  };
}

export function withOptimizerParam(
  project: ProjectFile,
  param: OptimizerSetting['param'],
  value: number,
): ProjectFile {
  const block = optimizerBlock(project);
  if (!block || block.params[param] === value) return project;
  return {
    ...project,
    graph: {
      ...project.graph,
      blocks: project.graph.blocks.map((b) =>
        b === block ? { ...b, params: { ...b.params, [param]: value } } : b,
      ),
    },
  };
}

/** Percentages (train, validation) -> fractions summing to 1, or why they are refused. */
export function parseFractions(
  trainPct: string,
  validationPct: string,
): { fractions: [number, number, number] } | { error: string } {
  const train = Number(trainPct);
  const validation = Number(validationPct);
  if (!Number.isFinite(train) || !Number.isFinite(validation) || trainPct.trim() === '') {
    return { error: 'The split percentages must be numbers.' };
  }
  if (train <= 0 || validation <= 0) {
    return { error: 'The training and validation shares must be above 0%.' };
  }
  const test = 100 - train - validation;
  if (test <= 0.0001) return { error: 'Leave some rows for the test split (below 100% in all).' };
  const round = (v: number) => Math.round(v * 10) / 1000;
  const t = round(train);
  const v = round(validation);
  return { fractions: [t, v, Number((1 - t - v).toFixed(6))] };
}

export function withFractions(
  project: ProjectFile,
  fractions: [number, number, number],
): ProjectFile {
  const old = project.training.fractions;
  if (old.every((f, i) => Math.abs(f - fractions[i]) < 1e-9)) return project;
  return { ...project, training: { ...project.training, fractions } };
}

export function withSplit(project: ProjectFile, split: SplitSetting): ProjectFile {
  const old = project.training.split;
  if (
    old.kind === split.kind &&
    (old.kind === 'random' || old.column === (split as { column: string }).column)
  ) {
    return project;
  }
  return { ...project, training: { ...project.training, split } };
}
