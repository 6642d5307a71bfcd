// Copy and paste of a selection of blocks with the edges between them. The clipboard holds JSON
// text (so a selection can travel between windows, or be pasted into a text editor and back);
// pasting gives every block and edge a new id and offsets the positions.

import type { Block, Edge, ProjectFile } from '../../src-main/shared/project';
import type { CatalogIndex } from './catalog';
import { addBlocks, edgeId, uniqueId, type XY } from './graph-ops';

const CLIPBOARD_FORMAT = 'htlnet-studio-blocks';

export interface ClipboardData {
  format: typeof CLIPBOARD_FORMAT;
  version: 1;
  blocks: Block[];
  /** Only edges whose both ends are among the blocks. */
  edges: Edge[];
}

/** The selected blocks and the edges between them; null when nothing is selected. */
export function copySelection(
  project: ProjectFile,
  blockIds: Iterable<string>,
): ClipboardData | null {
  const ids = new Set(blockIds);
  const blocks = project.graph.blocks.filter((b) => ids.has(b.id));
  if (blocks.length === 0) return null;
  const edges = project.graph.edges.filter(
    (e) => ids.has(e.source.block) && ids.has(e.target.block),
  );
  return structuredClone({ format: CLIPBOARD_FORMAT, version: 1, blocks, edges });
}

export function serializeClipboard(data: ClipboardData): string {
  return JSON.stringify(data, null, 2);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function isBlock(v: unknown): v is Block {
  if (!isObject(v) || typeof v.id !== 'string' || typeof v.type !== 'string') return false;
  if (!isObject(v.params) || !isObject(v.position)) return false;
  if (v.label !== undefined && typeof v.label !== 'string') return false;
  const ok = (x: unknown) => ['string', 'number', 'boolean'].includes(typeof x);
  return (
    Object.values(v.params).every(ok) &&
    Number.isFinite(v.position.x) &&
    Number.isFinite(v.position.y)
  );
}

function isEdge(v: unknown): v is Edge {
  const ref = (r: unknown) =>
    isObject(r) && typeof r.block === 'string' && typeof r.port === 'string';
  return isObject(v) && typeof v.id === 'string' && ref(v.source) && ref(v.target);
}

/** Clipboard text as blocks, or null when it is anything else (text copied elsewhere). */
export function parseClipboard(text: string): ClipboardData | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(json) || json.format !== CLIPBOARD_FORMAT || json.version !== 1) return null;
  if (!Array.isArray(json.blocks) || !Array.isArray(json.edges)) return null;
  if (!json.blocks.every(isBlock) || !json.edges.every(isEdge)) return null;
  return json as unknown as ClipboardData;
}

export interface PasteResult {
  project: ProjectFile;
  blockIds: string[];
  edgeIds: string[];
  /** Blocks left out: unknown types, or a type the graph has its limit of (the optimizer). */
  skipped: Block[];
}

/** Adds copies of the clipboard's blocks and internal edges with new ids, moved by `offset`. */
export function pasteInto(
  project: ProjectFile,
  data: ClipboardData,
  offset: XY,
  catalog: CatalogIndex,
): PasteResult {
  const taken = new Set(project.graph.blocks.map((b) => b.id));
  const counts = new Map<string, number>();
  for (const b of project.graph.blocks) counts.set(b.type, (counts.get(b.type) ?? 0) + 1);
  const rename = new Map<string, string>();
  const blocks: Block[] = [];
  const skipped: Block[] = [];
  for (const b of data.blocks) {
    const spec = catalog.byType.get(b.type);
    const count = counts.get(b.type) ?? 0;
    if (!spec || (spec.maxPerGraph !== undefined && count >= spec.maxPerGraph)) {
      skipped.push(b);
      continue;
    }
    counts.set(b.type, count + 1);
    const base = b.id.replace(/-copy(-\d+)?$/, '');
    const id = uniqueId(taken.has(base) ? `${base}-copy` : base, taken);
    taken.add(id);
    rename.set(b.id, id);
    blocks.push({
      ...structuredClone(b),
      id,
      position: { x: b.position.x + offset.x, y: b.position.y + offset.y },
    });
  }
  const edgeIds = new Set(project.graph.edges.map((e) => e.id));
  const edges: Edge[] = [];
  for (const e of data.edges) {
    const s = rename.get(e.source.block);
    const t = rename.get(e.target.block);
    if (s === undefined || t === undefined) continue;
    const source = { block: s, port: e.source.port };
    const target = { block: t, port: e.target.port };
    const id = edgeId(source, target, edgeIds);
    edgeIds.add(id);
    edges.push({ id, source, target });
  }
  return {
    project: addBlocks(project, blocks, edges),
    blockIds: blocks.map((b) => b.id),
    edgeIds: edges.map((e) => e.id),
    skipped,
  };
}
