// Reading and writing project files. Reading: JSON syntax (errors name the line and column),
// the format marker, the version (newer refused, older migrated step by step), then a
// structural check of every field whose errors name the block and the field. Blocks come out
// with every catalog parameter present (defaults filled in, unknown ones dropped with a
// warning). Graph-level problems (types on edges, cycles, heads and tasks...) are left to
// validateGraph, so a half-built graph can still be saved and opened.
// Writing: stable 2-space JSON with keys in a fixed order and a trailing newline.

import {
  blockSpec,
  CATALOG,
  isBlockType,
  withDefaults,
  type BlockSpec,
} from '../../shared/catalog';
import {
  PROJECT_FORMAT,
  PROJECT_VERSION,
  type Block,
  type DataBinding,
  type Edge,
  type FeatureBinding,
  type ParamValue,
  type ProjectFile,
  type SplitSetting,
  type TaskBinding,
  type TrainingSettings,
} from '../../shared/project';
import { UserError, type ErrorLocation } from '../errors';
import { findJsonSyntaxError } from './json-syntax';
import { migrateDocument, type JsonObject, type Migration } from './migrations';
import { checkParamValue, showValue } from '../../shared/validity/params';

/** The name used in messages when the caller gives no file name. */
const DEFAULT_FILE = 'The project file';

export interface LoadedProject {
  project: ProjectFile;
  /** Things dropped or fixed while reading (unknown parameters and fields), one sentence each. */
  warnings: string[];
  /** The version the file was saved in, when it was migrated; else null. */
  migratedFrom: number | null;
  /** The migration steps applied, in order. */
  migrations: Migration[];
}

/** Parses and checks a project file's text; throws a UserError naming the file and the place. */
export function parseProject(text: string, fileName?: string): ProjectFile {
  return readProject(text, fileName).project;
}

/** parseProject, also returning the warnings and the migrations applied. */
export function readProject(text: string, fileName = DEFAULT_FILE): LoadedProject {
  return readProjectDocument(parseJson(text, fileName), fileName);
}

/** Checks (and migrates) an already parsed project document. */
export function validateProjectDocument(json: unknown, fileName?: string): ProjectFile {
  return readProjectDocument(json, fileName).project;
}

/** validateProjectDocument, also returning the warnings and the migrations applied. */
export function readProjectDocument(json: unknown, file = DEFAULT_FILE): LoadedProject {
  if (!isObject(json)) {
    const what = Array.isArray(json) ? 'a JSON list' : `the JSON value ${showValue(json)}`;
    throw new UserError(
      `${file} is not an HTLNet Studio project (it holds ${what}, not a project).`,
      {
        file,
      },
    );
  }
  if (json.format !== PROJECT_FORMAT) {
    const format = json.format === undefined ? 'missing' : showValue(json.format);
    throw new UserError(
      `${file} is not an HTLNet Studio project (format is ${format}; expected "${PROJECT_FORMAT}").`,
      { file, field: 'format' },
    );
  }
  const version = json.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new UserError(
      `${file}: field "version": must be a whole number of at least 1, got ${showValue(version)}.`,
      { file, field: 'version' },
    );
  }
  if (version > PROJECT_VERSION) {
    throw new UserError(
      `${file} was saved by a newer HTLNet Studio (project version ${version}; this app reads up to ${PROJECT_VERSION}). Update the app to open it.`,
      { file, field: 'version' },
    );
  }
  const { doc, applied } =
    version < PROJECT_VERSION
      ? migrateDocument(json, version, file)
      : { doc: json, applied: [] as Migration[] };
  const reader = new DocumentReader(file);
  const project = reader.project(doc);
  return {
    project,
    warnings: reader.warnings,
    migratedFrom: applied.length > 0 ? version : null,
    migrations: applied,
  };
}

// ---- JSON syntax --------------------------------------------------------------------------------

function parseJson(text: string, file: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a byte-order mark
  if (body.trim() === '') {
    throw new UserError(`${file} is empty; it is not an HTLNet Studio project.`, { file });
  }
  try {
    return JSON.parse(body);
  } catch (e) {
    const syntax = findJsonSyntaxError(body);
    if (!syntax) throw e;
    throw new UserError(
      `${file}, line ${syntax.line}, column ${syntax.column}: not valid JSON: ${syntax.reason}.`,
      { file, line: syntax.line },
    );
  }
}

// ---- the structural check -----------------------------------------------------------------------

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const TOP_FIELDS = ['format', 'version', 'name', 'graph', 'data', 'training'];

