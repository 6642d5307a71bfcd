// The app's state for one workspace (its runs and its crash-recovery snapshot) and the start-up
// clean-up: a session that was killed may leave temp files, an interrupted model swap or a
// half-written upload behind; the next session finishes or rolls back the swap and removes
// the leftovers of writers that are no longer running.

import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isLegacyLeftover, isOrphan } from '../engine/export/outputs';
import { recoverModelFolder } from '../engine/export/saved-model';
import type { RunStore } from './runs';

/** `DATADIR/workspaces/NAME-HASH`: one folder of state per workspace (by its full path). */
export function workspaceStateDir(dataDir: string, workspace: string): string {
  const abs = path.resolve(workspace);
  const hash = createHash('sha256').update(abs).digest('hex').slice(0, 12);
  const name =
    path
      .basename(abs)
      .replace(/[^\w.-]+/g, '_')
      .slice(0, 40) || 'root';
  return path.join(dataDir, 'workspaces', `${name}-${hash}`);
}

/** Removes the orphaned temp and .old entries (files or folders) directly in `dir`. */
async function sweepOrphans(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (
      !isOrphan(name) &&
      !(isLegacyLeftover(name) && (await holdsModelFiles(path.join(dir, name))))
    )
      continue;
    await fs.rm(path.join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** A folder holding only model files (what a model save stages or keeps). */
async function holdsModelFiles(dir: string): Promise<boolean> {
  const entries = await fs.readdir(dir).catch(() => null);
  return (
    entries !== null &&
    entries.every((e) => ['model.json', 'weights.bin', 'manifest.json'].includes(e))
  );
}

function inside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel !== '' && rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel);
}

export interface StartupState {
  dataDir: string;
  stateDir: string;
  workspace: string;
  runs: RunStore;
}

/**
 * Once per session, before jobs start: moves this workspace's runs out of the shared legacy
 * folder (DATADIR/runs, from before runs were per workspace), finishes or rolls back
 * interrupted model swaps of the runs, and sweeps orphaned temp files in the runs, the
 * workspace, its uploads and samples folders.
 */
export async function sweepAtStartup(state: StartupState): Promise<void> {
  const runsDir = path.join(state.stateDir, 'runs');
  await fs.mkdir(runsDir, { recursive: true });
  const legacy = path.join(state.dataDir, 'runs');
  const workspace = path.resolve(state.workspace);
  for (const id of await fs.readdir(legacy).catch(() => [] as string[])) {
    if (!/^r\d{8}-\d{6}-[0-9a-f]{6}$/.test(id)) continue;
    try {
      const detail = JSON.parse(await fs.readFile(path.join(legacy, id, 'run.json'), 'utf8')) as {
        dataPath?: unknown;
      };
      if (typeof detail.dataPath !== 'string' || !inside(path.resolve(detail.dataPath), workspace))
        continue;
      const to = path.join(runsDir, id);
      if (
        await fs.stat(to).then(
          () => true,
          () => false,
        )
      )
        continue;
      await fs.rename(path.join(legacy, id), to);
    } catch {
      // a damaged legacy run stays where it is
    }
  }
  // The shared recovery snapshot of an older version goes to the workspace its project is in.
  const legacyRecovery = path.join(state.dataDir, 'recovery.htlnet.json');
  try {
    const r = JSON.parse(await fs.readFile(legacyRecovery, 'utf8')) as { path?: unknown };
    const target = path.join(state.stateDir, 'recovery.htlnet.json');
    if (
      typeof r.path === 'string' &&
      inside(path.resolve(r.path), workspace) &&
      !(await fs.stat(target).then(
        () => true,
        () => false,
      ))
    ) {
      await fs.rename(legacyRecovery, target);
    }
  } catch {
    // none, or not this workspace's
  }
  for (const id of await fs.readdir(runsDir).catch(() => [] as string[])) {
    const dir = path.join(runsDir, id);
    if (
      !(await fs.stat(dir).then(
        (s) => s.isDirectory(),
        () => false,
      ))
    )
      continue;
    await recoverModelFolder(state.runs.modelDir(id)).catch(() => undefined);
    await sweepOrphans(dir);
  }
  await sweepOrphans(runsDir);
  await sweepOrphans(state.stateDir);
  await sweepOrphans(state.dataDir);
  for (const dir of [workspace, path.join(workspace, 'uploads'), path.join(workspace, 'samples')])
    await sweepOrphans(dir);
}
