// The journey's state (data import, training, runs, scoring) and the actions on it, as the
// slices of createJourneyStore() declare them, plus what every slice is built from (JourneyEnv:
// the store's set/get, the injected engine API and the job tracker). Types only.

import type {
  AppInfo,
  DataPreview,
  ExperimentDetail,
  ExperimentRequestArgs,
  ExperimentSummary,
  HostEvent,
  PruneOptions,
  PruneResult,
  RendererApi,
  RunDetail,
  RunSummary,
  ScoreRequestArgs,
  ScoreResult,
} from '../../../src-main/ipc/api';
import type { Problem } from '../../../src-main/shared/problems';
import type { DataBinding, ProjectFile } from '../../../src-main/shared/project';
import type { BrowserExtras } from '../../app/api';
import type { BindingDraft } from './binding';
import type { JobTracker } from './jobs';
import type { LiveTraining } from './live';

export type WizardStep = 'source' | 'columns' | 'review';

type ImportStatus =
  | { status: 'idle' }
  /** Browser mode: the file going to the workspace; `sent` of `total` bytes (0 when unknown). */
  | { status: 'uploading'; name: string; sent: number; total: number }
  | {
      status: 'importing';
      jobId: string | null;
      path: string;
      name: string;
      done: number;
      total: number;
      stage: string;
    };

export type TrainPhase =
  | 'checking'
  | 'blocked'
  | 'starting'
  | 'reading'
  | 'training'
  | 'evaluating'
  | 'saving'
  | 'done'
  | 'failed';

export interface TrainingState {
  phase: TrainPhase;
  jobId: string | null;
  runId: string | null;
  dataPath: string;
  label: string;
  live: LiveTraining;
  /** Reading the CSV before training: bytes done / total. */
  reading: { done: number; total: number } | null;
  /** Stop was asked for; the run ends after its current batch. */
  stopping: boolean;
  result: RunSummary | null;
  /** Why the run could not start or failed (the host's message). */
  error: string | null;
  /** data:check's findings for this run (errors block it). */
  problems: Problem[];
}

export type SortKey = 'time' | 'label' | 'model' | 'status' | `task:${string}`;

export interface ScoreState {
  phase: 'idle' | 'starting' | 'running' | 'done' | 'failed';
  jobId: string | null;
  done: number;
  total: number;
  stage: string;
  out: string | null;
  /** What was asked for (model and file), for reading the result. */
  request: ScoreRequestArgs | null;
  result: ScoreResult | null;
  error: string | null;
}

interface ExportState {
  status: 'busy' | 'done' | 'failed';
  path?: string;
  /** ONNX exports: the preprocessing spec written beside the model. */
  preprocessing?: string;
  error?: string;
}

export type ExportFormat = 'folder' | 'onnx';

export type SampleStep = 'sample' | 'import' | 'template' | 'train';

interface SampleState {
  step: SampleStep | 'failed';
  error: string | null;
}

type ResultsView = 'runs' | 'compare' | 'score' | 'experiments';

/** Import wizard and the one-click sample. */
export interface DataSlice {
  step: WizardStep;
  importing: ImportStatus;
  importError: string | null;
  /** The error box's title when it is not "The file could not be read." (an upload refused). */
  importErrorTitle: string | null;
  importNotice: string | null;
  preview: DataPreview | null;
  draft: BindingDraft | null;
  selectedColumn: string | null;
  applyError: string | null;
  /** The binding last applied to the project from the wizard (to show "applied"). */
  applied: DataBinding | null;
  sample: SampleState | null;

  /** Reads a CSV on the host; resolves with its preview, or null when it failed or was cancelled. */
  importFile(path: string, current?: DataBinding | null): Promise<DataPreview | null>;
  /** Browser mode: sends a picked file to the workspace, then imports it. */
  uploadAndImport(file: File, current?: DataBinding | null): Promise<DataPreview | null>;
  cancelImport(): Promise<void>;
  /** Shows a preview the host already holds (the project's data, imported earlier). */
  reopenPreview(path: string, current: DataBinding | null, goToColumns?: boolean): Promise<boolean>;
  updateDraft(update: (draft: BindingDraft) => BindingDraft): void;
  setStep(step: WizardStep): void;
  selectColumn(name: string | null): void;
  /**
   * Applies the wizard's binding to a project (project:rebind: heads follow the new tasks);
   * resolves with the new project, or null with applyError set.
   */
  applyDraft(project: ProjectFile): Promise<ProjectFile | null>;
  /**
   * The first-start path: writes the built-in sample, imports it, creates the HTLNet template
   * bound to it and starts training. `onProject` receives the new project as soon as it exists
   * (the caller puts it in the editor); resolves when training has started.
   */
  trySample(
    onProject: (project: ProjectFile) => void,
    rows?: number,
    epochs?: number,
  ): Promise<boolean>;
}

/** The live run. */
export interface TrainSlice {
  training: TrainingState | null;
  /** The last data:check of the project (for the editor's problems list). */
  dataProblems: Problem[];

  /**
   * Checks the project against its data (data:check) and, when nothing blocks it, starts a run.
   * Resolves true once the run has started.
   */
  startTraining(project: ProjectFile, dataPath: string, label?: string): Promise<boolean>;
  /** Stops the live run after its current batch; it keeps its best weights and is evaluated. */
  stopTraining(): Promise<void>;
  dismissTraining(): void;
}

