// The parameter paths an experiment varies, and how a value is set on a project. A path names
// one parameter of the graph in the words of the inspector:
//   "tower-click.units"        a block by its id, then the parameter
//   "tower.units"              every block of a type (all towers), when no block has that id
//   "training.learningRate"    a training setting: the optimizer block's parameter
//   "label-embedding.enabled"  a block's presence: false removes the block(s) and their links
// Values are checked against the catalog (kind, bounds, options, layer lists) before any run
// starts, and every message names the path, the block and what is allowed.

import { blockSpec, isBlockType, type ParamSpec } from '../../shared/catalog';
import type { Block, ParamValue, ProjectFile } from '../../shared/project';
import { UserError } from '../errors';
import { ENABLED, REMOVABLE, TRAINING_SCOPE } from '../../shared/experiments/paths';
import { checkParamValue, showValue } from '../../shared/validity/params';

export interface ParamPath {
  /** As written: "tower-click.units". */
  text: string;
  /** The blocks it sets (one for a block id, every block of a type for a type). */
  blocks: string[];
  /** The parameter name, or ENABLED. */
  param: string;
  /** The catalog entry (null for ENABLED). */
  spec: ParamSpec | null;
}

/** Splits "a.b" at its last dot: block ids may hold dots, parameter names never do. */
function splitPath(text: string): [string, string] {
  const i = text.lastIndexOf('.');
  if (i <= 0 || i === text.length - 1) {
    throw new UserError(
      `"${text}" is not a parameter path: write BLOCK.PARAM (e.g. tower-click.units, training.learningRate).`,
      { field: text },
    );
  }
  return [text.slice(0, i).trim(), text.slice(i + 1).trim()];
}

/** Resolves a path against a project's graph; throws a message naming what does not exist. */
export function resolvePath(project: ProjectFile, text: string): ParamPath {
  const [target, param] = splitPath(text.trim());
  const blocks = project.graph.blocks;
  let chosen: Block[];
  if (target === TRAINING_SCOPE && !blocks.some((b) => b.id === TRAINING_SCOPE)) {
    chosen = blocks.filter((b) => b.type === 'optimizer');
    if (chosen.length === 0)
      throw new UserError(
        `${text}: the project has no optimizer block to hold its training settings.`,
        {
          field: text,
        },
      );
  } else {
    const byId = blocks.find((b) => b.id === target);
    chosen = byId ? [byId] : isBlockType(target) ? blocks.filter((b) => b.type === target) : [];
    if (chosen.length === 0) {
      const ids = blocks.map((b) => b.id).join(', ');
      throw new UserError(
        `${text}: no block has the id or type "${target}". Blocks: ${ids}; or training.PARAM.`,
        { field: text, block: target },
      );
    }
  }
  const type = chosen[0].type;
  if (param === ENABLED) {
    const wrong = chosen.find((b) => !REMOVABLE.includes(b.type));
    if (wrong) {
      throw new UserError(
        `${text}: only label embeddings and fusion units can be switched off, not "${wrong.label ?? wrong.id}".`,
        { field: text, block: wrong.id },
      );
    }
    return { text, blocks: chosen.map((b) => b.id), param, spec: null };
  }
  const specs = blockSpec(type).params;
  const spec = specs.find((p) => p.name === param);
  if (!spec) {
    const names = [...specs.map((p) => p.name), ...(REMOVABLE.includes(type) ? [ENABLED] : [])];
    throw new UserError(
      `${text}: a ${blockSpec(type).title.toLowerCase()} has no parameter "${param}"; it has ${names.join(', ')}.`,
      { field: text, block: chosen[0].id },
    );
  }
  return { text, blocks: chosen.map((b) => b.id), param, spec };
}

/**
 * Reads a value written in a grid or a list ("0.01", "true", "64,32", "concat") as the
 * parameter's kind: numbers for number parameters, booleans for booleans, text otherwise.
 */
export function parseValue(path: ParamPath, value: ParamValue): ParamValue {
  const kind = path.spec?.kind ?? 'boolean';
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (kind === 'number' && text !== '' && Number.isFinite(Number(text))) return Number(text);
  if (kind === 'boolean') {
    if (/^(true|on|yes)$/i.test(text)) return true;
    if (/^(false|off|no)$/i.test(text)) return false;
  }
  return text;
}

/** Checks a value for a path; throws one line naming the path and what is allowed. */
function checkValue(path: ParamPath, value: ParamValue): void {
  if (path.spec === null) {
    if (typeof value !== 'boolean')
      throw new UserError(`${path.text} must be true or false, got ${showValue(value)}.`, {
        field: path.text,
      });
    return;
  }
  const issue = checkParamValue(path.spec, value);
  if (issue) throw new UserError(`${path.text} ${issue.message}.`, { field: path.text });
}

/** The value a path has in a project now (the first block's; `enabled`: true while present). */
export function currentValue(project: ProjectFile, path: ParamPath): ParamValue | undefined {
  if (path.param === ENABLED) return path.blocks.some((id) => hasBlock(project, id));
  const block = project.graph.blocks.find((b) => b.id === path.blocks[0]);
  return block?.params[path.param];
}

function hasBlock(project: ProjectFile, id: string): boolean {
  return project.graph.blocks.some((b) => b.id === id);
}

/**
 * Sets a value in place. `enabled=false` removes the blocks with every link to or from them,
 * then label embeddings left feeding nothing (a fusion unit removed takes its label
 * embeddings along: without a reader they would train nothing).
 */
function applyValue(project: ProjectFile, path: ParamPath, value: ParamValue): void {
  checkValue(path, value);
  if (path.param === ENABLED) {
    if (value === true) {
      if (!path.blocks.every((id) => hasBlock(project, id)))
        throw new UserError(`${path.text}=true: a removed block cannot be put back by a sweep.`, {
          field: path.text,
        });
      return;
    }
    removeBlocks(project, new Set(path.blocks));
    const orphans = project.graph.blocks.filter(
      (b) =>
        b.type === 'label-embedding' && !project.graph.edges.some((e) => e.source.block === b.id),
    );
    if (orphans.length > 0) removeBlocks(project, new Set(orphans.map((b) => b.id)));
    return;
  }
  for (const block of project.graph.blocks) {
    if (path.blocks.includes(block.id)) block.params = { ...block.params, [path.param]: value };
  }
}

function removeBlocks(project: ProjectFile, ids: ReadonlySet<string>): void {
  project.graph.blocks = project.graph.blocks.filter((b) => !ids.has(b.id));
  project.graph.edges = project.graph.edges.filter(
    (e) => !ids.has(e.source.block) && !ids.has(e.target.block),
  );
}

/** A copy of `project` with each path set to its value (paths as text, values as written). */
export function withParams(
  project: ProjectFile,
  params: Readonly<Record<string, ParamValue>>,
): ProjectFile {
  const out = structuredClone(project);
  for (const [text, value] of Object.entries(params)) {
    const path = resolvePath(out, text);
    applyValue(out, path, parseValue(path, value));
  }
  return out;
}
