// Graph validation: everything that makes a project's graph unable to compile, or that is
// probably a mistake, as a list of problems the editor pins to blocks. Pure and fast: the
// editor runs it on every edit. Also checkConnection, which the editor asks while a
// connection is being dragged, and the graph helpers the compiler uses (re-exported).
//
// Every problem has a stable code (tests and the renderer key on it):
//   structure   unknown-block-type, duplicate-block-id, dangling-edge
//   project     no-tasks, no-features, duplicate-task, missing-optimizer, duplicate-optimizer, no-heads
//   parameters  param-malformed, param-out-of-range
//   connections port-type-mismatch, too-many-connections, missing-input, cycle
//   multi-task  fusion-without-inputs, head-without-target, task-without-head, duplicate-head,
//               head-kind-mismatch, leu-on-regression, esmm-prior-order, esmm-ambiguous,
//               fusion-order
//   data        unknown-feature-column, no-numeric-features, no-categorical-features
//   shapes      fusion-width-mismatch, gate-width-mismatch
//   warnings    unused

import { parseColumnList } from '../../shared/catalog';
import type { Problem } from '../../shared/problems';
import type { Block, PortRef, ProjectFile } from '../../shared/project';
import {
  checkConnection as checkWith,
  typeMismatch,
  type ConnectionCheck,
  type PortLookup,
} from '../../shared/validity/connection';
import {
  blockName,
  findCycles,
  GraphIndex,
  inputPortOf,
  outputPortOf,
  portTypeOf,
  predictionTaskIndex,
  specOf,
  taskIndexOfHead,
} from './graph';
import { checkParamValue, showValue } from '../../shared/validity/params';
import { outputDims, widthOf } from './shapes';

export {
  blockName,
  featureColumnsOf,
  fieldSpecs,
  headsByTask,
  incoming,
  taskOfHead,
  topologicalOrder,
} from './graph';

// ---- wording ------------------------------------------------------------------------------------

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** "task "purchase" (#2)" */
function taskWords(project: ProjectFile, index: number): string {
  return `"${project.data.tasks[index].name}" (task ${index + 1})`;
}

// ---- validateGraph ------------------------------------------------------------------------------

/** Every problem of the project's graph and its fit with the data binding; errors first. */
export function validateGraph(project: ProjectFile): Problem[] {
  const problems: Problem[] = [];
  const index = new GraphIndex(project.graph);
  const ctx: Context = { project, index, problems };

  checkStructure(ctx);
  checkProject(ctx);
  checkParams(ctx);
  checkConnections(ctx);
  checkCycles(ctx);
  checkHeads(ctx);
  checkLabelEmbeddings(ctx);
  checkEsmmLinks(ctx);
  checkFusionUnits(ctx);
  checkFeatureInputs(ctx);
  checkShapes(ctx);
  checkUnused(ctx);

  // Errors first; otherwise in the order found (stable sort).
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i)
    .map(({ p }) => p);
}

const rank = (p: Problem): number => (p.severity === 'error' ? 0 : 1);

interface Context {
  project: ProjectFile;
  index: GraphIndex;
  problems: Problem[];
}

function error(
  ctx: Context,
  code: string,
  message: string,
  blocks: string[],
  extra: Partial<Problem> = {},
): void {
  ctx.problems.push({ severity: 'error', code, message, blocks: [...new Set(blocks)], ...extra });
}

function warning(ctx: Context, code: string, message: string, blocks: string[]): void {
  ctx.problems.push({ severity: 'warning', code, message, blocks });
}

