// The project slice: start-up (catalog, templates, recovery), and the document's life: new,
// open (a path, a dialog, an upload), save, save as, recent projects, crash recovery.
// Nothing the user made is replaced before the replacement has been read successfully.

import type { OpenedProject } from '../../src-main/ipc/api';
import {
  defaultTrainingSettings,
  PROJECT_EXTENSION,
  PROJECT_FORMAT,
  PROJECT_VERSION,
  type ProjectFile,
} from '../../src-main/shared/project';
import { indexCatalog } from './catalog';
import { emptyHistory } from './history';
import type { SliceEnv } from './slice';
import { NO_SELECTION, type AppState, type ProjectSlice } from './types';

/** A project with nothing in it (no blocks, no data binding). */
export function emptyProject(name = 'Untitled'): ProjectFile {
  return {
    format: PROJECT_FORMAT,
    version: PROJECT_VERSION,
    name,
    graph: { blocks: [], edges: [] },
    data: { features: [], tasks: [], excluded: [] },
    training: defaultTrainingSettings(),
  };
}

export function isDirty(state: Pick<AppState, 'project' | 'saved'>): boolean {
  return state.saved !== state.project;
}

/** The name in the title bar: the file's, else the project's. */
export function documentName(state: Pick<AppState, 'project' | 'fileName'>): string {
  return state.fileName ?? (state.project.name.trim() || 'Untitled');
}

/** "Shop funnel" → "shop-funnel.htlnet.json" */
function suggestedFileName(name: string): string {
  const base = name
    .trim()
    .replace(/\.htlnet\.json$/i, '')
    .replace(/[^\p{L}\p{N}._ -]+/gu, '')
    .replace(/\s+/g, '-')
    .toLowerCase();
  return `${base || 'untitled'}${PROJECT_EXTENSION}`;
}

