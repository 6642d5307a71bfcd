// The project file's schema (valibot), written once: the source of the project types
// (shared/project.ts derives them with v.InferOutput) and of their validation, for opening a
// file (engine/graph/project-file.ts) and for a project arriving over IPC (ipc/args.ts).
// Every message completes "<where>: …" in today's words ('must be non-empty text, got
// nothing'); issueText turns a valibot issue into the whole sentence, naming the block (id and
// label), the connection, the task or the field from the issue's path, plus a location for the
// editor. The schema reads a migrated document (the current version); the format marker and
// the version are checked before migration, by the reader. Blocks come out with every catalog
// parameter present (defaults filled in; unknown ones dropped, the reader warns).
// The renderer imports only the types (shared/project.ts), so valibot stays out of its bundle.

import * as v from 'valibot';
import { blockSpec, CATALOG, isBlockType, withDefaults } from './catalog';
import type { BlockType, ParamValue } from './project';
import { PROJECT_FORMAT, PROJECT_VERSION } from './project';
import { checkParamValue, showValue } from './validity/params';

// ---- messages -----------------------------------------------------------------------------------

const got = (issue: { input: unknown }): string => `got ${showValue(issue.input)}`;

/** The message a schema gives for a value (a missing field: run on undefined). */
function messageFor(schema: v.GenericSchema, value: unknown): string {
  return v.safeParse(schema, value, { abortEarly: true }).issues?.[0].message ?? '';
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** A JSON object (not a list, not null). */
const anObject = v.custom<Record<string, unknown>>(
  isRecord,
  (issue) => `must be an object, ${got(issue)}`,
);

/** Object fields; a missing one says what it must be ('must be a list, got nothing'). */
function keyed<E extends Record<string, v.GenericSchema>>(entries: E) {
  return v.object(entries, (issue) => {
    const last = issue.path?.[issue.path.length - 1];
    if (last?.origin === 'key' && typeof last.key === 'string' && last.key in entries) {
      return messageFor(entries[last.key], undefined);
    }
    return `must be an object, ${got(issue)}`;
  });
}

/** A JSON object with these fields (anything else is dropped). */
const fields = <E extends Record<string, v.GenericSchema>>(entries: E) =>
  v.pipe(anObject, keyed(entries));

const list = <T extends v.GenericSchema>(item: T) =>
  v.array(item, (issue) => `must be a list, ${got(issue)}`);

const nonEmptyText = v.pipe(
  v.string((issue) => `must be non-empty text, ${got(issue)}`),
  v.check(
    (s) => s.trim() !== '',
    (issue) => `must be non-empty text, ${got(issue)}`,
  ),
);

const anyText = v.string((issue) => `must be text, ${got(issue)}`);

const oneOf = <const T extends readonly [string, ...string[]]>(options: T) =>
  v.picklist(
    options,
    (issue) => `must be ${options.map((o) => `"${o}"`).join(' or ')}, ${got(issue)}`,
  );

const coordinate = v.pipe(
  v.number((issue) => `must be a number, ${got(issue)}`),
  v.finite((issue) => `must be a number, ${got(issue)}`),
);

// ---- the graph ----------------------------------------------------------------------------------

const KNOWN_TYPES = CATALOG.map((s) => s.type).join(', ');

const blockEntries = {
  id: nonEmptyText,
  label: v.optional(anyText),
  type: v.custom<BlockType>(
    isBlockType,
    (issue) => `unknown block type ${showValue(issue.input)} (known types: ${KNOWN_TYPES})`,
  ),
  params: v.optional(v.pipe(anObject, v.record(v.string(), v.unknown()))),
  position: v.optional(fields({ x: coordinate, y: coordinate }), () => ({ x: 0, y: 0 })),
};
const blockFields = fields(blockEntries);

type BlockFields = v.InferOutput<typeof blockFields>;

/** A path step from an object to one of its fields (for issues raised by checks). */
const step = (input: object, key: string | number, value: unknown): v.IssuePathItem =>
  Array.isArray(input)
    ? { type: 'array', origin: 'value', input, key: key as number, value }
    : {
        type: 'object',
        origin: 'value',
        input: input as Record<string, unknown>,
        key: String(key),
        value,
      };

const block = v.pipe(
  blockFields,
  // Types, choices and bounds here; layer-list formats are validateGraph's (editable text).
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed || !dataset.value.params) return;
    const b = dataset.value;
    const params = b.params!;
    const spec = blockSpec(b.type);
    for (const [name, value] of Object.entries(params)) {
      const param = spec.params.find((p) => p.name === name);
      const issue = param && checkParamValue(param, value, false);
      if (!issue) continue;
      addIssue({
        input: value,
        message: issue.message,
        path: [step(b, 'params', params), step(params, name, value)],
      });
      return;
    }
  }),
  v.transform(({ params, ...b }: BlockFields) => ({
    ...b,
    params: withDefaults(b.type, known(b.type, params)),
  })),
);

