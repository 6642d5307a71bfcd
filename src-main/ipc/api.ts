// The one typed contract between the UI and the engine host. Electron IPC (main.ts / preload.ts)
// and a future browser-mode HTTP server both serve it from the same handler table
// (handlers.ts). Type imports only: the sandboxed preload and the renderer import this file.
// Over 600 lines on purpose: it is the one typed channel map (ApiMap, CHANNELS and the checks
// that they agree), and the contract is read and checked as one; splitting it would cut it in two.

import type { BlockSpec, PortSpec, PortType } from '../shared/catalog';
import type { BlockShapes, Problem } from '../shared/problems';
import type { DataBinding, ProjectFile } from '../shared/project';
import type { ExplainPart, Explanation, FeatureGroup } from '../shared/explain';
import type { ExperimentReport } from '../shared/experiments/report';
import type { CommandId } from './shortcuts';

export interface AppInfo {
  version: string;
  /** The compute backend in use ('tensorflow' or 'wasm'), or null when none could be started. */
  backend: string | null;
  /** process.platform of the engine host. */
  platform: string;
  /**
   * 'electron': native file dialogs (dialog:* channels). 'browser': the page is served by
   * `npm run web`; there are no native dialogs, files live in `workspace` (files:list, uploads).
   */
  mode: 'electron' | 'browser';
  /** The folder new projects, imported data and models go to by default. */
  workspace: string;
}

/** What a file dialog or the in-app file browser is choosing. */
export type FileKind = 'project' | 'csv' | 'model';

export interface OpenedProject {
  project: ProjectFile;
  /** Where it was read from; null for a project parsed from text (an upload, a drop). */
  path: string | null;
  /** The file name shown in the title. */
  name: string;
  /** The format version the file had when it was older than the current one, else null. */
  migratedFrom: number | null;
  /** Things dropped or fixed while reading (unknown parameters, fields), one sentence each. */
  warnings: string[];
}

export interface SavedProject {
  path: string;
  name: string;
  /** ISO time of the write. */
  savedAt: string;
}

export interface RecentProject {
  path: string;
  name: string;
  /** ISO time it was last opened or saved. */
  openedAt: string;
  /** Whether the file is still there. */
  exists: boolean;
}

/** What autosave keeps so that work survives a crash. */
export interface RecoverySnapshot {
  project: ProjectFile;
  /** The file the project belongs to, or null when it was never saved. */
  path: string | null;
  name: string;
}

export interface Recovery extends RecoverySnapshot {
  savedAt: string;
}

export interface FileEntry {
  name: string;
  path: string;
  isDirectory: boolean;
  size: number;
  modifiedAt: string;
}

export interface FileListing {
  dir: string;
  /** The parent folder, or null at the top of what may be browsed. */
  parent: string | null;
  /** Folders first, then the files of the requested kind, by name. */
  entries: FileEntry[];
}

// ---- data, training, runs, scoring (the analyst's journey) ---------------------------------

/** A column's kind as inferred from its values (the wizard lets the user change it). */
type ColumnKind = 'categorical' | 'numeric' | 'binary' | 'continuous';

export interface ColumnSummary {
  name: string;
  /** 0-based position in the file. */
  index: number;
  kind: ColumnKind;
  missing: number;
  distinct: number;
  /** Whether every present value is a number. */
  numeric: boolean;
  /** Columns holding only 0/1 (or true/false, yes/no): the share of positives. */
  positiveRate?: number;
  /** Numeric columns: a summary and a histogram of the values present. */
  stats?: {
    min: number;
    mean: number;
    max: number;
    median: number;
    zeroShare: number;
    /** bins + 1 edges; the last bin includes its right edge. */
    histogram: { edges: number[]; counts: number[]; logScale: boolean };
  };
  /** The most frequent values (text columns and numeric columns with few values). */
  top?: { value: string; count: number }[];
  /**
   * Values that are not numbers in a column that is mostly numbers: how many, and the first
   * one's 1-based file line and text. `readAsMissing`: the column is numeric and those few cells
   * ("4e", "-", "Inf"; at most 5% of the values) are read as missing. Otherwise there were too
   * many for that and the column was read as text (an amount with a stray "$29.99").
   */
  notNumbers?: { count: number; line: number; value: string; readAsMissing: boolean };
  /** Numbers written with a decimal comma (33,12) were read as numbers. */
  decimalComma?: boolean;
  /** Text columns: the first value that is not a number (file line and text), for messages. */
  firstText?: { line: number; value: string };
}