/** Reads a migrated document into a ProjectFile, failing on the first structural error. */
class DocumentReader {
  readonly warnings: string[] = [];
  constructor(private readonly file: string) {}

  /** Throws "<file>: <where>: <message>." */
  private fail(where: string, message: string, location: ErrorLocation = {}): never {
    throw new UserError(`${this.file}: ${where}: ${message}.`, { file: this.file, ...location });
  }

  private warn(where: string, message: string): void {
    this.warnings.push(`${this.file}: ${where}: ${message}.`);
  }

  /** Warns about (and so drops) fields the format does not have. */
  private unknownFields(value: JsonObject, known: readonly string[], where: string): void {
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) this.warn(where, `unknown field "${key}" ignored`);
    }
  }

  private object(value: unknown, where: string, location: ErrorLocation = {}): JsonObject {
    if (!isObject(value)) this.fail(where, `must be an object, got ${showValue(value)}`, location);
    return value;
  }

  private array(value: unknown, where: string, location: ErrorLocation = {}): unknown[] {
    if (!Array.isArray(value))
      this.fail(where, `must be a list, got ${showValue(value)}`, location);
    return value;
  }

  private text(
    value: unknown,
    where: string,
    location: ErrorLocation = {},
    nonEmpty = true,
  ): string {
    if (typeof value !== 'string' || (nonEmpty && value.trim() === '')) {
      this.fail(
        where,
        `must be ${nonEmpty ? 'non-empty text' : 'text'}, got ${showValue(value)}`,
        location,
      );
    }
    return value;
  }

  private oneOf<T extends string>(value: unknown, options: readonly T[], where: string): T {
    if (typeof value !== 'string' || !options.includes(value as T)) {
      const list = options.map((o) => `"${o}"`).join(' or ');
      this.fail(where, `must be ${list}, got ${showValue(value)}`);
    }
    return value as T;
  }

  project(doc: JsonObject): ProjectFile {
    this.unknownFields(doc, TOP_FIELDS, 'project');
    const name = this.text(doc.name, 'field "name"', { field: 'name' }, false);
    const graph = this.object(doc.graph, 'field "graph"', { field: 'graph' });
    this.unknownFields(graph, ['blocks', 'edges'], 'graph');
    const rawBlocks = this.array(graph.blocks, 'field "graph.blocks"', { field: 'graph.blocks' });
    const rawEdges = this.array(graph.edges, 'field "graph.edges"', { field: 'graph.edges' });
    const blocks = this.blocks(rawBlocks);
    const edges = this.edges(rawEdges, blocks);
    return {
      format: PROJECT_FORMAT,
      version: PROJECT_VERSION,
      name,
      graph: { blocks, edges },
      data: this.data(doc.data),
      training: this.training(doc.training),
    };
  }

  // -- blocks --

  private blocks(raw: unknown[]): Block[] {
    const blocks: Block[] = [];
    const seen = new Map<string, number>();
    raw.forEach((value, i) => {
      const b = this.object(value, `block #${i + 1}`);
      const id = this.text(b.id, `block #${i + 1}, field "id"`, { field: 'id' });
      if (seen.has(id)) {
        this.fail(
          `block "${id}"`,
          `blocks #${seen.get(id)! + 1} and #${i + 1} have the same id; block ids must be unique`,
          { block: id, field: 'id' },
        );
      }
      seen.set(id, i);
      const label =
        b.label === undefined
          ? undefined
          : this.text(
              b.label,
              `block "${id}", field "label"`,
              { block: id, field: 'label' },
              false,
            );
      if (!isBlockType(b.type)) {
        const known = CATALOG.map((s) => s.type).join(', ');
        this.fail(
          `block "${id}"${label ? ` (${label})` : ''}`,
          `unknown block type ${showValue(b.type)} (known types: ${known})`,
          {
            block: id,
            field: 'type',
          },
        );
      }
      const spec = blockSpec(b.type);
      const where = `block "${id}" (${label?.trim() || spec.title})`;
      this.unknownFields(b, ['id', 'type', 'label', 'params', 'position'], where);
      const params = this.params(b.params, spec, where, id);
      const position = this.position(b.position, where, id);
      const block: Block = { id, type: spec.type, params, position };
      if (label !== undefined) block.label = label;
      blocks.push(block);
    });
    return blocks;
  }

  private params(
    value: unknown,
    spec: BlockSpec,
    where: string,
    id: string,
  ): Record<string, ParamValue> {
    if (value === undefined) return withDefaults(spec.type);
    const raw = this.object(value, `${where}, field "params"`, { block: id, field: 'params' });
    const given: Record<string, ParamValue> = {};
    for (const [name, v] of Object.entries(raw)) {
      const param = spec.params.find((p) => p.name === name);
      if (!param) {
        this.warn(where, `unknown parameter "${name}" dropped`);
        continue;
      }
      // Types, choices and bounds here; layer-list formats are validateGraph's (editable text).
      const issue = checkParamValue(param, v, false);
      if (issue)
        this.fail(`${where}, parameter "${name}"`, issue.message, { block: id, field: name });
      given[name] = v as ParamValue;
    }
    return withDefaults(spec.type, given);
  }

  private position(value: unknown, where: string, id: string): { x: number; y: number } {
    if (value === undefined) return { x: 0, y: 0 };
    const p = this.object(value, `${where}, field "position"`, { block: id, field: 'position' });
    const coordinate = (c: 'x' | 'y'): number => {
      const v = p[c];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        this.fail(`${where}, field "position.${c}"`, `must be a number, got ${showValue(v)}`, {
          block: id,
          field: 'position',
        });
      }
      return v;
    };
    return { x: coordinate('x'), y: coordinate('y') };
  }

  // -- edges --

  private edges(raw: unknown[], blocks: Block[]): Edge[] {
    const byId = new Map(blocks.map((b) => [b.id, b]));
    const seen = new Set<string>();
    return raw.map((value, i) => {
      const e = this.object(value, `connection #${i + 1}`);
      const id = this.text(e.id, `connection #${i + 1}, field "id"`, { field: 'id' });
      const where = `connection "${id}"`;
      if (seen.has(id))
        this.fail(where, 'two connections have this id; connection ids must be unique');
      seen.add(id);
      this.unknownFields(e, ['id', 'source', 'target'], where);
      const end = (side: 'source' | 'target'): { block: string; port: string } => {
        const ref = this.object(e[side], `${where}, field "${side}"`);
        const blockId = this.text(ref.block, `${where}, field "${side}.block"`);
        const port = this.text(ref.port, `${where}, field "${side}.port"`);
        const block = byId.get(blockId);
        const direction = side === 'source' ? 'from' : 'to';
        if (!block)
          this.fail(where, `goes ${direction} block "${blockId}", which does not exist`, {
            block: blockId,
          });
        const spec = blockSpec(block.type);
        const ports = side === 'source' ? spec.outputs : spec.inputs;
        if (!ports.some((p) => p.name === port)) {
          const kind = side === 'source' ? 'output' : 'input';
          const names = ports.map((p) => `"${p.name}"`).join(', ') || 'none';
          this.fail(
            where,
            `block "${blockId}" (${block.label?.trim() || spec.title}) has no ${kind} port "${port}" (its ${kind}s: ${names})`,
            { block: blockId, field: port },
          );
        }
        return { block: blockId, port };
      };
      return { id, source: end('source'), target: end('target') };
    });
  }

  // -- data binding --

  private data(value: unknown): DataBinding {
    const d = this.object(value, 'field "data"', { field: 'data' });
    const where = 'data binding';
    this.unknownFields(d, ['source', 'features', 'tasks', 'excluded'], where);
    const features: FeatureBinding[] = this.array(d.features, `${where}, field "features"`).map(
      (v, i) => {
        const f = this.object(v, `${where}, feature #${i + 1}`);
        const column = this.text(f.column, `${where}, feature #${i + 1}, field "column"`);
        const kind = this.oneOf(
          f.kind,
          ['categorical', 'numeric'] as const,
          `${where}, feature "${column}", field "kind"`,
        );
        return { column, kind };
      },
    );
    const tasks: TaskBinding[] = this.array(d.tasks, `${where}, field "tasks"`).map((v, i) => {
      const t = this.object(v, `${where}, task #${i + 1}`);
      const name = this.text(t.name, `${where}, task #${i + 1}, field "name"`);
      const column = this.text(t.column, `${where}, task "${name}", field "column"`);
      const type = this.oneOf(
        t.type,
        ['binary', 'regression'] as const,
        `${where}, task "${name}", field "type"`,
      );
      return { name, column, type };
    });
    const excluded = this.array(d.excluded, `${where}, field "excluded"`).map((v, i) =>
      this.text(v, `${where}, excluded column #${i + 1}`),
    );

    const featureColumns = new Set<string>();
    for (const f of features) {
      if (featureColumns.has(f.column))
        this.fail(where, `column "${f.column}" is listed twice as a feature`, { column: f.column });
      featureColumns.add(f.column);
    }
    const names = new Set<string>();
    for (const t of tasks) {
      if (names.has(t.name))
        this.fail(where, `two tasks are named "${t.name}"; task names must be unique`);
      names.add(t.name);
      if (featureColumns.has(t.column)) {
        this.fail(
          where,
          `column "${t.column}" is both a feature and the target of task "${t.name}"`,
          { column: t.column },
        );
      }
    }
    const binding: DataBinding = { features, tasks, excluded };
    if (d.source !== undefined)
      binding.source = this.text(d.source, `${where}, field "source"`, {}, false);
    return binding;
  }

  // -- training settings --

  private training(value: unknown): TrainingSettings {
    const where = 'training settings';
    const t = this.object(value, 'field "training"', { field: 'training' });
    this.unknownFields(t, ['split', 'fractions'], where);
    const s = this.object(t.split, `${where}, field "split"`);
    const kind = this.oneOf(s.kind, ['random', 'time'] as const, `${where}, field "split.kind"`);
    const split: SplitSetting =
      kind === 'random'
        ? { kind }
        : { kind, column: this.text(s.column, `${where}, field "split.column"`) };
    const fractions = t.fractions;
    const ok =
      Array.isArray(fractions) &&
      fractions.length === 3 &&
      fractions.every((f) => typeof f === 'number' && Number.isFinite(f) && f > 0) &&
      Math.abs((fractions as number[]).reduce((a, b) => a + b, 0) - 1) < 1e-6;
    if (!ok) {
      this.fail(
        `${where}, field "fractions"`,
        `must be three numbers (train, validation, test), each greater than 0, that sum to 1; got ${showValue(fractions)}`,
      );
    }
    return { split, fractions: [...(fractions as [number, number, number])] };
  }
}

