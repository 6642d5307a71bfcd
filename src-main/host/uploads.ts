// Files a browser page sends to the host (browser mode has no file paths): streamed into the
// workspace's uploads folder under a safe name, never over an existing file.

import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../engine/errors';

/** The largest upload accepted (a CSV of several million rows). */
export const MAX_UPLOAD_BYTES = 4 * 1024 ** 3;

export function safeFileName(name: string): string {
  const base = path
    .basename(name.replace(/\\/g, '/'))
    .replace(/[^\w.\- ()]+/g, '_')
    .trim();
  if (!base || base === '.' || base === '..' || base.startsWith('.')) {
    throw new UserError(`"${name}" is not a usable file name.`);
  }
  return base.slice(0, 180);
}

/** A name in `dir` that no file has yet: name.csv, name (2).csv, ... */
async function freeName(dir: string, name: string): Promise<string> {
  const dot = name.endsWith('.gz') ? name.lastIndexOf('.', name.length - 4) : name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let i = 1; ; i++) {
    const candidate = path.join(dir, i === 1 ? name : `${stem} (${i})${ext}`);
    const taken = await fs.stat(candidate).then(
      () => true,
      () => false,
    );
    if (!taken) return candidate;
  }
}

export async function saveUpload(dir: string, name: string, body: Readable): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const target = await freeName(dir, safeFileName(name));
  const partial = `${target}.part`;
  let size = 0;
  body.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_UPLOAD_BYTES) body.destroy(new UserError(`${name} is larger than 4 GB.`));
  });
  try {
    await pipeline(body, createWriteStream(partial));
    await fs.rename(partial, target);
  } catch (error) {
    await fs.rm(partial, { force: true });
    throw error;
  }
  return target;
}
