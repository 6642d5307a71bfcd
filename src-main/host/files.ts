// The in-app file browser's view of a folder, and the confinement of paths in browser mode: a
// page served by `npm run web` may only name files inside the workspace (and the app's own
// resources), never anywhere on the disk.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../engine/errors';
import type { FileEntry, FileKind, FileListing } from '../ipc/api';

const EXTENSIONS: Record<FileKind, readonly string[]> = {
  project: ['.htlnet.json', '.json'],
  csv: ['.csv', '.csv.gz', '.tsv', '.tsv.gz', '.txt'],
  model: [],
};

export function matchesKind(name: string, kind: FileKind): boolean {
  const lower = name.toLowerCase();
  return EXTENSIONS[kind].some((ext) => lower.endsWith(ext));
}

function inside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Paths the host may touch: anywhere (roots null), or inside one of `roots`. */
export class PathPolicy {
  constructor(
    /** null: no confinement (the Electron app acts for its user). */
    readonly roots: readonly string[] | null,
    /** Where relative paths are resolved, and the file browser starts. */
    readonly home: string,
  ) {}

  /** The absolute path of `p`, or a UserError when it is outside what may be touched. */
  resolve(p: string, what = 'path'): string {
    if (typeof p !== 'string' || p.length === 0 || p.includes('\0')) {
      throw new UserError(`The ${what} is empty or invalid.`);
    }
    const abs = path.resolve(this.home, p);
    if (this.roots && !this.roots.some((r) => inside(abs, r))) {
      throw new UserError(
        `${p} is outside the workspace (${this.home}); in browser mode only files there can be used.`,
      );
    }
    return abs;
  }

  isAllowed(p: string): boolean {
    return !this.roots || this.roots.some((r) => inside(path.resolve(this.home, p), r));
  }

  parentOf(dir: string): string | null {
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    if (this.roots && !this.roots.some((r) => inside(parent, r))) return null;
    return parent;
  }
}

export async function listFiles(
  policy: PathPolicy,
  dir: string | null,
  kind: FileKind,
): Promise<FileListing> {
  const abs = policy.resolve(dir ?? policy.home, 'folder');
  await fs.mkdir(policy.home, { recursive: true });
  let dirents;
  try {
    dirents = await fs.readdir(abs, { withFileTypes: true });
  } catch (error) {
    throw new UserError(`The folder ${abs} cannot be read: ${(error as Error).message}`);
  }
  const entries: FileEntry[] = [];
  for (const d of dirents) {
    if (d.name.startsWith('.')) continue;
    const isDirectory = d.isDirectory();
    if (!isDirectory && !matchesKind(d.name, kind)) continue;
    const full = path.join(abs, d.name);
    const stat = await fs.stat(full).catch(() => null);
    if (!stat) continue;
    entries.push({
      name: d.name,
      path: full,
      isDirectory,
      size: isDirectory ? 0 : stat.size,
      modifiedAt: stat.mtime.toISOString(),
    });
  }
  entries.sort((a, b) =>
    a.isDirectory !== b.isDirectory ? (a.isDirectory ? -1 : 1) : a.name.localeCompare(b.name),
  );
  return { dir: abs, parent: policy.parentOf(abs), entries };
}
