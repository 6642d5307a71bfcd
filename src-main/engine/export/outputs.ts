// Where the app and the CLI may write: nothing they write ever replaces an input, a file inside
// a model folder, or a file they did not write themselves (unless the user says so), and temp
// files are unique per writer, flushed before they are renamed into place, and swept when
// their writer died.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors';

/** The output exists and is not ours: replacing it needs the user's word. */
export class OutputExistsError extends UserError {
  readonly code = 'output-exists';
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message, { file });
  }
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * The real path of `p` (symlinks resolved) even when `p` or some of its parents do not exist
 * yet: the deepest existing ancestor is resolved and the rest appended.
 */
export async function realPathOf(p: string): Promise<string> {
  const abs = path.resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      const real = await fs.realpath(cur);
      return rest.length === 0 ? real : path.join(real, ...rest.reverse());
    } catch (error) {
      const code = errno(error);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      const parent = path.dirname(cur);
      if (parent === cur) return abs;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

const MODEL_FILES = ['manifest.json', 'model.json', 'weights.bin'];

/** Whether `dir` holds a saved model (a manifest of ours, or the model files). */
export async function isModelFolder(dir: string): Promise<boolean> {
  try {
    const text = await fs.readFile(path.join(dir, 'manifest.json'), 'utf8');
    return (JSON.parse(text) as { format?: unknown }).format === 'htlnet-studio-model';
  } catch {
    const present = await Promise.all(
      MODEL_FILES.map((f) =>
        fs.stat(path.join(dir, f)).then(
          () => true,
          () => false,
        ),
      ),
    );
    return present.filter(Boolean).length >= 2;
  }
}

export interface OutputFileCheck {
  /** Files the job reads (data, project, model folder): the output may be none of them. */
  inputs: readonly string[];
  /** The user agreed to replace an existing file (`--force`, or the app's question). */
  replace?: boolean;
  /** Whether an existing file is one this writer made (replaced without asking). */
  ours?: (file: string) => Promise<boolean>;
  /** How the user allows a replacement: "Use --force to replace it." (CLI), or the app's. */
  allowWith: string;
}

/** The absolute output path once checked; a clear one-line UserError otherwise. */
export async function checkOutputFile(out: string, check: OutputFileCheck): Promise<string> {
  const target = path.resolve(out);
  const real = await realPathOf(target);
  for (const input of check.inputs) {
    const inputReal = await realPathOf(input);
    if (real === inputReal || (await sameFile(real, inputReal))) {
      throw new UserError(
        `${out} is also an input of this job (${input}); it was not overwritten. Choose another output file.`,
        { file: out },
      );
    }
  }
  // Inside a model folder (at any depth up to the first existing folder)?
  for (let dir = path.dirname(real); ; dir = path.dirname(dir)) {
    if (await isModelFolder(dir)) {
      throw new UserError(
        `${out} is inside the model folder ${dir}; writing there would damage the model. Choose an output outside it.`,
        { file: out },
      );
    }
    if (path.dirname(dir) === dir) break;
    const exists = await fs.stat(dir).then(
      () => true,
      () => false,
    );
    if (exists) break;
  }
  const stat = await fs.stat(real).catch(() => null);
  if (stat?.isDirectory()) {
    throw new UserError(`${out} is a folder; give a file name for the output.`, { file: out });
  }
  if (stat && !stat.isFile()) {
    throw new UserError(`${out} is not a regular file; choose another output.`, { file: out });
  }
  if (stat && stat.size > 0 && !check.replace && !(await (check.ours?.(real) ?? false))) {
    throw new OutputExistsError(
      `${out} already exists and was not written by HTLNet Studio; it was not replaced. ${check.allowWith}`,
      out,
    );
  }
  return target;
}

async function sameFile(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([fs.stat(a).catch(() => null), fs.stat(b).catch(() => null)]);
  return Boolean(x && y && x.dev === y.dev && x.ino === y.ino);
}

// ---- temp files ---------------------------------------------------------------------------------

/** `.NAME.tmp-PID-RANDOM` beside the target: unique per writer, and whose writer is known. */
export function tempPathFor(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`,
  );
}

/** Flushes a file or folder's data to disk (best effort where a platform cannot). */
export async function fsyncPath(p: string): Promise<void> {
  let handle;
  try {
    handle = await fs.open(p, 'r');
    await handle.sync();
  } catch {
    // Some platforms cannot open or sync a folder: the data files were synced already.
  } finally {
    await handle?.close();
  }
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errno(error) === 'EPERM';
  }
}

const TEMP_NAME = /^\..+\.tmp-(\d+)-[0-9a-f]{12}$/;
const OLD_NAME = /^.+\.old-(\d+)-[0-9a-f]{8}$/;
/** Left by versions before unique temp names: a mkdtemp folder, or a kept old model folder. */
const LEGACY_TEMP_DIR = /^\..+\.tmp-[A-Za-z0-9]{6}$/;
const LEGACY_OLD_DIR = /^.+\.old-(\d+)$/;

/**
 * A leftover of a writer that died: a temp (`.NAME.tmp-PID-HEX12`) or kept old folder
 * (`NAME.old-PID-HEX8`) whose pid is no longer running. Names of other shapes are never
 * matched (a user's `budget.old-2023` stays).
 */
export function isOrphan(name: string, alive: (pid: number) => boolean = pidAlive): boolean {
  const m = TEMP_NAME.exec(name) ?? OLD_NAME.exec(name);
  return m !== null && !alive(Number(m[1]));
}

/**
 * A leftover of an older version, which only folders can be: its mkdtemp staging folder
 * (`.NAME.tmp-XXXXXX`) or a kept old model folder (`NAME.old-PID`, its writer dead). The caller
 * checks that it is a folder holding model files.
 */
export function isLegacyLeftover(
  name: string,
  alive: (pid: number) => boolean = pidAlive,
): boolean {
  if (LEGACY_TEMP_DIR.test(name)) return true;
  const m = LEGACY_OLD_DIR.exec(name);
  return m !== null && !alive(Number(m[1]));
}