/** What the import wizard shows of a CSV once it has been read. */
export interface DataPreview {
  /** The file's path on the host (uploads included). */
  path: string;
  name: string;
  rows: number;
  bytes: number;
  delimiter: string;
  header: boolean;
  columns: ColumnSummary[];
  /** The first rows as text, in column order (at most 50). */
  head: string[][];
  /** A starting binding: targets guessed from binary/continuous columns at the end, or the
   * project's own binding when its columns are all present. */
  suggested: DataBinding;
}

interface OnnxExported {
  /** The .onnx file. */
  out: string;
  /** The preprocessing spec (vocabularies, buckets, scalers) beside it. */
  preprocessing: string;
  opset: number;
  inputs: string[];
  outputs: string[];
  bytes: number;
}

export type JobKind = 'import' | 'train' | 'score' | 'explain';

export interface JobStarted {
  jobId: string;
}

export interface TrainStarted extends JobStarted {
  runId: string;
}

export interface TrainRequestArgs {
  project: ProjectFile;
  /** The CSV to train on (a path on the host). */
  dataPath: string;
  /** Shown in the runs table; defaults to the project's name and the run's time. */
  label?: string;
}

export interface ScoreRequestArgs {
  /** A run kept by the app, or an exported model folder on the host. */
  source: { runId: string } | { modelDir: string };
  dataPath: string;
  /** Where the predictions CSV goes (a path on the host). */
  out: string;
  /**
   * Input columns the predictions CSV keeps before the predictions: 'all' (the default), 'none'
   * or the named columns.
   */
  keep?: 'all' | 'none' | string[];
  /**
   * Replace `out` when it exists and is not a predictions file the app wrote. Without it such a
   * file is refused with an error whose code is 'output-exists' (ask the user, then retry).
   */
  replace?: boolean;
}

export interface ScoreResult {
  out: string;
  rows: number;
  /** The prediction columns (written after the kept input columns). */
  columns: string[];
  /** The input columns kept before the predictions. */
  keptColumns?: string[];
  /** Per task metrics when the scored file has the target columns. */
  metrics: Record<string, TaskMetricsWire> | null;
}

/** What to explain: a run's model (by default on its own data's test split) or a model folder. */
export interface ExplainRequestArgs {
  source: { runId: string } | { modelDir: string };
  /** The CSV to explain on (a path on the host); default: the run's own data file. */
  dataPath?: string;
  /** The model's test or validation split of its training file, or every row [test for a run]. */
  subset?: 'test' | 'validation' | 'all';
  /** At most this many rows (a seeded sample); default: sized for a few seconds. */
  rows?: number;
  /** Shuffles per input for permutation importance [3]. */
  repeats?: number;
  /** Data rows (0-based, of the file) to explain one by one. */
  explainRows?: number[];
  /** What to compute [everything]. */
  parts?: ExplainPart[];
  /** Columns shuffled together, under one name. */
  groups?: FeatureGroup[];
  /** Regression tasks' importance: the drop in normalised Gini [default] or the rise in RMSE. */
  regressionMetric?: 'gini-drop' | 'rmse-rise';
}

/** A task's metrics as sent over the wire (binary: auc, logloss; regression: nrmse, ...). */
export type TaskMetricsWire = Record<string, number>;

type RunStatus = 'running' | 'completed' | 'early-stopping' | 'cancelled' | 'diverged' | 'failed';

