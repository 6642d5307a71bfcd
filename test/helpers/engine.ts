// Shared set-up for engine tests: the compute backend, and small generated datasets.
import { initBackend } from '../../src-main/engine/backend';
import { parseTableFromBuffer } from '../../src-main/engine/data/csv';
import { generateSample, sampleBinding } from '../../src-main/engine/data/sample';
import type { Table } from '../../src-main/engine/data/types';
import { buildTemplate } from '../../src-main/engine/graph/templates';
import type { ProjectFile } from '../../src-main/shared/project';

export async function backend() {
  return initBackend();
}

const tables = new Map<string, Promise<Table>>();

/** The built-in sample, generated in memory (cached per size and seed within a test file). */
export function sampleTable(rows: number, seed = 7): Promise<Table> {
  const key = `${rows}:${seed}`;
  const cached = tables.get(key);
  if (cached) return cached;
  const csv = generateSample({ rows, seed }).toCsvString();
  const table = parseTableFromBuffer('sample.csv', Buffer.from(csv));
  tables.set(key, table);
  return table;
}

type Kind = Parameters<typeof buildTemplate>[0];

/** A template for the sample binding, with optimizer settings overridden. */
export function template(
  kind: Kind,
  optimizer: Record<string, string | number | boolean> = {},
): ProjectFile {
  const project = buildTemplate(kind, sampleBinding());
  const block = project.graph.blocks.find((b) => b.type === 'optimizer')!;
  block.params = { ...block.params, ...optimizer };
  return project;
}

/** Sets parameters of every block of a type. */
export function setParams(
  project: ProjectFile,
  type: string,
  params: Record<string, string | number | boolean>,
): ProjectFile {
  for (const b of project.graph.blocks) if (b.type === type) b.params = { ...b.params, ...params };
  return project;
}
