// The journey's state (data import, training, runs, scoring) in one zustand store, fed by the
// host's events. The screens read slices of it and call its actions; the state outlives the
// screens, so switching tabs never loses an import in progress or a live training run.
//
// The project itself stays in the editor's store: actions that change it (apply a binding,
// the sample's template, training settings) return the new project to the caller, which hands
// it to the editor (see JourneyProps.onProjectChange).

import { create } from 'zustand';
import type {
  AppInfo,
  DataPreview,
  HostEvent,
  RendererApi,
  RunDetail,
  RunSummary,
  ScoreRequestArgs,
  ScoreResult,
} from '../../src-main/ipc/api';
import type { Problem } from '../../src-main/shared/problems';
import { coreTaskIndex, type DataBinding, type ProjectFile } from '../../src-main/shared/project';
import { journeyApi as api, journeyUploads as browserExtras, setJourneyApi } from './host';
import { draftFromPreview, draftToBinding, renameTaskLabels, type BindingDraft } from './binding';
import { baseName } from './format';
import { initialLive, reduceLive, type LiveTraining } from './live';

export type WizardStep = 'source' | 'columns' | 'review';

export type ImportStatus =
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

export interface ExportState {
  status: 'busy' | 'done' | 'failed';
  path?: string;
  /** ONNX exports: the preprocessing spec written beside the model. */
  preprocessing?: string;
  error?: string;
}

export type ExportFormat = 'folder' | 'onnx';

export type SampleStep = 'sample' | 'import' | 'template' | 'train';

export interface SampleState {
  step: SampleStep | 'failed';
  error: string | null;
}

export type ResultsView = 'runs' | 'compare' | 'score';

export interface JourneyState {
  info: AppInfo | null;

  // ---- data
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

  // ---- training
  training: TrainingState | null;
  /** The last data:check of the project (for the editor's problems list). */
  dataProblems: Problem[];

  // ---- runs
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

  // ---- scoring
  score: ScoreState;
  /** What the Score view scores with: a run of the table, or an exported model folder. */
  scoreSource: ScoreRequestArgs['source'] | null;
}

const idleScore: ScoreState = {
  phase: 'idle',
  jobId: null,
  done: 0,
  total: 0,
  stage: '',
  out: null,
  request: null,
  result: null,
  error: null,
};

function initialState(): JourneyState {
  return {
    info: null,
    step: 'source',
    importing: { status: 'idle' },
    importError: null,
    importErrorTitle: null,
    importNotice: null,
    preview: null,
    draft: null,
    selectedColumn: null,
    applyError: null,
    applied: null,
    sample: null,
    training: null,
    dataProblems: [],
    runs: [],
    runsStatus: 'idle',
    runsError: null,
    details: {},
    detailErrors: {},
    openRun: null,
    compare: [],
    sort: { key: 'time', dir: 'desc' },
    resultsView: 'runs',
    onnxRequest: 0,
    exports: {},
    score: idleScore,
    scoreSource: null,
  };
}

export const useJourney = create<JourneyState>()(() => initialState());

const set = useJourney.setState;
const get = useJourney.getState;

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The host's code for an error ('output-exists', 'upload-too-large'), when it gave one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

// ---- host events ------------------------------------------------------------------------------

type JobEvent = Extract<HostEvent, { jobId: string }>;
type Terminal = Extract<
  HostEvent,
  { type: 'import:done' | 'train:done' | 'score:done' | 'job:failed' | 'job:cancelled' }
>;

/** Promises waiting for a job's last event. */
const waiters = new Map<string, (event: Terminal) => void>();
/** Events of jobs whose id the invoke has not returned yet (replayed when it does). */
const early = new Map<string, JobEvent[]>();
const EARLY_JOBS = 8;
const EARLY_EVENTS = 500;
/** Job ids this session started, to tell early events from other windows' jobs. */
const known = new Set<string>();

function isTerminal(event: HostEvent): event is Terminal {
  return (
    event.type === 'import:done' ||
    event.type === 'train:done' ||
    event.type === 'score:done' ||
    event.type === 'job:failed' ||
    event.type === 'job:cancelled'
  );
}

/** Calls `start`, registers its job id and resolves with the job's last event. */
async function runJob(
  start: () => Promise<{ jobId: string }>,
  onStarted?: (jobId: string) => void,
) {
  const { jobId } = await start();
  known.add(jobId);
  const done = new Promise<Terminal>((resolve) => waiters.set(jobId, resolve));
  onStarted?.(jobId);
  for (const event of early.get(jobId) ?? []) handleHostEvent(event);
  early.delete(jobId);
  return { jobId, done };
}

