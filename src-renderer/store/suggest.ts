// What fits an empty input port: the block types whose output can connect to it (to add and
// connect in one click), and the blocks already on the canvas that could feed it. Read from the
// catalog's port types and the same connection check the canvas uses.

import type { CatalogBlock } from '../../src-main/ipc/api';
import type { Block, ProjectFile } from '../../src-main/shared/project';
import { portTypesOf, specOf, type CatalogIndex } from './catalog';
import { checkConnection } from './connection';
import { atTypeLimit, createBlock, addBlocks } from './graph-ops';

export interface PortSuggestion {
  /** The empty required input port. */
  port: string;
  portTitle: string;
  /** Block types to add and connect (their output port that fits). */
  add: { type: CatalogBlock['type']; title: string; output: string }[];
  /** Blocks on the canvas whose output may connect here. */
  connect: { block: string; output: string }[];
}

/** The block's required inputs with nothing connected, each with what fits there. */
export function suggestionsFor(
  catalog: CatalogIndex,
  project: ProjectFile,
  blockId: string,
): PortSuggestion[] {
  const block = project.graph.blocks.find((b) => b.id === blockId);
  const spec = block && specOf(catalog, block);
  if (!block || !spec) return [];
  const out: PortSuggestion[] = [];
  for (const port of spec.inputs) {
    if (!port.required) continue;
    if (project.graph.edges.some((e) => e.target.block === block.id && e.target.port === port.name))
      continue;
    const target = { block: block.id, port: port.name };
    const add: PortSuggestion['add'] = [];
    for (const candidate of catalog.blocks) {
      if (atTypeLimit(catalog, project, candidate.type)) continue;
      // Would a new block of this type connect here? Try it on a copy of the graph.
      const trial = createBlock(catalog, project, candidate.type, { x: 0, y: 0 });
      const withTrial = addBlocks(project, [trial]);
      const output = candidate.outputs.find(
        (o) =>
          portTypesOf(o).some((t) => portTypesOf(port).includes(t)) &&
          checkConnection(catalog, withTrial.graph, { block: trial.id, port: o.name }, target)
            .isValid,
      );
      if (output) add.push({ type: candidate.type, title: candidate.title, output: output.name });
    }
    const connect: PortSuggestion['connect'] = [];
    for (const other of project.graph.blocks) {
      if (other.id === block.id) continue;
      const otherSpec = specOf(catalog, other);
      const output = otherSpec?.outputs.find(
        (o) =>
          checkConnection(catalog, project.graph, { block: other.id, port: o.name }, target)
            .isValid,
      );
      if (output) connect.push({ block: other.id, output: output.name });
    }
    out.push({ port: port.name, portTitle: port.title, add, connect });
  }
  return out;
}

/** Where a block added to feed `target` goes: one column to its left, same height. */
export function feederPosition(target: Block): { x: number; y: number } {
  return { x: target.position.x - 300, y: target.position.y };
}