export interface RunSummary {
  id: string;
  label: string;
  /** The project's name and the template-ish kind of graph (htlnet, mmoe, ...) when known. */
  projectName: string;
  dataPath: string;
  status: RunStatus;
  /** Why it ended, in words (early stopping, divergence, ...). */
  message: string;
  startedAt: string;
  finishedAt: string | null;
  epochs: number;
  bestEpoch: number;
  rows: { train: number; validation: number; test: number } | null;
  samplesPerSecond: number | null;
  /** Test metrics per task (null until the run has finished and been evaluated). */
  test: Record<string, TaskMetricsWire> | null;
  tasks: { name: string; type: 'binary' | 'regression' }[];
  /** Whether a trained model folder is kept for the run. */
  hasModel: boolean;
  /** The experiment the run belongs to (a run group), when it was queued by one. */
  group?: RunGroupRef | null;
  /** Bytes the run's folder holds on disk (model, record), as of its last write. */
  diskBytes?: number;
}

/** A run's place in an experiment: the group (experiment), its variant and its seed. */
export interface RunGroupRef {
  id: string;
  /** The experiment's name, for the runs table. */
  name: string;
  variant: string;
  seed: number;
}

/** Which runs runs:list returns (all of them without a filter). */
export interface RunFilter {
  /** Only the runs of this group (experiment id). */
  group?: string;
}

/**
 * Which runs runs:prune deletes: finished runs (never one still training) matching every
 * condition given; at least one must be given.
 */
export interface PruneOptions {
  /** Started more than this many days ago. */
  olderThanDays?: number;
  /** All but the newest N (of those matching the other conditions). */
  keepNewest?: number;
  /** Of this group only (deletes a whole experiment's runs when alone). */
  group?: string;
  /** Deletes nothing: says which runs would go and the space they would free. */
  dryRun?: boolean;
}

export interface PruneResult {
  /** The runs deleted (with dryRun: that would be deleted), newest first. */
  deleted: string[];
  freedBytes: number;
}

// ---- experiments (issue 17): variants x seeds as run groups ---------------------------------

export type ExperimentKind = 'ablation' | 'sweep' | 'seeds';

/** A parameter value in an experiment (as the inspector holds it, or as text to be read). */
export type ExperimentValue = string | number | boolean;

/**
 * An experiment to queue. `ablation`: the HTLNet paper's variants of the project; `sweep`:
 * every combination of `grid`, or the variants of `list`; `seeds`: the project as it is. Each
 * variant is trained `seeds` times (seeds firstSeed, firstSeed + 1, ...). Parameter paths are
 * "BLOCK.PARAM" (a block id or type) or "training.PARAM" (see engine/experiments/params.ts).
 */
export interface ExperimentRequestArgs {
  kind: ExperimentKind;
  project: ProjectFile;
  /** The CSV to train on (a path on the host). */
  dataPath: string;
  /** Shown in the runs table [the project's name and the kind]. */
  name?: string;
  /** Seeds per variant [3]. */
  seeds?: number;
  /** The first seed [1]. */
  firstSeed?: number;
  grid?: { path: string; values: ExperimentValue[] }[];
  list?: { name?: string; params: Record<string, ExperimentValue> }[];
}

type ExperimentStatus = 'queued' | 'running' | 'completed' | 'cancelled' | 'failed';

export interface ExperimentSummary {
  id: string;
  name: string;
  kind: ExperimentKind;
  /** The variant the others are compared with (the full model of an ablation). */
  reference: string;
  createdAt: string;
  status: ExperimentStatus;
  message: string;
  seeds: number[];
  /** Runs in all (variants x seeds), finished with results, failed, training now. */
  total: number;
  done: number;
  failed: number;
  running: number;
  /**
   * When the app was restarted while the experiment had runs training, the time it resumed
   * them (those runs train again from the start); absent otherwise.
   */
  resumedAt?: string;
}

export interface ExperimentRunState {
  variant: string;
  seed: number;
  /** The run in the run store, once started. */
  runId: string | null;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  /** Why a run failed. */
  message?: string;
}

export interface ExperimentDetail extends ExperimentSummary {
  dataPath: string;
  runs: ExperimentRunState[];
  /** Means, sds and paired comparisons of the runs finished so far. */
  report: ExperimentReport;
}

