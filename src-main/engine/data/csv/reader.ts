// Streaming CSV import into a columnar table (typed arrays, no object per row).
//
// Comma, semicolon or tab (detected from the first lines unless given); quoted fields with ""
// escapes, delimiters and newlines inside quotes; with or without a header (detected unless
// given); UTF-8 with or without BOM (invalid UTF-8 is an error naming the line); CRLF or LF;
// gzip detected by its magic bytes. Every field is dictionary-encoded on the fly and parsed as
// a number when it is one (straight from the bytes). Errors name the file, line and column.

import { isUtf8 } from 'node:buffer';
import { createReadStream, promises as fs } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { CancelledError, UserError } from '../../errors';
import type { Column, ColumnKind, Table } from '../types';

export interface ReadOptions {
  delimiter?: ',' | ';' | '\t';
  header?: boolean;
  signal?: AbortSignal;
  /** Called at most about once per megabyte read (bytes of the file, compressed or not). */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Stop after this many data rows (for previews). */
  maxRows?: number;
}

/** Distinct values of a numeric column are counted up to this many (for its kind and profile). */
export const DISTINCT_TRACKED = 65_536;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

export async function readTable(file: string, options: ReadOptions = {}): Promise<Table> {
  let size: number;
  try {
    const stat = await fs.stat(file);
    if (stat.isDirectory()) throw new UserError(`${file} is a folder, not a CSV file.`, { file });
    size = stat.size;
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(
      `Cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`,
      { file },
    );
  }
  const handle = await fs.open(file, 'r');
  const magic = Buffer.alloc(2);
  await handle.read(magic, 0, 2, 0);
  await handle.close();
  const gzip = magic[0] === 0x1f && magic[1] === 0x8b;
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  let read = 0;
  let reported = 0;
  raw.on('data', (chunk) => {
    read += chunk.length;
    if (options.onProgress && (read - reported >= 1 << 20 || read === size)) {
      reported = read;
      options.onProgress(read, size);
    }
  });
  const stream = gzip ? raw.pipe(createGunzip()) : raw;
  const parser = new CsvParser(file, options, gzip ? undefined : size);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (options.signal?.aborted) throw new CancelledError();
      if (parser.push(chunk)) break;
    }
  } catch (e) {
    raw.destroy();
    if (e instanceof UserError || e instanceof CancelledError) throw e;
    if (
      (e as NodeJS.ErrnoException).code === 'Z_DATA_ERROR' ||
      (e as NodeJS.ErrnoException).code === 'Z_BUF_ERROR'
    ) {
      throw new UserError(
        `${file} looks gzip-compressed but is damaged (${(e as Error).message}).`,
        { file },
      );
    }
    throw e;
  }
  raw.destroy();
  return parser.finish(size);
}

/** Parses a CSV held in memory (tests, the browser-mode upload). */
export async function parseTableFromBuffer(
  name: string,
  buf: Uint8Array,
  options: ReadOptions = {},
): Promise<Table> {
  let bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const { gunzipSync } = await import('node:zlib');
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new UserError(
        `${name} looks gzip-compressed but is damaged (${(e as Error).message}).`,
        { file: name },
      );
    }
  }
  const parser = new CsvParser(name, options, bytes.length);
  parser.push(bytes);
  return parser.finish(buf.byteLength);
}

const MISSING = new Set(['', 'na', 'n/a', 'null', 'nan', '?', 'none']);

/**
 * A numeric column stays numeric with up to this share of its present cells not numbers (they
 * count as missing and are reported); more, and it is categorical.
 */
export const INVALID_SHARE = 0.05;
/** Stray cells kept per column while it is still numeric (beyond: categorical at once). */
const INVALID_KEPT = 1000;
/** A number with a decimal comma: 33,12 or -0,5 (never 1,234,567). */
const DECIMAL_COMMA = /^[+-]?\d*,\d+$/;

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
const BOOLEAN_WORDS = new Set(['0', '1', 'true', 'false', 'yes', 'no']);