/** Applies one host event to the journey's state. */
export function handleHostEvent(event: HostEvent): void {
  const s = get();
  const jobId = event.jobId;
  const owner =
    s.importing.status === 'importing' && s.importing.jobId === jobId
      ? 'import'
      : s.training?.jobId === jobId
        ? 'train'
        : s.score.jobId === jobId
          ? 'score'
          : waiters.has(jobId)
            ? 'waiter'
            : null;
  if (owner === null) {
    if (event.type === 'train:progress' && !known.has(jobId) && !isTraining(s.training)) {
      // A run this window did not start (it was reloaded while a run trained): follow it.
      adoptRun(event.jobId, event.runId);
      onTrainEvent(event);
      return;
    }
    if (!known.has(jobId)) {
      // Not (yet) ours: keep it briefly in case our invoke has not returned its id yet.
      const list = early.get(jobId) ?? [];
      if (list.length < EARLY_EVENTS) list.push(event);
      early.set(jobId, list);
      if (early.size > EARLY_JOBS) early.delete(early.keys().next().value!);
    }
    return;
  }
  if (owner === 'import') onImportEvent(event);
  else if (owner === 'train') onTrainEvent(event);
  else if (owner === 'score') onScoreEvent(event);
  if (isTerminal(event)) {
    const resolve = waiters.get(jobId);
    waiters.delete(jobId);
    resolve?.(event);
  }
}

let unsubscribe: (() => void) | null = null;
let subscribed: RendererApi | null = null;

/**
 * Subscribes the store to the host's events (once per app) and loads the app's info. `htlnetApi`:
 * the API object to use (the app's; default: the renderer's window.htlnet / browser client).
 * Given another API object than the one subscribed to, it moves the subscription over. Returns
 * false when there is no engine to connect to yet (the app reports that itself).
 */
export function connectJourney(htlnetApi?: RendererApi): boolean {
  if (htlnetApi) setJourneyApi(htlnetApi);
  let htlnet: RendererApi;
  try {
    htlnet = api();
  } catch {
    return false;
  }
  if (subscribed === htlnet) return true;
  unsubscribe?.();
  subscribed = htlnet;
  unsubscribe = htlnet.onHostEvent(handleHostEvent);
  if (!get().info) {
    htlnet.appInfo().then(
      (info) => set({ info }),
      () => undefined,
    );
  }
  return true;
}

/** Forgets everything (tests; a new window). */
export function resetJourney(): void {
  unsubscribe?.();
  unsubscribe = null;
  subscribed = null;
  setJourneyApi(null);
  waiters.clear();
  early.clear();
  known.clear();
  set(initialState(), true);
}

/**
 * Another document replaced the project (new, open, recovery): what belonged to the previous
 * one goes: its data:check findings, a finished or refused run's problems and outcome, and the
 * wizard's preview unless it is of the new project's own data file. A live run keeps going.
 */
export function projectReplaced(project: ProjectFile): void {
  const s = get();
  const keepPreview = s.preview !== null && s.preview.path === project.data.source;
  set({
    dataProblems: [],
    applied: null,
    applyError: null,
    training: isTraining(s.training) ? s.training : null,
    sample: s.sample?.step === 'failed' ? null : s.sample,
    ...(keepPreview
      ? {}
      : { preview: null, draft: null, selectedColumn: null, step: 'source' as const }),
  });
}

// ---- data import -------------------------------------------------------------------------------

function onImportEvent(event: JobEvent): void {
  const importing = get().importing;
  if (importing.status !== 'importing') return;
  switch (event.type) {
    case 'job:progress':
      set({
        importing: { ...importing, done: event.done, total: event.total, stage: event.stage },
      });
      break;
    case 'import:done':
      acceptPreview(event.preview);
      break;
    case 'job:failed':
      // The previous preview and draft stay: nothing the user did is lost.
      set({ importing: { status: 'idle' }, importErrorTitle: null, importError: event.error });
      break;
    case 'job:cancelled':
      set({ importing: { status: 'idle' }, importNotice: 'Import cancelled.' });
      break;
    default: // the other jobs' events
  }
}

/** The binding a new preview starts from (the project's, when it fits). */
let bindingForNextPreview: DataBinding | null = null;

