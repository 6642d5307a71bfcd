// Shape inference for the editor: the shape of every port, batch axis first. Widths are
// numbers when they are known and readable symbols when they are not (an embedding before
// any data is bound is [batch, fields×16]; a tower with a malformed layer list is [batch, ?]).
// The same widths let validateGraph report fusion units and gates whose inputs disagree. Each
// block's own rule is its module's outputDims (engine/blocks/<block>.ts).

import { isBlockType } from '../../shared/catalog';
import type { BlockShapes, Dim, Shape } from '../../shared/problems';
import type { Block, ProjectFile } from '../../shared/project';
import { blockModule } from '../blocks';
import { sumWidths, UNKNOWN, widthOf } from './dims';
import { fieldSpecs, GraphIndex, specOf } from './graph';

export { sumWidths, widthOf };

/**
 * The output dims of every block (without the batch axis), keyed by block id. Blocks without
 * outputs (the optimizer) are absent.
 */
export function outputDims(
  project: ProjectFile,
  index = new GraphIndex(project.graph),
): Map<string, Dim[]> {
  const out = new Map<string, Dim[]>();
  const fields = fieldSpecs(project);
  const noBinding = project.data.features.length === 0;
  const visiting = new Set<string>();

  const compute = (block: Block): Dim[] | undefined =>
    // An unknown type (validateGraph reports it) has no shape.
    (isBlockType(block.type) ? blockModule(block.type) : undefined)?.outputDims?.({
      project,
      index,
      block,
      params: index.params(block),
      fields,
      noBinding,
      inputDims: (port) => index.sources(block.id, port).map(dimsOf),
    });

  function dimsOf(block: Block): Dim[] {
    const known = out.get(block.id);
    if (known) return known;
    if (visiting.has(block.id)) return [UNKNOWN]; // a cycle: validateGraph reports it
    visiting.add(block.id);
    const dims = compute(block);
    visiting.delete(block.id);
    if (dims) out.set(block.id, dims);
    return dims ?? [UNKNOWN];
  }

  for (const b of index.blocks) if (specOf(b)!.outputs.length > 0) dimsOf(b);
  return out;
}

const shape = (dims: readonly Dim[]): Shape => ({ dims: ['batch', ...dims] });

/**
 * Every port's shape, keyed by block id: per input port one shape per connection (in
 * connection order; an unconnected port has none), per output port one shape.
 */
export function inferShapes(project: ProjectFile): Record<string, BlockShapes> {
  const index = new GraphIndex(project.graph);
  const dims = outputDims(project, index);
  const result: Record<string, BlockShapes> = {};
  for (const block of index.blocks) {
    const spec = specOf(block)!;
    const inputs: Record<string, Shape[]> = {};
    for (const port of spec.inputs) {
      inputs[port.name] = index
        .sources(block.id, port.name)
        .map((s) => shape(dims.get(s.id) ?? [UNKNOWN]));
    }
    const outputs: Record<string, Shape> = {};
    for (const port of spec.outputs) outputs[port.name] = shape(dims.get(block.id) ?? [UNKNOWN]);
    result[block.id] = { inputs, outputs };
  }
  return result;
}