/** Unknown block types, duplicate ids and edges whose blocks or ports do not exist. */
function checkStructure(ctx: Context): void {
  const { project, index } = ctx;
  const seen = new Set<string>();
  for (const b of project.graph.blocks) {
    if (!specOf(b)) {
      error(ctx, 'unknown-block-type', `Block "${b.id}" has an unknown type "${b.type}".`, [b.id]);
    }
    if (seen.has(b.id)) {
      error(
        ctx,
        'duplicate-block-id',
        `Two blocks have the id "${b.id}"; every block needs its own id.`,
        [b.id],
      );
    }
    seen.add(b.id);
  }
  for (const e of project.graph.edges) {
    const source = index.block(e.source.block);
    const target = index.block(e.target.block);
    let reason: string | null = null;
    if (!source) reason = `comes from a block "${e.source.block}" that does not exist`;
    else if (!target) reason = `goes to a block "${e.target.block}" that does not exist`;
    else if (!outputPortOf(source, e.source.port)) {
      reason = `comes from an output "${e.source.port}" that ${blockName(source)} does not have`;
    } else if (!inputPortOf(target, e.target.port)) {
      reason = `goes to an input "${e.target.port}" that ${blockName(target)} does not have`;
    }
    if (reason) {
      const blocks = [source?.id, target?.id].filter((x): x is string => x !== undefined);
      error(ctx, 'dangling-edge', `Connection "${e.id}" ${reason}; remove it.`, blocks, {
        edge: e.id,
      });
    }
  }
}

/** Project-level problems: the binding's tasks and features, the optimizer, any head at all. */
function checkProject(ctx: Context): void {
  const { project, index } = ctx;
  const { tasks, features } = project.data;
  if (tasks.length < 1) {
    error(ctx, 'no-tasks', 'The data binding has no task: choose at least one target column.', []);
  }
  if (features.length === 0) {
    error(
      ctx,
      'no-features',
      'The data binding has no feature columns: bind the input columns.',
      [],
    );
  }
  const names = new Set<string>();
  for (const t of tasks) {
    if (names.has(t.name)) {
      error(ctx, 'duplicate-task', `The data binding has two tasks named "${t.name}".`, []);
    }
    names.add(t.name);
  }

  const optimizers = index.blocks.filter((b) => b.type === 'optimizer');
  if (optimizers.length === 0) {
    error(ctx, 'missing-optimizer', 'The graph has no optimizer block: add one (exactly one).', []);
  } else if (optimizers.length > 1) {
    error(
      ctx,
      'duplicate-optimizer',
      `The graph has ${optimizers.length} optimizer blocks (${list(optimizers.map(blockName))}); keep exactly one.`,
      optimizers.map((b) => b.id),
    );
  }
  if (!index.blocks.some((b) => b.type === 'task-head')) {
    error(ctx, 'no-heads', 'The graph has no task head: add one for each task.', []);
  }
}

/** Parameter values against the catalog: types, bounds, choice options, layer lists. */
function checkParams(ctx: Context): void {
  for (const block of ctx.index.blocks) {
    const spec = specOf(block)!;
    const params = ctx.index.params(block);
    for (const p of spec.params) {
      const issue = checkParamValue(p, params[p.name]);
      if (!issue) continue;
      error(
        ctx,
        issue.kind === 'range' ? 'param-out-of-range' : 'param-malformed',
        `${blockName(block)}: ${p.title} ${issue.message}.`,
        [block.id],
        { field: p.name },
      );
    }
  }
}

/** Port types on every edge, connection counts and required inputs. */
function checkConnections(ctx: Context): void {
  const { index } = ctx;
  for (const e of index.edges) {
    const source = index.block(e.source.block)!;
    const target = index.block(e.target.block)!;
    const from = portTypeOf(source, outputPortOf(source, e.source.port)!);
    const to = portTypeOf(target, inputPortOf(target, e.target.port)!);
    if (from === to) continue;
    // A regression head feeding a label embedding unit is reported in words by checkLabelEmbeddings.
    if (target.type === 'label-embedding' && from === 'regression') continue;
    error(
      ctx,
      'port-type-mismatch',
      `${blockName(source)} → ${blockName(target)}: ${typeMismatch(from, to)}.`,
      [source.id, target.id],
      { edge: e.id },
    );
  }
  for (const block of index.blocks) {
    for (const port of specOf(block)!.inputs) {
      const edges = index.incoming(block.id, port.name);
      if (port.required && edges.length === 0) {
        error(
          ctx,
          'missing-input',
          `${blockName(block)} needs a connection on its "${port.title}" port.`,
          [block.id],
        );
      }
      if (!port.multiple && edges.length > 1) {
        const sources = edges.map((e) => index.block(e.source.block)!);
        error(
          ctx,
          'too-many-connections',
          `${blockName(block)}'s "${port.title}" port takes one connection but has ${edges.length} (from ${list(sources.map(blockName))}).`,
          [block.id, ...sources.map((s) => s.id)],
        );
      }
    }
  }
}

