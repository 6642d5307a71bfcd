// The editor's state: four zustand slices (graph, history, project, ui) in one store. The types
// live here so the slices can refer to each other's parts.

import type {
  AppInfo,
  Recovery,
  RecentProject,
  RendererApi,
  TemplateSummary,
} from '../../src-main/ipc/api';
import type { BlockShapes, Problem } from '../../src-main/shared/problems';
import type {
  BlockType,
  DataBinding,
  ParamValue,
  PortRef,
  ProjectFile,
} from '../../src-main/shared/project';
import type { CatalogIndex } from './catalog';
import type { ConnectionCheck } from './connection';
import type { XY } from './graph-ops';
import type { History } from './history';

export interface Selection {
  blocks: readonly string[];
  edges: readonly string[];
}

export const NO_SELECTION: Selection = { blocks: [], edges: [] };

interface EditOptions {
  /** Edits with the same key in a row are one undo step (typing in one field). */
  coalesce?: string;
  /** The selection after the edit (default: the current one, minus what no longer exists). */
  select?: Selection;
}

export interface GraphSlice {
  /** The document being edited. */
  project: ProjectFile;
  selection: Selection;
  /** The engine's problems and shapes for the latest validated project. */
  problems: Problem[];
  shapes: Record<string, BlockShapes>;
  /** 'pending' while a validation of the current project is on its way. */
  validation: 'idle' | 'pending' | 'failed';
  validationError: string | null;
  /** Applies an edit as one undo step; false when it changed nothing. */
  edit(recipe: (project: ProjectFile) => ProjectFile, options?: EditOptions): boolean;
  /** Adds a block at a position (default: the middle of the view); returns its id. */
  addBlock(type: BlockType, position?: XY): string | null;
  deleteSelection(): void;
  /** Connects an output to an input when allowed; a refusal is shown as a toast. */
  connect(source: PortRef, target: PortRef): ConnectionCheck;
  /**
   * Adds a block of `type` left of the target's block and connects its `output` to the target
   * port, as one undo step; returns the new block's id (null when refused).
   */
  addAndConnect(type: BlockType, output: string, target: PortRef): string | null;
  /**
   * Sets a parameter. With `coalesce` (typing in a field), a run of edits of the same field is
   * one undo step. A task head's task also sets its kind to the task's type.
   */
  setParam(id: string, name: string, value: ParamValue, options?: { coalesce?: boolean }): void;
  setLabel(id: string, label: string): void;
  /** Dragging blocks: moves show at once, and the whole drag is one undo step at its end. */
  beginMove(): void;
  moveLive(positions: Record<string, XY>): void;
  endMove(): void;
  select(selection: Selection): void;
  selectAll(): void;
  /** Copies the selection: the clipboard text (also kept in memory), or null. */
  copy(): Promise<string | null>;
  cut(): Promise<string | null>;
  /** Pastes clipboard text (default: the system clipboard, else what was copied here). */
  paste(text?: string | null): Promise<void>;
  duplicate(): void;
  tidyLayout(): Promise<void>;
  /** Replaces the graph with a template's, built for `data` when given. */
  loadTemplate(kind: string, data?: DataBinding | null): Promise<void>;
  /** Validates now (the store also does so on its own, debounced, after every model edit). */
  validateNow(): Promise<void>;
}

export interface HistorySlice {
  history: History<ProjectFile>;
  undo(): void;
  redo(): void;
  /** Ends the current coalesced step (a field lost the focus). */
  sealHistory(): void;
}

export type DocumentChoice = 'save' | 'discard' | 'cancel';

