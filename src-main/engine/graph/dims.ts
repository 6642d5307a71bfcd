// Width arithmetic for shape inference: widths are numbers when known and readable symbols
// when not ("fields×16", "?"). Shared by shapes.ts and the block modules' outputDims.

import type { Dim } from '../../shared/problems';

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
