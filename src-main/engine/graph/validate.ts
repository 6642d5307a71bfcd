// Graph validation: everything that makes a project's graph unable to compile, or that is
// probably a mistake, as a list of problems the editor pins to blocks. Pure and fast: the
// editor runs it on every edit. Also checkConnection, which the editor asks while a
// connection is being dragged, and the graph helpers the compiler uses (re-exported).
// The rules of one block type live in its module's check hook (engine/blocks/<block>.ts),
// called here for every block; this file keeps the rules about the graph as a whole.
//
// Every problem has a stable code (tests and the renderer key on it):
//   structure   unknown-block-type, duplicate-block-id, dangling-edge
//   project     no-tasks, no-features, duplicate-task, missing-optimizer, duplicate-optimizer, no-heads
//   parameters  param-malformed, param-out-of-range
//   connections port-type-mismatch, too-many-connections, missing-input, cycle
//   tasks       task-without-head, duplicate-head
//   warnings    unused
// and in the block modules' check hooks:
//   task-head        head-without-target, head-kind-mismatch
//   label-embedding  leu-on-regression
//   esmm-link        esmm-prior-order, esmm-ambiguous
//   fusion           fusion-without-inputs, fusion-order, fusion-width-mismatch
//   gate             gate-width-mismatch
//   feature-input    unknown-feature-column, no-numeric-features, no-categorical-features

import type { Problem } from '../../shared/problems';
import type { Block, PortRef, ProjectFile } from '../../shared/project';
import { blockModule } from '../blocks';
import type { CheckContext } from '../blocks/define';
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
  specOf,
  taskOfHead,
} from './graph';
import { checkParamValue } from '../../shared/validity/params';
import { outputDims, widthOf } from './shapes';

export {
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
  checkBlocks(ctx);
  checkTasks(ctx);
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

  // Graph-wide counts, not one block's rule: exactly one optimizer, at least one head.
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
    // Reported in the target's own words by its check (a regression head into an LEU).
    if (blockModule(target.type).checkedPortTypes?.includes(from)) continue;
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

/** Each block's own rules: its module's check hook, in graph order. */
function checkBlocks(ctx: Context): void {
  const { project, index } = ctx;
  let dims: ReturnType<typeof outputDims> | undefined;
  const widthOfBlock = (b: Block) => widthOf((dims ??= outputDims(project, index)).get(b.id));
  for (const block of index.blocks) {
    const check = blockModule(block.type).check;
    if (!check) continue;
    const checkContext: CheckContext = {
      project,
      index,
      block,
      params: index.params(block),
      error: (code, message, blocks, extra) => error(ctx, code, message, blocks, extra),
      incoming: (port) => index.incoming(block.id, port),
      sources: (port) => index.sources(block.id, port),
      widthMismatch: (port) => {
        const sources = index.sources(block.id, port);
        const known = new Set(sources.map(widthOfBlock).filter((w) => typeof w === 'number'));
        if (known.size <= 1) return null;
        const words = sources.map((s) => `${blockName(s)} (${String(widthOfBlock(s))})`);
        return { blocks: sources, words: list(words) };
      },
      listWords: list,
      taskWords: (task) => taskWords(project, task),
    };
    check(checkContext);
  }
}

/** Every task of the binding has exactly one head (a head names its task: graph.ts taskOfHead). */
function checkTasks(ctx: Context): void {
  const { project, index } = ctx;
  const headsOf = new Map<string, Block[]>();
  for (const head of index.blocks) {
    if (head.type !== 'task-head') continue; // the one block type that predicts a task
    const task = taskOfHead(project, head);
    if (task) headsOf.set(task.name, [...(headsOf.get(task.name) ?? []), head]);
  }
  for (const t of project.data.tasks) {
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

/** Blocks whose output reaches no task head (nor ESMM link): they do not affect any prediction. */
function checkUnused(ctx: Context): void {
  const { index } = ctx;
  const used = new Set<string>();
  // The blocks that end a task's prediction are where "used" starts (as plan.ts's tasks).
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
