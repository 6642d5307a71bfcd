// A column while the file is read: its values (a number per row), its dictionary codes once it
// met text, its distinct numbers (for its kind), missing and stray cells; and the finished
// Column the table holds.

import type { Column } from '../types';
import { ByteDictionary } from './dictionary';
import { inferKind } from './kinds';

/** Distinct values of a numeric column are counted up to this many (for its kind and profile). */
export const DISTINCT_TRACKED = 65_536;

/**
 * A numeric column stays numeric with up to this share of its present cells not numbers (they
 * count as missing and are reported); more, and it is categorical.
 */
export const INVALID_SHARE = 0.05;
/** Stray cells kept per column while it is still numeric (beyond: categorical at once). */
export const INVALID_KEPT = 1000;

const bits64 = new Float64Array(1);
const bits32 = new Int32Array(bits64.buffer);

/**
 * Distinct numbers (never NaN; -0 counts as 0), an open-addressing hash set on the float's bits:
 * several times faster than Set<number> on the per-field path of numeric columns.
 */
class NumberSet {
  private slots = new Float64Array(1024).fill(NaN);
  /** In insertion order. */
  values = new Float64Array(256);
  size = 0;

  add(x: number): void {
    const v = x === 0 ? 0 : x;
    const slots = this.slots;
    const mask = slots.length - 1;
    bits64[0] = v;
    let h = Math.imul(bits32[0] ^ Math.imul(bits32[1], 0x85ebca6b), 0xc2b2ae35);
    h ^= h >>> 15;
    let slot = h & mask;
    for (;;) {
      const k = slots[slot];
      if (k === v) return;
      if (k !== k) break;
      slot = (slot + 1) & mask;
    }
    slots[slot] = v;
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = v;
    if (this.size * 2 > slots.length) this.rehash();
  }

  has(x: number): boolean {
    const v = x === 0 ? 0 : x;
    const slots = this.slots;
    const mask = slots.length - 1;
    bits64[0] = v;
    let h = Math.imul(bits32[0] ^ Math.imul(bits32[1], 0x85ebca6b), 0xc2b2ae35);
    h ^= h >>> 15;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const k = slots[slot];
      if (k === v) return true;
      if (k !== k) return false;
    }
  }

  every(test: (v: number) => boolean): boolean {
    for (let i = 0; i < this.size; i++) if (!test(this.values[i])) return false;
    return true;
  }

  private rehash(): void {
    const old = this.values;
    this.slots = new Float64Array(this.slots.length * 2).fill(NaN);
    const n = this.size;
    this.size = 0;
    this.values = new Float64Array(old.length);
    for (let i = 0; i < n; i++) this.add(old[i]);
  }
}

export class ColumnBuilder {
  values: Float64Array;
  /** Dictionary codes: only once the column met text (a numeric column keeps its values only). */
  codes: Int32Array | null = null;
  /** Distinct raw values (as bytes) -> code, for columns with text. */
  dict: ByteDictionary | null = null;
  /** Numeric columns: their distinct values, up to DISTINCT_TRACKED (then null). */
  distinctNumbers: NumberSet | null = new NumberSet();
  numeric = true;
  integral = true;
  missing = 0;
  firstNonNumeric: { line: number; value: string } | null = null;
  firstMissingLine: number | null = null;
  /** Cells of a still-numeric column that are not numbers: row -> raw text. */
  invalid: Map<number, string> | null = null;
  firstInvalid: { line: number; value: string } | null = null;
  decimalComma = false;

  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }

  grow(capacity: number): void {
    const v = new Float64Array(capacity);
    v.set(this.values);
    this.values = v;
    if (this.codes) {
      const c = new Int32Array(capacity);
      c.set(this.codes);
      this.codes = c;
    }
  }

  /** A numeric column's distinct count (capped), or the dictionary's size. */
  get distinct(): number {
    if (this.dict) return this.dict.size;
    return this.distinctNumbers ? this.distinctNumbers.size : DISTINCT_TRACKED + 1;
  }

  get dictionary(): string[] | null {
    return this.dict ? this.dict.strings : null;
  }

  /** Rebuilds dictionary codes from numeric values after the dictionary had been dropped. */
  rebuildCodes(rows: number, capacity: number): void {
    this.codes = new Int32Array(capacity);
    this.dict = new ByteDictionary();
    for (let r = 0; r < rows; r++) {
      const v = this.values[r];
      if (Number.isNaN(v)) {
        this.codes[r] = -1;
        continue;
      }
      const text = String(v);
      const bytes = Buffer.from(text);
      this.codes[r] = this.dict.code(bytes, 0, bytes.length, text);
    }
    if (this.invalid) {
      for (const [r, text] of this.invalid) {
        if (r >= rows) continue;
        const bytes = Buffer.from(text);
        this.codes[r] = this.dict.code(bytes, 0, bytes.length, text);
      }
      this.invalid = null;
    }
  }

  /** Turns a numeric column with stray text into a categorical one (rows read so far). */
  becomeCategorical(rows: number, capacity: number): void {
    this.numeric = false;
    this.firstNonNumeric = this.firstInvalid;
    this.rebuildCodes(rows, capacity);
  }
}

/** The first `rows` values: a view when the spare room is small, else a copy. */
function trimmed<T extends Float64Array | Int32Array>(a: T, rows: number): T {
  return (rows >= a.length * 0.9 ? a.subarray(0, rows) : a.slice(0, rows)) as T;
}

export function finishColumn(c: ColumnBuilder, name: string, rows: number): Column {
  const numeric = c.numeric && c.missing < rows;
  const distinct = c.distinct;
  const column: Column = {
    name,
    values: numeric || c.numeric ? trimmed(c.values, rows) : null,
    codes: c.codes ? trimmed(c.codes, rows) : null,
    dictionary: c.dictionary,
    missing: c.missing,
    distinct,
    firstNonNumeric: c.firstNonNumeric,
    firstMissingLine: c.firstMissingLine,
    kind: 'categorical',
  };
  if (c.numeric && c.invalid && c.invalid.size > 0 && c.firstInvalid) {
    column.invalid = c.invalid;
    column.invalidCells = { count: c.invalid.size, ...c.firstInvalid };
  }
  if (c.decimalComma) column.decimalComma = true;
  column.kind = inferKind(column, c.integral, c.distinctNumbers);
  return column;
}
