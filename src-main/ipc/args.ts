// Run-time checks of what arrives over IPC (or HTTP). The shape of a project is checked by the
// engine's project-file reader (the same check as opening a file); the graph validator then
// reports what is wrong with a well-formed project.

import { UserError } from '../engine/errors';
import { validateProjectDocument } from '../engine/graph/project-file';
import type { ExplainRequestArgs, FileKind, RecoverySnapshot } from './api';
import { EXPLAIN_PARTS, type ExplainPart } from '../shared/explain';
import type { ProjectFile } from '../shared/project';

/** A call with arguments of the wrong number or shape. */
export class ArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgumentError';
  }
}

/** Checks the argument count of a call. */
export function expectArgs(
  channel: string,
  args: readonly unknown[],
  names: readonly string[],
): void {
  if (args.length !== names.length) {
    const expected = names.length === 0 ? 'no arguments' : `${names.length} (${names.join(', ')})`;
    throw new ArgumentError(`${channel} takes ${expected}; got ${args.length}.`);
  }
}

/**
 * Checks that `value` is a project document (migrating an older version and filling parameter
 * defaults, as opening a file does); throws an ArgumentError naming the channel and the field.
 */
export function checkProjectFile(value: unknown, channel: string): ProjectFile {
  try {
    return validateProjectDocument(value, 'The project');
  } catch (error) {
    if (error instanceof UserError) throw new ArgumentError(`${channel}: ${error.message}`);
    throw error;
  }
}

/** Checks a string argument; names the channel and the argument. */
export function checkString(
  value: unknown,
  channel: string,
  name: string,
  opts: { allowEmpty?: boolean; maxLength?: number } = {},
): string {
  if (typeof value !== 'string') {
    throw new ArgumentError(`${channel}: ${name} must be a string; got ${describe(value)}.`);
  }
  if (!opts.allowEmpty && value.length === 0) {
    throw new ArgumentError(`${channel}: ${name} is empty.`);
  }
  const max = opts.maxLength ?? 50_000_000;
  if (value.length > max) {
    throw new ArgumentError(`${channel}: ${name} is longer than ${max} characters.`);
  }
  return value;
}

const FILE_KINDS: readonly FileKind[] = ['project', 'csv', 'model'];

export function checkFileKind(value: unknown, channel: string): FileKind {
  if (!FILE_KINDS.includes(value as FileKind)) {
    throw new ArgumentError(
      `${channel}: the file kind must be one of ${FILE_KINDS.join(', ')}; got ${describe(value)}.`,
    );
  }
  return value as FileKind;
}

export function checkRecoverySnapshot(value: unknown, channel: string): RecoverySnapshot {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ArgumentError(`${channel}: the snapshot must be an object; got ${describe(value)}.`);
  }
  const v = value as Record<string, unknown>;
  const path = v.path === null ? null : checkString(v.path, channel, 'snapshot.path');
  const name = checkString(v.name, channel, 'snapshot.name');
  return { project: checkProjectFile(v.project, channel), path, name };
}

export function checkObject(
  value: unknown,
  channel: string,
  name: string,
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ArgumentError(`${channel}: ${name} must be an object; got ${describe(value)}.`);
  }
  return value as Record<string, unknown>;
}

export function checkInteger(
  value: unknown,
  channel: string,
  name: string,
  min: number,
  max: number,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ArgumentError(
      `${channel}: ${name} must be a whole number from ${min} to ${max}; got ${describe(value)}.`,
    );
  }
  return value;
}

function checkList(value: unknown, channel: string, name: string, max: number): unknown[] {
  if (!Array.isArray(value)) {
    throw new ArgumentError(`${channel}: ${name} must be a list; got ${describe(value)}.`);
  }
  if (value.length > max) {
    throw new ArgumentError(`${channel}: ${name} holds more than ${max} items.`);
  }
  return value;
}

/**
 * Checks an explain request, except its paths (the handler resolves them against the path
 * policy): the model's source, the subset, the sizes, the rows, the parts and the groups.
 */
export function checkExplainRequest(
  value: unknown,
  channel: string,
): Omit<ExplainRequestArgs, 'source' | 'dataPath'> & {
  source: { runId: string } | { modelDir: unknown };
  dataPath: unknown;
} {
  const request = checkObject(value, channel, 'request');
  const source = checkObject(request.source, channel, 'source');
  const out: ReturnType<typeof checkExplainRequest> = {
    source:
      source.runId !== undefined
        ? { runId: checkString(source.runId, channel, 'source.runId') }
        : { modelDir: source.modelDir },
    dataPath: request.dataPath,
  };
  if (request.subset !== undefined) {
    if (request.subset !== 'test' && request.subset !== 'validation' && request.subset !== 'all') {
      throw new ArgumentError(
        `${channel}: subset must be test, validation or all; got ${describe(request.subset)}.`,
      );
    }
    out.subset = request.subset;
  }
  if (request.rows !== undefined)
    out.rows = checkInteger(request.rows, channel, 'rows', 10, 100_000_000);
  if (request.repeats !== undefined)
    out.repeats = checkInteger(request.repeats, channel, 'repeats', 1, 100);
  if (request.explainRows !== undefined) {
    out.explainRows = checkList(request.explainRows, channel, 'explainRows', 20).map((r, i) =>
      checkInteger(r, channel, `explainRows[${i}]`, 0, 2_000_000_000),
    );
  }
  if (request.parts !== undefined) {
    out.parts = checkList(request.parts, channel, 'parts', EXPLAIN_PARTS.length).map((p) => {
      if (!EXPLAIN_PARTS.includes(p as ExplainPart)) {
        throw new ArgumentError(
          `${channel}: parts must be among ${EXPLAIN_PARTS.join(', ')}; got ${describe(p)}.`,
        );
      }
      return p as ExplainPart;
    });
  }
  if (request.regressionMetric !== undefined) {
    if (request.regressionMetric !== 'gini-drop' && request.regressionMetric !== 'rmse-rise') {
      throw new ArgumentError(
        `${channel}: regressionMetric must be gini-drop or rmse-rise; got ${describe(request.regressionMetric)}.`,
      );
    }
    out.regressionMetric = request.regressionMetric;
  }
  if (request.groups !== undefined) {
    out.groups = checkList(request.groups, channel, 'groups', 1000).map((g, i) => {
      const group = checkObject(g, channel, `groups[${i}]`);
      return {
        name: checkString(group.name, channel, `groups[${i}].name`, { maxLength: 200 }),
        columns: checkList(group.columns, channel, `groups[${i}].columns`, 10_000).map((c, j) =>
          checkString(c, channel, `groups[${i}].columns[${j}]`, { maxLength: 1000 }),
        ),
      };
    });
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  if (typeof value === 'number') return String(value);
  return typeof value;
}