/** One epoch of a run's history (TrainEvent 'epoch' as plain data). */
export interface EpochRecord {
  epoch: number;
  trainLoss: Record<string, number>;
  validationLoss: Record<string, number>;
  validation: Record<string, TaskMetricsWire>;
  gradients: Record<string, { norm: number; cosine: number }> | null;
  samplesPerSecond: number;
  seconds: number;
}

export interface TaskCurvesWire {
  roc?: { fpr: number[]; tpr: number[] };
  calibration?: { meanPredicted: number[]; fractionPositive: number[]; count: number[] };
  lorenz?: { population: number[]; captured: number[] };
  scatter?: { actual: number[]; predicted: number[] };
  /** Regression: mean prediction vs mean actual per decile of the prediction. */
  deciles?: { meanPredicted: number[]; meanActual: number[]; count: number[] };
}

export interface RunDetail extends RunSummary {
  /** The project exactly as trained (graph, binding, settings). */
  project: ProjectFile;
  history: EpochRecord[];
  curves: Record<string, TaskCurvesWire>;
}

/** Live training events (throttled for the wire). */
export type TrainProgress =
  | {
      type: 'start';
      rows: { train: number; validation: number; test: number };
      epochs: number;
      batchesPerEpoch: number;
      batchSize: number;
      tasks: { name: string; type: 'binary' | 'regression' }[];
      core: string;
    }
  | {
      type: 'batch';
      epoch: number;
      batch: number;
      batches: number;
      loss: Record<string, number>;
      samplesPerSecond: number;
      gradients: Record<string, { norm: number; cosine: number }> | null;
    }
  | ({ type: 'epoch'; epochs: number; bestEpoch: number } & EpochRecord)
  | { type: 'evaluating' };

/** Host -> renderer events (IPC message / server-sent event). */
export type HostEvent =
  | {
      type: 'job:progress';
      jobId: string;
      kind: JobKind;
      done: number;
      total: number;
      stage: string;
    }
  | { type: 'job:failed'; jobId: string; kind: JobKind; error: string }
  | { type: 'job:cancelled'; jobId: string; kind: JobKind }
  | { type: 'import:done'; jobId: string; preview: DataPreview }
  | { type: 'train:progress'; jobId: string; runId: string; progress: TrainProgress }
  | { type: 'train:done'; jobId: string; run: RunSummary }
  | { type: 'score:done'; jobId: string; result: ScoreResult }
  /** An explanation finished; for a run it is also kept in the run's folder (merged). */
  | { type: 'explain:done'; jobId: string; runId: string | null; explanation: Explanation }
  /**
   * An experiment moved: a run started or ended, an epoch passed, it was cancelled. `jobId` is
   * the experiment's id (every host event carries one; its runs send no events of their own).
   */
  | { type: 'experiment:progress'; jobId: string; experiment: ExperimentSummary };

export const HOST_EVENT_CHANNEL = 'host:event';

/** Block positions by block id, as the auto-layout places them. */
type Positions = Record<string, { x: number; y: number }>;

/**
 * A port as sent over the wire. A port whose type depends on the block's parameters (a task
 * head's prediction) has its type for the default parameters in `type` and every case in
 * `typeByParam`: the port's type is `typeByParam.types[String(params[typeByParam.param])]`.
 */
export interface CatalogPort extends Omit<PortSpec, 'type'> {
  type: PortType;
  typeByParam?: { param: string; types: Record<string, PortType> };
}

export interface CatalogBlock extends Omit<BlockSpec, 'inputs' | 'outputs'> {
  inputs: CatalogPort[];
  outputs: CatalogPort[];
}

export interface TemplateSummary {
  kind: string;
  title: string;
  description: string;
}

export interface ProjectValidation {
  problems: Problem[];
  /** Inferred shapes by block id. */
  shapes: Record<string, BlockShapes>;
}

