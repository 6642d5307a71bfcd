// Project files on disk for the app: open (with migration), save (atomic, refusing to overwrite
// anything that is not a project), the recent-projects list and the crash-recovery snapshot.
// Plain Node: Electron's main process and the browser-mode server share it.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../engine/errors';
import { readProject, serializeProject } from '../engine/graph/project-file';
import type {
  OpenedProject,
  Recovery,
  RecentProject,
  RecoverySnapshot,
  SavedProject,
} from '../ipc/api';
import { PROJECT_EXTENSION, PROJECT_FORMAT, type ProjectFile } from '../shared/project';
import { readJsonOrNull, writeFileAtomic } from './fs-atomic';

export const RECENT_LIMIT = 12;
/** Project files larger than this are refused before reading (a project is a few kB). */
const MAX_PROJECT_BYTES = 20 * 1024 * 1024;

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error ? String(error.code) : undefined;
}

function projectName(file: string): string {
  const base = path.basename(file);
  return base.endsWith(PROJECT_EXTENSION) ? base.slice(0, -PROJECT_EXTENSION.length) : base;
}

/** The text read as a project: migrated, defaults filled, or a UserError saying what is wrong. */
export function parseProjectText(text: string, name: string): OpenedProject {
  const loaded = readProject(text, name);
  return {
    project: loaded.project,
    path: null,
    name: projectName(name),
    migratedFrom: loaded.migratedFrom,
    warnings: loaded.warnings,
  };
}

export async function openProjectFile(file: string): Promise<OpenedProject> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') throw new UserError(`${file} does not exist.`, { file });
    throw new UserError(`${file} cannot be read: ${(error as Error).message}`, { file });
  }
  if (stat.isDirectory()) throw new UserError(`${file} is a folder, not a project file.`, { file });
  if (stat.size > MAX_PROJECT_BYTES) {
    throw new UserError(
      `${file} is ${(stat.size / 1e6).toFixed(0)} MB: too large to be an HTLNet Studio project.`,
      { file },
    );
  }
  const text = await fs.readFile(file, 'utf8');
  return { ...parseProjectText(text, file), path: file, name: projectName(file) };
}

/**
 * Whether `file` may be overwritten by a project: it does not exist, is empty, or already holds
 * an HTLNet Studio project (of any version). Anything else is refused, whatever its name.
 */
async function checkOverwritable(file: string): Promise<void> {
  let text: string;
  try {
    const stat = await fs.stat(file);
    if (stat.isDirectory()) {
      throw new UserError(`${file} is a folder; choose a file name to save the project.`, { file });
    }
    if (stat.size === 0) return;
    if (stat.size > MAX_PROJECT_BYTES) throw notAProject(file);
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw notAProject(file);
  }
  if (
    typeof json !== 'object' ||
    json === null ||
    (json as { format?: unknown }).format !== PROJECT_FORMAT
  ) {
    throw notAProject(file);
  }
}

function notAProject(file: string): UserError {
  return new UserError(
    `${file} exists and is not an HTLNet Studio project; it was not overwritten. Choose another name.`,
    { file },
  );
}

/** The file a project named `file` is saved to: the extension is added unless it is there. */
export function projectTarget(file: string): string {
  return file.endsWith('.json') ? file : file + PROJECT_EXTENSION;
}

export async function saveProjectFile(file: string, project: ProjectFile): Promise<SavedProject> {
  const target = projectTarget(file);
  await checkOverwritable(target);
  await writeFileAtomic(target, serializeProject(project));
  return { path: target, name: projectName(target), savedAt: new Date().toISOString() };
}

// ---- recent projects and recovery (in the app's data folder) -------------------------------

interface RecentEntry {
  path: string;
  name: string;
  openedAt: string;
}

function isRecentEntry(v: unknown): v is RecentEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return typeof e.path === 'string' && typeof e.name === 'string' && typeof e.openedAt === 'string';
}

export class ProjectStore {
  constructor(
    private readonly dataDir: string,
    /** Where the recovery snapshot goes: the workspace's own state folder. */
    private readonly stateDir: string = dataDir,
  ) {}

  private get recentFile(): string {
    return path.join(this.dataDir, 'recent-projects.json');
  }

  private get recoveryFile(): string {
    return path.join(this.stateDir, 'recovery.htlnet.json');
  }

  private async readRecent(): Promise<RecentEntry[]> {
    const json = await readJsonOrNull(this.recentFile);
    return Array.isArray(json) ? json.filter(isRecentEntry) : [];
  }

  /** Puts `file` at the top of the recent list. */
  async touch(file: string, name: string): Promise<void> {
    const entries = (await this.readRecent()).filter((e) => e.path !== file);
    entries.unshift({ path: file, name, openedAt: new Date().toISOString() });
    await writeFileAtomic(this.recentFile, JSON.stringify(entries.slice(0, RECENT_LIMIT), null, 2));
  }

  async recent(): Promise<RecentProject[]> {
    const entries = await this.readRecent();
    return Promise.all(
      entries.map(async (e) => ({
        ...e,
        exists: await fs.stat(e.path).then(
          (s) => s.isFile(),
          () => false,
        ),
      })),
    );
  }

  async writeRecovery(snapshot: RecoverySnapshot): Promise<void> {
    const recovery: Recovery = { ...snapshot, savedAt: new Date().toISOString() };
    await writeFileAtomic(
      this.recoveryFile,
      JSON.stringify({
        path: recovery.path,
        name: recovery.name,
        savedAt: recovery.savedAt,
        project: JSON.parse(serializeProject(recovery.project)) as unknown,
      }),
    );
  }

  /** The snapshot left by the last session, or null; a damaged snapshot counts as none. */
  async readRecovery(): Promise<Recovery | null> {
    const json = await readJsonOrNull(this.recoveryFile);
    if (typeof json !== 'object' || json === null) return null;
    const r = json as Record<string, unknown>;
    if (typeof r.name !== 'string' || typeof r.savedAt !== 'string') return null;
    if (r.path !== null && typeof r.path !== 'string') return null;
    try {
      const { project } = parseProjectText(JSON.stringify(r.project), 'The recovery file');
      return { project, path: r.path, name: r.name, savedAt: r.savedAt };
    } catch {
      return null;
    }
  }

  async clearRecovery(): Promise<void> {
    await fs.rm(this.recoveryFile, { force: true });
  }
}