function acceptPreview(preview: DataPreview, goToColumns = true): void {
  const draft = draftFromPreview(preview, bindingForNextPreview);
  bindingForNextPreview = null;
  set({
    importing: { status: 'idle' },
    preview,
    draft,
    importError: null,
    importErrorTitle: null,
    importNotice: null,
    applyError: null,
    selectedColumn: draft.targets[draft.targets.length - 1] ?? preview.columns[0]?.name ?? null,
    ...(goToColumns ? { step: 'columns' as const } : {}),
  });
}

/** Reads a CSV on the host; resolves with its preview, or null when it failed or was cancelled. */
export async function importFile(
  path: string,
  current: DataBinding | null = null,
): Promise<DataPreview | null> {
  bindingForNextPreview = current;
  set({
    importing: {
      status: 'importing',
      jobId: null,
      path,
      name: baseName(path),
      done: 0,
      total: 0,
      stage: 'reading',
    },
    importError: null,
    importErrorTitle: null,
    importNotice: null,
  });
  try {
    const { done } = await runJob(
      () => api().dataImport(path),
      (jobId) => {
        const importing = get().importing;
        if (importing.status === 'importing' && importing.path === path) {
          set({ importing: { ...importing, jobId } });
        } else {
          // Cancelled (or replaced) before the host said which job it was.
          void api()
            .jobCancel(jobId)
            .catch(() => undefined);
        }
      },
    );
    const last = await done;
    return last.type === 'import:done' ? last.preview : null;
  } catch (error) {
    set({ importing: { status: 'idle' }, importErrorTitle: null, importError: errorText(error) });
    return null;
  }
}

/** Browser mode: sends a picked file to the workspace, then imports it. */
export async function uploadAndImport(
  file: File,
  current: DataBinding | null = null,
): Promise<DataPreview | null> {
  const extras = browserExtras();
  if (!extras) {
    set({
      importErrorTitle: null,
      importError: 'Uploading is only available in the browser version.',
    });
    return null;
  }
  set({
    importing: { status: 'uploading', name: file.name, sent: 0, total: file.size },
    importError: null,
    importErrorTitle: null,
  });
  let path: string;
  try {
    path = await extras.upload(file, file.name, (sent, total) => {
      const importing = get().importing;
      if (importing.status === 'uploading' && importing.name === file.name)
        set({ importing: { ...importing, sent, total } });
    });
  } catch (error) {
    set({
      importing: { status: 'idle' },
      importError: errorText(error),
      importErrorTitle:
        errorCode(error) === 'upload-too-large'
          ? 'The file is too large to upload.'
          : 'The file could not be uploaded.',
    });
    return null;
  }
  return importFile(path, current);
}

export async function cancelImport(): Promise<void> {
  const importing = get().importing;
  if (importing.status !== 'importing') return;
  set({ importing: { status: 'idle' }, importNotice: 'Import cancelled.' });
  if (importing.jobId)
    await api()
      .jobCancel(importing.jobId)
      .catch(() => undefined);
}

/** Shows a preview the host already holds (the project's data, imported earlier). */
export async function reopenPreview(
  path: string,
  current: DataBinding | null,
  goToColumns = true,
): Promise<boolean> {
  try {
    const preview = await api().dataPreview(path);
    if (!preview || get().preview) return false;
    bindingForNextPreview = current;
    acceptPreview(preview, goToColumns);
    return true;
  } catch {
    return false;
  }
}

export function updateDraft(update: (draft: BindingDraft) => BindingDraft): void {
  const draft = get().draft;
  if (draft) set({ draft: update(draft) });
}

export function setStep(step: WizardStep): void {
  set({ step });
}

export function selectColumn(name: string | null): void {
  set({ selectedColumn: name });
}

/**
 * Applies the wizard's binding to a project (project:rebind: heads follow the new tasks);
 * resolves with the new project, or null with applyError set.
 */
export async function applyDraft(project: ProjectFile): Promise<ProjectFile | null> {
  const draft = get().draft;
  if (!draft) return null;
  const binding = draftToBinding(draft);
  try {
    // Heads, towers and label embeddings named after the old tasks take the new names.
    const next = renameTaskLabels(project, await api().projectRebind(project, binding));
    set({ applied: binding, applyError: null, dataProblems: [] });
    return next;
  } catch (error) {
    set({ applyError: errorText(error) });
    return null;
  }
}

// ---- the sample: data, template and a first run in one click ---------------------------------

