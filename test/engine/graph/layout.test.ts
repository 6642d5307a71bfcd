import { describe, expect, it } from 'vitest';
import { sampleBinding } from '../../../src-main/engine/data/sample-layout';
import { layoutGraph, type Positions } from '../../../src-main/engine/graph/layout';
import {
  buildTemplate,
  COLUMN_SPACING,
  ROW_SPACING,
  TEMPLATE_KINDS,
} from '../../../src-main/engine/graph/templates';
import type { ProjectFile } from '../../../src-main/shared/project';
import { binding, chain, sketch } from './sketch';

const DATA = binding(['click:binary', 'amount:regression']);

/** Links as pairs of block ids, each once. */
function links(p: ProjectFile): [string, string][] {
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (const e of p.graph.edges) {
    const key = `${e.source.block}>${e.target.block}`;
    if (!seen.has(key)) out.push([e.source.block, e.target.block]);
    seen.add(key);
  }
  return out;
}

/** Pairs of links (drawn as straight lines between block corners) that cross. */
function crossings(p: ProjectFile, at: Positions): number {
  const ls = links(p);
  const side = (a: number[], b: number[], c: number[]) =>
    Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
  let count = 0;
  for (let i = 0; i < ls.length; i++) {
    for (let j = i + 1; j < ls.length; j++) {
      const [a, b] = ls[i];
      const [c, d] = ls[j];
      if (new Set([a, b, c, d]).size < 4) continue;
      const [pa, pb, pc, pd] = [a, b, c, d].map((id) => [at[id].x, at[id].y]);
      if (side(pa, pb, pc) * side(pa, pb, pd) < 0 && side(pc, pd, pa) * side(pc, pd, pb) < 0) {
        count++;
      }
    }
  }
  return count;
}

/** The longest path to each block from a block without inputs. */
function depths(p: ProjectFile): Map<string, number> {
  const depth = new Map(p.graph.blocks.map((b) => [b.id, 0]));
  for (let round = 0; round < p.graph.blocks.length; round++) {
    for (const [s, t] of links(p)) depth.set(t, Math.max(depth.get(t)!, depth.get(s)! + 1));
  }
  return depth;
}

function expectNoOverlap(at: Positions): void {
  const columns = new Map<number, number[]>();
  for (const { x, y } of Object.values(at)) columns.set(x, [...(columns.get(x) ?? []), y]);
  for (const ys of columns.values()) {
    ys.sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++)
      expect(ys[i] - ys[i - 1]).toBeGreaterThanOrEqual(ROW_SPACING - 10);
  }
}

