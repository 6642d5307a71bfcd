// Auto-layout of any graph (the editor's "Tidy layout"): layered, left to right, as in
// Sugiyama's method.
//  1. Cycles are broken by ignoring the edges that close them (depth-first, in block order).
//  2. Layers: a block's column is the longest path to it from a block without inputs.
//  3. Edges spanning several columns get a waypoint in every column they cross, so the
//     ordering sees them.
//  4. Order within each column: alternating sweeps sort by the barycentre (mean position) of the
//     neighbours in the previous column; the order with the fewest crossings wins.
//  5. Rows: each block is pulled toward the mean height of its neighbours, keeping the order and
//     the spacing (an isotonic regression, solved exactly by pool-adjacent-violators).
// 6. More than MAX_COLUMNS columns wrap into bands stacked top to bottom (no endless strip).
// Blocks with no connection at all (the optimizer) go below the first column. Spacing matches
// the templates (COLUMN_SPACING, ROW_SPACING). Pure and deterministic: the result depends on
// the blocks, their order and the edges, never on the current positions.

import type { ProjectFile } from '../../shared/project';
import { COLUMN_SPACING, ROW_SPACING } from './templates';

/** Block positions by block id. */
export type Positions = Record<string, { x: number; y: number }>;

/** Vertical distance to a waypoint of a long edge (it needs less room than a block). */
const WAYPOINT_SPACING = ROW_SPACING;
const WAYPOINT_WAYPOINT_SPACING = ROW_SPACING / 6;
const ORDER_SWEEPS = 24;
/** More columns than this wrap into bands of about BAND_COLUMNS columns. */
const MAX_COLUMNS = 8;
const BAND_COLUMNS = 6;
/** Extra room between two bands (the links from one band's end to the next band's start). */
const BAND_GAP = ROW_SPACING / 2;
const COORDINATE_ROUNDS = 4;
/** Positions are rounded to this many pixels (the editor's grid). */
const GRID = 10;

interface Node {
  id: string;
  /** Real block, or a waypoint of a long edge. */
  real: boolean;
  layer: number;
  preds: Node[];
  succs: Node[];
  y: number;
}

export function layoutGraph(project: ProjectFile): Positions {
  const blocks = project.graph.blocks;
  const ids = blocks.map((b) => b.id);
  const known = new Set(ids);

  // Distinct block-to-block links (several ports between two blocks count once).
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  const seen = new Set<string>();
  for (const e of project.graph.edges) {
    const s = e.source.block;
    const t = e.target.block;
    if (!known.has(s) || !known.has(t) || s === t) continue;
    const key = JSON.stringify([s, t]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.get(s)!.push(t);
  }
  const links = acyclicLinks(ids, out);
  const connected = new Set(links.flatMap(([s, t]) => [s, t]));

  // Longest path layering over the acyclic links.
  const layer = longestPathLayers(
    ids.filter((id) => connected.has(id)),
    links,
  );

  // Nodes, with waypoints on long links.
  const nodes = new Map<string, Node>();
  for (const id of ids) {
    if (connected.has(id)) {
      nodes.set(id, { id, real: true, layer: layer.get(id)!, preds: [], succs: [], y: 0 });
    }
  }
  let waypoints = 0;
  for (const [s, t] of links) {
    let from = nodes.get(s)!;
    const to = nodes.get(t)!;
    for (let l = from.layer + 1; l < to.layer; l++) {
      const w: Node = {
        id: `\u0000${waypoints++}`,
        real: false,
        layer: l,
        preds: [],
        succs: [],
        y: 0,
      };
      nodes.set(w.id, w);
      from.succs.push(w);
      w.preds.push(from);
      from = w;
    }
    from.succs.push(to);
    to.preds.push(from);
  }

  const layers = initialOrder(ids, nodes);
  orderLayers(layers);
  assignRows(layers);

  const positions: Positions = {};
  const real = [...nodes.values()].filter((n) => n.real);
  // A long chain (HTLNet's click → purchase → amount is a dozen columns) would be one strip far
  // wider than any window: its columns wrap into bands stacked top to bottom, read like lines.
  const columns = real.length > 0 ? Math.max(...real.map((n) => n.layer)) + 1 : 0;
  const bands = columns > MAX_COLUMNS ? Math.ceil(columns / BAND_COLUMNS) : 1;
  const perBand = Math.ceil(columns / bands);
  let bottom = -Infinity;
  for (let band = 0; band < bands; band++) {
    const inBand = real.filter((n) => Math.floor(n.layer / perBand) === band);
    if (inBand.length === 0) continue;
    const top = Math.min(...inBand.map((n) => n.y));
    const offset = bottom === -Infinity ? 0 : bottom + ROW_SPACING + BAND_GAP;
    for (const n of inBand) {
      const y = snap(n.y - top) + offset;
      positions[n.id] = { x: (n.layer - band * perBand) * COLUMN_SPACING, y };
      bottom = Math.max(bottom, y);
    }
  }
  // Unconnected blocks: below the first column, one row each, in block order.
  let row = bottom === -Infinity ? 0 : bottom + ROW_SPACING;
  for (const id of ids) {
    if (positions[id] || connected.has(id)) continue;
    positions[id] = { x: 0, y: row };
    row += ROW_SPACING;
  }
  return positions;
}

const snap = (v: number): number => Math.round(v / GRID) * GRID;

/** The links without those that close a cycle (found depth-first, in block order). */
function acyclicLinks(ids: readonly string[], out: Map<string, string[]>): [string, string][] {
  const state = new Map<string, 'open' | 'done'>();
  const links: [string, string][] = [];
  const visit = (root: string) => {
    // Iterative depth-first search (graphs may be deep).
    const stack: { id: string; next: number }[] = [{ id: root, next: 0 }];
    state.set(root, 'open');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const targets = out.get(frame.id)!;
      if (frame.next >= targets.length) {
        state.set(frame.id, 'done');
        stack.pop();
        continue;
      }
      const t = targets[frame.next++];
      const s = state.get(t);
      if (s === 'open') continue; // closes a cycle: ignored
      links.push([frame.id, t]);
      if (s === undefined) {
        state.set(t, 'open');
        stack.push({ id: t, next: 0 });
      }
    }
  };
  // Start from blocks without inputs, so a cycle is cut at its edge back toward the inputs.
  const hasInput = new Set([...out.values()].flat());
  for (const id of ids) if (!hasInput.has(id) && !state.has(id)) visit(id);
  for (const id of ids) if (!state.has(id)) visit(id);
  return links;
}

