// Scanning raw CSV bytes before fields are read: the bytes that matter, where the last
// complete record of a chunk ends (quotes respected), blank input, and the UTF-8 check whose
// error names the line of the first bad byte.

import { isUtf8 } from 'node:buffer';
import { UserError } from '../../errors';

export const QUOTE = 0x22;
export const LF = 0x0a;
export const CR = 0x0d;
export const SPACE = 0x20;
export const TAB = 0x09;

export function isBlank(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c !== SPACE && c !== TAB && c !== LF && c !== CR) return false;
  }
  return true;
}

export function countLines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(LF); i >= 0; i = buf.indexOf(LF, i + 1)) n++;
  return n;
}

/** Offset just past the last newline that ends a record (outside quotes); -1 if none. */
export function lastRecordEnd(buf: Buffer): number {
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

export function hasOpenQuote(buf: Buffer, from: number): boolean {
  let inQuotes = false;
  for (let i = from; i < buf.length; i++) if (buf[i] === QUOTE) inQuotes = !inQuotes;
  return inQuotes;
}

/** Throws a UserError naming the line of the first invalid UTF-8 sequence in buf[from, to). */
export function checkUtf8(
  buf: Buffer,
  from: number,
  to: number,
  file: string,
  firstLine: number,
): void {
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