export const SAMPLE_ROWS = 100_000;
/** Epochs of the one-click first run: enough to see the curves move in about a minute. */
export const SAMPLE_EPOCHS = 3;

/**
 * The first-start path: writes the built-in sample, imports it, creates the HTLNet template
 * bound to it and starts training. `onProject` receives the new project as soon as it exists
 * (the caller puts it in the editor) and returns nothing; resolves when training has started.
 */
export async function trySample(
  onProject: (project: ProjectFile) => void,
  rows = SAMPLE_ROWS,
  epochs = SAMPLE_EPOCHS,
): Promise<boolean> {
  const fail = (error: unknown) => {
    set({ sample: { step: 'failed', error: errorText(error) } });
    return false;
  };
  try {
    set({ sample: { step: 'sample', error: null } });
    const path = await api().dataSample(rows);
    set({ sample: { step: 'import', error: null } });
    const preview = await importFile(path);
    if (!preview) return fail(get().importError ?? 'The sample could not be read.');
    set({ sample: { step: 'template', error: null } });
    const template = await api().templatesCreate('htlnet');
    const project: ProjectFile = {
      ...template,
      data: { ...template.data, source: path },
      graph: {
        ...template.graph,
        blocks: template.graph.blocks.map((b) =>
          b.type === 'optimizer' ? { ...b, params: { ...b.params, epochs } } : b,
        ),
      },
    };
    set({ draft: draftFromPreview(preview, project.data), applied: project.data, step: 'review' });
    onProject(project);
    set({ sample: { step: 'train', error: null } });
    const started = await startTraining(project, path, `Sample: HTLNet, ${epochs} epochs`);
    set({ sample: started ? null : { step: 'failed', error: get().training?.error ?? null } });
    return started;
  } catch (error) {
    return fail(error);
  }
}

// ---- training --------------------------------------------------------------------------------

function patchTraining(patch: Partial<TrainingState>): void {
  const training = get().training;
  if (training) set({ training: { ...training, ...patch } });
}

function onTrainEvent(event: JobEvent): void {
  const training = get().training;
  if (!training) return;
  switch (event.type) {
    case 'job:progress':
      if (event.stage === 'reading') {
        patchTraining({ phase: 'reading', reading: { done: event.done, total: event.total } });
      } else if (event.stage === 'saving') {
        patchTraining({ phase: 'saving' });
      }
      break;
    case 'train:progress': {
      const live = reduceLive(training.live, event.progress);
      const phase: TrainPhase =
        event.progress.type === 'evaluating'
          ? 'evaluating'
          : training.phase === 'saving' || training.phase === 'evaluating'
            ? training.phase
            : 'training';
      patchTraining({ live, phase, runId: training.runId ?? event.runId });
      break;
    }
    case 'train:done': {
      const run = event.run;
      const failed = run.status === 'diverged' || run.status === 'failed';
      patchTraining({
        phase: 'done',
        result: run,
        stopping: false,
        error: failed ? run.message || `The run ${run.status}.` : null,
      });
      set({ openRun: run.id });
      void loadRuns();
      break;
    }
    case 'job:failed':
      patchTraining({ phase: 'failed', error: event.error, stopping: false });
      void loadRuns();
      break;
    case 'job:cancelled':
      // A stopped run normally ends with train:done ('cancelled'); this is the fallback.
      patchTraining({ phase: 'failed', error: 'The run was stopped.', stopping: false });
      void loadRuns();
      break;
    default: // the other jobs' events
  }
}

/**
 * Follows a run that is training on the host but was started before this window was loaded:
 * its events drive the monitor from now on, and its record fills in what came before (tasks,
 * epochs so far).
 */
function adoptRun(jobId: string, runId: string): void {
  known.add(jobId);
  set({
    training: {
      phase: 'training',
      jobId,
      runId,
      dataPath: '',
      label: '',
      live: initialLive(),
      reading: null,
      stopping: false,
      result: null,
      error: null,
      problems: [],
    },
  });
  api()
    .runsGet(runId)
    .then(
      (detail) => {
        const training = get().training;
        if (training?.runId !== runId) return;
        const optimizer = detail.project.graph.blocks.find((b) => b.type === 'optimizer');
        const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
        const live = training.live;
        const core =
          detail.tasks[coreTaskIndex(detail.tasks.map((t) => ({ ...t, column: t.name })))];
        const history = [
          ...detail.history,
          ...live.history.filter((h) => !detail.history.some((d) => d.epoch === h.epoch)),
        ].sort((a, b) => a.epoch - b.epoch);
        patchTraining({
          dataPath: detail.dataPath,
          label: detail.label,
          live: {
            ...live,
            tasks: live.tasks.length > 0 ? live.tasks : detail.tasks,
            core: live.core || (core?.name ?? ''),
            epochs: live.epochs || num(optimizer?.params.epochs, detail.epochs),
            batchSize: live.batchSize || num(optimizer?.params.batchSize, 0),
            history,
          },
        });
      },
      () => undefined,
    );
}

