// Run-time checks of what arrives over IPC (or HTTP), written as valibot schemas (one style with
// the project file's schema). The shape of a project is checked by the engine's project-file
// reader (shared/project-schema.ts, the same check as opening a file); the graph validator then
// reports what is wrong with a well-formed project. Every refusal is one ArgumentError naming
// the channel and the argument.

import * as v from 'valibot';
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

// ---- argument schemas (valibot) ------------------------------------------------------------------
// Each message completes "<channel>: <argument> …"; parseArg names the argument from the
// issue's path (source.runId, groups[0].columns[1]).

/** Messages say what the value was, briefly. */
const got = (issue: { input: unknown }) => `got ${describe(issue.input)}`;

const aString = (opts: { allowEmpty?: boolean; maxLength?: number } = {}) => {
  const max = opts.maxLength ?? 50_000_000;
  return v.pipe(
    v.string((issue) => `must be a string; ${got(issue)}`),
    v.minLength(opts.allowEmpty ? 0 : 1, 'is empty'),
    v.maxLength(max, `is longer than ${max} characters`),
  );
};

const anObject = v.custom<Record<string, unknown>>(
  (x) => typeof x === 'object' && x !== null && !Array.isArray(x),
  (issue) => `must be an object; ${got(issue)}`,
);

/** An object with these fields; a missing one is reported as its own schema reports nothing. */
const fields = <E extends Record<string, v.GenericSchema>>(entries: E) =>
  v.pipe(
    anObject,
    v.object(entries, (issue) => {
      const key = issue.path?.[issue.path.length - 1]?.key;
      const entry = typeof key === 'string' ? entries[key] : undefined;
      return entry ? (v.safeParse(entry, undefined).issues?.[0].message ?? '') : '';
    }),
  );

const anInteger = (min: number, max: number) =>
  v.custom<number>(
    (x) => typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max,
    (issue) => `must be a whole number from ${min} to ${max}; ${got(issue)}`,
  );

const aList = <T extends v.GenericSchema>(item: T, max: number) =>
  v.pipe(
    v.custom<unknown[]>(Array.isArray, (issue) => `must be a list; ${got(issue)}`),
    v.check((list) => list.length <= max, `holds more than ${max} items`),
    v.array(item),
  );

/** One of a few words, listed in the message ("must be test, validation or all"). */
const oneOf = <const T extends readonly [string, ...string[]]>(options: T, words: string) =>
  v.picklist(options, (issue) => `must be ${words}; ${got(issue)}`);

/** Validates one argument; throws an ArgumentError naming the channel and the argument. */
function parseArg<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
  channel: string,
  name: string,
  prefix = '',
): v.InferOutput<S> {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = (issue.path ?? [])
    .map((p, i) =>
      typeof p.key === 'number' ? `[${p.key}]` : `${i === 0 ? prefix : '.'}${String(p.key)}`,
    )
    .join('');
  throw new ArgumentError(`${channel}: ${path || name} ${issue.message}.`);
}

/** Checks a string argument; names the channel and the argument. */
export function checkString(
  value: unknown,
  channel: string,
  name: string,
  opts: { allowEmpty?: boolean; maxLength?: number } = {},
): string {
  return parseArg(aString(opts), value, channel, name);
}

const FILE_KINDS = ['project', 'csv', 'model'] as const satisfies readonly FileKind[];
const fileKind = oneOf(FILE_KINDS, `one of ${FILE_KINDS.join(', ')}`);

export function checkFileKind(value: unknown, channel: string): FileKind {
  return parseArg(fileKind, value, channel, 'the file kind');
}

const recoverySnapshot = fields({
  path: v.nullable(aString()),
  name: aString(),
  project: v.optional(v.unknown()), // checked by checkProjectFile
});

export function checkRecoverySnapshot(value: unknown, channel: string): RecoverySnapshot {
  const { path, name, project } = parseArg(
    recoverySnapshot,
    value,
    channel,
    'the snapshot',
    'snapshot.',
  );
  return { project: checkProjectFile(project, channel), path, name };
}

export function checkObject(
  value: unknown,
  channel: string,
  name: string,
): Record<string, unknown> {
  return parseArg(anObject, value, channel, name);
}

export function checkInteger(
  value: unknown,
  channel: string,
  name: string,
  min: number,
  max: number,
): number {
  return parseArg(anInteger(min, max), value, channel, name);
}

const explainRequest = v.pipe(
  fields({
    source: v.pipe(
      anObject,
      v.looseObject({ runId: v.optional(aString()) }),
      v.transform((s): { runId: string } | { modelDir: unknown } =>
        s.runId !== undefined ? { runId: s.runId } : { modelDir: s.modelDir },
      ),
    ),
    dataPath: v.optional(v.unknown()),
    subset: v.optional(oneOf(['test', 'validation', 'all'], 'test, validation or all')),
    rows: v.optional(anInteger(10, 100_000_000)),
    repeats: v.optional(anInteger(1, 100)),
    explainRows: v.optional(aList(anInteger(0, 2_000_000_000), 20)),
    parts: v.optional(
      v.pipe(
        aList(v.unknown(), EXPLAIN_PARTS.length),
        v.rawCheck(({ dataset, addIssue }) => {
          if (!dataset.typed) return;
          const bad = dataset.value.findIndex((p) => !EXPLAIN_PARTS.includes(p as ExplainPart));
          if (bad < 0) return;
          addIssue({
            input: dataset.value[bad],
            message: (issue) => `must be among ${EXPLAIN_PARTS.join(', ')}; ${got(issue)}`,
          });
        }),
        v.transform((parts) => parts as ExplainPart[]),
      ),
    ),
    regressionMetric: v.optional(oneOf(['gini-drop', 'rmse-rise'], 'gini-drop or rmse-rise')),
    groups: v.optional(
      aList(
        fields({
          name: aString({ maxLength: 200 }),
          columns: aList(aString({ maxLength: 1000 }), 10_000),
        }),
        1000,
      ),
    ),
  }),
  v.transform(({ dataPath, ...request }) => ({ ...request, dataPath })),
);

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
  return parseArg(explainRequest, value, channel, 'request');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  if (typeof value === 'number') return String(value);
  return typeof value;
}
