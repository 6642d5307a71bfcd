// The CSV tokenizer: fed chunks of bytes, it finds records and fields (quotes, escapes,
// delimiters and newlines inside quotes, CRLF, CR-only files), sniffs the delimiter and header
// from the first lines, and writes every field into its column as it goes: numbers parsed while
// scanning, text hashed into the column's dictionary. Errors name the file, line and column.
// (About 480 lines: the per-field fast paths share the scan state and are kept together.)

import { UserError } from '../../errors';
import type { Column, Table } from '../types';
import {
  checkUtf8,
  countLines,
  CR,
  hasOpenQuote,
  isBlank,
  lastRecordEnd,
  LF,
  QUOTE,
  SPACE,
  TAB,
} from './bytes';
import {
  ColumnBuilder,
  DISTINCT_TRACKED,
  finishColumn,
  INVALID_KEPT,
  INVALID_SHARE,
} from './columns';
import { codeOfText } from './dictionary';
import {
  DECIMAL_COMMA,
  isMissingBytes,
  MISSING,
  parseNumberBytes,
  parseNumberText,
  POW10,
} from './numbers';
import { detectDelimiter, firstRecords, looksLikeHeader, splitRecord } from './sniffing';

/** How to read the text: given delimiter and header (else sniffed), and a row limit. */
export interface ParseOptions {
  delimiter?: ',' | ';' | '\t';
  header?: boolean;
  /** Stop after this many data rows (for previews). */
  maxRows?: number;
}

export class CsvParser {
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
    private readonly options: ParseOptions,
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