class ColumnBuilder {
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

class CsvParser {
  private carry: Buffer | null = null;
  private started = false;
  private delimiter = 0;
  private header: boolean | undefined;
  private names: string[] = [];
  private columns: ColumnBuilder[] = [];
  private rows = 0;
  private capacity = 0;
  private lines: Int32Array = new Int32Array(0);
  /** 1-based line number of the next unread byte. */
  private line = 1;
  private done = false;
  private bytes = 0;
  /** Lines end with a lone CR (old Mac files): every CR is read as LF. */
  private crOnly: boolean | undefined;

  constructor(
    private readonly file: string,
    private readonly options: ReadOptions,
    /** The data's size when known (uncompressed): columns are allocated for it at once. */
    private readonly expectedBytes?: number,
  ) {
    this.header = options.header;
  }

  /** Adds a chunk; returns true once maxRows rows were read. */
  push(chunk: Buffer): boolean {
    if (this.done) return true;
    this.bytes += chunk.length;
    if (this.crOnly === undefined) {
      if (chunk.includes(LF)) this.crOnly = false;
      else if (chunk.includes(CR)) this.crOnly = true;
    }
    if (this.crOnly) {
      chunk = Buffer.from(chunk);
      for (let i = chunk.indexOf(CR); i >= 0; i = chunk.indexOf(CR, i + 1)) chunk[i] = LF;
    }
    let buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    if (!this.started) {
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf)
        buf = buf.subarray(3);
      // Wait for enough text to detect the delimiter and the header.
      if (buf.length < 64 * 1024 && countLines(buf) < 50) {
        this.carry = buf;
        return false;
      }
      this.start(buf);
    }
    const end = lastRecordEnd(buf);
    if (end < 0) {
      this.carry = buf;
      return false;
    }
    this.parse(buf, 0, end);
    if (end < buf.length) this.carry = Buffer.from(buf.subarray(end));
    return this.done;
  }