function checkCycles(ctx: Context): void {
  for (const cycle of findCycles(ctx.index)) {
    const names = cycle.map((id) => blockName(ctx.index.block(id)!));
    error(
      ctx,
      'cycle',
      `These blocks form a cycle: ${[...names, names[0]].join(' → ')}. Remove one of these connections.`,
      cycle,
    );
  }
}

/** Heads against the binding: a target for every head, a head for every task, kinds agree. */
function checkHeads(ctx: Context): void {
  const { project, index } = ctx;
  const tasks = project.data.tasks;
  const headsOf = new Map<string, Block[]>();
  for (const head of index.blocks) {
    if (head.type !== 'task-head') continue;
    const params = index.params(head);
    const name = String(params.task).trim();
    if (name === '') {
      error(
        ctx,
        'head-without-target',
        `${blockName(head)} has no target: choose the task it predicts.`,
        [head.id],
        { field: 'task' },
      );
      continue;
    }
    const task = tasks.find((t) => t.name === name);
    if (!task) {
      const known = tasks.length > 0 ? ` (tasks: ${tasks.map((t) => t.name).join(', ')})` : '';
      error(
        ctx,
        'head-without-target',
        `${blockName(head)} predicts "${name}", which is not a task of the data binding${known}.`,
        [head.id],
        { field: 'task' },
      );
      continue;
    }
    const group = headsOf.get(name) ?? [];
    group.push(head);
    headsOf.set(name, group);
    if (params.kind !== task.type) {
      error(
        ctx,
        'head-kind-mismatch',
        `${blockName(head)} is a ${showKind(params.kind)} head, but task "${name}" is ${task.type}: set its kind to ${task.type}.`,
        [head.id],
        { field: 'kind' },
      );
    }
  }
  for (const t of tasks) {
    const heads = headsOf.get(t.name) ?? [];
    if (heads.length === 0) {
      error(
        ctx,
        'task-without-head',
        `Task "${t.name}" has no task head: add one that predicts it.`,
        [],
      );
    } else if (heads.length > 1) {
      error(
        ctx,
        'duplicate-head',
        `Task "${t.name}" has ${heads.length} heads (${list(heads.map(blockName))}); keep one.`,
        heads.map((h) => h.id),
      );
    }
  }
}

const showKind = (kind: unknown): string => (typeof kind === 'string' ? kind : showValue(kind));

/** Whether a block predicts a regression task (a regression head, or a head of a regression task). */
function predictsRegression(ctx: Context, block: Block): boolean {
  if (block.type !== 'task-head') return false;
  const task = ctx.project.data.tasks[taskIndexOfHead(ctx.project, block)];
  return ctx.index.params(block).kind === 'regression' || task?.type === 'regression';
}

/** A label embedding unit needs a binary task's prediction. */
function checkLabelEmbeddings(ctx: Context): void {
  const { index } = ctx;
  for (const leu of index.blocks) {
    if (leu.type !== 'label-embedding') continue;
    for (const source of index.sources(leu.id, 'prediction')) {
      if (!predictsRegression(ctx, source)) continue;
      error(
        ctx,
        'leu-on-regression',
        `${blockName(leu)} is an LEU on a regression task (fed by ${blockName(source)}): label embeddings exist only for binary tasks; connect it to a binary task head.`,
        [leu.id, source.id],
      );
    }
  }
}

