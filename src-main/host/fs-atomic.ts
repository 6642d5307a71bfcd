// Atomic file writes: the new content goes to a temporary file in the same folder, is flushed,
// then renamed over the target, so a crash or a full disk never leaves a half-written file.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { tempPathFor } from '../engine/export/outputs';

export async function writeFileAtomic(target: string, content: string | Uint8Array): Promise<void> {
  const dir = path.dirname(target);
  await fs.mkdir(dir, { recursive: true });
  const tmp = tempPathFor(target); // unique per writer; swept at start-up if its writer died
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, target);
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
}

/** Reads a JSON file; null when it does not exist or is not valid JSON. */
export async function readJsonOrNull(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
  } catch {
    return null;
  }
}
