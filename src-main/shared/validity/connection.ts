// Whether a connection from an output port to an input port may be made, and if not why, in
// one wording for the editor (while a connection is dragged, and when it is dropped) and the
// engine. Pure and cheap: it runs on every pointer move of a drag. It reads ports through a
// small lookup so the engine can pass the catalog itself and the renderer the catalog it
// received over IPC (the same entries, port types resolved for the block's parameters).
// The engine's graph validation stays the source of truth for the problems of a whole graph;
// it words a type mismatch with typeMismatch below, so both say the same.

import type { PortType } from '../catalog';
import type { Block, Graph, PortRef } from '../project';

/** Why a connection is refused, for code (tests and the canvas key on it). */
type RefusalCode = 'missing' | 'direction' | 'self' | 'type' | 'duplicate' | 'occupied' | 'cycle';

export type ConnectionCheck =
  { isValid: true } | { isValid: false; code: RefusalCode; reason: string };

/** A port as the check needs it: its type already resolved for the block's parameters. */
interface PortFacts {
  name: string;
  title: string;
  multiple?: boolean;
  type: PortType;
}

/** How the check reads the catalog and names blocks. */
export interface PortLookup {
  input(block: Block, port: string): PortFacts | undefined;
  output(block: Block, port: string): PortFacts | undefined;
  /** The name a person reads for a block in a sentence. */
  name(block: Block): string;
}

/** A port type in words, as a noun: "a binary prediction cannot connect to a vector input". */
export const TYPE_WORDS: Record<PortType, string> = {
  features: 'feature set',
  vector: 'vector',
  experts: 'expert stack',
  binary: 'binary prediction',
  regression: 'regression prediction',
  label: 'label embedding',
};

function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

/** "a feature set cannot connect to a vector input" */
export function typeMismatch(from: PortType, to: PortType): string {
  return `${withArticle(TYPE_WORDS[from])} cannot connect to ${withArticle(TYPE_WORDS[to])} input`;
}

/** The blocks on a path from `from` to `to` along the graph's edges (both included), or null. */
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

const no = (code: RefusalCode, reason: string): ConnectionCheck => ({
  isValid: false,
  code,
  reason,
});

/**
 * Checks a new connection from an output port (`source`) to an input port (`target`), in the
 * order a person would fix them: what exists, direction, type, then what is already connected,
 * then cycles. Every reason is one sentence.
 */
export function checkConnection(
  ports: PortLookup,
  graph: Graph,
  source: PortRef,
  target: PortRef,
): ConnectionCheck {
  const blockOf = (id: string) => graph.blocks.find((b) => b.id === id);
  const from = blockOf(source.block);
  const to = blockOf(target.block);
  if (!from) return no('missing', `There is no block "${source.block}".`);
  if (!to) return no('missing', `There is no block "${target.block}".`);
  const name = (id: string) => {
    const b = blockOf(id);
    return b ? ports.name(b) : id;
  };
  const out = ports.output(from, source.port);
  const inp = ports.input(to, target.port);
  if (!out || !inp) {
    const missing = !out
      ? `${name(from.id)} has no output "${source.port}"`
      : `${name(to.id)} has no input "${target.port}"`;
    return no('direction', `Connect an output (right side) to an input (left side): ${missing}.`);
  }
  if (from.id === to.id) return no('self', 'A block cannot connect to itself.');
  if (out.type !== inp.type) return no('type', `Wrong type: ${typeMismatch(out.type, inp.type)}.`);

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

/** The ends of a drag as React Flow reports them (either end may be where the drag started). */
export interface HandleEnd {
  nodeId: string;
  id?: string | null;
  type: 'source' | 'target';
}

/** The reason a connection between two dragged handles is refused, or null when allowed. */
export function refusalBetweenEnds(
  ports: PortLookup,
  graph: Graph,
  a: HandleEnd,
  b: HandleEnd,
): string | null {
  if (a.type === b.type) {
    return a.type === 'source'
      ? 'Connect an output to an input: both ends are outputs.'
      : 'Connect an output to an input: both ends are inputs.';
  }
  const [s, t] = a.type === 'source' ? [a, b] : [b, a];
  const check = checkConnection(
    ports,
    graph,
    { block: s.nodeId, port: s.id ?? '' },
    { block: t.nodeId, port: t.id ?? '' },
  );
  return check.isValid ? null : check.reason;
}
