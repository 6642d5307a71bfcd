// A PyTorch training package for a project: the Python sources (one file per concern, see
// python/README.md) and project.json, the job (job.ts). It trains the same model as the app,
// the same way, on one machine (`python3 train.py`) or many (`torchrun ... train.py`), and
// exports a folder that importTorchModel (import.ts) turns into an app model.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ProjectFile } from '../../../shared/project';
import { UserError } from '../../errors';
import { readProject } from '../../graph/project-file';
import { buildTorchJob, TORCH_JOB_FORMAT } from './job';
import { PACKAGE_SOURCES } from './sources';

const JOB_FILE = 'project.json';

export interface TorchJobOptions {
  /** Path of a project file (.htlnet.json). */
  project: string;
  /** Folder to write the package to (created; a previous package there is overwritten). */
  out: string;
}

export interface TorchJobProjectOptions {
  project: ProjectFile;
  out: string;
}

export interface TorchJobResult {
  /** The package folder, absolute. */
  out: string;
  /** The files written, relative to `out` (`/`-separated), sorted. */
  files: string[];
}

/** Writes the training package for a project file. */
export async function exportTorchJob(options: TorchJobOptions): Promise<TorchJobResult> {
  const text = await fs.readFile(options.project, 'utf8').catch(() => {
    throw new UserError(`Cannot read the project file ${options.project}.`, {
      file: options.project,
    });
  });
  const { project } = readProject(text, options.project);
  return exportTorchJobFromProject({ project, out: options.out });
}

/** Writes the training package for a project held in memory. */
export async function exportTorchJobFromProject(
  options: TorchJobProjectOptions,
): Promise<TorchJobResult> {
  const job = buildTorchJob(options.project);
  const out = path.resolve(options.out);
  await checkTarget(out);
  const files: Record<string, string> = {
    ...PACKAGE_SOURCES,
    [JOB_FILE]: JSON.stringify(job, null, 2) + '\n',
  };
  try {
    await fs.mkdir(out, { recursive: true });
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(out, ...name.split('/'));
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, content);
    }
  } catch (e) {
    throw new UserError(`Cannot write the training package to ${out}: ${(e as Error).message}`, {
      file: out,
    });
  }
  return { out, files: Object.keys(files).sort() };
}

/** The folder must be new, empty, or hold a previous package (whose runs are left alone). */
async function checkTarget(out: string): Promise<void> {
  const stat = await fs.stat(out).catch(() => null);
  if (!stat) return;
  if (!stat.isDirectory()) {
    throw new UserError(`${out} is a file; choose a folder for the training package.`, {
      file: out,
    });
  }
  if ((await fs.readdir(out)).length === 0) return;
  const previous = await fs
    .readFile(path.join(out, JOB_FILE), 'utf8')
    .then((t) => (JSON.parse(t) as { format?: unknown }).format === TORCH_JOB_FORMAT)
    .catch(() => false);
  if (!previous) {
    throw new UserError(
      `${out} is not empty and holds no training package; choose another folder so nothing is overwritten.`,
      { file: out },
    );
  }
}