function longestPathLayers(
  ids: readonly string[],
  links: readonly [string, string][],
): Map<string, number> {
  const pending = new Map(ids.map((id) => [id, 0]));
  const succs = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const [s, t] of links) {
    pending.set(t, pending.get(t)! + 1);
    succs.get(s)!.push(t);
  }
  const layer = new Map(ids.map((id) => [id, 0]));
  const ready = ids.filter((id) => pending.get(id) === 0);
  while (ready.length > 0) {
    const id = ready.shift()!;
    for (const t of succs.get(id)!) {
      layer.set(t, Math.max(layer.get(t)!, layer.get(id)! + 1));
      const left = pending.get(t)! - 1;
      pending.set(t, left);
      if (left === 0) ready.push(t);
    }
  }
  return layer;
}

/** Columns in a first order: depth-first from the inputs in block order, so chains stay together. */
function initialOrder(ids: readonly string[], nodes: Map<string, Node>): Node[][] {
  const depth = Math.max(-1, ...[...nodes.values()].map((n) => n.layer)) + 1;
  const layers: Node[][] = Array.from({ length: depth }, () => []);
  const placed = new Set<Node>();
  const place = (root: Node) => {
    const stack = [root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (placed.has(n)) continue;
      placed.add(n);
      layers[n.layer].push(n);
      for (let i = n.succs.length - 1; i >= 0; i--) stack.push(n.succs[i]);
    }
  };
  for (const id of ids) {
    const n = nodes.get(id);
    if (n && n.preds.length === 0) place(n);
  }
  for (const n of nodes.values()) place(n);
  return layers;
}

/** Crossings between two adjacent columns (pairs of links whose ends are in opposite orders). */
function crossingsBetween(upper: readonly Node[], lower: readonly Node[]): number {
  const index = new Map(lower.map((n, i) => [n, i]));
  const ends: [number, number][] = [];
  upper.forEach((n, i) => {
    for (const s of n.succs) {
      const j = index.get(s);
      if (j !== undefined) ends.push([i, j]);
    }
  });
  let count = 0;
  for (let a = 0; a < ends.length; a++) {
    for (let b = a + 1; b < ends.length; b++) {
      const [i1, j1] = ends[a];
      const [i2, j2] = ends[b];
      if ((i1 - i2) * (j1 - j2) < 0) count++;
    }
  }
  return count;
}