/** The parameters a block type has (unknown ones dropped: the reader warns about them). */
function known(type: BlockType, params: Record<string, unknown> = {}): Record<string, ParamValue> {
  const names = new Set(blockSpec(type).params.map((p) => p.name));
  return Object.fromEntries(
    Object.entries(params).filter(([name]) => names.has(name)) as [string, ParamValue][],
  );
}

const portRef = fields({ block: nonEmptyText, port: nonEmptyText });

const edgeEntries = { id: nonEmptyText, source: portRef, target: portRef };
const edge = fields(edgeEntries);

/** The first index of a repeated key, for "blocks #3 and #4 have the same id". */
function firstRepeat<T>(items: readonly T[], key: (item: T) => string): [number, number] | null {
  const seen = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const k = key(items[i]);
    const earlier = seen.get(k);
    if (earlier !== undefined) return [earlier, i];
    seen.set(k, i);
  }
  return null;
}

const blocks = v.pipe(
  list(block),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const repeat = firstRepeat(dataset.value, (b) => b.id);
    if (!repeat) return;
    const [a, b] = repeat;
    const id = dataset.value[b].id;
    addIssue({
      input: id,
      message: `blocks #${a + 1} and #${b + 1} have the same id; block ids must be unique`,
      path: [step(dataset.value, b, dataset.value[b]), step(dataset.value[b], 'id', id)],
    });
  }),
);

const edges = v.pipe(
  list(edge),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const repeat = firstRepeat(dataset.value, (e) => e.id);
    if (!repeat) return;
    const e = dataset.value[repeat[1]];
    addIssue({
      input: e.id,
      message: 'two connections have this id; connection ids must be unique',
      path: [step(dataset.value, repeat[1], e), step(e, 'id', e.id)],
    });
  }),
);

const graphEntries = { blocks, edges };
const graph = v.pipe(
  fields(graphEntries),
  // Every connection joins ports that exist (types on edges are validateGraph's).
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const g = dataset.value;
    const byId = new Map(g.blocks.map((b) => [b.id, b]));
    for (const [i, e] of g.edges.entries()) {
      for (const side of ['source', 'target'] as const) {
        const ref = e[side];
        const found = byId.get(ref.block);
        const direction = side === 'source' ? 'from' : 'to';
        const at = (key: 'block' | 'port', message: string) =>
          addIssue({
            input: ref[key],
            message,
            path: [
              step(g, 'edges', g.edges),
              step(g.edges, i, e),
              step(e, side, ref),
              step(ref, key, ref[key]),
            ],
          });
        if (!found)
          return at('block', `goes ${direction} block "${ref.block}", which does not exist`);
        const spec = blockSpec(found.type);
        const ports = side === 'source' ? spec.outputs : spec.inputs;
        if (!ports.some((p) => p.name === ref.port)) {
          const kind = side === 'source' ? 'output' : 'input';
          const names = ports.map((p) => `"${p.name}"`).join(', ') || 'none';
          return at(
            'port',
            `block "${ref.block}" (${found.label?.trim() || spec.title}) has no ${kind} port "${ref.port}" (its ${kind}s: ${names})`,
          );
        }
      }
    }
  }),
);

