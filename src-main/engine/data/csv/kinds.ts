// A column's kind (binary, numeric, continuous, categorical), inferred from what the reader saw.

import type { Column, ColumnKind } from '../types';

const BOOLEAN_WORDS = new Set(['0', '1', 'true', 'false', 'yes', 'no']);

/** The kind a column looks like: binary, continuous, numeric (integer-valued, few values) or categorical. */
export function inferKind(
  column: Column,
  integral = true,
  numbers: { size: number; every(test: (v: number) => boolean): boolean } | null = null,
): ColumnKind {
  if (column.dictionary && column.dictionary.length <= 2 && column.dictionary.length > 0) {
    if (column.dictionary.every((v) => BOOLEAN_WORDS.has(v.trim().toLowerCase()))) return 'binary';
  }
  if (column.values && numbers && numbers.size > 0 && numbers.every((v) => v === 0 || v === 1))
    return 'binary';
  if (column.values) {
    if (!integral || column.distinct > 50) return 'continuous';
    return 'numeric';
  }
  return 'categorical';
}
