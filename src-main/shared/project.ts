// The project file: one versioned JSON document holding the graph, the data binding and the
// training settings. Shared by the engine, the CLI and the renderer (no Node imports here).

import type * as v from 'valibot';
import type { ProjectSchema } from './project-schema';

export const PROJECT_FORMAT = 'htlnet-studio-project';
export const PROJECT_VERSION = 2;
/** A project file's name ends so (the desktop's file association; save and open dialogs). */
export const PROJECT_EXTENSION = '.htlnet.json';

import type { BlockType } from './catalog';
/** The block types, derived from the catalog (shared/catalog.ts). */
export type { BlockType };

/**
 * A parameter's stored value. A block's `params` record is untrusted (it comes from a file):
 * once checked, read it typed from the catalog with blockParams (shared/catalog.ts ParamsOf).
 */
export type ParamValue = string | number | boolean;

// The document's types, derived from its schema (shared/project-schema.ts, where each field is
// described): one source for the types and their validation. Type-only: valibot stays out of
// the renderer's bundle.
export type ProjectFile = v.InferOutput<typeof ProjectSchema>;
export type Graph = ProjectFile['graph'];
/** A block: an id unique within the graph, its type, an optional label, params and position. */
export type Block = Graph['blocks'][number];
export type Edge = Graph['edges'][number];
export type PortRef = Edge['source'];
/** Input features (in column order), tasks in funnel (chain) order, excluded columns, a source. */
export type DataBinding = ProjectFile['data'];
export type FeatureBinding = DataBinding['features'][number];
export type FeatureKind = FeatureBinding['kind'];
/** A task: its name (as task heads refer to it), its target column and its type. */
export type TaskBinding = DataBinding['tasks'][number];
export type TaskType = TaskBinding['type'];
/** The split and the train / validation / test fractions (they sum to 1). */
export type TrainingSettings = ProjectFile['training'];
export type SplitSetting = TrainingSettings['split'];

export function defaultTrainingSettings(): TrainingSettings {
  return { split: { kind: 'random' }, fractions: [0.8, 0.1, 0.1] };
}

/** The core task: the last regression task in chain order, else the last task. */
export function coreTaskIndex(tasks: readonly TaskBinding[]): number {
  for (let i = tasks.length - 1; i >= 0; i--) if (tasks[i].type === 'regression') return i;
  return tasks.length - 1;
}