// ---- the data binding and the training settings -------------------------------------------------

const feature = fields({ column: nonEmptyText, kind: oneOf(['categorical', 'numeric']) });

const task = fields({
  name: nonEmptyText,
  column: nonEmptyText,
  type: oneOf(['binary', 'regression']),
});

const dataEntries = {
  features: list(feature),
  tasks: list(task),
  excluded: list(nonEmptyText),
  source: v.optional(anyText),
};
const data = v.pipe(
  fields(dataEntries),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const d = dataset.value;
    const at = (key: 'features' | 'tasks', i: number, field: string, message: string) => {
      const item: Record<string, unknown> = d[key][i];
      addIssue({
        input: item[field],
        message,
        path: [step(d, key, d[key]), step(d[key], i, item), step(item, field, item[field])],
      });
    };
    const twice = firstRepeat(d.features, (f) => f.column);
    if (twice) {
      const column = d.features[twice[1]].column;
      return at('features', twice[1], 'column', `column "${column}" is listed twice as a feature`);
    }
    const sameName = firstRepeat(d.tasks, (t) => t.name);
    const columns = new Set(d.features.map((f) => f.column));
    for (const [i, t] of d.tasks.entries()) {
      if (sameName?.[1] === i) {
        return at('tasks', i, 'name', `two tasks are named "${t.name}"; task names must be unique`);
      }
      if (columns.has(t.column)) {
        return at(
          'tasks',
          i,
          'column',
          `column "${t.column}" is both a feature and the target of task "${t.name}"`,
        );
      }
    }
  }),
);

const split = v.pipe(
  anObject,
  v.variant(
    'kind',
    [
      keyed({ kind: v.literal('random') }),
      keyed({ kind: v.literal('time'), column: nonEmptyText }),
    ],
    (issue) => `must be "random" or "time", ${got(issue)}`,
  ),
);

const fractions = v.pipe(
  v.custom<[number, number, number]>(
    (f) =>
      Array.isArray(f) &&
      f.length === 3 &&
      f.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0) &&
      Math.abs((f as number[]).reduce((a, b) => a + b, 0) - 1) < 1e-6,
    (issue) =>
      `must be three numbers (train, validation, test), each greater than 0, that sum to 1; ${got(issue)}`,
  ),
  v.transform((f): [number, number, number] => [f[0], f[1], f[2]]),
);

const trainingEntries = { split, fractions };
const training = fields(trainingEntries);

// ---- the project --------------------------------------------------------------------------------

const projectEntries = { name: anyText, graph, data, training };
const projectFields = fields(projectEntries);

/** A migrated project document (the current version) -> a ProjectFile. */
export const ProjectSchema = v.pipe(
  projectFields,
  v.transform((p) => ({
    // The assertions keep the literal format and widen the version in the inferred type.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    format: PROJECT_FORMAT as typeof PROJECT_FORMAT,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    version: PROJECT_VERSION as number,
    name: p.name,
    graph: p.graph,
    data: p.data,
    training: p.training,
  })),
);

/** The fields each part of the document has (anything else is dropped with a warning). */
export const PROJECT_FIELDS = {
  project: ['format', 'version', ...Object.keys(projectEntries)],
  graph: Object.keys(graphEntries),
  block: Object.keys(blockEntries),
  edge: Object.keys(edgeEntries),
  data: Object.keys(dataEntries),
  training: Object.keys(trainingEntries),
} as const;

// ---- issues in words ----------------------------------------------------------------------------

/** Where an issue is, for the editor: the block, the field, the data column. */
interface IssueLocation {
  block?: string;
  field?: string;
  column?: string;
}

