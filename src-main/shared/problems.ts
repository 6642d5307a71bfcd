// Problems found in a project, its graph or its data binding. Shared with the renderer, which
// pins each problem to the blocks it names.

type Severity = 'error' | 'warning';

export interface Problem {
  severity: Severity;
  /** Stable machine-readable code, e.g. "cycle", "port-type-mismatch", "head-without-target". */
  code: string;
  /** One readable sentence naming the blocks (by label) and what to do. */
  message: string;
  /** Ids of the blocks concerned (may be empty for project-level problems). */
  blocks: string[];
  /** The parameter concerned, when there is one. */
  field?: string;
  /** The edge concerned, when there is one. */
  edge?: string;
}

/** A tensor shape as the editor shows it: "batch" for the batch axis, numbers where known, names where not. */
export type Dim = number | string;
export interface Shape {
  dims: Dim[];
}

/** Inferred shapes for one block, keyed by port name. */
export interface BlockShapes {
  inputs: Record<string, Shape[]>;
  outputs: Record<string, Shape>;
}

export function formatShape(shape: Shape): string {
  return `[${shape.dims.join(', ')}]`;
}