  finish(totalBytes: number): Table {
    if (!this.started) {
      let buf = this.carry ?? Buffer.alloc(0);
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf)
        buf = buf.subarray(3);
      this.carry = null;
      if (isBlank(buf)) throw new UserError(`${this.file} is empty.`, { file: this.file });
      this.start(buf);
      this.carry = buf;
    }
    if (this.carry && !this.done) {
      const buf = this.carry;
      this.carry = null;
      if (!isBlank(buf)) {
        const end = lastRecordEnd(buf);
        if (end < buf.length && hasOpenQuote(buf, end < 0 ? 0 : end)) {
          const startLine = this.line + countLines(buf.subarray(0, Math.max(0, end)));
          throw new UserError(
            `${this.file}, line ${startLine}: a quoted field is never closed (missing ").`,
            { file: this.file, line: startLine },
          );
        }
        this.parse(buf, 0, buf.length, true);
      }
    }
    if (this.names.length === 0) throw new UserError(`${this.file} is empty.`, { file: this.file });
    if (this.rows === 0) {
      throw new UserError(
        this.header
          ? `${this.file} has a header but no data rows.`
          : `${this.file} has no data rows.`,
        { file: this.file },
      );
    }
    const rows = this.rows;
    for (const c of this.columns) {
      if (c.numeric && c.invalid && c.invalid.size > (rows - c.missing) * INVALID_SHARE) {
        c.becomeCategorical(rows, this.capacity);
      }
    }
    const lines = this.lines.slice(0, rows);
    const columns: Column[] = this.columns.map((c, i) => finishColumn(c, this.names[i], rows));
    return {
      file: this.file,
      rows,
      columns,
      header: Boolean(this.header),
      delimiter: String.fromCharCode(this.delimiter),
      lineOfRow: (row: number) => lines[row],
      bytes: Math.max(totalBytes, this.bytes),
    };
  }

  /** Detects delimiter and header from the first lines, and creates the columns. */
  private start(buf: Buffer): void {
    this.started = true;
    const sample = firstRecords(buf, 50);
    this.delimiter = this.options.delimiter
      ? this.options.delimiter.charCodeAt(0)
      : detectDelimiter(sample);
    const split = sample.map((r) => splitRecord(r, this.delimiter));
    const first = split[0] ?? [];
    if (this.header === undefined) this.header = looksLikeHeader(split);
    const width = first.length;
    if (this.header) {
      // An empty first name is an index column (as pandas writes it).
      this.names = first.map(
        (n, i) => n.trim() || (i === 0 && !first.includes('index') ? 'index' : `column_${i + 1}`),
      );
      const seen = new Map<string, number>();
      this.names.forEach((n) => seen.set(n, (seen.get(n) ?? 0) + 1));
      const dups = [...seen].filter(([, c]) => c > 1);
      if (dups.length > 0) {
        const said = dups.map(([n, c]) => `"${n}" ${c === 2 ? 'twice' : `${c} times`}`).join(', ');
        throw new UserError(
          `${this.file}, line 1: the header names ${said}; every column needs its own name (rename the duplicates).`,
          {
            file: this.file,
            line: 1,
            column: dups[0][0],
          },
        );
      }
    } else {
      this.names = first.map((_, i) => `column_${i + 1}`);
    }
    // Room for the whole file at once when its size is known (from the first lines' average
    // length): growing by doubling copies every column several times.
    let capacity = 1024;
    if (this.expectedBytes && sample.length > 0 && this.options.maxRows === undefined) {
      const bytes = sample.reduce((n, r) => n + Buffer.byteLength(r) + 1, 0);
      const estimate = Math.ceil((this.expectedBytes / (bytes / sample.length)) * 1.05) + 16;
      capacity = Math.min(Math.max(capacity, estimate), 1 << 27);
    }
    this.capacity = capacity;
    this.columns = Array.from({ length: width }, () => new ColumnBuilder(this.capacity));
    this.lines = new Int32Array(this.capacity);
  }

  private ensureCapacity(): void {
    if (this.rows < this.capacity) return;
    this.capacity *= 2;
    for (const c of this.columns) c.grow(this.capacity);
    const l = new Int32Array(this.capacity);
    l.set(this.lines);
    this.lines = l;
  }

  /** Parses complete records in buf[from, to). */
  private parse(buf: Buffer, from: number, to: number, last = false): void {
    checkUtf8(buf, from, to, this.file, this.line);
    const d = this.delimiter;
    const width = this.columns.length;
    const maxRows = this.options.maxRows ?? Infinity;
    const trimTabs = d !== TAB;
    let i = from;
    let headerPending = this.header === true && this.rows === 0 && this.line === 1;
    while (i < to) {
      const recordLine = this.line;
      // Blank line: skip.
      if (buf[i] === LF || (buf[i] === CR && buf[i + 1] === LF)) {
        i += buf[i] === CR ? 2 : 1;
        this.line++;
        continue;
      }
      let field = 0;
      let recordDone = false;
      if (!headerPending) this.ensureCapacity();
      while (!recordDone) {
        // Fast path: an unquoted field without surrounding spaces, in a column still numeric
        // (a number parsed while scanning) or already text (hashed while scanning).
        if (!headerPending && field < width) {
          const col = this.columns[field];
          const end = col.numeric
            ? this.fastNumber(col, buf, i, to, d, recordLine)
            : this.fastText(col, buf, i, to, d, trimTabs, recordLine);
          if (end >= 0) {
            i = end;
            field++;
            if (i < to && buf[i] === d) {
              i++;
              continue;
            }
            recordDone = true;
            if (i < to && buf[i] === CR) i++;
            if (i < to && buf[i] === LF) i++;
            this.line++;
            continue;
          }
        }
        // One field.
        let s = i;
        let e: number;
        let quoted = false;
        let text: string | null = null;
        while (s < to && (buf[s] === SPACE || (trimTabs && buf[s] === TAB))) s++;
        if (s < to && buf[s] === QUOTE) {
          quoted = true;
          let j = s + 1;
          let parts = '';
          let segment = j;
          for (;;) {
            if (j >= to) {
              if (last) {
                throw new UserError(
                  `${this.file}, line ${recordLine}: a quoted field is never closed (missing ").`,
                  {
                    file: this.file,
                    line: recordLine,
                  },
                );
              }
              throw new Error('internal: record split inside quotes');
            }
            const c = buf[j];
            if (c === QUOTE) {
              if (buf[j + 1] === QUOTE) {
                parts += buf.toString('utf8', segment, j + 1);
                j += 2;
                segment = j;
                continue;
              }
              break;
            }
            if (c === LF) this.line++;
            j++;
          }
          text = parts + buf.toString('utf8', segment, j);
          i = j + 1;
          // Skip to the delimiter or record end.
          while (i < to && buf[i] !== d && buf[i] !== LF && buf[i] !== CR) i++;
          e = i;
        } else {
          i = s;
          while (i < to && buf[i] !== d && buf[i] !== LF && buf[i] !== CR) i++;
          e = i;
          while (e > s && (buf[e - 1] === SPACE || (trimTabs && buf[e - 1] === TAB))) e--;
        }
        if (i >= to || buf[i] !== d) {
          recordDone = true;
          if (i < to && buf[i] === CR) i++;
          if (i < to && buf[i] === LF) i++;
          this.line++;
        } else {
          i++; // past the delimiter
        }
        if (headerPending) {
          field++;
          continue;
        }
        if (field < width)
          this.addField(this.columns[field], buf, s, e, quoted ? text : null, recordLine);
        field++;
      }
      if (headerPending) {
        headerPending = false;
        if (field !== width) this.ragged(recordLine, field);
        continue;
      }
      if (field !== width) this.ragged(recordLine, field);
      this.lines[this.rows] = recordLine;
      this.rows++;
      if (this.rows >= maxRows) {
        this.done = true;
        return;
      }
    }
  }

  /** A missing value in column c at the current row. */
  private missingValue(c: ColumnBuilder, line: number): void {
    c.values[this.rows] = NaN;
    if (c.codes) c.codes[this.rows] = -1;
    c.missing++;
    if (c.firstMissingLine === null) c.firstMissingLine = line;
  }

  /**
   * A numeric column's field at buf[i]: parses [+-]digits[.digits] while finding its end. Returns
   * the index of the byte after it (delimiter, CR, LF or `to`), or -1 (nothing recorded) when the
   * field needs the general path: quotes, spaces, exponents, long mantissas, text.
   */
  private fastNumber(
    c: ColumnBuilder,
    buf: Buffer,
    i: number,
    to: number,
    d: number,
    line: number,
  ): number {
    let j = i;
    let b = j < to ? buf[j] : d;
    if (b === d || b === LF || b === CR) {
      this.missingValue(c, line);
      return j;
    }
    let negative = false;
    if (b === 0x2d || b === 0x2b) {
      negative = b === 0x2d;
      j++;
    }
    let mantissa = 0;
    let digits = 0;
    let scale = 0;
    let any = false;
    while (j < to) {
      b = buf[j];
      if (b < 0x30 || b > 0x39) break;
      mantissa = mantissa * 10 + (b - 0x30);
      if (mantissa > 0) digits++;
      any = true;
      j++;
    }
    if (j < to && buf[j] === 0x2e) {
      j++;
      while (j < to) {
        b = buf[j];
        if (b < 0x30 || b > 0x39) break;
        mantissa = mantissa * 10 + (b - 0x30);
        if (mantissa > 0) digits++;
        scale++;
        any = true;
        j++;
      }
    }
    if (!any || digits > 15 || scale > 22) return -1;
    if (j < to) {
      b = buf[j];
      if (b !== d && b !== LF && b !== CR) return -1;
    }
    let num = scale === 0 ? mantissa : mantissa / POW10[scale];
    if (negative) num = -num;
    c.values[this.rows] = num;
    if (c.integral && !Number.isInteger(num)) c.integral = false;
    const seen = c.distinctNumbers;
    if (seen) {
      if (seen.size < DISTINCT_TRACKED) seen.add(num);
      else if (!seen.has(num)) c.distinctNumbers = null;
    }
    return j;
  }

  /** A text column's field at buf[i]: hashed while finding its end; -1 as for fastNumber. */
  private fastText(
    c: ColumnBuilder,
    buf: Buffer,
    i: number,
    to: number,
    d: number,
    trimTabs: boolean,
    line: number,
  ): number {
    let h = 0x811c9dc5 | 0;
    let j = i;
    while (j < to) {
      const b = buf[j];
      if (b === d || b === LF || b === CR) break;
      if (b === QUOTE) return -1;
      h = Math.imul(h ^ b, 0x01000193);
      j++;
    }
    if (j > i) {
      const first = buf[i];
      const lastByte = buf[j - 1];
      if (first === SPACE || lastByte === SPACE) return -1;
      if (trimTabs && (first === TAB || lastByte === TAB)) return -1;
    }
    if (j - i <= 4 && isMissingBytes(buf, i, j)) {
      this.missingValue(c, line);
      return j;
    }
    // A text column's numbers are never kept (its values are dropped at the end).
    c.codes![this.rows] = c.dict!.codeHashed(buf, i, j, null, h);
    return j;
  }

  private ragged(line: number, fields: number): never {
    const width = this.columns.length;
    throw new UserError(
      `${this.file}, line ${line}: has ${fields} field${fields === 1 ? '' : 's'}, expected ${width}` +
        (this.header ? ` (the header has ${width})` : ' (as the first line)') +
        '. Check for a missing or extra delimiter or an unquoted delimiter inside a value.',
      { file: this.file, line },
    );
  }

  private addField(
    c: ColumnBuilder,
    buf: Buffer,
    s: number,
    e: number,
    quotedText: string | null,
    line: number,
  ): void {
    const row = this.rows;
    const len = e - s;
    // Missing?
    if (
      quotedText === null
        ? len <= 4 && isMissingBytes(buf, s, e)
        : MISSING.has(quotedText.trim().toLowerCase())
    ) {
      c.values[row] = NaN;
      if (c.codes) c.codes[row] = -1;
      c.missing++;
      if (c.firstMissingLine === null) c.firstMissingLine = line;
      return;
    }
    const num =
      quotedText === null ? parseNumberBytes(buf, s, e) : parseNumberText(quotedText.trim());
    if (!Number.isNaN(num)) {
      c.values[row] = num;
      if (c.integral && !Number.isInteger(num)) c.integral = false;
      if (c.numeric) {
        // A numeric column keeps its values only; a vocabulary, if it is ever made
        // categorical, keys on the number.
        const seen = c.distinctNumbers;
        if (seen) {
          if (seen.size < DISTINCT_TRACKED) seen.add(num);
          else if (!seen.has(num)) c.distinctNumbers = null;
        }
        return;
      }
      c.codes![row] =
        quotedText === null ? c.dict!.code(buf, s, e, null) : codeOfText(c.dict!, quotedText);
      return;
    }
    c.values[row] = NaN;
    let text: string | null = quotedText;
    if (c.numeric) {
      text ??= buf.toString('utf8', s, e);
      const t = text.trim();
      // A decimal comma (33,12) in a file whose delimiter is not the comma: a number.
      if (this.delimiter !== 0x2c && DECIMAL_COMMA.test(t)) {
        const value = Number(t.replace(',', '.'));
        c.decimalComma = true;
        c.values[row] = value;
        if (c.integral && !Number.isInteger(value)) c.integral = false;
        const seen = c.distinctNumbers;
        if (seen) {
          if (seen.size < DISTINCT_TRACKED) seen.add(value);
          else if (!seen.has(value)) c.distinctNumbers = null;
        }
        return;
      }
      // A stray cell in a numeric column: kept aside (missing) while they stay few.
      c.invalid ??= new Map();
      c.invalid.set(row, text);
      c.firstInvalid ??= { line, value: text };
      if (c.invalid.size <= INVALID_KEPT) return;
      c.becomeCategorical(row + 1, this.capacity);
      return;
    }
    // Not a number in a categorical column.
    c.codes![row] =
      quotedText === null ? c.dict!.code(buf, s, e, text) : codeOfText(c.dict!, quotedText);
  }
}

