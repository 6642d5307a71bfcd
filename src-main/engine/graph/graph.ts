// Graph helpers shared by validation, shape inference, the templates and the model compiler:
// lookups by id and port, connection order, topological order and cycles, and what the data
// binding means for the blocks (which task a head predicts, which columns a feature input
// provides, which fields each shared embedding holds).
//
// Everything here is tolerant of an edited, not yet valid graph (unknown block types,
// duplicate ids, edges to missing blocks): such pieces are skipped, and validateGraph reports
// them. Only topologicalOrder throws (on a cycle), because the compiler cannot go on without
// an order.

import {
  blockParams,
  blockSpec,
  isBlockType,
  parseColumnList,
  portType,
  withDefaults,
  type BlockSpec,
  type PortSpec,
  type PortType,
} from '../../shared/catalog';
import type {
  Block,
  Edge,
  FeatureBinding,
  Graph,
  ParamValue,
  ProjectFile,
  TaskBinding,
} from '../../shared/project';
import type { FieldSpec } from '../data/types';
import { UserError } from '../errors';

// ---- blocks and ports -------------------------------------------------------------------------

/** The catalog entry of a block, or undefined for an unknown type. */
export function specOf(block: Block): BlockSpec | undefined {
  return isBlockType(block.type) ? blockSpec(block.type) : undefined;
}

/** The name a person reads for a block: its label, else its catalog title and its id. */
export function blockName(block: Block): string {
  const label = block.label?.trim();
  if (label) return label;
  const spec = specOf(block);
  return spec ? `${spec.title} "${block.id}"` : `block "${block.id}"`;
}

/** A block's parameters with catalog defaults filled in (as stored for an unknown type). */
function paramsOf(block: Block): Record<string, ParamValue> {
  return isBlockType(block.type) ? withDefaults(block.type, block.params) : { ...block.params };
}

export function inputPortOf(block: Block, port: string): PortSpec | undefined {
  return specOf(block)?.inputs.find((p) => p.name === port);
}

export function outputPortOf(block: Block, port: string): PortSpec | undefined {
  return specOf(block)?.outputs.find((p) => p.name === port);
}

/** The type of a block's port (a task head's output type depends on its `kind`). */
export function portTypeOf(block: Block, port: PortSpec): PortType {
  return portType(port, paramsOf(block));
}

// ---- an index over a graph ----------------------------------------------------------------------

/**
 * Lookups over one graph, built once per call (graphs are small, but the editor validates on
 * every edit). Only the first block of a duplicated id and only edges whose blocks and ports
 * exist are indexed.
 */
export class GraphIndex {
  readonly byId = new Map<string, Block>();
  /** Blocks of known types, first of each id, in graph order. */
  readonly blocks: Block[] = [];
  /** Edges whose blocks and ports exist, in graph (connection) order. */
  readonly edges: Edge[] = [];
  private readonly into = new Map<string, Edge[]>();
  private readonly from = new Map<string, Edge[]>();
  private readonly paramCache = new Map<string, Record<string, ParamValue>>();

  constructor(readonly graph: Graph) {
    for (const b of graph.blocks) {
      if (this.byId.has(b.id) || !isBlockType(b.type)) continue;
      this.byId.set(b.id, b);
      this.blocks.push(b);
    }
    for (const e of graph.edges) {
      const source = this.byId.get(e.source.block);
      const target = this.byId.get(e.target.block);
      if (!source || !target) continue;
      if (!outputPortOf(source, e.source.port) || !inputPortOf(target, e.target.port)) continue;
      this.edges.push(e);
      push(this.into, portKey(e.target.block, e.target.port), e);
      push(this.from, e.source.block, e);
    }
  }

  block(id: string): Block | undefined {
    return this.byId.get(id);
  }

  params(block: Block): Record<string, ParamValue> {
    let p = this.paramCache.get(block.id);
    if (!p) {
      p = paramsOf(block);
      this.paramCache.set(block.id, p);
    }
    return p;
  }

  /** Edges into one input port, in connection order. */
  incoming(blockId: string, port: string): Edge[] {
    return this.into.get(portKey(blockId, port)) ?? [];
  }

  /** Every edge into a block, port by port in catalog order. */
  allIncoming(block: Block): Edge[] {
    return (specOf(block)?.inputs ?? []).flatMap((p) => this.incoming(block.id, p.name));
  }

