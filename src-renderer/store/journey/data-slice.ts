// The import wizard's slice of the journey store: reading a CSV on the host (or uploading it
// first in browser mode), the preview and the binding draft, applying the draft to the project,
// and the one-click sample (data, template and a first run).

import type { DataPreview } from '../../../src-main/ipc/api';
import type { DataBinding, ProjectFile } from '../../../src-main/shared/project';
import { baseName } from '../../ui/format';
import { draftFromPreview, draftToBinding, renameTaskLabels } from './binding';
import { errorCode, errorText } from './errors';
import type { DataSlice, JobEvent, JourneyEnv } from './types';

export const SAMPLE_ROWS = 100_000;
/** Epochs of the one-click first run: enough to see the curves move in about a minute. */
export const SAMPLE_EPOCHS = 3;

export function createDataSlice(env: JourneyEnv): DataSlice {
  const { set, get, api } = env;
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

  env.on.import = (event: JobEvent) => {
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
  };

  async function importFile(
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
      const { done } = await env.jobs.run(
        () => api.dataImport(path),
        (jobId) => {
          const importing = get().importing;
          if (importing.status === 'importing' && importing.path === path) {
            set({ importing: { ...importing, jobId } });
          } else {
            // Cancelled (or replaced) before the host said which job it was.
            void api.jobCancel(jobId).catch(() => undefined);
          }
        },
      );
      const last = await done;
      return last.type === 'import:done' ? last.preview : null;
    } catch (error) {
      set({
        importing: { status: 'idle' },
        importErrorTitle: null,
        importError: errorText(error),
      });
      return null;
    }
  }

  return {
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

    importFile,

    async uploadAndImport(file, current = null) {
      const extras = get().uploads();
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
    },

    async cancelImport() {
      const importing = get().importing;
      if (importing.status !== 'importing') return;
      set({ importing: { status: 'idle' }, importNotice: 'Import cancelled.' });
      if (importing.jobId) await api.jobCancel(importing.jobId).catch(() => undefined);
    },

    async reopenPreview(path, current, goToColumns = true) {
      try {
        const preview = await api.dataPreview(path);
        if (!preview || get().preview) return false;
        bindingForNextPreview = current;
        acceptPreview(preview, goToColumns);
        return true;
      } catch {
        return false;
      }
    },

    updateDraft(update) {
      const draft = get().draft;
      if (draft) set({ draft: update(draft) });
    },

    setStep(step) {
      set({ step });
    },

    selectColumn(name) {
      set({ selectedColumn: name });
    },

    async applyDraft(project) {
      const draft = get().draft;
      if (!draft) return null;
      const binding = draftToBinding(draft);
      try {
        // Heads, towers and label embeddings named after the old tasks take the new names.
        const next = renameTaskLabels(project, await api.projectRebind(project, binding));
        set({ applied: binding, applyError: null, dataProblems: [] });
        return next;
      } catch (error) {
        set({ applyError: errorText(error) });
        return null;
      }
    },

    async trySample(onProject, rows = SAMPLE_ROWS, epochs = SAMPLE_EPOCHS) {
      const fail = (error: unknown) => {
        set({ sample: { step: 'failed', error: errorText(error) } });
        return false;
      };
      try {
        set({ sample: { step: 'sample', error: null } });
        const path = await api.dataSample(rows);
        set({ sample: { step: 'import', error: null } });
        const preview = await importFile(path);
        if (!preview) return fail(get().importError ?? 'The sample could not be read.');
        set({ sample: { step: 'template', error: null } });
        const template = await api.templatesCreate('htlnet');
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
        set({
          draft: draftFromPreview(preview, project.data),
          applied: project.data,
          step: 'review',
        });
        onProject(project);
        set({ sample: { step: 'train', error: null } });
        const started = await get().startTraining(
          project,
          path,
          `Sample: HTLNet, ${epochs} epochs`,
        );
        set({ sample: started ? null : { step: 'failed', error: get().training?.error ?? null } });
        return started;
      } catch (error) {
        return fail(error);
      }
    },
  };
}