function codeOfText(dict: ByteDictionary, text: string): number {
  const bytes = Buffer.from(text);
  return dict.code(bytes, 0, bytes.length, text);
}

/**
 * Distinct values keyed by their raw bytes: an open-addressing hash table (FNV-1a, mixed) over
 * an arena of the bytes, so a field costs a hash and a compare, and a string is made only once
 * per distinct value. Each slot holds [hash, code | length << 26, first 8 bytes]: keys up to 8
 * bytes (most ids and category names) are matched within the slot's cache line, without
 * touching the arena (with many large dictionaries, cache misses are what a lookup costs).
 */
class ByteDictionary {
  readonly strings: string[] = [];
  /** 4 int32 per slot: mixed hash, code | min(length, 63) << 26 (-1: empty), bytes 0-3, 4-7. */
  private slots = new Int32Array(4 * 1024).fill(-1);
  private starts: Int32Array = new Int32Array(256);
  private lengths: Int32Array = new Int32Array(256);
  private arena = new Uint8Array(4096);
  private used = 0;

  get size(): number {
    return this.strings.length;
  }

  code(buf: Uint8Array, s: number, e: number, text: string | null): number {
    let h = 0x811c9dc5 | 0;
    for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    return this.codeHashed(buf, s, e, text, h);
  }

