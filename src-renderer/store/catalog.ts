// The block catalog as the renderer receives it (catalog:get), indexed for the editor: blocks by
// type, palette groups, and port types for a block's parameters (a task head's prediction is
// binary or regression by its `kind`).

import type { CatalogBlock, CatalogPort } from '../../src-main/ipc/api';
import type { PortType } from '../../src-main/shared/catalog';
import type { Block, ParamValue } from '../../src-main/shared/project';

export interface CatalogIndex {
  blocks: readonly CatalogBlock[];
  byType: ReadonlyMap<string, CatalogBlock>;
  /** Palette groups in catalog order, each with its blocks in catalog order. */
  groups: readonly { name: string; blocks: readonly CatalogBlock[] }[];
}

export function indexCatalog(blocks: readonly CatalogBlock[]): CatalogIndex {
  const groups = new Map<string, CatalogBlock[]>();
  for (const b of blocks) {
    const list = groups.get(b.group) ?? [];
    list.push(b);
    groups.set(b.group, list);
  }
  return {
    blocks,
    byType: new Map(blocks.map((b) => [b.type, b])),
    groups: [...groups].map(([name, list]) => ({ name, blocks: list })),
  };
}

/** A port's type for a block's parameters. */
export function portTypeFor(port: CatalogPort, params: Record<string, ParamValue>): PortType {
  if (!port.typeByParam) return port.type;
  return port.typeByParam.types[String(params[port.typeByParam.param])] ?? port.type;
}

/** Every type a port can have (one, or one per value of the parameter it follows). */
export function portTypesOf(port: CatalogPort): PortType[] {
  return port.typeByParam ? [...new Set(Object.values(port.typeByParam.types))] : [port.type];
}

export function specOf(catalog: CatalogIndex, block: Block): CatalogBlock | undefined {
  return catalog.byType.get(block.type);
}

export function inputOf(catalog: CatalogIndex, block: Block, port: string) {
  return specOf(catalog, block)?.inputs.find((p) => p.name === port);
}

export function outputOf(catalog: CatalogIndex, block: Block, port: string) {
  return specOf(catalog, block)?.outputs.find((p) => p.name === port);
}

/** The catalog's defaults for a block type. */
export function defaultParams(spec: CatalogBlock): Record<string, ParamValue> {
  return Object.fromEntries(spec.params.map((p) => [p.name, p.default]));
}

/** The name a person reads for a block: its label, else its catalog title. */
export function blockTitle(catalog: CatalogIndex | null, block: Block): string {
  const label = block.label?.trim();
  if (label) return label;
  return catalog?.byType.get(block.type)?.title ?? block.type;
}

// A port type in words: one wording, the shared validity library's.
export { TYPE_WORDS } from '../../src-main/shared/validity/connection';