export interface ProjectSlice {
  status: 'loading' | 'ready' | 'error';
  startError: string | null;
  info: AppInfo | null;
  catalog: CatalogIndex | null;
  templates: TemplateSummary[];
  recent: RecentProject[];
  /** Where the document is saved, or null when it never was. */
  path: string | null;
  /** The file name in the title; null: the project's own name. */
  fileName: string | null;
  /** The document as last saved or opened; dirty when `project` is another object. */
  saved: ProjectFile | null;
  /** An empty project bound to the built-in sample (what New starts from). */
  blank: ProjectFile;
  /** A message about the open document (e.g. it was migrated), until dismissed or saved. */
  notice: string | null;
  /** Bumped each time the document is replaced (new, open, recovery): per-project state resets. */
  documentId: number;
  busy: string | null;
  start(): Promise<void>;
  /**
   * A new document, empty or from a template (asks first when there are unsaved changes), bound
   * to `data` (e.g. the previous project's data: switching models keeps it) or to the built-in
   * sample's columns with no file yet.
   */
  newProject(template: string | null, data?: DataBinding | null): Promise<void>;
  /** Opens a project file (asks for one when no path is given). */
  openProject(path?: string): Promise<void>;
  /** Opens a file picked in the page (browser mode's upload). */
  uploadProject(file: { name: string; text(): Promise<string> }): Promise<void>;
  save(): Promise<boolean>;
  saveAs(): Promise<boolean>;
  restoreRecovery(recovery: Recovery): void;
  discardRecovery(): Promise<void>;
  refreshRecent(): Promise<void>;
  dismissNotice(): void;
}

type Dialog =
  | { kind: 'templates' }
  | {
      kind: 'file';
      mode: 'open' | 'save';
      suggestedName: string;
      resolve(path: string | null): void;
    }
  | { kind: 'confirm'; title: string; message: string; resolve(choice: DocumentChoice): void }
  | { kind: 'recovery'; recovery: Recovery }
  | { kind: 'about' }
  | { kind: 'error'; title: string; message: string };

export interface Toast {
  id: number;
  kind: 'info' | 'success' | 'error';
  message: string;
}

export type Tab = 'model' | 'data' | 'train' | 'results';

export interface UiSlice {
  dialog: Dialog | null;
  toasts: Toast[];
  tab: Tab;
  snapToGrid: boolean;
  theme: 'light' | 'dark';
  /** The canvas centres this block when the request changes. */
  focusRequest: { id: string; n: number } | null;
  /** The canvas fits the view when this changes. */
  fitRequest: number;
  /** Where the canvas was looking, kept while another tab is shown. */
  viewport: { x: number; y: number; zoom: number } | null;
  setViewport(viewport: { x: number; y: number; zoom: number }): void;
  /** Why the connection being dragged is refused (shown near the cursor and in the status bar). */
  connectionHint: string | null;
  /** The middle of the visible canvas in graph coordinates (the canvas registers it). */
  viewCentre: () => XY;
  setViewCentre(get: () => XY): void;
  openDialog(dialog: Dialog): void;
  closeDialog(): void;
  toast(kind: Toast['kind'], message: string): void;
  dismissToast(id: number): void;
  showError(title: string, error: unknown): void;
  /** Asks what to do with unsaved changes before they would be replaced. */
  confirmDiscard(action: string): Promise<DocumentChoice>;
  /** The in-app file browser (browser mode): a path, or null when cancelled. */
  chooseFile(mode: 'open' | 'save', suggestedName: string): Promise<string | null>;
  focusBlock(id: string): void;
  fitView(): void;
  setConnectionHint(hint: string | null): void;
  toggleSnap(): void;
  toggleTheme(): void;
  setTab(tab: Tab): void;
}

export interface ClipboardAccess {
  write(text: string): Promise<void>;
  /** The clipboard's text, or null when it cannot be read. */
  read(): Promise<string | null>;
}

export interface StoreOptions {
  /** Milliseconds after the last model edit before it is validated. */
  validateDelay?: number;
  /** Milliseconds after the last edit before unsaved work is written to the recovery file. */
  autosaveDelay?: number;
  historyLimit?: number;
  /** The system clipboard (default: navigator.clipboard when there is one). */
  clipboard?: ClipboardAccess | null;
  /** Applies a theme (default: theme.ts, on <html>). */
  applyTheme?: (theme: 'light' | 'dark') => void;
  initialTheme?: 'light' | 'dark';
}

export type AppState = GraphSlice &
  HistorySlice &
  ProjectSlice &
  UiSlice & {
    api: RendererApi;
    /** What was copied last (the clipboard when the system one cannot be read). */
    clipboardText: string | null;
    pasteCount: number;
  };