/** Channel -> argument tuple and result. Results must be plain data (structured-clone / JSON). */
export interface ApiMap {
  'app:info': { args: []; result: AppInfo };
  'catalog:get': { args: []; result: CatalogBlock[] };
  'templates:list': { args: []; result: TemplateSummary[] };
  'project:validate': { args: [project: ProjectFile]; result: ProjectValidation };
  /** A new project from a template, bound to the built-in sample's columns, laid out. */
  /** A template; bound to `binding` (its tasks name the heads) or to the built-in sample. */
  'templates:create': { args: [kind: string, binding?: DataBinding]; result: ProjectFile };
  /** An empty project (no blocks) bound to the built-in sample's columns, default settings. */
  'project:new': { args: []; result: ProjectFile };
  /** Tidy positions for any graph (a layered left-to-right layout). */
  'graph:layout': { args: [project: ProjectFile]; result: Positions };
  /** Reads, migrates and checks a project file; refuses broken or foreign files with a reason. */
  'project:open': { args: [path: string]; result: OpenedProject };
  /** The same from text (a file picked in a browser, a drop). */
  'project:parse': { args: [text: string, name: string]; result: OpenedProject };
  /** Writes atomically; never overwrites a file that is not an HTLNet Studio project. */
  'project:save': { args: [path: string, project: ProjectFile]; result: SavedProject };
  'project:recent': { args: []; result: RecentProject[] };
  'recovery:write': { args: [snapshot: RecoverySnapshot]; result: null };
  'recovery:read': { args: []; result: Recovery | null };
  'recovery:clear': { args: []; result: null };
  /** Native open dialog (Electron only); null when cancelled. */
  'dialog:openFile': { args: [kind: FileKind]; result: string | null };
  /** Native save dialog (Electron only); null when cancelled. */
  'dialog:saveFile': { args: [kind: FileKind, suggestedName: string]; result: string | null };
  /** A folder's entries for the in-app file browser (null: the workspace). */
  'files:list': { args: [dir: string | null, kind: FileKind]; result: FileListing };
  /** Reads a CSV in the background (progress and the preview arrive as host events). */
  'data:import': { args: [path: string]; result: JobStarted };
  /** The preview of a CSV already imported in this session (null when it is not loaded). */
  'data:preview': { args: [path: string]; result: DataPreview | null };
  /**
   * Checks a project against an imported CSV: graph problems plus the binding's problems
   * (missing columns, kinds that do not fit), pinned to blocks where they concern one.
   */
  'data:check': { args: [project: ProjectFile, path: string]; result: Problem[] };
  /** Trains in a worker thread; live progress arrives as host events. */
  'train:start': { args: [request: TrainRequestArgs]; result: TrainStarted };
  /** Stops a job: a training run stops after its current batch and keeps its best weights. */
  'job:cancel': { args: [jobId: string]; result: null };
  /** Every run, newest first; with a filter, a group's runs only. */
  'runs:list': { args: [filter?: RunFilter]; result: RunSummary[] };
  'runs:get': { args: [runId: string]; result: RunDetail };
  'runs:delete': { args: [runId: string]; result: null };
  /** Copies a run's trained model folder to `dest` (a new folder); returns its path. */
  'model:export': { args: [runId: string, dest: string]; result: string };
  /**
   * Writes a run's trained model as ONNX (for serving) at `dest` (a .onnx file), with its
   * preprocessing spec beside it.
   */
  'model:exportOnnx': { args: [runId: string, dest: string]; result: OnnxExported };
  /** Scores a CSV with a run's or an exported model (progress as host events). */
  'score:start': { args: [request: ScoreRequestArgs]; result: JobStarted };
  /**
   * The project with a new data binding: task heads follow the new tasks in chain order when
   * the number of tasks is unchanged; otherwise validation says which heads to fix.
   */
  'project:rebind': { args: [project: ProjectFile, binding: DataBinding]; result: ProjectFile };
  /** The built-in sample dataset, written once into the workspace; returns its path. */
  'data:sample': { args: [rows: number]; result: string };
  /**
   * Explains a model in a worker thread (importance, row contributions, partial dependence,
   * funnel); progress and the result arrive as host events; cancel with job:cancel.
   */
  'explain:start': { args: [request: ExplainRequestArgs]; result: JobStarted };
  /** The explanation kept with a run (null when it has none yet). */
  'explain:get': { args: [runId: string]; result: Explanation | null };
  /** Deletes finished runs: a group's, older ones, or all but the newest (never a training run). */
  'runs:prune': { args: [options: PruneOptions]; result: PruneResult };
  /**
   * Queues an experiment (checked against its data first); its runs train in the background,
   * progress arrives as experiment:progress events; it resumes after a restart.
   */
  'experiments:start': { args: [request: ExperimentRequestArgs]; result: ExperimentSummary };
  'experiments:list': { args: []; result: ExperimentSummary[] };
  /** An experiment's runs and its report (mean ± sd, paired differences) so far. */
  'experiments:get': { args: [experimentId: string]; result: ExperimentDetail };
  /** Drops its queued runs and stops its training ones (they keep their best weights). */
  'experiments:cancel': { args: [experimentId: string]; result: null };
}

