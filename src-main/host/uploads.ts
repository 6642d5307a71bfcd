// Files a browser page sends to the host (browser mode has no file paths): streamed at disk
// speed into the workspace's uploads folder under a safe name, never over an existing file.
//
// The bytes go to a hidden temp file of their own (`.NAME.tmp-PID-RANDOM`, so two uploads of one
// name never mix, and a file named `y.csv.part` is never touched), flushed, then linked to the
// first free name, atomically: of two concurrent uploads of `race.csv` one gets `race.csv` and
// the other `race (2).csv`. Uploading the same content under the same name again reuses the
// file already there (no `file (2).csv` copies of one file); different content gets a new name,
// so a file earlier runs were trained on is never replaced.

import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { UserError } from '../engine/errors';
import { fsyncPath, tempPathFor } from '../engine/export/outputs';

/** The largest upload accepted (a CSV of several million rows). */
export const MAX_UPLOAD_BYTES = 4 * 1024 ** 3;

/** An upload over the limit: the server answers 413. */
class UploadTooLargeError extends UserError {
  readonly status = 413;
}

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

function sizeText(bytes: number): string {
  return bytes >= 1024 ** 3
    ? `${(bytes / 1024 ** 3).toFixed(0)} GB`
    : `${(bytes / 1024 ** 2).toFixed(0)} MB`;
}

/** The names an upload may take in order: name.csv, name (2).csv, name (3).csv, ... */
function* candidates(dir: string, name: string): Generator<string> {
  const dot = name.endsWith('.gz') ? name.lastIndexOf('.', name.length - 4) : name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let i = 1; ; i++) yield path.join(dir, i === 1 ? name : `${stem} (${i})${ext}`);
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Writes the body to `file`, hashing it; refuses more than `max` bytes (the body is left
 * readable, paused, so the caller can still answer). */
async function receive(
  body: Readable,
  file: string,
  max: number,
  name: string,
): Promise<{ size: number; sha256: string }> {
  const handle = await fs.open(file, 'w');
  const hash = createHash('sha256');
  let size = 0;
  try {
    // Chunks are gathered up to a few MB per write: one system call per block, not per packet.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const block = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      await handle.write(block);
    };
    for await (const chunk of iterateWithoutDestroying(body)) {
      size += chunk.length;
      if (size > max) {
        throw new UploadTooLargeError(
          `${name} is larger than ${sizeText(max)}, the largest upload accepted.`,
        );
      }
      hash.update(chunk);
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= 4 << 20) await flush();
    }
    await flush();
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { size, sha256: hash.digest('hex') };
}

/**
 * The chunks of a readable, one at a time, without destroying it when the reader stops early
 * (`for await` on the stream itself would destroy the request, and with it the connection the
 * refusal is sent on).
 */
async function* iterateWithoutDestroying(body: Readable): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let failed = null as Error | null; // set by the listeners below
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const onData = (chunk: Buffer) => {
    queue.push(chunk);
    if (queue.length >= 16) body.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (error: Error) => {
    failed = error;
    notify();
  };
  const onAborted = () => onError(new UserError('The upload was interrupted.'));
  body.on('data', onData);
  body.once('end', onEnd);
  body.once('error', onError);
  body.once('aborted', onAborted);
  try {
    for (;;) {
      if (failed) throw failed;
      const chunk = queue.shift();
      if (chunk) {
        if (queue.length < 4 && body.isPaused()) body.resume();
        yield chunk;
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    body.off('data', onData);
    body.off('end', onEnd);
    body.off('error', onError);
    body.off('aborted', onAborted);
    if (!ended) body.pause();
  }
}

export async function saveUpload(
  dir: string,
  name: string,
  body: Readable,
  options: { maxBytes?: number } = {},
): Promise<string> {
  const safe = safeFileName(name);
  await fs.mkdir(dir, { recursive: true });
  const tmp = tempPathFor(path.join(dir, safe));
  try {
    const received = await receive(body, tmp, options.maxBytes ?? MAX_UPLOAD_BYTES, safe);
    for (const candidate of candidates(dir, safe)) {
      const existing = await fs.lstat(candidate).catch(() => null);
      if (existing) {
        // The same bytes under the same name: reuse the file already there.
        if (
          existing.isFile() &&
          existing.size === received.size &&
          (await sha256Of(candidate)) === received.sha256
        ) {
          return candidate;
        }
        continue;
      }
      if (await claim(tmp, candidate)) {
        await fsyncPath(dir);
        return candidate;
      }
    }
    throw new Error('unreachable');
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** Gives `tmp` the name `target` unless a file took it meanwhile (false then). */
async function claim(tmp: string, target: string): Promise<boolean> {
  try {
    await fs.link(tmp, target); // atomic, and fails when the name is taken
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS')
      throw error;
  }
  // No hard links here (some file systems): reserve the name, then move the bytes onto it.
  try {
    await (await fs.open(target, 'wx')).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  await fs.rename(tmp, target);
  return true;
}
