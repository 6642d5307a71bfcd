// `htlnet runs`: the runs the app keeps for a workspace (the same store the app reads), listed
// with their group and disk use, or pruned (--prune with --older-than DAYS, --keep-newest N or
// --group ID). The CLI does not own the runs: a run the app is training is shown as running and
// never pruned. With --json the last line is {"runs": [...], "diskBytes"} or
// {"deleted": [...], "freedBytes"}.

import path from 'node:path';
import { defaultDataDir, defaultWorkspace } from '../host/paths';
import { RunStore } from '../host/runs';
import { workspaceStateDir } from '../host/state';
import { UserError } from '../engine/errors';
import type { PruneOptions } from '../ipc/api';
import type { CliKit } from './experiments';

type Flags = Record<string, string | boolean | string[] | undefined>;

/** "1.2 MB" */
function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v >= 10 ? 0 : 1)} ${units[u]}`;
}

export async function runs(flags: Flags, kit: CliKit): Promise<number> {
  const workspace = typeof flags.workspace === 'string' ? flags.workspace : defaultWorkspace();
  const dataDir = typeof flags['data-dir'] === 'string' ? flags['data-dir'] : defaultDataDir();
  const store = new RunStore(path.join(workspaceStateDir(dataDir, workspace), 'runs'), {
    observer: true,
  });
  const groups = Array.isArray(flags.group) ? flags.group : [];
  if (groups.length > 1) throw new UserError('--group names one group (an experiment id).');
  const group = groups[0];
  const flat = flags as Record<string, string | boolean | undefined>;
  const olderThan = kit.intFlag(flat, 'older-than', 0, 100_000);
  const keepNewest = kit.intFlag(flat, 'keep-newest', 0, 1_000_000);
  if (flags.prune) {
    const options: PruneOptions = {
      ...(olderThan !== undefined ? { olderThanDays: olderThan } : {}),
      ...(keepNewest !== undefined ? { keepNewest } : {}),
      ...(group !== undefined ? { group } : {}),
    };
    if (Object.keys(options).length === 0)
      throw new UserError(
        '--prune needs --older-than DAYS, --keep-newest N or --group ID (which runs to delete).',
      );
    const result = await store.prune(options);
    if (flags.json) process.stdout.write(kit.json(result) + '\n');
    else
      process.stdout.write(
        `deleted ${result.deleted.length} run${result.deleted.length === 1 ? '' : 's'}, freed ${bytesText(result.freedBytes)}\n`,
      );
    return 0;
  }
  if (olderThan !== undefined || keepNewest !== undefined)
    throw new UserError('--older-than and --keep-newest choose runs to delete: add --prune.');
  const list = await store.list(new Set(), group ? { group } : {});
  const diskBytes = list.reduce((a, r) => a + (r.diskBytes ?? 0), 0);
  if (flags.json) {
    process.stdout.write(kit.json({ runs: list, diskBytes }) + '\n');
    return 0;
  }
  let text = '';
  for (const r of list) {
    const g = r.group ? `  [${r.group.name}: ${r.group.variant}, seed ${r.group.seed}]` : '';
    text += `${r.id}  ${r.startedAt.slice(0, 16).replace('T', ' ')}  ${r.status.padEnd(14)}  ${bytesText(r.diskBytes ?? 0).padStart(7)}  ${r.label}${g}\n`;
  }
  text += `${list.length} run${list.length === 1 ? '' : 's'}, ${bytesText(diskBytes)} on disk\n`;
  process.stdout.write(text);
  return 0;
}