describe('layoutGraph', () => {
  it('puts a chain on one row, a column apart', () => {
    const p = sketch(
      DATA,
      [
        ['features', 'feature-input'],
        ['embedding', 'shared-embedding'],
        ['tower', 'tower'],
        ['head', 'task-head', { task: 'click' }],
      ],
      [
        'features.features -> embedding.features',
        'embedding.embedding -> tower.in',
        'tower.out -> head.in',
      ],
    );
    expect(layoutGraph(p)).toEqual({
      features: { x: 0, y: 0 },
      embedding: { x: COLUMN_SPACING, y: 0 },
      tower: { x: 2 * COLUMN_SPACING, y: 0 },
      head: { x: 3 * COLUMN_SPACING, y: 0 },
    });
  });

  it('places blocks by their longest path from the inputs', () => {
    const p = chain();
    const at = layoutGraph(p);
    for (const [id, depth] of depths(p)) {
      if (id === 'optimizer') continue;
      expect(at[id].x, id).toBe(depth * COLUMN_SPACING);
    }
    for (const [s, t] of links(p)) expect(at[t].x).toBeGreaterThan(at[s].x);
  });

  it('orders a column by the mean position of what feeds it, so links do not cross', () => {
    // In block order the heads would sit crossed (b's head above a's).
    const p = sketch(
      binding(['a:binary', 'b:binary']),
      [
        ['tower-a', 'tower'],
        ['tower-b', 'tower'],
        ['head-b', 'task-head', { task: 'b' }],
        ['head-a', 'task-head', { task: 'a' }],
        ['extra', 'tower'],
      ],
      ['tower-a.out -> head-a.in', 'tower-b.out -> head-b.in', 'tower-a.out -> extra.in'],
    );
    const at = layoutGraph(p);
    expect(Math.sign(at['tower-a'].y - at['tower-b'].y)).toBe(
      Math.sign(at['head-a'].y - at['head-b'].y),
    );
    expect(crossings(p, at)).toBe(0);
    expectNoOverlap(at);
  });

  it('untangles a crossed bipartite graph', () => {
    const p = sketch(
      binding(['a:binary']),
      [
        ['s1', 'tower'],
        ['s2', 'tower'],
        ['s3', 'tower'],
        ['t1', 'tower'],
        ['t2', 'tower'],
        ['t3', 'tower'],
      ],
      ['s1.out -> t3.in', 's2.out -> t2.in', 's3.out -> t1.in', 's1.out -> t2.in'],
    );
    const at = layoutGraph(p);
    expect(crossings(p, at)).toBe(0);
    expectNoOverlap(at);
  });

  it('puts blocks without connections (the optimizer) below the first column', () => {
    const at = layoutGraph(chain());
    const others = Object.entries(at).filter(([id]) => id !== 'optimizer');
    expect(at.optimizer.x).toBe(0);
    expect(at.optimizer.y).toBeGreaterThanOrEqual(
      Math.max(...others.map(([, p]) => p.y)) + ROW_SPACING,
    );
  });

  it('lays out a graph with a cycle without failing', () => {
    const p = sketch(
      DATA,
      [
        ['a', 'tower'],
        ['b', 'tower'],
        ['c', 'tower'],
      ],
      ['a.out -> b.in', 'b.out -> c.in', 'c.out -> a.in'],
    );
    const at = layoutGraph(p);
    expect(Object.keys(at).sort()).toEqual(['a', 'b', 'c']);
    expect(new Set(Object.values(at).map((q) => q.x)).size).toBe(3);
  });

  it('ignores edges to blocks that do not exist, self-loops and the current positions', () => {
    const p = chain();
    const moved = structuredClone(p);
    moved.graph.blocks.forEach((b, i) => (b.position = { x: i * 37, y: -i * 91 }));
    moved.graph.edges.push(
      {
        id: 'ghost',
        source: { block: 'nowhere', port: 'out' },
        target: { block: 'tower-click', port: 'in' },
      },
      {
        id: 'self',
        source: { block: 'tower-click', port: 'out' },
        target: { block: 'tower-click', port: 'in' },
      },
    );
    expect(layoutGraph(moved)).toEqual(layoutGraph(p));
  });

  it('handles an empty graph', () => {
    expect(layoutGraph(sketch(DATA, [], []))).toEqual({});
  });

  it.each(TEMPLATE_KINDS.map((t) => t.kind))(
    'tidies the %s template: every block placed on the grid, no overlaps, deterministic',
    (kind) => {
      const p = buildTemplate(kind, sampleBinding());
      const at = layoutGraph(p);
      expect(Object.keys(at).sort()).toEqual(p.graph.blocks.map((b) => b.id).sort());
      for (const { x, y } of Object.values(at)) {
        expect(x % COLUMN_SPACING).toBe(0);
        expect(y % 10).toBe(0);
        expect(y).toBeGreaterThanOrEqual(0);
      }
      expectNoOverlap(at);
      expect(layoutGraph(structuredClone(p))).toEqual(at);
    },
  );

  it('crosses fewer links than the hand-made template layouts', () => {
    let tidy = 0;
    let handMade = 0;
    for (const { kind } of TEMPLATE_KINDS) {
      const p = buildTemplate(kind, sampleBinding());
      const at = layoutGraph(p);
      const template = Object.fromEntries(p.graph.blocks.map((b) => [b.id, b.position]));
      expect(crossings(p, at), kind).toBeLessThanOrEqual(crossings(p, template) + 1);
      tidy += crossings(p, at);
      handMade += crossings(p, template);
    }
    expect(tidy).toBeLessThan(handMade);
  });
});

describe('layoutGraph on long chains', () => {
  it('wraps the HTLNet funnel into bands instead of one long strip', () => {
    const p = buildTemplate('htlnet', sampleBinding());
    const at = layoutGraph(p);
    const xs = Object.values(at).map((q) => q.x);
    const ys = Object.values(at).map((q) => q.y);
    const columns = new Set(xs).size;
    expect(Math.max(...depths(p).values()) + 1).toBeGreaterThan(8); // the chain is long
    expect(columns).toBeLessThanOrEqual(8);
    const width = Math.max(...xs) + COLUMN_SPACING;
    const height = Math.max(...ys) + ROW_SPACING;
    expect(width / height).toBeLessThan(3);
    // No two blocks share a spot, across bands too.
    const spots = Object.values(at).map((q) => `${q.x},${q.y}`);
    expect(new Set(spots).size).toBe(spots.length);
    // Reading order: a block's band never comes before the band of what feeds it.
    const bandOf = (id: string) => at[id].y;
    for (const [s, t] of links(p)) {
      if (at[t].x <= at[s].x) expect(bandOf(t)).toBeGreaterThan(bandOf(s));
    }
  });
});
