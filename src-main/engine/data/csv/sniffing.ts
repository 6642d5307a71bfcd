// Sniffing a CSV from its first records: the delimiter (comma, semicolon or tab, whichever
// splits the records consistently into most fields) and whether the first record is a header.

import { LF, QUOTE } from './bytes';
import { MISSING, parseNumberText } from './numbers';

/** The first n records as strings (quotes respected), for detection. */
export function firstRecords(buf: Buffer, n: number): string[] {
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

export function detectDelimiter(records: string[]): number {
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

export function looksLikeHeader(records: string[][]): boolean {
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