  /** Edges leaving a block, in connection order. */
  outgoing(blockId: string): Edge[] {
    return this.from.get(blockId) ?? [];
  }

  /** The blocks feeding one input port, in connection order. */
  sources(blockId: string, port: string): Block[] {
    return this.incoming(blockId, port).map((e) => this.byId.get(e.source.block)!);
  }
}

function portKey(block: string, port: string): string {
  return `${block}\u0000${port}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Edges into one input port of a block, in connection order (edge array order). */
export function incoming(graph: Graph, blockId: string, port: string): Edge[] {
  return graph.edges.filter((e) => e.target.block === blockId && e.target.port === port);
}

// ---- order and cycles -------------------------------------------------------------------------

/**
 * The blocks in an order where every block comes after the blocks feeding it; ties keep the
 * graph's block order. Throws a UserError naming the blocks of a cycle.
 */
export function topologicalOrder(graph: Graph): Block[] {
  const index = new GraphIndex(graph);
  const pending = new Map<string, number>();
  for (const b of index.blocks) pending.set(b.id, 0);
  for (const e of index.edges) pending.set(e.target.block, pending.get(e.target.block)! + 1);
  const position = new Map(index.blocks.map((b, i) => [b.id, i]));

  // Kahn's algorithm with a ready list kept in graph order (graphs are small: a sorted array
  // is simpler than a heap and fast enough).
  const ready = index.blocks.filter((b) => pending.get(b.id) === 0);
  const order: Block[] = [];
  while (ready.length > 0) {
    const block = ready.shift()!;
    order.push(block);
    for (const e of index.outgoing(block.id)) {
      const left = pending.get(e.target.block)! - 1;
      pending.set(e.target.block, left);
      if (left === 0) {
        const target = index.block(e.target.block)!;
        const at = ready.findIndex((r) => position.get(r.id)! > position.get(target.id)!);
        ready.splice(at === -1 ? ready.length : at, 0, target);
      }
    }
  }
  if (order.length < index.blocks.length) {
    const cycle = findCycles(index)[0];
    const names = cycle.map((id) => blockName(index.block(id)!));
    throw new UserError(
      `The model graph has a cycle: ${[...names, names[0]].join(' → ')}. Remove one of these connections.`,
      { block: cycle[0] },
    );
  }
  return order;
}

/**
 * Every cycle of the graph, one per group of blocks that feed each other (strongly connected
 * component), each as the block ids along one closed path in flow order.
 */
export function findCycles(index: GraphIndex): string[][] {
  const cycles: string[][] = [];
  for (const component of stronglyConnected(index)) {
    const start = component[0];
    const inside = new Set(component);
    const selfLoop = index.outgoing(start).some((e) => e.target.block === start);
    if (component.length === 1 && !selfLoop) continue;
    if (selfLoop) {
      cycles.push([start]);
      continue;
    }
    // Shortest path from start back to start within the component (breadth first).
    const previous = new Map<string, string>();
    const queue = [start];
    let found = false;
    while (queue.length > 0 && !found) {
      const id = queue.shift()!;
      for (const e of index.outgoing(id)) {
        const next = e.target.block;
        if (!inside.has(next)) continue;
        if (next === start) {
          previous.set(start, id);
          found = true;
          break;
        }
        if (!previous.has(next)) {
          previous.set(next, id);
          queue.push(next);
        }
      }
    }
    const path: string[] = [];
    let id = previous.get(start)!;
    while (id !== start) {
      path.unshift(id);
      id = previous.get(id)!;
    }
    cycles.push([start, ...path]);
  }
  return cycles;
}

/** Tarjan's strongly connected components, each listed from its earliest block in graph order. */
function stronglyConnected(index: GraphIndex): string[][] {
  const order = new Map(index.blocks.map((b, i) => [b.id, i]));
  const low = new Map<string, number>();
  const seen = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;

  const visit = (id: string): void => {
    seen.set(id, counter);
    low.set(id, counter);
    counter++;
    stack.push(id);
    onStack.add(id);
    for (const e of index.outgoing(id)) {
      const next = e.target.block;
      if (!seen.has(next)) {
        visit(next);
        low.set(id, Math.min(low.get(id)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(id, Math.min(low.get(id)!, seen.get(next)!));
      }
    }
    if (low.get(id) === seen.get(id)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== id);
      component.sort((a, b) => order.get(a)! - order.get(b)!);
      components.push(component);
    }
  };
  for (const b of index.blocks) if (!seen.has(b.id)) visit(b.id);
  return components;
}

// ---- tasks --------------------------------------------------------------------------------------

/** The task (of the data binding) a task head predicts, or undefined when it names none. */
export function taskOfHead(project: ProjectFile, head: Block): TaskBinding | undefined {
  const task = blockParams('task-head', head).task.trim();
  if (task === '') return undefined;
  return project.data.tasks.find((t) => t.name === task);
}

/** Chain index of the task a head predicts, or -1. */
export function taskIndexOfHead(project: ProjectFile, head: Block): number {
  const task = taskOfHead(project, head);
  return task ? project.data.tasks.indexOf(task) : -1;
}

/**
 * The head of each task of the binding, in chain order (tasks without a head are absent; of
 * two heads for one task the first in graph order counts).
 */
export function headsByTask(project: ProjectFile): Map<string, Block> {
  const heads = new Map<string, Block>();
  const byTask = new Map<string, Block>();
  for (const b of project.graph.blocks) {
    if (b.type !== 'task-head') continue;
    const task = blockParams('task-head', b).task.trim();
    if (task !== '' && !byTask.has(task)) byTask.set(task, b);
  }
  for (const t of project.data.tasks) {
    const head = byTask.get(t.name);
    if (head) heads.set(t.name, head);
  }
  return heads;
}

/**
 * Chain index of the task whose prediction a block outputs: a head's task, or for an ESMM
 * link the task of its conditional (the link replaces that task's prediction). -1 if none.
 */
export function predictionTaskIndex(
  project: ProjectFile,
  index: GraphIndex,
  block: Block,
  seen = new Set<string>(),
): number {
  if (seen.has(block.id)) return -1;
  seen.add(block.id);
  if (block.type === 'task-head') return taskIndexOfHead(project, block);
  if (block.type === 'esmm-link') {
    const conditional = index.sources(block.id, 'conditional')[0];
    return conditional ? predictionTaskIndex(project, index, conditional, seen) : -1;
  }
  return -1;
}

// ---- features and embedding fields -------------------------------------------------------------

/**
 * The bound features a feature input provides: the columns named in its `columns` parameter
 * (in that order, unbound names skipped) if any, else every bound feature of its `kind`
 * ('all' = every feature) in binding order.
 */
export function featureColumnsOf(project: ProjectFile, block: Block): FeatureBinding[] {
  const params = blockParams('feature-input', block);
  const named = parseColumnList(params.columns);
  const features = project.data.features;
  if (named.length > 0) {
    const out: FeatureBinding[] = [];
    for (const name of new Set(named)) {
      const f = features.find((x) => x.column === name);
      if (f) out.push(f);
    }
    return out;
  }
  const kind = params.kind;
  return kind === 'categorical' || kind === 'numeric'
    ? features.filter((f) => f.kind === kind)
    : [...features];
}

/**
 * For every shared embedding (in graph order), its fields in order: the columns of the
 * feature inputs connected to it, in connection order. A column provided by two feature
 * inputs of one embedding is one field (the first connection's encoding counts).
 * Categorical columns are looked up in a vocabulary; numeric columns are encoded as their
 * feature input's `numericEncoding` says. `buckets` is 0 unless the encoding is 'buckets'.
 */
export function fieldSpecs(project: ProjectFile): Map<string, FieldSpec[]> {
  const index = new GraphIndex(project.graph);
  const out = new Map<string, FieldSpec[]>();
  for (const embedding of index.blocks) {
    if (embedding.type !== 'shared-embedding') continue;
    const fields: FieldSpec[] = [];
    const seen = new Set<string>();
    for (const input of index.sources(embedding.id, 'features')) {
      if (input.type !== 'feature-input') continue;
      const p = blockParams('feature-input', input);
      const numeric = p.numericEncoding === 'linear' ? 'linear' : 'buckets';
      for (const f of featureColumnsOf(project, input)) {
        if (seen.has(f.column)) continue;
        seen.add(f.column);
        const encoding = f.kind === 'categorical' ? 'vocab' : numeric;
        fields.push({
          column: f.column,
          kind: f.kind,
          encoding,
          buckets: encoding === 'buckets' ? p.buckets : 0,
        });
      }
    }
    out.set(embedding.id, fields);
  }
  return out;
}