/** ESMM links: the prior is an earlier task in chain order; a prediction is chained once. */
function checkEsmmLinks(ctx: Context): void {
  const { project, index } = ctx;
  const conditionalOf = new Map<string, Block[]>();
  for (const link of index.blocks) {
    if (link.type !== 'esmm-link') continue;
    const prior = index.sources(link.id, 'prior')[0];
    const conditional = index.sources(link.id, 'conditional')[0];
    if (conditional) {
      const links = conditionalOf.get(conditional.id) ?? [];
      links.push(link);
      conditionalOf.set(conditional.id, links);
    }
    if (!prior || !conditional) continue;
    const p = predictionTaskIndex(project, index, prior);
    const c = predictionTaskIndex(project, index, conditional);
    if (p < 0 || c < 0 || p < c) continue;
    error(
      ctx,
      'esmm-prior-order',
      `${blockName(link)} takes ${taskWords(project, p)} as the prior of ${taskWords(project, c)}: the prior must be an earlier task in chain order.`,
      [link.id, prior.id, conditional.id],
    );
  }
  for (const [source, links] of conditionalOf) {
    if (links.length < 2) continue;
    error(
      ctx,
      'esmm-ambiguous',
      `${blockName(index.block(source)!)} is the conditional of ${links.length} ESMM links (${list(links.map(blockName))}); a prediction can be chained only once.`,
      [source, ...links.map((l) => l.id)],
    );
  }
}

/**
 * Fusion units: something connected, and information flowing forward in chain order. A
 * fusion unit serves the first task its output reaches; every input must come from an
 * earlier task. A label embedding comes from its head's task; a representation from the
 * first task it reaches directly (without passing through a fusion unit). A representation
 * that reaches heads only through fusion units (AITM: a task's own tower fused with the
 * transferred one) is the served task's own and is allowed.
 */
function checkFusionUnits(ctx: Context): void {
  const { project, index } = ctx;
  for (const fusion of index.blocks) {
    if (fusion.type !== 'fusion') continue;
    const reps = index.incoming(fusion.id, 'reps');
    const labels = index.incoming(fusion.id, 'labels');
    if (reps.length === 0 && labels.length === 0) {
      error(
        ctx,
        'fusion-without-inputs',
        `${blockName(fusion)} has neither representations nor label embeddings connected: connect what earlier tasks produce.`,
        [fusion.id],
      );
      continue;
    }
    const served = firstTaskReached(ctx, fusion.id, false);
    if (served < 0) continue;
    for (const e of [...reps, ...labels]) {
      const source = index.block(e.source.block)!;
      let origin: number;
      if (source.type === 'label-embedding') {
        const prediction = index.sources(source.id, 'prediction')[0];
        origin = prediction ? predictionTaskIndex(project, index, prediction) : -1;
      } else {
        origin = firstTaskReached(ctx, source.id, true);
      }
      if (origin < 0 || origin < served) continue;
      const which = origin === served ? 'the same task' : 'a later task';
      error(
        ctx,
        'fusion-order',
        `${blockName(fusion)} serves ${taskWords(project, served)} but is fed by ${blockName(source)} from ${which}, ${taskWords(project, origin)}: information must flow forward in chain order.`,
        [fusion.id, source.id],
        { edge: e.id },
      );
    }
  }
}

/**
 * The earliest task (chain index) whose head is reachable from a block's output, following
 * edges up to heads; with `direct`, not through fusion units. -1 when none.
 */
function firstTaskReached(ctx: Context, start: string, direct: boolean): number {
  const { project, index } = ctx;
  let best = -1;
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const e of index.outgoing(id)) {
      const next = index.block(e.target.block)!;
      if (seen.has(next.id)) continue;
      seen.add(next.id);
      if (direct && next.type === 'fusion') continue;
      if (next.type === 'task-head') {
        const t = taskIndexOfHead(project, next);
        if (t >= 0 && (best < 0 || t < best)) best = t;
        continue;
      }
      stack.push(next.id);
    }
  }
  return best;
}

