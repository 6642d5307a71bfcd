// The graph slice: the document, the selection, every edit of the graph (each one undo step)
// and the engine's problems and shapes for it.

import type { ParamValue, ProjectFile } from '../../src-main/shared/project';
import { blockTitle } from './catalog';
import { copySelection, parseClipboard, pasteInto, serializeClipboard } from './clipboard';
import { checkConnection } from './connection';
import {
  addBlocks,
  atTypeLimit,
  connect,
  createBlock,
  freePosition,
  removeElements,
  setLabel,
  setParam,
  setParams,
  setPositions,
} from './graph-ops';
import { record } from './history';
import { feederPosition } from './suggest';
import type { SliceEnv } from './slice';
import { NO_SELECTION, type GraphSlice, type Selection } from './types';

const PASTE_OFFSET = 40;

/** The selection without what no longer exists in the project. */
export function pruneSelection(selection: Selection, project: ProjectFile): Selection {
  const blocks = new Set(project.graph.blocks.map((b) => b.id));
  const edges = new Set(project.graph.edges.map((e) => e.id));
  const keptBlocks = selection.blocks.filter((id) => blocks.has(id));
  const keptEdges = selection.edges.filter((id) => edges.has(id));
  if (
    keptBlocks.length === selection.blocks.length &&
    keptEdges.length === selection.edges.length
  ) {
    return selection;
  }
  return { blocks: keptBlocks, edges: keptEdges };
}

