// Whether a connection being dragged may be made, and if not why: the shared validity check
// (src-main/shared/validity/connection.ts, the same wording as the engine) read through the
// catalog the renderer received over IPC. Pure and cheap: it runs on every pointer move while a
// connection is dragged. The engine's validation (project:validate) stays the source of truth
// for the problems of a graph; this only refuses what would certainly be wrong.

import type { Graph, PortRef } from '../../src-main/shared/project';
import {
  checkConnection as checkWith,
  refusalBetweenEnds,
  type ConnectionCheck,
  type HandleEnd,
  type PortLookup,
} from '../../src-main/shared/validity/connection';
import { blockTitle, inputOf, outputOf, portTypeFor, type CatalogIndex } from './catalog';

export type { ConnectionCheck } from '../../src-main/shared/validity/connection';

/** The wire catalog as the shared check reads it. */
function lookup(catalog: CatalogIndex): PortLookup {
  return {
    input: (block, port) => {
      const p = inputOf(catalog, block, port);
      return p && { ...p, type: portTypeFor(p, block.params) };
    },
    output: (block, port) => {
      const p = outputOf(catalog, block, port);
      return p && { ...p, type: portTypeFor(p, block.params) };
    },
    name: (block) => blockTitle(catalog, block),
  };
}

/** Checks a new connection from an output port (`source`) to an input port (`target`). */
export function checkConnection(
  catalog: CatalogIndex,
  graph: Graph,
  source: PortRef,
  target: PortRef,
): ConnectionCheck {
  return checkWith(lookup(catalog), graph, source, target);
}

/**
 * The reason for a connection between two handles as React Flow reports them while dragging
 * (either end may be where the drag started), or null when it is allowed.
 */
export function refusalBetweenHandles(
  catalog: CatalogIndex,
  graph: Graph,
  a: HandleEnd,
  b: HandleEnd,
): string | null {
  return refusalBetweenEnds(lookup(catalog), graph, a, b);
}