export function isTraining(training: TrainingState | null): boolean {
  return (
    training !== null &&
    training.phase !== 'done' &&
    training.phase !== 'failed' &&
    training.phase !== 'blocked'
  );
}

/**
 * Checks the project against its data (data:check) and, when nothing blocks it, starts a run.
 * Resolves true once the run has started.
 */
export async function startTraining(
  project: ProjectFile,
  dataPath: string,
  label?: string,
): Promise<boolean> {
  if (isTraining(get().training)) return false;
  const runLabel = label?.trim() || '';
  set({
    training: {
      phase: 'checking',
      jobId: null,
      runId: null,
      dataPath,
      label: runLabel,
      live: initialLive(),
      reading: null,
      stopping: false,
      result: null,
      error: null,
      problems: [],
    },
  });
  const htlnet = api();
  let problems: Problem[];
  try {
    problems = await htlnet.dataCheck(project, dataPath);
  } catch (error) {
    patchTraining({ phase: 'failed', error: errorText(error) });
    return false;
  }
  set({ dataProblems: problems });
  if (get().training?.stopping) {
    // Stopped while the data was being checked: nothing was started.
    set({ training: null });
    return false;
  }
  patchTraining({ problems });
  if (problems.some((p) => p.severity === 'error')) {
    patchTraining({ phase: 'blocked' });
    return false;
  }
  patchTraining({ phase: 'starting' });
  try {
    let runId: string | null = null;
    await runJob(
      async () => {
        const started = await htlnet.trainStart({
          project,
          dataPath,
          ...(runLabel ? { label: runLabel } : {}),
        });
        runId = started.runId;
        return started;
      },
      (jobId) => {
        patchTraining({ jobId, runId });
        // Stop was pressed while the run was being started: stop it now.
        if (get().training?.stopping) {
          void htlnet.jobCancel(jobId).catch(() => undefined);
        }
      },
    );
    return true;
  } catch (error) {
    patchTraining({ phase: 'failed', error: errorText(error) });
    return false;
  }
}

/** Stops the live run after its current batch; it keeps its best weights and is evaluated. */
export async function stopTraining(): Promise<void> {
  const training = get().training;
  if (!training || !isTraining(training)) return;
  patchTraining({ stopping: true });
  // Not started yet (checking the data): startTraining sees the flag and stops there.
  if (!training.jobId) return;
  try {
    await api().jobCancel(training.jobId);
  } catch (error) {
    patchTraining({ stopping: false, error: errorText(error) });
  }
}

export function dismissTraining(): void {
  if (!isTraining(get().training)) set({ training: null });
}

// ---- runs ------------------------------------------------------------------------------------

function newest(runs: readonly RunSummary[]): string | null {
  let best: RunSummary | null = null;
  for (const r of runs) if (!best || r.startedAt > best.startedAt) best = r;
  return best?.id ?? null;
}

export async function loadRuns(): Promise<void> {
  set({ runsStatus: get().runsStatus === 'ready' ? 'ready' : 'loading' });
  try {
    const runs = await api().runsList();
    const ids = new Set(runs.map((r) => r.id));
    const { compare, openRun } = get();
    set({
      runs,
      runsStatus: 'ready',
      runsError: null,
      compare: compare.filter((id) => ids.has(id)),
      openRun: openRun && ids.has(openRun) ? openRun : newest(runs),
    });
  } catch (error) {
    set({ runsStatus: 'error', runsError: errorText(error) });
  }
}

export async function loadDetail(runId: string, force = false): Promise<RunDetail | null> {
  const cached = get().details[runId];
  if (cached && !force && cached.status !== 'running') return cached;
  try {
    const detail = await api().runsGet(runId);
    set({ details: { ...get().details, [runId]: detail } });
    return detail;
  } catch (error) {
    set({ detailErrors: { ...get().detailErrors, [runId]: errorText(error) } });
    return null;
  }
}

