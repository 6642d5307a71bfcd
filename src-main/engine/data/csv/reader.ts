// Streaming CSV import into a columnar table (typed arrays, no object per row).
//
// Comma, semicolon or tab (detected from the first lines unless given); quoted fields with ""
// escapes, delimiters and newlines inside quotes; with or without a header (detected unless
// given); UTF-8 with or without BOM (invalid UTF-8 is an error naming the line); CRLF or LF;
// gzip detected by its magic bytes. Every field is dictionary-encoded on the fly and parsed as
// a number when it is one (straight from the bytes). Errors name the file, line and column.

// The tokenizer (tokenizer.ts) does the work; this file feeds it a file or a buffer.

import { createReadStream, promises as fs } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { CancelledError, UserError } from '../../errors';
import type { Table } from '../types';
import { CsvParser, type ParseOptions } from './tokenizer';

export interface ReadOptions extends ParseOptions {
  signal?: AbortSignal;
  /** Called at most about once per megabyte read (bytes of the file, compressed or not). */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

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