/** An issue in words: "<where>: <message>" and its location. */
export function issueText(issue: v.BaseIssue<unknown>): { text: string; location: IssueLocation } {
  const path = (issue.path ?? []).map((p) => ({ key: p.key, value: p.value }));
  const keys = path.map((p) => p.key);
  const { where, location } = placeOf(
    keys,
    path.map((p) => p.value),
    issue.type === 'raw_check',
  );
  return { text: `${where}: ${issue.message}`, location };
}

type Key = unknown;

/** The words for where a path points (as the reader has always named places). */
function placeOf(
  keys: Key[],
  values: unknown[],
  check: boolean,
): { where: string; location: IssueLocation } {
  const field = (where: string, name: string, location: IssueLocation = {}) => ({
    where: `${where}, field "${name}"`,
    location,
  });
  const obj = (i: number) => (values[i] ?? {}) as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === 'string' ? x : '');
  const [top, part, index, key, sub] = keys;

  if (keys.length === 0) return { where: 'project', location: {} };
  if (top === 'graph') {
    if (part === undefined) return { where: 'field "graph"', location: { field: 'graph' } };
    if (index === undefined) {
      return {
        where: `field "graph.${String(part)}"`,
        location: { field: `graph.${String(part)}` },
      };
    }
    const n = Number(index) + 1;
    if (part === 'blocks') {
      const b = obj(2);
      const id = str(b.id);
      const label = str(b.label);
      if (key === undefined) return { where: `block #${n}`, location: {} };
      if (key === 'id' && !check) return field(`block #${n}`, 'id', { field: 'id' });
      if (key === 'id') return { where: `block "${id}"`, location: { block: id, field: 'id' } };
      if (key === 'label') return field(`block "${id}"`, 'label', { block: id, field: 'label' });
      if (key === 'type') {
        return {
          where: `block "${id}"${label ? ` (${label})` : ''}`,
          location: { block: id, field: 'type' },
        };
      }
      const title = isBlockType(b.type) ? blockSpec(b.type).title : String(b.type);
      const where = `block "${id}" (${label.trim() || title})`;
      if (key === 'params' && sub !== undefined) {
        return {
          where: `${where}, parameter "${String(sub)}"`,
          location: { block: id, field: String(sub) },
        };
      }
      const name = sub === undefined ? String(key) : `${String(key)}.${String(sub)}`;
      return field(where, name, { block: id, field: String(key) });
    }
    // A connection.
    const e = obj(2);
    if (key === undefined) return { where: `connection #${n}`, location: {} };
    if (key === 'id' && !check) return field(`connection #${n}`, 'id', { field: 'id' });
    const where = `connection "${str(e.id)}"`;
    if (check && sub === undefined) return { where, location: {} };
    if (check) {
      const ref = obj(3);
      const location: IssueLocation = { block: str(ref.block) };
      if (sub === 'port') location.field = str(ref.port);
      return { where, location };
    }
    return field(where, sub === undefined ? String(key) : `${String(key)}.${String(sub)}`);
  }
  if (top === 'data') {
    if (part === undefined) return { where: 'field "data"', location: { field: 'data' } };
    const where = 'data binding';
    const item = obj(2);
    if (check) return { where, location: { column: str(item.column) } };
    if (index === undefined) return field(where, String(part));
    const n = Number(index) + 1;
    if (part === 'excluded') return { where: `${where}, excluded column #${n}`, location: {} };
    const noun = part === 'features' ? 'feature' : 'task';
    if (key === undefined) return { where: `${where}, ${noun} #${n}`, location: {} };
    const named = part === 'features' ? key === 'kind' : key !== 'name';
    const name = str(part === 'features' ? item.column : item.name);
    return field(named ? `${where}, ${noun} "${name}"` : `${where}, ${noun} #${n}`, String(key));
  }
  if (top === 'training') {
    if (part === undefined) return { where: 'field "training"', location: { field: 'training' } };
    return field('training settings', keys.slice(1).map(String).join('.'));
  }
  return { where: `field "${String(top)}"`, location: { field: String(top) } };
}
