// The in-app file browser's view of a folder, and the confinement of paths in browser mode: a
// page served by `npm run web` may only name files inside the workspace (and the app's own
// resources), never anywhere on the disk.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../engine/errors';
import { realPathOf } from '../engine/export/outputs';
import type { FileEntry, FileKind, FileListing } from '../ipc/api';

const EXTENSIONS: Record<FileKind, readonly string[]> = {
  project: ['.htlnet.json', '.json'],
  csv: ['.csv', '.csv.gz', '.tsv', '.tsv.gz', '.txt'],
  model: [],
};

function matchesKind(name: string, kind: FileKind): boolean {
  const lower = name.toLowerCase();
  return EXTENSIONS[kind].some((ext) => lower.endsWith(ext));
}

function inside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel));
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

  private realRoots: Promise<string[]> | null = null;

  /**
   * The real path of `p` (symlinks resolved, also in folders that do not exist yet), refused when
   * it is outside the roots; for a path that will be written (`write`), the root folder itself
   * is refused too. Always use this before touching the disk: `resolve` alone checks the text.
   */
  async confine(p: string, what = 'path', opts: { write?: boolean } = {}): Promise<string> {
    if (typeof p !== 'string' || p.length === 0 || p.includes('\0')) {
      throw new UserError(`The ${what} is empty or invalid.`);
    }
    const real = await realPathOf(path.resolve(this.home, p));
    if (!this.roots) return real;
    this.realRoots ??= Promise.all(this.roots.map((r) => realPathOf(r)));
    const roots = await this.realRoots;
    if (!roots.some((r) => inside(real, r))) {
      throw new UserError(
        `${p} is outside the workspace (${this.home})${
          this.isAllowed(p) ? ' through a link' : ''
        }; in browser mode only files there can be used.`,
      );
    }
    if (opts.write && roots.includes(real)) {
      throw new UserError(`${p} is the workspace folder itself; give a file name inside it.`);
    }
    return real;
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

  /** parentOf for a real path (roots' links resolved). */
  async realParentOf(dir: string): Promise<string | null> {
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    if (!this.roots) return parent;
    this.realRoots ??= Promise.all(this.roots.map((r) => realPathOf(r)));
    const roots = await this.realRoots;
    return roots.some((r) => inside(parent, r)) ? parent : null;
  }
}

export async function listFiles(
  policy: PathPolicy,
  dir: string | null,
  kind: FileKind,
): Promise<FileListing> {
  await fs.mkdir(policy.home, { recursive: true });
  const abs = await policy.confine(dir ?? policy.home, 'folder');
  let dirents;
  try {
    dirents = await fs.readdir(abs, { withFileTypes: true });
  } catch (error) {
    throw new UserError(`The folder ${abs} cannot be read: ${(error as Error).message}`);
  }
  const entries: FileEntry[] = [];
  for (const d of dirents) {
    if (d.name.startsWith('.')) continue;
    const full = path.join(abs, d.name);
    const stat = await fs.stat(full).catch(() => null);
    if (!stat) continue;
    // A link that leads outside the workspace is not offered.
    if (
      d.isSymbolicLink() &&
      !(await policy.confine(full).then(
        () => true,
        () => false,
      ))
    )
      continue;
    const isDirectory = stat.isDirectory();
    if (!isDirectory && !matchesKind(d.name, kind)) continue;
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
  return { dir: abs, parent: await policy.realParentOf(abs), entries };
}
