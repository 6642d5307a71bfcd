// Pure edits of a project's graph: each takes a project and returns a new one (or the same
// object when nothing changed), sharing everything it did not touch. The store records the
// returned projects in its undo history, so nothing here mutates its input.

import type {
  Block,
  BlockType,
  Edge,
  ParamValue,
  PortRef,
  ProjectFile,
} from '../../src-main/shared/project';
import { blockParams } from '../../src-main/shared/catalog';
import { defaultParams, type CatalogIndex } from './catalog';

export type XY = { x: number; y: number };

function withGraph(
  project: ProjectFile,
  blocks: Block[] = project.graph.blocks,
  edges: Edge[] = project.graph.edges,
): ProjectFile {
  if (blocks === project.graph.blocks && edges === project.graph.edges) return project;
  return { ...project, graph: { blocks, edges } };
}

/** `base`, or `base-2`, `base-3`... whichever is free. */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** "long_view" → "Long view" */
function humanize(name: string): string {
  const words = name.replace(/[_\s-]+/g, ' ').trim();
  return words === '' ? name : words[0].toUpperCase() + words.slice(1);
}

function uniqueLabel(base: string, blocks: readonly Block[]): string {
  const taken = new Set(blocks.map((b) => b.label?.trim()).filter(Boolean));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base} ${n}`)) return `${base} ${n}`;
}

/** The tasks of the binding that no task head predicts yet, in chain order. */
function tasksWithoutHead(project: ProjectFile): string[] {
  const predicted = new Set(
    project.graph.blocks
      .filter((b) => b.type === 'task-head')
      .map((b) => blockParams('task-head', b).task),
  );
  return project.data.tasks.map((t) => t.name).filter((name) => !predicted.has(name));
}

/**
 * A new block of a type with the catalog's defaults, a free id and a readable label. A task head
 * takes the first task of the data binding that has no head yet (and that task's kind).
 */
export function createBlock(
  catalog: CatalogIndex,
  project: ProjectFile,
  type: BlockType,
  position: XY,
): Block {
  const spec = catalog.byType.get(type);
  if (!spec) throw new Error(`Unknown block type "${type}".`);
  const blocks = project.graph.blocks;
  const id = uniqueId(type, new Set(blocks.map((b) => b.id)));
  const params = defaultParams(spec);
  let label = spec.title;
  if (type === 'task-head') {
    const free = tasksWithoutHead(project)[0];
    const task = project.data.tasks.find((t) => t.name === free);
    if (task) {
      params.task = task.name;
      if (spec.params.some((p) => p.name === 'kind')) params.kind = task.type;
      label = `${humanize(task.name)} head`;
    }
  }
  return { id, type, label: uniqueLabel(label, blocks), params, position: { ...position } };
}

/** Whether another block of this type would exceed the catalog's limit (one optimizer). */
export function atTypeLimit(catalog: CatalogIndex, project: ProjectFile, type: string): boolean {
  const max = catalog.byType.get(type)?.maxPerGraph;
  if (max === undefined) return false;
  return project.graph.blocks.filter((b) => b.type === type).length >= max;
}

/** The room a block takes on the canvas, for placing new blocks (the templates' grid). */
const BLOCK_ROOM = { width: 240, height: 180 };

/**
 * A position near `at` where a new block overlaps no other: to the right of it (where the next
 * block of a chain goes) within a few columns, else a row further down.
 */
export function freePosition(project: ProjectFile, at: XY): XY {
  const blocks = project.graph.blocks;
  const free = (p: XY) =>
    blocks.every(
      (b) =>
        Math.abs(b.position.x - p.x) >= BLOCK_ROOM.width - 20 ||
        Math.abs(b.position.y - p.y) >= BLOCK_ROOM.height - 20,
    );
  const start = { x: Math.round(at.x), y: Math.round(at.y) };
  for (let row = 0; row < 8; row++) {
    for (let column = 0; column < 4; column++) {
      const p = { x: start.x + column * BLOCK_ROOM.width, y: start.y + row * BLOCK_ROOM.height };
      if (free(p)) return p;
    }
  }
  return start;
}

export function addBlocks(project: ProjectFile, blocks: Block[], edges: Edge[] = []): ProjectFile {
  if (blocks.length === 0 && edges.length === 0) return project;
  return withGraph(
    project,
    [...project.graph.blocks, ...blocks],
    [...project.graph.edges, ...edges],
  );
}

/** Removes blocks (with every edge touching them) and edges. */
export function removeElements(
  project: ProjectFile,
  blockIds: Iterable<string>,
  edgeIds: Iterable<string> = [],
): ProjectFile {
  const blocks = new Set(blockIds);
  const edges = new Set(edgeIds);
  const keptBlocks = project.graph.blocks.filter((b) => !blocks.has(b.id));
  const keptEdges = project.graph.edges.filter(
    (e) => !edges.has(e.id) && !blocks.has(e.source.block) && !blocks.has(e.target.block),
  );
  return withGraph(
    project,
    keptBlocks.length === project.graph.blocks.length ? project.graph.blocks : keptBlocks,
    keptEdges.length === project.graph.edges.length ? project.graph.edges : keptEdges,
  );
}

/** Moves blocks; blocks not named keep their objects. */
export function setPositions(
  project: ProjectFile,
  positions: Readonly<Record<string, XY>>,
): ProjectFile {
  let changed = false;
  const blocks = project.graph.blocks.map((b) => {
    const p = positions[b.id];
    if (!p || (p.x === b.position.x && p.y === b.position.y)) return b;
    changed = true;
    return { ...b, position: { x: p.x, y: p.y } };
  });
  return changed ? withGraph(project, blocks) : project;
}

export function edgeId(source: PortRef, target: PortRef, taken: ReadonlySet<string>): string {
  return uniqueId(`${source.block}.${source.port}->${target.block}.${target.port}`, taken);
}

/** Adds an edge (the caller has checked it); returns the project and the new edge's id. */
export function connect(
  project: ProjectFile,
  source: PortRef,
  target: PortRef,
): { project: ProjectFile; edge: string } {
  const id = edgeId(source, target, new Set(project.graph.edges.map((e) => e.id)));
  const edge: Edge = { id, source: { ...source }, target: { ...target } };
  return { project: withGraph(project, undefined, [...project.graph.edges, edge]), edge: id };
}

function updateBlock(project: ProjectFile, id: string, update: (b: Block) => Block): ProjectFile {
  let changed = false;
  const blocks = project.graph.blocks.map((b) => {
    if (b.id !== id) return b;
    const next = update(b);
    if (next !== b) changed = true;
    return next;
  });
  return changed ? withGraph(project, blocks) : project;
}

export function setParam(
  project: ProjectFile,
  id: string,
  name: string,
  value: ParamValue,
): ProjectFile {
  return updateBlock(project, id, (b) =>
    b.params[name] === value ? b : { ...b, params: { ...b.params, [name]: value } },
  );
}

/** Sets several parameters of one block at once (a task head's task and kind). */
export function setParams(
  project: ProjectFile,
  id: string,
  values: Record<string, ParamValue>,
): ProjectFile {
  return updateBlock(project, id, (b) =>
    Object.entries(values).every(([k, v]) => b.params[k] === v)
      ? b
      : { ...b, params: { ...b.params, ...values } },
  );
}

export function setLabel(project: ProjectFile, id: string, label: string): ProjectFile {
  return updateBlock(project, id, (b) => (b.label === label ? b : { ...b, label }));
}

/**
 * Whether two projects differ in anything the engine reads (not block positions). Cheap: edits
 * share unchanged objects.
 */
export function sameModel(a: ProjectFile, b: ProjectFile): boolean {
  if (a === b) return true;
  if (a.data !== b.data || a.training !== b.training || a.name !== b.name) return false;
  if (a.graph.edges !== b.graph.edges) return false;
  const ab = a.graph.blocks;
  const bb = b.graph.blocks;
  if (ab === bb) return true;
  if (ab.length !== bb.length) return false;
  return ab.every(
    (x, i) =>
      x === bb[i] ||
      (x.id === bb[i].id &&
        x.type === bb[i].type &&
        x.label === bb[i].label &&
        x.params === bb[i].params),
  );
}