// ---- writing --------------------------------------------------------------------------------------

/**
 * The project as file text in the current format (version PROJECT_VERSION): 2-space JSON,
 * keys in a fixed order, parameters in catalog order, a trailing newline. Short lists of plain values stay on one line (as the code
 * formatter lays JSON out, so committed project files stay formatted).
 */
export function serializeProject(p: ProjectFile): string {
  const ordered = {
    format: PROJECT_FORMAT,
    version: PROJECT_VERSION,
    name: p.name,
    graph: {
      blocks: p.graph.blocks.map((b) => ({
        id: b.id,
        type: b.type,
        label: b.label,
        params: orderedParams(b),
        position: { x: b.position.x, y: b.position.y },
      })),
      edges: p.graph.edges.map((e) => ({
        id: e.id,
        source: { block: e.source.block, port: e.source.port },
        target: { block: e.target.block, port: e.target.port },
      })),
    },
    data: {
      source: p.data.source,
      features: p.data.features.map((f) => ({ column: f.column, kind: f.kind })),
      tasks: p.data.tasks.map((t) => ({ name: t.name, column: t.column, type: t.type })),
      excluded: [...p.data.excluded],
    },
    training: {
      split:
        p.training.split.kind === 'time'
          ? { kind: 'time', column: p.training.split.column }
          : { kind: p.training.split.kind },
      fractions: [...p.training.fractions],
    },
  };
  return `${formatJson(ordered, '', 0, 0)}\n`;
}

