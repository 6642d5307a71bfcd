// Reading and writing project files. Reading: JSON syntax (errors name the line and column),
// the format marker, the version (newer refused, older migrated step by step), then the
// project schema (shared/project-schema.ts, valibot), whose first issue becomes the error,
// naming the block and the field. Blocks come out with every catalog parameter present
// (defaults filled in, unknown ones dropped with a warning). Graph-level problems (types on
// edges, cycles, heads and tasks...) are left to validateGraph, so a half-built graph can
// still be saved and opened.
// Writing: stable 2-space JSON with keys in a fixed order and a trailing newline.

import * as v from 'valibot';
import { blockSpec, isBlockType } from '../../shared/catalog';
import {
  PROJECT_FORMAT,
  PROJECT_VERSION,
  type Block,
  type BlockType,
  type ParamValue,
  type ProjectFile,
} from '../../shared/project';
import { issueText, PROJECT_FIELDS, ProjectSchema } from '../../shared/project-schema';
import { UserError } from '../errors';
import { findJsonSyntaxError, locateJsonPath } from './json-syntax';
import { migrateDocument, type JsonObject, type Migration } from './migrations';
import { showValue } from '../../shared/validity/params';

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
  return readDocument(parseJson(text, fileName), fileName, text);
}

/** Checks (and migrates) an already parsed project document. */
export function validateProjectDocument(json: unknown, fileName?: string): ProjectFile {
  return readProjectDocument(json, fileName).project;
}

/** validateProjectDocument, also returning the warnings and the migrations applied. */
function readProjectDocument(json: unknown, file = DEFAULT_FILE): LoadedProject {
  return readDocument(json, file);
}

/** The document's text, when it came from one, lets an error name its line and column. */
function readDocument(json: unknown, file: string, text?: string): LoadedProject {
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
  // A migrated document's paths are not the file's: only the current version is located.
  const { project, warnings } = checkDocument(doc, file, applied.length === 0 ? text : undefined);
  return {
    project,
    warnings,
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

/** A migrated document through the project schema; throws a UserError on its first issue. */
function checkDocument(
  doc: JsonObject,
  file: string,
  source?: string,
): { project: ProjectFile; warnings: string[] } {
  const result = v.safeParse(ProjectSchema, doc, { abortEarly: true });
  if (!result.success) {
    const issue = result.issues[0];
    const { text, location } = issueText(issue);
    if (source === undefined) throw new UserError(`${file}: ${text}.`, { file, ...location });
    const path = (issue.path ?? []).map((p) => p.key as string | number);
    const { line, column } = locateJsonPath(source, path);
    throw new UserError(`${file}, line ${line}, column ${column}: ${text}.`, {
      file,
      line,
      ...location,
    });
  }
  return { project: result.output, warnings: unknownFields(doc, file) };
}

/** Fields and parameters the format does not have (the schema drops them), one warning each. */
function unknownFields(doc: JsonObject, file: string): string[] {
  const warnings: string[] = [];
  const warn = (value: unknown, known: readonly string[], where: string) => {
    if (!isObject(value)) return;
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) warnings.push(`${file}: ${where}: unknown field "${key}" ignored.`);
    }
  };
  warn(doc, PROJECT_FIELDS.project, 'project');
  const graph = doc.graph as JsonObject;
  warn(graph, PROJECT_FIELDS.graph, 'graph');
  for (const b of graph.blocks as JsonObject[]) {
    const spec = blockSpec(b.type as BlockType);
    const where = `block "${String(b.id)}" (${(b.label as string | undefined)?.trim() || spec.title})`;
    warn(b, PROJECT_FIELDS.block, where);
    for (const name of Object.keys((b.params as JsonObject | undefined) ?? {})) {
      if (!spec.params.some((p) => p.name === name)) {
        warnings.push(`${file}: ${where}: unknown parameter "${name}" dropped.`);
      }
    }
  }
  for (const e of graph.edges as JsonObject[]) {
    warn(e, PROJECT_FIELDS.edge, `connection "${String(e.id)}"`);
  }
  warn(doc.data, PROJECT_FIELDS.data, 'data binding');
  warn(doc.training, PROJECT_FIELDS.training, 'training settings');
  return warnings;
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