  /** code() with the FNV-1a hash of buf[s, e) already computed. */
  codeHashed(buf: Uint8Array, s: number, e: number, text: string | null, fnv: number): number {
    // FNV-1a's low bits cluster for short similar keys ("v412", "v413"): mix before masking.
    let h = fnv ^ (fnv >>> 16);
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    const len = e - s;
    const tag = (len < 63 ? len : 63) << 26;
    let w0 = 0;
    let w1 = 0;
    const n = len < 8 ? len : 8;
    for (let i = 0; i < n; i++) {
      if (i < 4) w0 |= buf[s + i] << (8 * i);
      else w1 |= buf[s + i] << (8 * (i - 4));
    }
    const slots = this.slots;
    const mask = (slots.length >> 2) - 1;
    let slot = h & mask;
    for (;;) {
      const o = slot << 2;
      const word = slots[o + 1];
      if (word === -1) break;
      if (
        slots[o] === h &&
        (word & 0xfc000000) === tag &&
        slots[o + 2] === w0 &&
        slots[o + 3] === w1
      ) {
        const c = word & 0x3ffffff;
        if (len <= 8) return c;
        if (this.lengths[c] === len) {
          const start = this.starts[c];
          let same = true;
          for (let i = 8; i < len; i++) {
            if (this.arena[start + i] !== buf[s + i]) {
              same = false;
              break;
            }
          }
          if (same) return c;
        }
      }
      slot = (slot + 1) & mask;
    }
    const code = this.strings.length;
    if (code === this.starts.length) {
      this.starts = grow32(this.starts);
      this.lengths = grow32(this.lengths);
    }
    if (this.used + len > this.arena.length) {
      const a = new Uint8Array(Math.max(this.arena.length * 2, this.used + len));
      a.set(this.arena);
      this.arena = a;
    }
    this.arena.set(buf.subarray(s, e), this.used);
    this.starts[code] = this.used;
    this.lengths[code] = len;
    this.used += len;
    this.strings.push(text ?? Buffer.from(buf.buffer, buf.byteOffset + s, len).toString('utf8'));
    const o = slot << 2;
    slots[o] = h;
    slots[o + 1] = code | tag;
    slots[o + 2] = w0;
    slots[o + 3] = w1;
    if (this.strings.length * 2 > mask + 1) this.rehash();
    return code;
  }

