// Small graphs for the graph-layer tests, written compactly:
//   sketch(binding, [['tower-a', 'tower', { units: '32' }, 'A tower'], ...], ['embedding.embedding -> tower-a.in', ...])

import { withDefaults } from '../../../src-main/shared/catalog';
import {
  defaultTrainingSettings,
  PROJECT_FORMAT,
  PROJECT_VERSION,
  type Block,
  type BlockType,
  type DataBinding,
  type ParamValue,
  type ProjectFile,
  type TaskType,
} from '../../../src-main/shared/project';

export type BlockSketch = [
  id: string,
  type: BlockType,
  params?: Record<string, ParamValue>,
  label?: string,
];

/** A binding with the given tasks ("click:binary") and features ("price:numeric"). */
export function binding(
  tasks: string[],
  features = ['user:categorical', 'item:categorical', 'price:numeric'],
): DataBinding {
  return {
    features: features.map((f) => {
      const [column, kind] = f.split(':');
      return { column, kind: kind as 'categorical' | 'numeric' };
    }),
    tasks: tasks.map((t) => {
      const [name, type] = t.split(':');
      return { name, column: name, type: type as TaskType };
    }),
    excluded: [],
  };
}

/** A project from block sketches and edges written "block.port -> block.port". */
export function sketch(data: DataBinding, blocks: BlockSketch[], edges: string[]): ProjectFile {
  return {
    format: PROJECT_FORMAT,
    version: PROJECT_VERSION,
    name: 'sketch',
    graph: {
      blocks: blocks.map(([id, type, params = {}, label]): Block => {
        const b: Block = { id, type, params: withDefaults(type, params), position: { x: 0, y: 0 } };
        if (label !== undefined) b.label = label;
        return b;
      }),
      edges: edges.map((text, i) => {
        const [from, to] = text.split('->').map((s) => s.trim());
        const [sb, sp] = from.split('.');
        const [tb, tp] = to.split('.');
        return {
          id: `e${i + 1}`,
          source: { block: sb, port: sp },
          target: { block: tb, port: tp },
        };
      }),
    },
    data,
    training: defaultTrainingSettings(),
  };
}

/**
 * A valid two-task chain to break in tests: features → embedding → tower per task → head;
 * click's head → LEU → purchase's fusion (with click's tower) → purchase's tower.
 */
export function chain(): ProjectFile {
  return sketch(
    binding(['click:binary', 'purchase:binary']),
    [
      ['features', 'feature-input', {}, 'Features'],
      ['embedding', 'shared-embedding', {}, 'Embedding'],
      ['tower-click', 'tower', { units: '32' }, 'Click tower'],
      ['head-click', 'task-head', { task: 'click' }, 'Click head'],
      ['leu-click', 'label-embedding', {}, 'Click LEU'],
      ['fusion-purchase', 'fusion', {}, 'Purchase fusion'],
      ['tower-purchase', 'tower', { units: '32' }, 'Purchase tower'],
      ['head-purchase', 'task-head', { task: 'purchase' }, 'Purchase head'],
      ['optimizer', 'optimizer', {}, 'Optimizer'],
    ],
    [
      'features.features -> embedding.features',
      'embedding.embedding -> tower-click.in',
      'tower-click.out -> head-click.in',
      'head-click.prediction -> leu-click.prediction',
      'tower-click.out -> fusion-purchase.reps',
      'leu-click.label -> fusion-purchase.labels',
      'fusion-purchase.out -> tower-purchase.in',
      'embedding.embedding -> tower-purchase.in',
      'tower-purchase.out -> head-purchase.in',
    ],
  );
}

/** Adds blocks and edges to a project (edges numbered after the existing ones). */
export function extend(
  project: ProjectFile,
  blocks: BlockSketch[],
  edges: string[] = [],
): ProjectFile {
  const more = sketch(project.data, blocks, edges);
  const n = project.graph.edges.length;
  project.graph.blocks.push(...more.graph.blocks);
  project.graph.edges.push(...more.graph.edges.map((e, i) => ({ ...e, id: `e${n + i + 1}` })));
  return project;
}

export function block(project: ProjectFile, id: string): Block {
  const b = project.graph.blocks.find((x) => x.id === id);
  if (!b) throw new Error(`no block ${id}`);
  return b;
}

export function removeEdge(project: ProjectFile, text: string): ProjectFile {
  const [from, to] = text.split('->').map((s) => s.trim());
  const before = project.graph.edges.length;
  project.graph.edges = project.graph.edges.filter(
    (e) =>
      `${e.source.block}.${e.source.port}` !== from || `${e.target.block}.${e.target.port}` !== to,
  );
  if (project.graph.edges.length !== before - 1) throw new Error(`no edge ${text}`);
  return project;
}