/** Feature inputs against the binding: named columns exist; a kind has columns to give. */
function checkFeatureInputs(ctx: Context): void {
  const { project, index } = ctx;
  const { features, tasks, excluded } = project.data;
  const bound = new Set(features.map((f) => f.column));
  for (const block of index.blocks) {
    if (block.type !== 'feature-input') continue;
    const params = index.params(block);
    const named = parseColumnList(params.columns ?? '');
    for (const column of named) {
      if (bound.has(column)) continue;
      let why = 'which is not a bound feature';
      if (tasks.some((t) => t.column === column)) why = 'which is a task target, not a feature';
      else if (excluded.includes(column)) why = 'which is excluded in the data binding';
      error(
        ctx,
        'unknown-feature-column',
        `${blockName(block)} names column "${column}", ${why}.`,
        [block.id],
        { field: 'columns' },
      );
    }
    if (named.length > 0 || features.length === 0) continue;
    for (const kind of ['numeric', 'categorical'] as const) {
      if (params.kind !== kind || features.some((f) => f.kind === kind)) continue;
      error(
        ctx,
        kind === 'numeric' ? 'no-numeric-features' : 'no-categorical-features',
        `${blockName(block)} provides ${kind} columns, but the data binding has no ${kind} features.`,
        [block.id],
        { field: 'kind' },
      );
    }
  }
}

/** Inputs that must share a width: attention fusion sets and the expert groups of a gate. */
function checkShapes(ctx: Context): void {
  const { project, index } = ctx;
  const dims = outputDims(project, index);
  const mismatch = (block: Block, port: string): Block[] | null => {
    const sources = index.sources(block.id, port);
    const widths = sources.map((s) => widthOf(dims.get(s.id)));
    const numbers = new Set(widths.filter((w) => typeof w === 'number'));
    return numbers.size > 1 ? sources : null;
  };
  const widths = (sources: Block[]): string =>
    list(sources.map((s) => `${blockName(s)} (${String(widthOf(dims.get(s.id)))})`));

  for (const block of index.blocks) {
    if (block.type === 'fusion' && index.params(block).mode !== 'concat') {
      for (const port of ['reps', 'labels']) {
        const sources = mismatch(block, port);
        if (!sources) continue;
        const what = port === 'reps' ? 'representations' : 'label embeddings';
        error(
          ctx,
          'fusion-width-mismatch',
          `${blockName(block)} fuses ${what} of different widths with attention: ${widths(sources)}. Make them the same width or use concatenation.`,
          [block.id, ...sources.map((s) => s.id)],
        );
      }
    }
    if (block.type === 'gate') {
      const sources = mismatch(block, 'experts');
      if (!sources) continue;
      error(
        ctx,
        'gate-width-mismatch',
        `${blockName(block)} chooses between experts of different widths: ${widths(sources)}. Give the expert groups the same last layer size.`,
        [block.id, ...sources.map((s) => s.id)],
      );
    }
  }
}

/** Blocks whose output reaches no task head (nor ESMM link): they do not affect any prediction. */
function checkUnused(ctx: Context): void {
  const { index } = ctx;
  const used = new Set<string>();
  const stack = index.blocks.filter((b) => b.type === 'task-head' || b.type === 'esmm-link');
  for (const b of stack) used.add(b.id);
  while (stack.length > 0) {
    const block = stack.pop()!;
    for (const e of index.allIncoming(block)) {
      if (used.has(e.source.block)) continue;
      used.add(e.source.block);
      stack.push(index.block(e.source.block)!);
    }
  }
  for (const block of index.blocks) {
    if (used.has(block.id) || specOf(block)!.outputs.length === 0) continue;
    warning(
      ctx,
      'unused',
      `${blockName(block)} is unused: its output reaches no task head, so it affects no prediction.`,
      [block.id],
    );
  }
}

// ---- checkConnection ----------------------------------------------------------------------------

/** The engine's catalog as the shared connection check reads it (blocks named as problems name them). */
const PORTS: PortLookup = {
  input: (block, port) => {
    const p = inputPortOf(block, port);
    return p && { ...p, type: portTypeOf(block, p) };
  },
  output: (block, port) => {
    const p = outputPortOf(block, port);
    return p && { ...p, type: portTypeOf(block, p) };
  },
  name: blockName,
};

/**
 * Whether a new connection from an output port to an input port may be made, and if not why:
 * the shared validity check (shared/validity/connection.ts) over the engine's catalog.
 */
export function checkConnection(
  project: ProjectFile,
  source: PortRef,
  target: PortRef,
): ConnectionCheck {
  return checkWith(PORTS, project.graph, source, target);
}
