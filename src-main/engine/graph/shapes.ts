// Shape inference for the editor: the shape of every port, batch axis first. Widths are
// numbers when they are known and readable symbols when they are not (an embedding before
// any data is bound is [batch, fields×16]; a tower with a malformed layer list is [batch, ?]).
// The same widths let validateGraph report fusion units and gates whose inputs disagree.

import { parseIntList } from '../../shared/catalog';
import type { BlockShapes, Dim, Shape } from '../../shared/problems';
import type { Block, ProjectFile } from '../../shared/project';
import { featureColumnsOf, fieldSpecs, GraphIndex, specOf } from './graph';

/** A width nobody can know yet (malformed parameters, nothing connected, a cycle). */
export const UNKNOWN = '?';

/**
 * Adds widths (a concatenation): numbers add up, symbols are kept, e.g. "fields×16+48".
 * Anything unknown makes the sum unknown.
 */
export function sumWidths(widths: readonly Dim[]): Dim {
  let total = 0;
  const symbols: string[] = [];
  for (const w of widths) {
    if (typeof w === 'number') total += w;
    else if (w === UNKNOWN) return UNKNOWN;
    else symbols.push(w);
  }
  if (symbols.length === 0) return total;
  return total === 0 ? symbols.join('+') : `${symbols.join('+')}+${total}`;
}

/** The width of a [batch, ..., width] output: its last dim. */
export function widthOf(dims: readonly Dim[] | undefined): Dim {
  return dims && dims.length > 0 ? dims[dims.length - 1] : UNKNOWN;
}

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

  const widthsInto = (block: Block, port: string): Dim[] =>
    index.sources(block.id, port).map((s) => widthOf(dimsOf(s)));

  const compute = (block: Block): Dim[] | undefined => {
    const p = index.params(block);
    const lastUnit = (): Dim => {
      const units = parseIntList(p.units ?? '');
      return units && units.length > 0 ? units[units.length - 1] : UNKNOWN;
    };
    switch (block.type) {
      case 'feature-input':
        return [noBinding ? 'fields' : featureColumnsOf(project, block).length];
      case 'shared-embedding': {
        const dim = typeof p.dim === 'number' ? p.dim : UNKNOWN;
        const count = fields.get(block.id)?.length ?? 0;
        const connected = index.incoming(block.id, 'features').length > 0;
        if (noBinding || !connected || dim === UNKNOWN) return [`fields×${String(dim)}`];
        return [count * dim];
      }
      case 'tower':
        return [lastUnit()];
      case 'expert-group':
        return [typeof p.experts === 'number' ? p.experts : UNKNOWN, lastUnit()];
      case 'gate': {
        const first = index.sources(block.id, 'experts')[0];
        return [first ? widthOf(dimsOf(first)) : UNKNOWN];
      }
      case 'label-embedding':
        return [typeof p.dim === 'number' ? p.dim : UNKNOWN];
      case 'fusion': {
        const parts: Dim[] = [];
        for (const port of ['reps', 'labels']) {
          const widths = widthsInto(block, port);
          if (widths.length === 0) continue;
          // Attention fuses a set into one vector of the set's width; concatenation keeps all.
          parts.push(p.mode === 'concat' ? sumWidths(widths) : widths[0]);
        }
        return [parts.length > 0 ? sumWidths(parts) : UNKNOWN];
      }
      case 'task-head':
      case 'esmm-link':
        return [1];
      default:
        return undefined;
    }
  };

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

/** The width of everything connected to an input port, concatenated (a tower's input width). */
export function inputWidth(
  project: ProjectFile,
  blockId: string,
  port: string,
  index = new GraphIndex(project.graph),
  dims = outputDims(project, index),
): Dim {
  return sumWidths(index.sources(blockId, port).map((s) => widthOf(dims.get(s.id))));
}
