// Migrations of older project documents to the current format, one numbered step at a time
// (1 → 2 → ...). Each migration takes the raw JSON of its `from` version and returns the raw
// JSON of its `to` version; the loader then validates the result as usual, so a migration
// only reshapes what changed and leaves checking to the validator. Add a step here whenever
// PROJECT_VERSION goes up, and a fixture of the old format under test/fixtures/projects/.

import { PROJECT_VERSION } from '../../shared/project';
import { UserError } from '../errors';

export type JsonObject = Record<string, unknown>;

export interface Migration {
  from: number;
  to: number;
  /** What changed, in a sentence (shown when a project is opened and migrated). */
  description: string;
  /** Returns the document in version `to` (may modify and return `doc`, a private copy). */
  migrate(doc: JsonObject): JsonObject;
}

/** A problem found while migrating; the runner adds the file name and version. */
class MigrationError extends Error {}

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** "tower-2.out" → { block: "tower-2", port: "out" } (the port is after the last dot). */
function portRefFromV1(
  text: unknown,
  edge: string,
  end: 'from' | 'to',
): { block: string; port: string } {
  const dot = typeof text === 'string' ? text.lastIndexOf('.') : -1;
  if (typeof text !== 'string' || dot <= 0 || dot === text.length - 1) {
    throw new MigrationError(
      `connection "${edge}": "${end}" must look like "block.port", got ${JSON.stringify(text) ?? 'nothing'}`,
    );
  }
  return { block: text.slice(0, dot), port: text.slice(dot + 1) };
}

export const MIGRATIONS: readonly Migration[] = [
  {
    from: 1,
    to: 2,
    description:
      'Connections name their ends as {block, port} objects; the data binding lists tasks by name (named after their target column) and keeps excluded columns.',
    migrate(doc) {
      // Version 1 edges: { id, from: "blockId.port", to: "blockId.port" }.
      const graph = doc.graph;
      if (isObject(graph) && Array.isArray(graph.edges)) {
        graph.edges = graph.edges.map((edge: unknown, i) => {
          if (!isObject(edge) || (edge.from === undefined && edge.to === undefined)) return edge;
          const id = typeof edge.id === 'string' ? edge.id : `#${i + 1}`;
          const { from, to, ...rest } = edge;
          return {
            ...rest,
            source: portRefFromV1(from, id, 'from'),
            target: portRefFromV1(to, id, 'to'),
          };
        });
      }
      // Version 1 binding: targets: [{ column, type }] (the task is named after its column).
      const data = doc.data;
      if (isObject(data)) {
        if (Array.isArray(data.targets) && data.tasks === undefined) {
          data.tasks = data.targets.map((t: unknown) =>
            isObject(t) ? { name: t.column, column: t.column, type: t.type } : t,
          );
        }
        delete data.targets;
        if (data.excluded === undefined) data.excluded = [];
      }
      doc.version = 2;
      return doc;
    },
  },
];

/**
 * Brings a document of an older version up to PROJECT_VERSION through the chain of
 * migrations. Returns a new document (the input is not changed) and the steps applied.
 */
export function migrateDocument(
  doc: JsonObject,
  version: number,
  fileName: string,
): { doc: JsonObject; applied: Migration[] } {
  let current = structuredClone(doc);
  const applied: Migration[] = [];
  let v = version;
  while (v < PROJECT_VERSION) {
    const step = MIGRATIONS.find((m) => m.from === v);
    if (!step) {
      throw new UserError(
        `${fileName} is in project version ${v}, which this app can no longer convert.`,
        { file: fileName },
      );
    }
    try {
      current = step.migrate(current);
    } catch (e) {
      if (!(e instanceof MigrationError)) throw e;
      throw new UserError(
        `${fileName} (project version ${v}) cannot be converted to version ${step.to}: ${e.message}.`,
        { file: fileName },
      );
    }
    current.version = step.to;
    applied.push(step);
    v = step.to;
  }
  return { doc: current, applied };
}