export function openRunDetail(runId: string | null): void {
  set({ openRun: runId, resultsView: 'runs' });
}

export function setResultsView(view: ResultsView): void {
  set({ resultsView: view });
}

/** File › Export Model as ONNX…: show the open run (the newest if none) with its export focused. */
export function requestOnnxExport(): void {
  set({ resultsView: 'runs', onnxRequest: get().onnxRequest + 1 });
}

export function toggleCompare(runId: string): void {
  const compare = get().compare;
  set({
    compare: compare.includes(runId) ? compare.filter((id) => id !== runId) : [...compare, runId],
  });
}

export function setCompare(ids: string[]): void {
  set({ compare: ids });
}

export function setSort(key: SortKey): void {
  const sort = get().sort;
  set({
    sort:
      sort.key === key
        ? { key, dir: sort.dir === 'asc' ? 'desc' : 'asc' }
        : { key, dir: key === 'time' ? 'desc' : 'asc' },
  });
}

export async function deleteRun(runId: string): Promise<boolean> {
  try {
    await api().runsDelete(runId);
  } catch (error) {
    set({ runsError: errorText(error) });
    return false;
  }
  const { [runId]: _gone, ...details } = get().details;
  set({
    runs: get().runs.filter((r) => r.id !== runId),
    details,
    compare: get().compare.filter((id) => id !== runId),
    openRun: get().openRun === runId ? null : get().openRun,
  });
  return true;
}

// ---- export and scoring -----------------------------------------------------------------------

export async function exportModel(
  runId: string,
  dest: string,
  format: ExportFormat = 'folder',
): Promise<string | null> {
  set({ exports: { ...get().exports, [runId]: { status: 'busy' } } });
  try {
    if (format === 'onnx') {
      const onnx = await api().modelExportOnnx(runId, dest);
      const done = { status: 'done' as const, path: onnx.out, preprocessing: onnx.preprocessing };
      set({ exports: { ...get().exports, [runId]: done } });
      return onnx.out;
    }
    const path = await api().modelExport(runId, dest);
    set({ exports: { ...get().exports, [runId]: { status: 'done', path } } });
    return path;
  } catch (error) {
    set({ exports: { ...get().exports, [runId]: { status: 'failed', error: errorText(error) } } });
    return null;
  }
}

function onScoreEvent(event: JobEvent): void {
  const score = get().score;
  switch (event.type) {
    case 'job:progress':
      set({
        score: {
          ...score,
          phase: 'running',
          done: event.done,
          total: event.total,
          stage: event.stage,
        },
      });
      break;
    case 'score:done':
      set({ score: { ...score, phase: 'done', result: event.result, error: null } });
      break;
    case 'job:failed':
      set({ score: { ...score, phase: 'failed', error: event.error } });
      break;
    case 'job:cancelled':
      set({ score: { ...score, phase: 'failed', error: 'Scoring was cancelled.' } });
      break;
    default: // the other jobs' events
  }
}

export function setScoreSource(source: ScoreRequestArgs['source'] | null): void {
  set({ scoreSource: source });
}

/** Opens the Score view with a run's model. */
export function scoreWithRun(runId: string): void {
  set({ scoreSource: { runId }, resultsView: 'score' });
}

export function isScoring(score: ScoreState): boolean {
  return score.phase === 'starting' || score.phase === 'running';
}

/**
 * Starts scoring: 'started', 'failed' (the error is in the state), or 'output-exists' when the
 * predictions file exists and the app did not write it (nothing is shown: the caller asks the
 * user, then retries with `replace: true`).
 */
export async function startScore(
  request: ScoreRequestArgs,
): Promise<'started' | 'failed' | 'output-exists'> {
  if (isScoring(get().score)) return 'failed';
  const before = get().score;
  set({ score: { ...idleScore, phase: 'starting', out: request.out, request } });
  try {
    await runJob(
      () => api().scoreStart(request),
      (jobId) => set({ score: { ...get().score, jobId, phase: 'running' } }),
    );
    return 'started';
  } catch (error) {
    if (errorCode(error) === 'output-exists' && !request.replace) {
      set({ score: before });
      return 'output-exists';
    }
    set({ score: { ...get().score, phase: 'failed', error: errorText(error) } });
    return 'failed';
  }
}

export async function cancelScore(): Promise<void> {
  const score = get().score;
  if (score.jobId && isScoring(score))
    await api()
      .jobCancel(score.jobId)
      .catch(() => undefined);
}
