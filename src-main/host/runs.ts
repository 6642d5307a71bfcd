// The runs the app keeps: one folder per run in the app's data folder, holding run.json (the
// project snapshot, binding, settings, history, test metrics and curves) and model/ (the
// trained model in the engine's format).

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../engine/errors';
import type { RunDetail, RunSummary } from '../ipc/api';
import { writeFileAtomic } from './fs-atomic';

const RUN_ID = /^r\d{8}-\d{6}-[0-9a-f]{6}$/;

export function newRunId(now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp =
    `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-` +
    `${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `r${stamp}-${randomBytes(3).toString('hex')}`;
}

export function summaryOf(detail: RunDetail): RunSummary {
  const { project: _p, history: _h, curves: _c, ...summary } = detail;
  return summary;
}

export class RunStore {
  constructor(private readonly root: string) {}

  dir(id: string): string {
    if (!RUN_ID.test(id)) throw new UserError(`"${id}" is not a run id.`);
    return path.join(this.root, id);
  }

  modelDir(id: string): string {
    return path.join(this.dir(id), 'model');
  }

  async write(detail: RunDetail): Promise<void> {
    await writeFileAtomic(path.join(this.dir(detail.id), 'run.json'), JSON.stringify(detail));
  }

  async get(id: string): Promise<RunDetail> {
    let text: string;
    try {
      text = await fs.readFile(path.join(this.dir(id), 'run.json'), 'utf8');
    } catch {
      throw new UserError(`There is no run "${id}" (it may have been deleted).`);
    }
    return JSON.parse(text) as RunDetail;
  }

  /**
   * Every run, newest first. A run still marked running that no job of this session owns was
   * interrupted (the app closed or crashed): it is reported, and kept, as failed.
   */
  async list(active: ReadonlySet<string> = new Set()): Promise<RunSummary[]> {
    const names = await fs.readdir(this.root).catch(() => [] as string[]);
    const runs: RunSummary[] = [];
    for (const name of names) {
      if (!RUN_ID.test(name)) continue;
      let detail: RunDetail;
      try {
        detail = await this.get(name);
      } catch {
        continue;
      }
      if (detail.status === 'running' && !active.has(detail.id)) {
        detail = {
          ...detail,
          status: 'failed',
          message: 'Interrupted: the app closed while this run was training.',
        };
        await this.write(detail);
      }
      runs.push(summaryOf(detail));
    }
    return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  async delete(id: string): Promise<void> {
    await fs.rm(this.dir(id), { recursive: true, force: true });
  }
}
