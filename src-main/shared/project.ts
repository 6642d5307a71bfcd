// The project file: one versioned JSON document holding the graph, the data binding and the
// training settings. Shared by the engine, the CLI and the renderer (no Node imports here).

export const PROJECT_FORMAT = 'htlnet-studio-project';
export const PROJECT_VERSION = 2;

import type { BlockType } from './catalog';
/** The block types, derived from the catalog (shared/catalog.ts). */
export type { BlockType };

export type ParamValue = string | number | boolean;

export interface Block {
  /** Unique within the graph; edges refer to it. */
  id: string;
  type: BlockType;
  /** A user-facing name; defaults to the catalog title. */
  label?: string;
  params: Record<string, ParamValue>;
  /** Canvas position; irrelevant to the engine. */
  position: { x: number; y: number };
}

export interface PortRef {
  block: string;
  port: string;
}

export interface Edge {
  id: string;
  source: PortRef;
  target: PortRef;
}

export interface Graph {
  blocks: Block[];
  edges: Edge[];
}

export type FeatureKind = 'categorical' | 'numeric';
export type TaskType = 'binary' | 'regression';

export interface FeatureBinding {
  column: string;
  kind: FeatureKind;
}

export interface TaskBinding {
  /** The task's name, as task heads refer to it. */
  name: string;
  /** The CSV column holding the target. */
  column: string;
  type: TaskType;
}

export interface DataBinding {
  /** The CSV the binding was made for (absolute or relative to the project file); optional. */
  source?: string;
  /** Input features, in column order. */
  features: FeatureBinding[];
  /** Tasks in funnel (chain) order; the core task is the last regression task. */
  tasks: TaskBinding[];
  /** Columns the user excluded explicitly (kept so the wizard can show them). */
  excluded: string[];
}

export type SplitSetting = { kind: 'random' } | { kind: 'time'; column: string };

export interface TrainingSettings {
  split: SplitSetting;
  /** Train / validation / test fractions; they sum to 1. */
  fractions: [number, number, number];
}

export interface ProjectFile {
  format: typeof PROJECT_FORMAT;
  version: number;
  name: string;
  graph: Graph;
  data: DataBinding;
  training: TrainingSettings;
}

export function defaultTrainingSettings(): TrainingSettings {
  return { split: { kind: 'random' }, fractions: [0.8, 0.1, 0.1] };
}

/** The core task: the last regression task in chain order, else the last task. */
export function coreTaskIndex(tasks: readonly TaskBinding[]): number {
  for (let i = tasks.length - 1; i >= 0; i--) if (tasks[i].type === 'regression') return i;
  return tasks.length - 1;
}