export type Channel = keyof ApiMap;
export type ApiArgs<C extends Channel> = ApiMap[C]['args'];
export type ApiResult<C extends Channel> = ApiMap[C]['result'];

/** Every channel, at run time. The compile-time checks below keep it equal to `Channel`. */
export const CHANNELS = [
  'app:info',
  'catalog:get',
  'templates:list',
  'project:validate',
  'templates:create',
  'project:new',
  'graph:layout',
  'project:open',
  'project:parse',
  'project:save',
  'project:recent',
  'recovery:write',
  'recovery:read',
  'recovery:clear',
  'dialog:openFile',
  'dialog:saveFile',
  'files:list',
  'data:import',
  'data:preview',
  'data:check',
  'train:start',
  'job:cancel',
  'runs:list',
  'runs:get',
  'runs:delete',
  'model:export',
  'model:exportOnnx',
  'score:start',
  'project:rebind',
  'data:sample',
  'explain:start',
  'explain:get',
  'runs:prune',
  'experiments:start',
  'experiments:list',
  'experiments:get',
  'experiments:cancel',
] as const satisfies readonly Channel[];

/** Main -> renderer: a menu item (or accelerator) was chosen; the payload is its CommandId. */
export const MENU_COMMAND_CHANNEL = 'menu:command';

/** The handler of one channel: a plain async function of its (run-time validated) arguments. */
type Handler<C extends Channel> = (...args: ApiArgs<C>) => Promise<ApiResult<C>>;
export type HandlerTable = { [C in Channel]: Handler<C> };

/** 'project:validate' -> 'projectValidate': the method name the preload exposes per channel. */
export type MethodName<C extends string> = C extends `${infer Scope}:${infer Action}`
  ? `${Scope}${Capitalize<Action>}`
  : never;

/** What the preload exposes as window.htlnet (the renderer's view of the contract). */
export type InvokeApi = {
  [C in Channel as MethodName<C>]: (...args: ApiArgs<C>) => Promise<ApiResult<C>>;
};
export interface RendererApi extends InvokeApi {
  /**
   * Subscribes to menu commands; returns the unsubscribe function. 'file.open' may come with the
   * path of a project the OS asked the app to open (a double-clicked file).
   */
  onMenuCommand(callback: (command: CommandId, path?: string) => void): () => void;
  /** Subscribes to host events (job progress, training, results); returns the unsubscribe. */
  onHostEvent(callback: (event: HostEvent) => void): () => void;
}

// ---- compile-time checks -----------------------------------------------------------------

/** True when T holds nothing that structured clone or JSON would drop or reject. */
type IsPlainData<T> = T extends (...args: never[]) => unknown
  ? false
  : T extends string | number | boolean | null | undefined
    ? true
    : T extends readonly (infer E)[]
      ? IsPlainData<E>
      : T extends object
        ? false extends { [K in keyof T]-?: IsPlainData<T[K]> }[keyof T]
          ? false
          : true
        : false;

type Expect<T extends true> = T;
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

type _ChannelsComplete = Expect<Equal<(typeof CHANNELS)[number], Channel>>;
type _ResultsArePlainData = Expect<
  Equal<{ [C in Channel]: IsPlainData<ApiResult<C>> }[Channel], true>
>;
type _ArgsArePlainData = Expect<Equal<{ [C in Channel]: IsPlainData<ApiArgs<C>> }[Channel], true>>;