function totalCrossings(layers: readonly (readonly Node[])[]): number {
  let total = 0;
  for (let l = 0; l + 1 < layers.length; l++) total += crossingsBetween(layers[l], layers[l + 1]);
  return total;
}

/** Barycentre sweeps; keeps the best order seen (layers are reordered in place). */
function orderLayers(layers: Node[][]): void {
  let best = layers.map((l) => [...l]);
  let bestCrossings = totalCrossings(layers);
  const sortBy = (layer: Node[], neighbours: (n: Node) => Node[], reference: Node[]) => {
    const at = new Map(reference.map((n, i) => [n, i]));
    const key = new Map<Node, number>();
    layer.forEach((n, i) => {
      const ps = neighbours(n)
        .map((m) => at.get(m))
        .filter((v): v is number => v !== undefined);
      key.set(n, ps.length > 0 ? ps.reduce((a, b) => a + b, 0) / ps.length : i);
    });
    const position = new Map(layer.map((n, i) => [n, i]));
    layer.sort((a, b) => key.get(a)! - key.get(b)! || position.get(a)! - position.get(b)!);
  };
  for (let sweep = 0; sweep < ORDER_SWEEPS && bestCrossings > 0; sweep++) {
    if (sweep % 2 === 0) {
      for (let l = 1; l < layers.length; l++) sortBy(layers[l], (n) => n.preds, layers[l - 1]);
    } else {
      for (let l = layers.length - 2; l >= 0; l--) sortBy(layers[l], (n) => n.succs, layers[l + 1]);
    }
    const crossings = totalCrossings(layers);
    if (crossings < bestCrossings) {
      bestCrossings = crossings;
      best = layers.map((l) => [...l]);
    }
  }
  best.forEach((order, l) => (layers[l] = order));
}

function gap(a: Node, b: Node): number {
  if (a.real && b.real) return ROW_SPACING;
  if (a.real || b.real) return WAYPOINT_SPACING;
  return WAYPOINT_WAYPOINT_SPACING;
}

/**
 * Places one column: as close as possible (least squares) to the desired heights, keeping the
 * order and at least the spacing between neighbours.
 */
function placeColumn(layer: readonly Node[], desired: readonly number[]): void {
  const offsets: number[] = [];
  let offset = 0;
  layer.forEach((n, i) => {
    if (i > 0) offset += gap(layer[i - 1], n);
    offsets.push(offset);
  });
  // Pool adjacent violators on t_i = desired_i - offset_i (z must not decrease).
  const pools: { sum: number; count: number }[] = [];
  desired.forEach((d, i) => {
    pools.push({ sum: d - offsets[i], count: 1 });
    while (pools.length > 1) {
      const last = pools[pools.length - 1];
      const prev = pools[pools.length - 2];
      if (prev.sum / prev.count <= last.sum / last.count) break;
      prev.sum += last.sum;
      prev.count += last.count;
      pools.pop();
    }
  });
  let i = 0;
  for (const pool of pools) {
    const z = pool.sum / pool.count;
    for (let k = 0; k < pool.count; k++, i++) layer[i].y = z + offsets[i];
  }
}

function assignRows(layers: Node[][]): void {
  for (const layer of layers)
    placeColumn(
      layer,
      layer.map(() => 0),
    );
  const mean = (ns: readonly Node[], fallback: number) =>
    ns.length === 0 ? fallback : ns.reduce((a, n) => a + n.y, 0) / ns.length;
  for (let round = 0; round < COORDINATE_ROUNDS; round++) {
    for (let l = 1; l < layers.length; l++) {
      placeColumn(
        layers[l],
        layers[l].map((n) => mean(n.preds, n.y)),
      );
    }
    for (let l = layers.length - 2; l >= 0; l--) {
      placeColumn(
        layers[l],
        layers[l].map((n) => mean(n.succs, n.y)),
      );
    }
  }
  // A last pass toward both sides, so a block sits between what feeds it and what it feeds.
  for (let l = 0; l < layers.length; l++) {
    placeColumn(
      layers[l],
      layers[l].map((n) => mean([...n.preds, ...n.succs], n.y)),
    );
  }
}