/** Catalog parameters in catalog order, then any others sorted by name. */
function orderedParams(block: Block): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  const known = isBlockType(block.type) ? blockSpec(block.type).params.map((p) => p.name) : [];
  for (const name of known) if (block.params[name] !== undefined) out[name] = block.params[name];
  for (const name of Object.keys(block.params).sort()) {
    if (!known.includes(name)) out[name] = block.params[name];
  }
  return out;
}

const LINE_WIDTH = 100;

/**
 * JSON text: objects one key per line; lists of plain values on one line when the line fits
 * (else one per line); undefined object values left out.
 * @param prefix characters already on the current line before the value
 * @param after characters that follow the value on its line (a comma)
 */
function formatJson(value: unknown, indent: string, prefix: number, after: number): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const plain = value.every((v) => v === null || typeof v !== 'object');
    if (plain) {
      const line = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
      if (prefix + line.length + after <= LINE_WIDTH) return line;
    }
    const items = value.map(
      (v, i) => `${inner}${formatJson(v, inner, inner.length, i < value.length - 1 ? 1 : 0)}`,
    );
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const items = entries.map(([k, v], i) => {
      const key = `${JSON.stringify(k)}: `;
      const last = i === entries.length - 1;
      return `${inner}${key}${formatJson(v, inner, inner.length + key.length, last ? 0 : 1)}`;
    });
    return `{\n${items.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
