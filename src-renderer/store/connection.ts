// Whether a connection being dragged may be made, and if not why, computed in the renderer from
// the catalog's port types and the graph (pure and cheap: it runs on every pointer move while a
// connection is dragged). The engine's validation (project:validate) stays the source of truth
// for the problems of a graph; this only refuses what would certainly be wrong.

import type { Graph, PortRef } from '../../src-main/shared/project';
import {
  blockTitle,
  inputOf,
  outputOf,
  portTypeFor,
  TYPE_WORDS,
  withArticle,
  type CatalogIndex,
} from './catalog';

export type RefusalCode =
  'missing' | 'direction' | 'self' | 'type' | 'duplicate' | 'occupied' | 'cycle';

export type ConnectionCheck =
  { isValid: true } | { isValid: false; code: RefusalCode; reason: string };

const no = (code: RefusalCode, reason: string): ConnectionCheck => ({
  isValid: false,
  code,
  reason,
});

/** A block reachable from `from` along edges, as the path of block ids, or null. */
function pathBetween(graph: Graph, from: string, to: string): string[] | null {
  const next = new Map<string, string[]>();
  for (const e of graph.edges) {
    const list = next.get(e.source.block) ?? [];
    list.push(e.target.block);
    next.set(e.source.block, list);
  }
  const parent = new Map<string, string>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (id === to) {
      const path = [id];
      for (let p = parent.get(id); p !== undefined; p = parent.get(p)) path.unshift(p);
      return path;
    }
    for (const n of next.get(id) ?? []) {
      if (seen.has(n)) continue;
      seen.add(n);
      parent.set(n, id);
      queue.push(n);
    }
  }
  return null;
}

/**
 * Checks a new connection from an output port (`source`) to an input port (`target`), in the
 * order a person would fix them: direction, type, then what is already connected, then cycles.
 */
export function checkConnection(
  catalog: CatalogIndex,
  graph: Graph,
  source: PortRef,
  target: PortRef,
): ConnectionCheck {
  const from = graph.blocks.find((b) => b.id === source.block);
  const to = graph.blocks.find((b) => b.id === target.block);
  if (!from || !to) return no('missing', 'That block no longer exists.');
  const name = (id: string) => {
    const b = graph.blocks.find((x) => x.id === id);
    return b ? blockTitle(catalog, b) : id;
  };
  const out = outputOf(catalog, from, source.port);
  const inp = inputOf(catalog, to, target.port);
  if (!out || !inp)
    return no('direction', 'Connect an output (right side) to an input (left side).');
  if (from.id === to.id) return no('self', 'A block cannot connect to itself.');

  const fromType = portTypeFor(out, from.params);
  const toType = portTypeFor(inp, to.params);
  if (fromType !== toType) {
    return no(
      'type',
      `Wrong type: ${withArticle(TYPE_WORDS[fromType])} cannot connect to ${withArticle(TYPE_WORDS[toType])} input.`,
    );
  }
  const existing = graph.edges.filter(
    (e) => e.target.block === to.id && e.target.port === inp.name,
  );
  if (existing.some((e) => e.source.block === from.id && e.source.port === out.name)) {
    return no(
      'duplicate',
      `${name(from.id)} is already connected to ${name(to.id)}'s "${inp.title}".`,
    );
  }
  if (!inp.multiple && existing.length > 0) {
    return no(
      'occupied',
      `Port already connected: ${name(to.id)}'s "${inp.title}" takes one connection and has one from ${name(existing[0].source.block)}.`,
    );
  }
  const back = pathBetween(graph, to.id, from.id);
  if (back) {
    return no('cycle', `Would make a cycle: ${[...back, to.id].map(name).join(' → ')}.`);
  }
  return { isValid: true };
}

/**
 * The reason for a connection between two handles as React Flow reports them while dragging
 * (either end may be where the drag started), or null when it is allowed.
 */
export function refusalBetweenHandles(
  catalog: CatalogIndex,
  graph: Graph,
  a: { nodeId: string; id?: string | null; type: 'source' | 'target' },
  b: { nodeId: string; id?: string | null; type: 'source' | 'target' },
): string | null {
  if (a.type === b.type) {
    return a.type === 'source'
      ? 'Connect an output to an input: both ends are outputs.'
      : 'Connect an output to an input: both ends are inputs.';
  }
  const [s, t] = a.type === 'source' ? [a, b] : [b, a];
  const check = checkConnection(
    catalog,
    graph,
    { block: s.nodeId, port: s.id ?? '' },
    { block: t.nodeId, port: t.id ?? '' },
  );
  return check.isValid ? null : check.reason;
}