/** The runs table, run details, comparison and model export. */
export interface RunsSlice {
  runs: RunSummary[];
  runsStatus: 'idle' | 'loading' | 'ready' | 'error';
  runsError: string | null;
  details: Record<string, RunDetail>;
  detailErrors: Record<string, string>;
  openRun: string | null;
  compare: string[];
  sort: { key: SortKey; dir: 'asc' | 'desc' };
  resultsView: ResultsView;
  /** Bumped by File › Export Model as ONNX…: the open run's export controls take the focus. */
  onnxRequest: number;
  exports: Record<string, ExportState>;

  loadRuns(): Promise<void>;
  loadDetail(runId: string, force?: boolean): Promise<RunDetail | null>;
  openRunDetail(runId: string | null): void;
  setResultsView(view: ResultsView): void;
  /** File › Export Model as ONNX…: show the open run (the newest if none) with its export focused. */
  requestOnnxExport(): void;
  toggleCompare(runId: string): void;
  setCompare(ids: string[]): void;
  setSort(key: SortKey): void;
  deleteRun(runId: string): Promise<boolean>;
  exportModel(runId: string, dest: string, format?: ExportFormat): Promise<string | null>;
}

/** Experiments (run groups: seeds, sweeps, the ablation) queued on the host, and pruning runs. */
export interface ExperimentsSlice {
  experiments: ExperimentSummary[];
  experimentsStatus: 'idle' | 'loading' | 'ready' | 'error';
  experimentsError: string | null;
  /** Runs and report per experiment, as last fetched (kept fresh for the open one). */
  experimentDetails: Record<string, ExperimentDetail>;
  /** The experiment Results shows (resultsView 'experiments'). */
  openExperiment: string | null;
  /** Why the last experiments:start was refused (the host's message), until the next start. */
  experimentStartError: string | null;
  /**
   * Experiments queued from the comparison ("repeat each with N seeds"): their runs are ticked
   * for comparison as they appear, so the comparison becomes one of run groups.
   */
  compareExperiments: string[];

  loadExperiments(): Promise<void>;
  loadExperiment(id: string, force?: boolean): Promise<ExperimentDetail | null>;
  /** Queues an experiment and opens it in Results; null (with experimentStartError) if refused. */
  startExperiment(request: ExperimentRequestArgs): Promise<ExperimentSummary | null>;
  cancelExperiment(id: string): Promise<boolean>;
  /** Shows an experiment in Results (null: none). */
  openExperimentDetail(id: string | null): void;
  /** Deletes finished runs matching the options, then reloads the runs table (a dry run: neither). */
  pruneRuns(options: PruneOptions): Promise<PruneResult | null>;
  /**
   * The comparison flow: queues each ticked run's project (as it was trained, on its data) as a
   * `seeds` experiment of `seeds` seeds and ticks their runs as they start. Resolves with how
   * many experiments were queued (experimentStartError says why one was refused).
   */
  repeatForComparison(runIds: string[], seeds: number): Promise<number>;
  /** Applies an experiment:progress event. */
  experimentProgress(experiment: ExperimentSummary): void;
}

/** Scoring a CSV with a run's (or an exported) model. */
export interface ScoreSlice {
  score: ScoreState;
  /** What the Score view scores with: a run of the table, or an exported model folder. */
  scoreSource: ScoreRequestArgs['source'] | null;

  setScoreSource(source: ScoreRequestArgs['source'] | null): void;
  /** Opens the Score view with a run's model. */
  scoreWithRun(runId: string): void;
  /**
   * Starts scoring: 'started', 'failed' (the error is in the state), or 'output-exists' when the
   * predictions file exists and the app did not write it (nothing is shown: the caller asks the
   * user, then retries with `replace: true`).
   */
  startScore(request: ScoreRequestArgs): Promise<'started' | 'failed' | 'output-exists'>;
  cancelScore(): Promise<void>;
}

/** The store's own: the host it talks to and the subscription to its events. */
interface HostSlice {
  /** The engine host this store was made over. */
  api: RendererApi;
  info: AppInfo | null;
  /** Browser mode's upload, or null in Electron (which opens files by path). */
  uploads(): BrowserExtras | null;
  /**
   * Subscribes the store to the host's events (once) and loads the app's info. Returns false
   * when there is no engine to connect to (the app reports that itself).
   */
  connect(): boolean;
  /** Ends the subscription (tests; a window going away). */
  disconnect(): void;
  /** Applies one host event to the state. */
  handleHostEvent(event: HostEvent): void;
  /**
   * Another document replaced the project (new, open, recovery): what belonged to the previous
   * one goes: its data:check findings, a finished or refused run's problems and outcome, and the
   * wizard's preview unless it is of the new project's own data file. A live run keeps going.
   */
  projectReplaced(project: ProjectFile): void;
}

export type JourneyState = HostSlice &
  DataSlice &
  TrainSlice &
  RunsSlice &
  ScoreSlice &
  ExperimentsSlice;

export type JobEvent = Extract<HostEvent, { jobId: string }>;
export type Terminal = Extract<
  HostEvent,
  { type: 'import:done' | 'train:done' | 'score:done' | 'job:failed' | 'job:cancelled' }
>;

/** Which part of the journey a job belongs to. */
export type JobOwner = 'import' | 'train' | 'score';

/** What a slice is made from. */
export interface JourneyEnv {
  set(partial: Partial<JourneyState>): void;
  get(): JourneyState;
  api: RendererApi;
  jobs: JobTracker;
  /** The event reducer of each owner, filled in by the slices. */
  on: Partial<Record<JobOwner, (event: JobEvent) => void>>;
  /** Follows a run this window did not start (set by the training slice). */
  adopt?: (jobId: string, runId: string) => void;
}
