// Model templates: HTLNet and the baselines of the paper, built as block graphs for any data
// binding (any number of tasks in chain order, any mix of binary and regression). Blocks get
// readable, stable ids ("tower-click", "fusion-purchase") and labels in the user's words
// ("Click tower"), and are laid out left to right: x by depth in the graph, y by task.

import { withDefaults, type GradientAdjustment } from '../../shared/catalog';
import {
  defaultTrainingSettings,
  PROJECT_FORMAT,
  PROJECT_VERSION,
  type Block,
  type BlockType,
  type DataBinding,
  type Edge,
  type ParamValue,
  type ProjectFile,
  type TaskBinding,
} from '../../shared/project';
import { UserError } from '../errors';
import { topologicalOrder } from './graph';

export type TemplateKind = 'htlnet' | 'dnn' | 'shared-bottom' | 'mmoe' | 'ple' | 'esmm' | 'aitm';

export interface TemplateInfo {
  kind: TemplateKind;
  title: string;
  /** One line, for the gallery and `htlnet templates`. */
  description: string;
}

export const TEMPLATE_KINDS: readonly TemplateInfo[] = [
  {
    kind: 'htlnet',
    title: 'HTLNet',
    description:
      'Shared embedding, a tower per task, label embeddings of binary tasks and fusion units passing earlier tasks forward, with gradient adjustment.',
  },
  {
    kind: 'dnn',
    title: 'Single-task DNN',
    description:
      'One independent network per task: its own embedding, tower and head; nothing shared.',
  },
  {
    kind: 'shared-bottom',
    title: 'Shared-Bottom',
    description: 'A shared embedding and shared bottom layers, then a small tower per task.',
  },
  {
    kind: 'mmoe',
    title: 'MMoE',
    description: 'Shared experts mixed by a softmax gate per task (multi-gate mixture of experts).',
  },
  {
    kind: 'ple',
    title: 'PLE',
    description:
      'Shared and task-specific experts mixed per task by gates, in two extraction levels (progressive layered extraction).',
  },
  {
    kind: 'esmm',
    title: 'ESMM',
    description:
      "A tower per task; each binary task's probability is chained as prior × conditional.",
  },
  {
    kind: 'aitm',
    title: 'AITM',
    description:
      "A tower per task; each task attends over the previous task's transferred output and its own tower, and passes the result on.",
  },
];

// ---- layout and naming ------------------------------------------------------------------------

/** Horizontal distance between graph depths, and vertical distance between task rows (pixels). */
export const COLUMN_SPACING = 240;
export const ROW_SPACING = 180;

/** "long_view" → "Long view" */
function humanize(name: string): string {
  const words = name.replace(/[_\s]+/g, ' ').trim();
  return words === '' ? name : words[0].toUpperCase() + words.slice(1);
}

/** "Long View" → "long-view"; ids stay readable whatever the column is called. */
function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** One task's names: its id part and its words. */
interface TaskNames {
  task: TaskBinding;
  index: number;
  /** Id suffix, unique among the tasks: "click". */
  key: string;
  /** "Click" */
  words: string;
}