  private rehash(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2).fill(-1);
    const mask = (slots.length >> 2) - 1;
    for (let o = 0; o < old.length; o += 4) {
      if (old[o + 1] === -1) continue;
      let slot = old[o] & mask;
      while (slots[(slot << 2) + 1] !== -1) slot = (slot + 1) & mask;
      slots.set(old.subarray(o, o + 4), slot << 2);
    }
    this.slots = slots;
  }
}

function grow32(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** The first `rows` values: a view when the spare room is small, else a copy. */
function trimmed<T extends Float64Array | Int32Array>(a: T, rows: number): T {
  return (rows >= a.length * 0.9 ? a.subarray(0, rows) : a.slice(0, rows)) as T;
}

function finishColumn(c: ColumnBuilder, name: string, rows: number): Column {
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

/** Changes a column's kind at the user's request; a non-numeric column cannot become numeric. */
export function overrideKind(column: Column, kind: ColumnKind, file = ''): void {
  if ((kind === 'numeric' || kind === 'continuous') && !column.values) {
    const where = column.firstNonNumeric;
    throw new UserError(
      `${file ? file + ', ' : ''}${where ? `line ${where.line}, ` : ''}column "${column.name}" cannot be ${kind}: ` +
        `"${where?.value ?? '?'}" is not a number.`,
      { file, line: where?.line, column: column.name },
    );
  }
  column.kind = kind;
}

function isBlank(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c !== SPACE && c !== TAB && c !== LF && c !== CR) return false;
  }
  return true;
}

