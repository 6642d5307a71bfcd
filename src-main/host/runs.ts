// The runs the app keeps: one folder per run in the app's data folder, holding run.json (the
// project snapshot, binding, settings, history, test metrics and curves), summary.json (what
// the runs table shows, with the run's group and its disk use) and model/ (the trained model
// in the engine's format). Listing reads the small summaries only, once per session: the store
// keeps them in memory, updated by its own writes and deletes, and a listing reads only the
// folder names (so runs removed or added by another process show) plus the summaries it has
// not seen; it stays fast with hundreds of runs (bench/runs.ts: 300 runs). A run without a
// summary (kept by an older version) gets one from its run.json the first time it is listed.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../engine/errors';
import type { PruneOptions, PruneResult, RunDetail, RunFilter, RunSummary } from '../ipc/api';
import { writeFileAtomic } from './fs-atomic';

const RUN_ID = /^r\d{8}-\d{6}-[0-9a-f]{6}$/;
const RUN_FILE = 'run.json';
const SUMMARY_FILE = 'summary.json';
/** Runs read at once while listing (enough to keep the disk busy, few open files). */
const READ_CONCURRENCY = 32;
const DAY_MS = 24 * 60 * 60 * 1000;

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

/** Bytes of the files under `dir` (recursively), leaving out `except` (a name in `dir`). */
export async function folderBytes(dir: string, except?: string): Promise<number> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const e of entries) {
    if (e.name === except) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) total += await folderBytes(full);
    else
      total += await fs.stat(full).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}

/** Maps `items` through `fn`, at most `limit` at a time, keeping their order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>) {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class RunStore {
  /** Summaries read or written this session, by run id. */
  private readonly cache = new Map<string, RunSummary>();

  /**
   * `observer`: a store that does not own the runs (the CLI beside a running app): a run marked
   * running is reported as it is, never marked interrupted, and never pruned.
   */
  constructor(
    private readonly root: string,
    private readonly options: { observer?: boolean } = {},
  ) {}

  dir(id: string): string {
    if (!RUN_ID.test(id)) throw new UserError(`"${id}" is not a run id.`);
    return path.join(this.root, id);
  }

  modelDir(id: string): string {
    return path.join(this.dir(id), 'model');
  }

  /** Writes the run's record and its summary (with the folder's disk use), each atomically. */
  async write(detail: RunDetail): Promise<void> {
    const dir = this.dir(detail.id);
    const text = JSON.stringify(detail);
    await writeFileAtomic(path.join(dir, RUN_FILE), text);
    await this.writeSummary(summaryOf(detail), Buffer.byteLength(text));
  }

  private async writeSummary(summary: RunSummary, runFileBytes?: number): Promise<RunSummary> {
    const dir = this.dir(summary.id);
    const others = await folderBytes(dir, RUN_FILE);
    const recordBytes =
      runFileBytes ??
      (await fs.stat(path.join(dir, RUN_FILE)).then(
        (s) => s.size,
        () => 0,
      ));
    // The summary file counts at its previous size (it changes by a few bytes).
    const withBytes = { ...summary, diskBytes: recordBytes + others };
    await writeFileAtomic(path.join(dir, SUMMARY_FILE), JSON.stringify(withBytes));
    this.cache.set(summary.id, withBytes);
    return withBytes;
  }

  async get(id: string): Promise<RunDetail> {
    let text: string;
    try {
      text = await fs.readFile(path.join(this.dir(id), RUN_FILE), 'utf8');
    } catch {
      throw new UserError(`There is no run "${id}" (it may have been deleted).`);
    }
    return JSON.parse(text) as RunDetail;
  }

  /** A run's summary: summary.json, or made from run.json (and kept) when there is none. */
  async summary(id: string): Promise<RunSummary> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    try {
      const text = await fs.readFile(path.join(this.dir(id), SUMMARY_FILE), 'utf8');
      const summary = JSON.parse(text) as RunSummary;
      this.cache.set(id, summary);
      return summary;
    } catch {
      return this.writeSummary(summaryOf(await this.get(id)));
    }
  }

  /**
   * Every run (or a group's), newest first. A run still marked running that no job of this
   * session owns was interrupted (the app closed or crashed): it is reported, and kept, as
   * failed.
   */
  async list(
    active: ReadonlySet<string> = new Set(),
    filter: RunFilter = {},
  ): Promise<RunSummary[]> {
    const names = (await fs.readdir(this.root).catch(() => [] as string[])).filter((n) =>
      RUN_ID.test(n),
    );
    const present = new Set(names);
    for (const id of this.cache.keys()) if (!present.has(id)) this.cache.delete(id);
    const read = await mapLimited(names, READ_CONCURRENCY, async (name) => {
      let summary: RunSummary;
      try {
        summary = await this.summary(name);
      } catch {
        return null; // a damaged or half-deleted run is left out
      }
      if (summary.status === 'running' && !active.has(summary.id) && !this.options.observer) {
        // run.json is the record; the summary may lag it by one write if the app was killed.
        let detail: RunDetail;
        try {
          detail = await this.get(name);
        } catch {
          return null;
        }
        if (detail.status === 'running') {
          detail = {
            ...detail,
            status: 'failed',
            message: 'Interrupted: the app closed while this run was training.',
          };
          await this.write(detail);
        } else {
          await this.writeSummary(summaryOf(detail));
        }
        summary = await this.summary(name);
      }
      return summary;
    });
    const runs = read.filter(
      (r): r is RunSummary => r !== null && (!filter.group || r.group?.id === filter.group),
    );
    return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  async delete(id: string): Promise<void> {
    await fs.rm(this.dir(id), { recursive: true, force: true });
    this.cache.delete(id);
  }

  /**
   * Deletes the finished runs matching every condition given (never one in `active`); returns
   * their ids and the bytes freed.
   */
  async prune(
    options: PruneOptions,
    active: ReadonlySet<string> = new Set(),
    now = Date.now(),
  ): Promise<PruneResult> {
    const { olderThanDays, keepNewest, group } = options;
    if (olderThanDays === undefined && keepNewest === undefined && group === undefined) {
      throw new UserError(
        'Say which runs to prune: older than N days, all but the newest N, or a group.',
      );
    }
    let candidates = (await this.list(active, group ? { group } : {})).filter(
      (r) => r.status !== 'running' && !active.has(r.id),
    );
    if (olderThanDays !== undefined) {
      const cutoff = now - olderThanDays * DAY_MS;
      candidates = candidates.filter((r) => Date.parse(r.startedAt) < cutoff);
    }
    if (keepNewest !== undefined) candidates = candidates.slice(keepNewest); // newest first
    let freedBytes = 0;
    for (const r of candidates) {
      freedBytes += await folderBytes(this.dir(r.id));
      if (!options.dryRun) await this.delete(r.id);
    }
    return { deleted: candidates.map((r) => r.id), freedBytes };
  }
}