export function createGraphSlice({ set, get, options, blank }: SliceEnv): GraphSlice {
  let moveOrigin: ProjectFile | null = null;

  const slice: GraphSlice = {
    project: blank,
    selection: NO_SELECTION,
    problems: [],
    shapes: {},
    validation: 'idle',
    validationError: null,

    edit(recipe, opts = {}) {
      const before = get().project;
      const after = recipe(before);
      if (after === before) {
        if (opts.select) set({ selection: opts.select });
        return false;
      }
      set({
        project: after,
        history: record(get().history, before, opts.coalesce ?? null, options.historyLimit),
        selection: opts.select ?? pruneSelection(get().selection, after),
      });
      return true;
    },

    addBlock(type, position) {
      const { catalog, project } = get();
      if (!catalog) return null;
      const spec = catalog.byType.get(type);
      if (!spec) return null;
      if (atTypeLimit(catalog, project, type)) {
        const existing = project.graph.blocks.find((b) => b.type === type);
        get().toast(
          'info',
          `The graph already has ${spec.maxPerGraph === 1 ? 'its' : 'the most'} ${spec.title.toLowerCase()} block${spec.maxPerGraph === 1 ? ' (one per model)' : 's'}.`,
        );
        if (existing) get().focusBlock(existing.id);
        return null;
      }
      const centre = get().viewCentre();
      // A drop lands where it was dropped; a click finds room near the middle of the view.
      const snap = (v: number) => (get().snapToGrid ? Math.round(v / 20) * 20 : v);
      const at =
        position ?? freePosition(project, { x: snap(centre.x - 90), y: snap(centre.y - 60) });
      const block = createBlock(catalog, project, type, at);
      get().edit((p) => addBlocks(p, [block]), { select: { blocks: [block.id], edges: [] } });
      return block.id;
    },

    deleteSelection() {
      const { selection } = get();
      if (selection.blocks.length === 0 && selection.edges.length === 0) return;
      get().edit((p) => removeElements(p, selection.blocks, selection.edges), {
        select: NO_SELECTION,
      });
    },

    connect(source, target) {
      const { catalog, project } = get();
      if (!catalog)
        return { isValid: false, code: 'missing', reason: 'The catalog is not loaded.' };
      const check = checkConnection(catalog, project.graph, source, target);
      if (!check.isValid) {
        get().toast('error', `Not connected. ${check.reason}`);
        return check;
      }
      let edge = '';
      get().edit((p) => {
        const result = connect(p, source, target);
        edge = result.edge;
        return result.project;
      });
      set({ selection: { blocks: [], edges: [edge] } });
      return check;
    },

    addAndConnect(type, output, target) {
      const { catalog, project } = get();
      if (!catalog || !catalog.byType.has(type) || atTypeLimit(catalog, project, type)) return null;
      const into = project.graph.blocks.find((b) => b.id === target.block);
      if (!into) return null;
      const block = createBlock(
        catalog,
        project,
        type,
        freePosition(project, feederPosition(into)),
      );
      const withBlock = addBlocks(project, [block]);
      const source = { block: block.id, port: output };
      const check = checkConnection(catalog, withBlock.graph, source, target);
      if (!check.isValid) {
        get().toast('error', `Not connected. ${check.reason}`);
        return null;
      }
      get().edit(() => connect(withBlock, source, target).project, {
        select: { blocks: [block.id], edges: [] },
      });
      get().focusBlock(block.id);
      return block.id;
    },

    setParam(id, name, value, opts = {}) {
      const { project } = get();
      const block = project.graph.blocks.find((b) => b.id === id);
      if (!block) return;
      // Choosing a head's task also sets its kind to the task's type: one step.
      if (block.type === 'task-head' && name === 'task') {
        const task = project.data.tasks.find((t) => t.name === value);
        const values: Record<string, ParamValue> = task
          ? { task: task.name, kind: task.type }
          : { task: value };
        get().edit((p) => setParams(p, id, values));
        return;
      }
      get().edit((p) => setParam(p, id, name, value), {
        coalesce: opts.coalesce ? `param:${id}:${name}` : undefined,
      });
    },

    setLabel(id, label) {
      get().edit((p) => setLabel(p, id, label), { coalesce: `label:${id}` });
    },

    beginMove() {
      moveOrigin = get().project;
    },

    moveLive(positions) {
      if (moveOrigin === null) moveOrigin = get().project;
      set({ project: setPositions(get().project, positions) });
    },

    endMove() {
      const before = moveOrigin;
      moveOrigin = null;
      const after = get().project;
      if (before === null || before === after) return;
      set({ history: record(get().history, before, null, options.historyLimit) });
    },

    select(selection) {
      const current = get().selection;
      const same = (a: readonly string[], b: readonly string[]) =>
        a.length === b.length && a.every((x, i) => x === b[i]);
      if (same(current.blocks, selection.blocks) && same(current.edges, selection.edges)) return;
      set({ selection });
    },

    selectAll() {
      const { graph } = get().project;
      set({
        selection: { blocks: graph.blocks.map((b) => b.id), edges: graph.edges.map((e) => e.id) },
      });
    },

    async copy() {
      const { project, selection } = get();
      const data = copySelection(project, selection.blocks);
      if (!data) return null;
      const text = serializeClipboard(data);
      set({ clipboardText: text, pasteCount: 0 });
      try {
        await options.clipboard?.write(text);
      } catch {
        // The system clipboard refused: pasting here still works from memory.
      }
      return text;
    },

    async cut() {
      const text = await get().copy();
      if (text !== null) get().deleteSelection();
      return text;
    },

    async paste(text) {
      let source: string | null;
      if (typeof text === 'string') {
        source = text;
      } else {
        let system: string | null = null;
        if (text === undefined) {
          try {
            system = (await options.clipboard?.read()) ?? null;
          } catch {
            system = null; // not allowed to read it: use what was copied here
          }
        }
        source = system !== null && parseClipboard(system) ? system : get().clipboardText;
      }
      const data = source === null ? null : parseClipboard(source);
      const { catalog } = get();
      if (!data || !catalog) {
        get().toast(
          'info',
          typeof text === 'string'
            ? 'The clipboard holds no blocks to paste.'
            : 'Nothing to paste: copy some blocks first.',
        );
        return;
      }
      const count = source === get().clipboardText ? get().pasteCount + 1 : 1;
      const result = pasteInto(
        get().project,
        data,
        { x: PASTE_OFFSET * count, y: PASTE_OFFSET * count },
        catalog,
      );
      set({ pasteCount: count });
      get().edit(() => result.project, {
        select: { blocks: result.blockIds, edges: result.edgeIds },
      });
      if (result.skipped.length > 0) {
        const names = result.skipped.map((b) => blockTitle(catalog, b)).join(', ');
        get().toast('info', `Not pasted (one per model, or unknown): ${names}.`);
      }
    },

    duplicate() {
      const { project, selection, catalog } = get();
      const data = copySelection(project, selection.blocks);
      if (!data || !catalog) return;
      const result = pasteInto(project, data, { x: PASTE_OFFSET, y: PASTE_OFFSET }, catalog);
      get().edit(() => result.project, {
        select: { blocks: result.blockIds, edges: result.edgeIds },
      });
      if (result.skipped.length > 0) {
        get().toast(
          'info',
          `Not duplicated (one per model): ${result.skipped.map((b) => blockTitle(catalog, b)).join(', ')}.`,
        );
      }
    },

    async tidyLayout() {
      const before = get().project;
      if (before.graph.blocks.length === 0) return;
      try {
        const positions = await get().api.graphLayout(before);
        get().edit((p) => setPositions(p, positions));
        get().fitView();
      } catch (error) {
        get().showError('Could not tidy the layout', error);
      }
    },

    async loadTemplate(kind, data) {
      try {
        const api = get().api;
        const project = data
          ? await api.templatesCreate(kind, data)
          : await api.templatesCreate(kind);
        get().edit(() => project, { select: NO_SELECTION });
        get().fitView();
      } catch (error) {
        get().showError('Could not create the template', error);
      }
    },

    // eslint-disable-next-line @typescript-eslint/require-await -- the contract is a promise
    validateNow: async () => undefined, // replaced by the store's validator (store.ts)
  };
  return slice;
}