function countLines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(LF); i >= 0; i = buf.indexOf(LF, i + 1)) n++;
  return n;
}

/** Offset just past the last newline that ends a record (outside quotes); -1 if none. */
function lastRecordEnd(buf: Buffer): number {
  if (buf.indexOf(QUOTE) < 0) {
    const lf = buf.lastIndexOf(LF);
    return lf < 0 ? -1 : lf + 1;
  }
  let inQuotes = false;
  let last = -1;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (c === LF && !inQuotes) last = i + 1;
  }
  return last;
}

function hasOpenQuote(buf: Buffer, from: number): boolean {
  let inQuotes = false;
  for (let i = from; i < buf.length; i++) if (buf[i] === QUOTE) inQuotes = !inQuotes;
  return inQuotes;
}

/** The first n records as strings (quotes respected), for detection. */
function firstRecords(buf: Buffer, n: number): string[] {
  const out: string[] = [];
  let inQuotes = false;
  let start = 0;
  for (let i = 0; i < buf.length && out.length < n; i++) {
    const c = buf[i];
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (c === LF && !inQuotes) {
      const rec = buf.toString('utf8', start, i).replace(/\r$/, '');
      if (rec.trim() !== '') out.push(rec);
      start = i + 1;
    }
  }
  if (out.length < n && start < buf.length && !inQuotes) {
    const rec = buf.toString('utf8', start).replace(/\r$/, '');
    if (rec.trim() !== '') out.push(rec);
  }
  return out;
}