function taskNames(tasks: readonly TaskBinding[]): TaskNames[] {
  const used = new Set<string>();
  return tasks.map((task, index) => {
    const base = slug(task.name) || `task-${index + 1}`;
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base}-${n}`;
    used.add(key);
    return { task, index, key, words: humanize(task.name) };
  });
}

/** Collects blocks and edges; each block has a row (task row, may be fractional) for the layout. */
class GraphBuilder {
  readonly blocks: Block[] = [];
  readonly edges: Edge[] = [];
  private readonly rows = new Map<string, number>();

  add(
    id: string,
    type: BlockType,
    label: string,
    row: number,
    params: Record<string, ParamValue> = {},
  ): string {
    this.blocks.push({
      id,
      type,
      label,
      params: withDefaults(type, params),
      position: { x: 0, y: 0 },
    });
    this.rows.set(id, row);
    return id;
  }

  /** Connects a block's (only) output to an input port. */
  connect(source: string, target: string, port: string): void {
    const from = this.blocks.find((b) => b.id === source)!;
    const sourcePort = OUTPUT_PORT[from.type]!;
    this.edges.push({
      id: `${source}.${sourcePort}->${target}.${port}`,
      source: { block: source, port: sourcePort },
      target: { block: target, port },
    });
  }

  /**
   * Positions: x by depth (longest path from an input), y by row; blocks that would overlap
   * in a column are pushed down one row at a time.
   */
  layout(): void {
    const depth = new Map<string, number>();
    for (const b of topologicalOrder({ blocks: this.blocks, edges: this.edges })) {
      const d = Math.max(
        0,
        ...this.edges
          .filter((e) => e.target.block === b.id)
          .map((e) => depth.get(e.source.block)! + 1),
      );
      depth.set(b.id, d);
    }
    const columns = new Map<number, Block[]>();
    for (const b of this.blocks) {
      const list = columns.get(depth.get(b.id)!) ?? [];
      list.push(b);
      columns.set(depth.get(b.id)!, list);
    }
    for (const [column, blocks] of columns) {
      let lastRow = -Infinity;
      const sorted = [...blocks].sort((a, b) => this.rows.get(a.id)! - this.rows.get(b.id)!);
      for (const b of sorted) {
        const row = Math.max(this.rows.get(b.id)!, lastRow + 1);
        lastRow = row;
        b.position = { x: column * COLUMN_SPACING, y: Math.round(row * ROW_SPACING) };
      }
    }
  }
}

const OUTPUT_PORT: Partial<Record<BlockType, string>> = {
  'feature-input': 'features',
  'shared-embedding': 'embedding',
  tower: 'out',
  'expert-group': 'experts',
  gate: 'out',
  'label-embedding': 'label',
  fusion: 'out',
  'task-head': 'prediction',
  'esmm-link': 'prediction',
};

// ---- the templates ------------------------------------------------------------------------------

/** The paper's defaults. */
const EMBEDDING_DIM = 16;
const TOWER_UNITS = '128,64,32';
const LEU_DIM = 16;

/**
 * Builds a template for a data binding. Every template validates without errors for any
 * binding with at least one task and one feature.
 */
export function buildTemplate(
  kind: TemplateKind,
  binding: DataBinding,
  opts: { name?: string } = {},
): ProjectFile {
  const info = TEMPLATE_KINDS.find((t) => t.kind === kind);
  if (!info) {
    const kinds = TEMPLATE_KINDS.map((t) => t.kind).join(', ');
    throw new UserError(`Unknown template "${String(kind)}"; the templates are ${kinds}.`);
  }
  if (binding.tasks.length === 0) {
    throw new UserError('A template needs at least one task in the data binding.');
  }
  const tasks = taskNames(binding.tasks);
  const g = new GraphBuilder();
  const center = (tasks.length - 1) / 2;
  const settings = BUILDERS[kind](g, tasks, center);

  g.add('optimizer', 'optimizer', 'Optimizer', tasks.length, {
    optimizer: 'adam',
    learningRate: 0.001,
    batchSize: 1024,
    epochs: 10,
    adjustment: settings.adjustment,
    stopGradient: settings.stopGradient,
    calibrator: settings.calibrator ?? 0,
    patience: 2,
    seed: 42,
  });
  g.layout();
  return {
    format: PROJECT_FORMAT,
    version: PROJECT_VERSION,
    name: opts.name ?? info.title,
    graph: { blocks: g.blocks, edges: g.edges },
    data: structuredClone(binding),
    training: defaultTrainingSettings(),
  };
}

interface OptimizerChoice {
  adjustment: GradientAdjustment;
  stopGradient: boolean;
  /** The calibrator weight (AITM only; 0 when absent). */
  calibrator?: number;
}

type Builder = (g: GraphBuilder, tasks: TaskNames[], center: number) => OptimizerChoice;

/** One feature input (all bound features) into one shared embedding; returns the embedding id. */
function sharedInput(g: GraphBuilder, row: number): string {
  g.add('features', 'feature-input', 'Features', row);
  g.add('embedding', 'shared-embedding', 'Shared embedding', row, { dim: EMBEDDING_DIM });
  g.connect('features', 'embedding', 'features');
  return 'embedding';
}

function tower(g: GraphBuilder, t: TaskNames, units: string, inputs: string[]): string {
  const id = g.add(`tower-${t.key}`, 'tower', `${t.words} tower`, t.index, {
    units,
    activation: 'relu',
    dropout: 0,
  });
  for (const input of inputs) g.connect(input, id, 'in');
  return id;
}

function head(g: GraphBuilder, t: TaskNames, inputs: string[]): string {
  const id = g.add(`head-${t.key}`, 'task-head', `${t.words} head`, t.index, {
    task: t.task.name,
    kind: t.task.type,
    transform: 'log1p-zscore',
    lossWeight: 1,
  });
  for (const input of inputs) g.connect(input, id, 'in');
  return id;
}

function expertGroup(
  g: GraphBuilder,
  id: string,
  label: string,
  row: number,
  experts: number,
): string {
  return g.add(id, 'expert-group', label, row, { experts, units: '64,32', activation: 'relu' });
}

const BUILDERS: Record<TemplateKind, Builder> = {
  // Shared embedding → tower per task; tower t >= 2 also reads a fusion unit over the towers
  // and label embeddings of all earlier tasks (input = [fusion t, embedding]).
  htlnet(g, tasks, center) {
    const embedding = sharedInput(g, center);
    const towers: string[] = [];
    const leus: string[] = [];
    for (const t of tasks) {
      const inputs = [embedding];
      if (t.index > 0) {
        const fusion = g.add(`fusion-${t.key}`, 'fusion', `${t.words} fusion`, t.index, {
          mode: 'attention',
        });
        for (const rep of towers) g.connect(rep, fusion, 'reps');
        for (const leu of leus) g.connect(leu, fusion, 'labels');
        inputs.unshift(fusion);
      }
      const towerId = tower(g, t, TOWER_UNITS, inputs);
      towers.push(towerId);
      const headId = head(g, t, [towerId]);
      // A label embedding for each binary task that has a later task to inform.
      if (t.task.type === 'binary' && t.index < tasks.length - 1) {
        const leu = g.add(
          `leu-${t.key}`,
          'label-embedding',
          `${t.words} label embedding`,
          t.index,
          {
            dim: LEU_DIM,
            temperature: 1,
            gumbel: true,
          },
        );
        g.connect(headId, leu, 'prediction');
        leus.push(leu);
      }
    }
    return { adjustment: 'htlnet', stopGradient: true };
  },

  // Nothing shared: per task its own feature input, embedding, tower and head.
  dnn(g, tasks) {
    for (const t of tasks) {
      const features = g.add(`features-${t.key}`, 'feature-input', `${t.words} features`, t.index);
      const embedding = g.add(
        `embedding-${t.key}`,
        'shared-embedding',
        `${t.words} embedding`,
        t.index,
        {
          dim: EMBEDDING_DIM,
        },
      );
      g.connect(features, embedding, 'features');
      head(g, t, [tower(g, t, TOWER_UNITS, [embedding])]);
    }
    return { adjustment: 'none', stopGradient: true };
  },

  // Shared embedding → shared bottom tower (128, 64) → per task a tower (32) → head.
  'shared-bottom'(g, tasks, center) {
    const embedding = sharedInput(g, center);
    const bottom = g.add('shared-bottom', 'tower', 'Shared bottom', center, {
      units: '128,64',
      activation: 'relu',
      dropout: 0,
    });
    g.connect(embedding, bottom, 'in');
    for (const t of tasks) head(g, t, [tower(g, t, '32', [bottom])]);
    return { adjustment: 'none', stopGradient: true };
  },

  // Shared embedding → one expert group (4 experts) → per task a gate (selector: the
  // embedding) → tower (32) → head.
  mmoe(g, tasks, center) {
    const embedding = sharedInput(g, center);
    const experts = expertGroup(g, 'shared-experts', 'Shared experts', center, 4);
    g.connect(embedding, experts, 'in');
    for (const t of tasks) {
      const gate = g.add(`gate-${t.key}`, 'gate', `${t.words} gate`, t.index);
      g.connect(experts, gate, 'experts');
      g.connect(embedding, gate, 'selector');
      head(g, t, [tower(g, t, '32', [gate])]);
    }
    return { adjustment: 'none', stopGradient: true };
  },

  // Progressive layered extraction (Tang et al., RecSys 2020), two CGC levels. Level 1: shared
  // experts and each task's own experts (2 each) over the embedding; per task a gate over [its
  // own, shared], and a shared gate over every level-1 expert (selector: the embedding). Level 2:
  // each task's experts read its level-1 gate, the shared experts the shared gate; per task a
  // gate over [its own, shared] (selector: its level-1 gate) → tower (32) → head.
  ple(g, tasks, center) {
    const embedding = sharedInput(g, center);
    const shared1 = expertGroup(g, 'shared-experts-1', 'Shared experts (level 1)', -1, 2);
    g.connect(embedding, shared1, 'in');
    const sharedGate1 = g.add('shared-gate-1', 'gate', 'Shared gate (level 1)', -1);
    const own1 = tasks.map((t) => {
      const own = expertGroup(g, `experts-${t.key}-1`, `${t.words} experts (level 1)`, t.index, 2);
      g.connect(embedding, own, 'in');
      return own;
    });
    for (const own of own1) g.connect(own, sharedGate1, 'experts');
    g.connect(shared1, sharedGate1, 'experts');
    g.connect(embedding, sharedGate1, 'selector');
    const shared2 = expertGroup(g, 'shared-experts', 'Shared experts', -1, 2);
    g.connect(sharedGate1, shared2, 'in');
    for (const [i, t] of tasks.entries()) {
      const gate1 = g.add(`gate-${t.key}-1`, 'gate', `${t.words} gate (level 1)`, t.index);
      g.connect(own1[i], gate1, 'experts');
      g.connect(shared1, gate1, 'experts');
      g.connect(embedding, gate1, 'selector');
      const own2 = expertGroup(g, `experts-${t.key}`, `${t.words} experts`, t.index, 2);
      g.connect(gate1, own2, 'in');
      const gate = g.add(`gate-${t.key}`, 'gate', `${t.words} gate`, t.index);
      g.connect(own2, gate, 'experts');
      g.connect(shared2, gate, 'experts');
      g.connect(gate1, gate, 'selector');
      head(g, t, [tower(g, t, '32', [gate])]);
    }
    return { adjustment: 'none', stopGradient: true };
  },

  // Shared embedding → tower → head per task; every binary task after the first binary one
  // is chained to the previous binary task's final prediction with an ESMM link.
  esmm(g, tasks, center) {
    const embedding = sharedInput(g, center);
    let previous: string | null = null; // the previous binary task's final prediction
    for (const t of tasks) {
      const headId = head(g, t, [tower(g, t, TOWER_UNITS, [embedding])]);
      if (t.task.type !== 'binary') continue;
      if (previous === null) {
        previous = headId;
        continue;
      }
      const link = g.add(`esmm-${t.key}`, 'esmm-link', `${t.words} ESMM link`, t.index);
      g.connect(previous, link, 'prior');
      g.connect(headId, link, 'conditional');
      previous = link;
    }
    return { adjustment: 'none', stopGradient: true };
  },

  // AITM (Xi et al., KDD 2021): a tower per task (its output q_t); for t >= 2 the previous
  // task's fused output z_{t-1} (z_1 = q_1) passes through a transfer layer (a one-layer tower of
  // 32) and an attention fusion unit over [transferred, q_t] gives z_t, which feeds head t and
  // the next task's transfer layer. No label embeddings, no adjustment; gradient flows through
  // the transfer (stop-gradient off).
  aitm(g, tasks, center) {
    const embedding = sharedInput(g, center);
    let previous: string | null = null; // z_{t-1}: the previous task's fused output
    for (const t of tasks) {
      const towerId = tower(g, t, TOWER_UNITS, [embedding]);
      if (previous === null) {
        head(g, t, [towerId]);
        previous = towerId;
        continue;
      }
      const transfer = g.add(`transfer-${t.key}`, 'tower', `${t.words} transfer`, t.index, {
        units: '32',
        activation: 'relu',
        dropout: 0,
      });
      g.connect(previous, transfer, 'in');
      const fusion = g.add(`fusion-${t.key}`, 'fusion', `${t.words} fusion`, t.index, {
        mode: 'attention',
      });
      g.connect(transfer, fusion, 'reps');
      g.connect(towerId, fusion, 'reps');
      head(g, t, [fusion]);
      previous = fusion;
    }
    // The calibrator (p_t <= p_{t-1}) at the weight of the paper's released code.
    return { adjustment: 'none', stopGradient: false, calibrator: 0.6 };
  },
};