export function withProjectExtension(path: string): string {
  if (/\.htlnet\.json$/i.test(path)) return path;
  if (/\.json$/i.test(path)) return path.replace(/\.json$/i, PROJECT_EXTENSION);
  return `${path}${PROJECT_EXTENSION}`;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function createProjectSlice({ set, get, blank }: SliceEnv): ProjectSlice {
  const isElectron = () => get().info?.mode === 'electron';

  /** true when the document may be replaced (saved, nothing to save, or discarded). */
  async function mayReplace(action: string): Promise<boolean> {
    if (!isDirty(get())) return true;
    const choice = await get().confirmDiscard(action);
    if (choice === 'save') return get().save();
    return choice === 'discard';
  }

  function replaceDocument(
    project: ProjectFile,
    fields: Partial<Pick<AppState, 'path' | 'fileName' | 'saved' | 'notice'>>,
  ): void {
    set({
      project,
      path: null,
      fileName: null,
      saved: project,
      notice: null,
      history: emptyHistory(),
      selection: NO_SELECTION,
      problems: [],
      shapes: {},
      documentId: get().documentId + 1,
      // An empty canvas starts at full size, not at the zoom a big template was fitted to.
      ...(project.graph.blocks.length === 0 ? { viewport: null } : {}),
      ...fields,
    });
    get().fitView();
  }

  function loadOpened(opened: OpenedProject): void {
    const parts: string[] = [];
    if (opened.migratedFrom !== null) {
      parts.push(
        `"${opened.name}" was made by an older version of HTLNet Studio: migrated from version ${opened.migratedFrom}; saving writes version ${PROJECT_VERSION}.`,
      );
    }
    if (opened.warnings?.length) parts.push(...opened.warnings);
    const notice = parts.length > 0 ? parts.join(' ') : null;
    replaceDocument(opened.project, {
      path: opened.path,
      fileName: opened.name,
      saved: opened.project,
      notice,
    });
    void get()
      .api.recoveryClear()
      .catch(() => undefined);
    void get().refreshRecent();
  }

  async function writeTo(path: string): Promise<boolean> {
    const project = get().project;
    set({ busy: 'Saving…' });
    try {
      const saved = await get().api.projectSave(path, project);
      set({ path: saved.path, fileName: saved.name, saved: project, notice: null });
      get().toast('success', `Saved ${saved.name}.`);
      void get()
        .api.recoveryClear()
        .catch(() => undefined);
      void get().refreshRecent();
      return true;
    } catch (error) {
      get().showError(`Could not save ${baseName(path)}`, error);
      return false;
    } finally {
      set({ busy: null });
    }
  }

  return {
    status: 'loading',
    startError: null,
    info: null,
    catalog: null,
    templates: [],
    recent: [],
    path: null,
    fileName: null,
    saved: blank,
    blank,
    notice: null,
    busy: null,
    documentId: 0,

    async start() {
      const { api } = get();
      try {
        const [info, catalog, templates] = await Promise.all([
          api.appInfo(),
          api.catalogGet(),
          api.templatesList(),
        ]);
        set({ info, catalog: indexCatalog(catalog), templates });
      } catch (error) {
        set({
          status: 'error',
          startError: error instanceof Error ? error.message : String(error),
        });
        return;
      }
      // New projects are bound to the built-in sample's columns, as templates are. Unsaved work
      // from a session that ended badly is read before the app shows, so its prompt comes up with
      // the app rather than over whatever the user has started clicking.
      const [start, recovery] = await Promise.all([
        api.projectNew().catch(() => get().blank),
        // An unreadable recovery file is not worth an error at start-up.
        api.recoveryRead().catch(() => null),
      ]);
      set({ blank: start, status: 'ready' });
      replaceDocument(start, {});
      if (recovery) set({ dialog: { kind: 'recovery', recovery } });
      void get().refreshRecent();
    },

    async newProject(template, data = null) {
      if (!(await mayReplace('start a new project'))) return;
      const blank = get().blank;
      replaceDocument(data ? { ...blank, data: structuredClone(data) } : blank, {});
      void get()
        .api.recoveryClear()
        .catch(() => undefined);
      if (template !== null) await get().loadTemplate(template, data);
    },

    async openProject(path) {
      if (!(await mayReplace('open another project'))) return;
      const { api } = get();
      let file: string | null;
      try {
        file =
          path ??
          (isElectron() ? await api.dialogOpenFile('project') : await get().chooseFile('open', ''));
      } catch (error) {
        get().showError('Could not choose a file', error);
        return;
      }
      if (!file) return;
      set({ busy: 'Opening…' });
      try {
        loadOpened(await api.projectOpen(file));
      } catch (error) {
        get().showError(`Could not open ${baseName(file)}`, error);
      } finally {
        set({ busy: null });
      }
    },

    async uploadProject(file) {
      if (!(await mayReplace('open another project'))) return;
      set({ busy: 'Opening…' });
      try {
        const text = await file.text();
        loadOpened(await get().api.projectParse(text, file.name));
      } catch (error) {
        get().showError(`Could not open ${file.name}`, error);
      } finally {
        set({ busy: null });
      }
    },

    async save() {
      const { path } = get();
      return path ? writeTo(path) : get().saveAs();
    },

    async saveAs() {
      const { api, fileName, project } = get();
      const suggested = fileName ?? suggestedFileName(project.name);
      let file: string | null;
      try {
        file = isElectron()
          ? await api.dialogSaveFile('project', suggested)
          : await get().chooseFile('save', suggested);
      } catch (error) {
        get().showError('Could not choose a file', error);
        return false;
      }
      if (!file) return false;
      const target = withProjectExtension(file);
      // A project still called "Untitled" takes the name it is saved under: runs, comparisons
      // and exports are labelled with the project's name.
      if (!project.name.trim() || project.name.trim() === 'Untitled') {
        const named = baseName(target).replace(/\.htlnet\.json$/i, '');
        if (named) set({ project: { ...project, name: named } });
      }
      return writeTo(target);
    },

    restoreRecovery(recovery) {
      replaceDocument(recovery.project, {
        path: recovery.path,
        fileName: recovery.path ? recovery.name : null,
        saved: null,
        notice: `Restored the unsaved work of ${new Date(recovery.savedAt).toLocaleString()}. Save it to keep it.`,
      });
      set({ dialog: null });
    },

    async discardRecovery() {
      set({ dialog: null });
      try {
        await get().api.recoveryClear();
      } catch {
        // Nothing to do: the next autosave replaces it.
      }
    },

    async refreshRecent() {
      try {
        set({ recent: await get().api.projectRecent() });
      } catch {
        set({ recent: [] });
      }
    },

    dismissNotice() {
      set({ notice: null });
    },
  };
}