/** Splits one record (a string) into trimmed, unquoted fields. */
export function splitRecord(record: string, delimiter: number): string[] {
  const d = String.fromCharCode(delimiter);
  const out: string[] = [];
  let cur = '';
  let inQuotes = false;
  for (let i = 0; i < record.length; i++) {
    const ch = record[i];
    if (inQuotes) {
      if (ch === '"') {
        if (record[i + 1] === '"') {
          cur += '"';
          i++;
        } else inQuotes = false;
      } else cur += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === d) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

function detectDelimiter(records: string[]): number {
  let best = 0x2c;
  let bestScore = 0;
  for (const d of [0x2c, 0x3b, 0x09]) {
    const counts = records.map((r) => splitRecord(r, d).length);
    if (counts.length === 0 || counts[0] < 2) continue;
    const consistent = counts.filter((c) => c === counts[0]).length / counts.length;
    const score = consistent * counts[0];
    if (consistent >= 0.9 && score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

const isNumberText = (s: string): boolean => s !== '' && !Number.isNaN(parseNumberText(s));

function looksLikeHeader(records: string[][]): boolean {
  const first = records[0];
  if (!first || records.length === 0) return false;
  const isText = (v: string) => v !== '' && !isNumberText(v) && !MISSING.has(v.toLowerCase());
  // No name at all, or an empty name past the first (an index column has an empty first name):
  // data.
  if (!first.some(isText) || first.some((v, i) => i > 0 && v === '')) return false;
  if (records.length === 1) return first.every((v, i) => isText(v) || (i === 0 && v === ''));
  const rest = records.slice(1);
  // A column that is numeric below a text first cell: the first row is a header (whose other
  // names may be numbers, such as years).
  for (let c = 0; c < first.length; c++) {
    if (!isText(first[c])) continue;
    const below = rest
      .map((r) => r[c] ?? '')
      .filter((v) => v !== '' && !MISSING.has(v.toLowerCase()));
    if (below.length > 0 && below.every(isNumberText)) return true;
  }
  // All text: a header when its values never appear again in their columns.
  return (
    first.every((v, i) => isText(v) || (i === 0 && v === '')) &&
    first.every((v, c) => rest.every((r) => r[c] !== v))
  );
}

function isMissingBytes(buf: Buffer, s: number, e: number): boolean {
  const len = e - s;
  if (len === 0) return true;
  const lower = (i: number) => buf[i] | 0x20;
  if (len === 1) return buf[s] === 0x3f; // ?
  if (len === 2) return lower(s) === 0x6e && lower(s + 1) === 0x61; // na
  if (len === 3) {
    const a = lower(s);
    const b = lower(s + 1);
    const c = lower(s + 2);
    return (
      (a === 0x6e && b === 0x61 && c === 0x6e) || (a === 0x6e && buf[s + 1] === 0x2f && c === 0x61)
    ); // nan, n/a
  }
  // null, none
  if (len !== 4 || lower(s) !== 0x6e) return false;
  const b = lower(s + 1);
  const c = lower(s + 2);
  const d = lower(s + 3);
  return (b === 0x75 && c === 0x6c && d === 0x6c) || (b === 0x6f && c === 0x6e && d === 0x65);
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Parses a decimal number straight from bytes: [+-]digits[.digits][e[+-]digits]. Returns NaN
 * when the field is not a plain number (then it is text). Exact (correctly rounded) for up to
 * 15 significant digits; longer ones go through parseFloat.
 */
export function parseNumberBytes(buf: Buffer, s: number, e: number): number {
  let i = s;
  let negative = false;
  if (i < e && (buf[i] === 0x2d || buf[i] === 0x2b)) {
    negative = buf[i] === 0x2d;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let any = false;
  while (i < e && buf[i] >= 0x30 && buf[i] <= 0x39) {
    mantissa = mantissa * 10 + (buf[i] - 0x30);
    if (mantissa > 0) digits++;
    any = true;
    i++;
  }
  if (i < e && buf[i] === 0x2e) {
    i++;
    while (i < e && buf[i] >= 0x30 && buf[i] <= 0x39) {
      mantissa = mantissa * 10 + (buf[i] - 0x30);
      if (mantissa > 0) digits++;
      scale++;
      any = true;
      i++;
    }
  }
  if (!any) return NaN;
  let exponent = 0;
  if (i < e && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    let expNeg = false;
    if (i < e && (buf[i] === 0x2d || buf[i] === 0x2b)) {
      expNeg = buf[i] === 0x2d;
      i++;
    }
    let expDigits = false;
    while (i < e && buf[i] >= 0x30 && buf[i] <= 0x39) {
      exponent = exponent * 10 + (buf[i] - 0x30);
      expDigits = true;
      i++;
    }
    if (!expDigits) return NaN;
    if (expNeg) exponent = -exponent;
  }
  if (i !== e) return NaN;
  if (digits > 15 || exponent !== 0 || scale > 22) {
    const v = parseFloat(buf.toString('latin1', s, e));
    return v;
  }
  const v = scale === 0 ? mantissa : mantissa / POW10[scale];
  return negative ? -v : v;
}

/** The same rules for text (quoted fields). */
export function parseNumberText(text: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return NaN;
  return parseFloat(text);
}

/** Throws a UserError naming the line of the first invalid UTF-8 sequence in buf[from, to). */
function checkUtf8(buf: Buffer, from: number, to: number, file: string, firstLine: number): void {
  if (isUtf8(buf.subarray(from, to))) return; // native and fast; the loop below locates the error
  let i = from;
  while (i < to) {
    const c = buf[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n = 0;
    let min = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      min = 0x10000;
    } else n = -1;
    let ok = n > 0 && i + n < to + 1 && i + n <= buf.length;
    let cp = n === 1 ? c & 0x1f : n === 2 ? c & 0x0f : c & 0x07;
    for (let k = 1; ok && k <= n; k++) {
      const b = buf[i + k];
      if ((b & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (b & 0x3f);
    }
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (!ok) {
      let line = firstLine;
      for (let j = from; j < i; j++) if (buf[j] === LF) line++;
      throw new UserError(
        `${file}, line ${line}: the file is not valid UTF-8 (byte 0x${c.toString(16).padStart(2, '0')}). Save it as UTF-8 and import it again.`,
        { file, line },
      );
    }
    i += n + 1;
  }
}
