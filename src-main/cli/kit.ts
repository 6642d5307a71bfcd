// The helpers every `htlnet` command shares: flag readers (required, whole numbers, lists,
// --tasks), progress lines and bars on stderr, the metrics table, JSON with NaN as null, the
// CSV reader with its column notes, and the sweep of temp files a killed writer left. The
// command modules import them from here; CLI_KIT lends the same helpers to the experiment
// commands (cli/experiments.ts, cli/runs.ts), which take them as an argument.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { TaskType } from '../shared/project';
import { readTable } from '../engine/data/csv';
import { UserError } from '../engine/errors';
import { isLegacyLeftover, isOrphan } from '../engine/export/outputs';
import type { Table } from '../engine/data/types';
import type { TaskMetrics } from '../engine/predict/evaluate';
import type { CliKit } from './experiments';

export type Flags = Record<string, string | boolean | undefined>;

export function required(flags: Flags, name: string): string {
  const v = flags[name];
  if (typeof v !== 'string' || v === '')
    throw new UserError(`Missing --${name}. Run htlnet --help.`);
  return v;
}

export function intFlag(flags: Flags, name: string, min: number, max: number): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UserError(
      `--${name} must be a whole number from ${min} to ${max}, got "${String(v)}".`,
    );
  }
  return n;
}

export function list(value: string | boolean | undefined): string[] | undefined {
  if (typeof value !== 'string') return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseTasks(spec: string): { name: string; type: TaskType }[] {
  const tasks = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part): { name: string; type: TaskType } => {
      const i = part.lastIndexOf(':');
      const name = i < 0 ? part : part.slice(0, i);
      const type = i < 0 ? '' : part.slice(i + 1);
      if (!name || (type !== 'binary' && type !== 'regression')) {
        throw new UserError(
          `--tasks: "${part}" must be NAME:binary or NAME:regression (e.g. click:binary,purchase:binary,amount:regression).`,
        );
      }
      return { name, type };
    });
  if (tasks.length === 0) throw new UserError('--tasks names no task.');
  const seen = new Set<string>();
  for (const t of tasks) {
    if (seen.has(t.name)) throw new UserError(`--tasks names "${t.name}" twice.`);
    seen.add(t.name);
  }
  return tasks;
}

export class Progress {
  private last = 0;
  private readonly tty = Boolean(process.stderr.isTTY);
  constructor(private readonly quiet: boolean) {}

  line(text: string): void {
    if (this.quiet) return;
    if (this.tty) process.stderr.write('\r\x1b[2K');
    process.stderr.write(text + '\n');
  }

  bar(label: string, fraction: number, detail: string): void {
    if (this.quiet || !this.tty) return;
    const now = Date.now();
    if (now - this.last < 100 && fraction < 1) return;
    this.last = now;
    const width = 28;
    const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
    process.stderr.write(
      `\r\x1b[2K${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${detail}`,
    );
  }

  done(): void {
    if (!this.quiet && this.tty) process.stderr.write('\r\x1b[2K');
  }
}

export const fmt = (x: number, digits = 4): string =>
  Number.isFinite(x) ? x.toFixed(digits) : 'n/a';

export function metricsTable(metrics: Record<string, TaskMetrics>): string {
  const rows: string[][] = [['task', 'metric', 'value']];
  for (const [task, m] of Object.entries(metrics)) {
    for (const [k, v] of Object.entries(m)) rows.push([task, k, fmt(v as number)]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r, i) => {
      const line = r
        .map((cell, c) => (c === 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
        .join('  ');
      return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

/** JSON with NaN and Infinity as null. */
export function json(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v,
  );
}

export async function loadTable(file: string, progress: Progress) {
  const table = await readTable(file, {
    onProgress: (read, total) =>
      progress.bar('reading', total ? read / total : 0, `${(read / 1e6).toFixed(0)} MB`),
  });
  progress.done();
  progress.line(
    `read ${table.rows.toLocaleString('en-US')} rows x ${table.columns.length} columns from ${file}`,
  );
  for (const line of columnNotes(table)) progress.line(line);
  return table;
}

/** One line per column whose typing needs a word: stray cells read as missing, decimal commas. */
export function columnNotes(table: Table): string[] {
  const notes: string[] = [];
  for (const c of table.columns) {
    const bad = c.invalidCells;
    if (bad) {
      const comma = /^[+-]?\d*,\d+$/.test(bad.value.trim())
        ? ` (a decimal comma? write ${bad.value.trim().replace(',', '.')})`
        : '';
      notes.push(
        `column "${c.name}": ${bad.count.toLocaleString('en-US')} cell${bad.count === 1 ? ' is' : 's are'} not a number and count${bad.count === 1 ? 's' : ''} as missing (first: line ${bad.line}, "${bad.value}"${comma})`,
      );
    }
    if (c.decimalComma) notes.push(`column "${c.name}": numbers with a decimal comma were read`);
  }
  return notes;
}

/** The helpers the experiment commands (cli/experiments.ts) borrow. */
export const CLI_KIT: CliKit = {
  required,
  intFlag,
  list,
  parseTasks,
  loadTable: (file, quiet) => loadTable(file, new Progress(quiet)),
  line: (quiet, text) => new Progress(quiet).line(text),
  json,
};

/** Removes temp files of writers that died (a killed train or predict) in `dir`. */
export async function sweepFolder(dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const full = path.join(dir, name);
    const isDir = await fs.stat(full).then(
      (st) => st.isDirectory(),
      () => false,
    );
    const legacy = isDir && isLegacyLeftover(name) && (await holdsOnlyModelFiles(full));
    if (!isOrphan(name) && !legacy) continue;
    // An interrupted model swap (its folder missing) is finished or rolled back by the next
    // save or load of that folder, not removed here.
    const m = /^\.?(.*?)(?:\.tmp-|\.old-)/.exec(name);
    const base = m ? m[1] : '';
    if (
      isDir &&
      base &&
      !(await fs.stat(path.join(dir, base)).then(
        () => true,
        () => false,
      ))
    )
      continue;
    await fs.rm(full, { recursive: true, force: true });
  }
}

async function holdsOnlyModelFiles(dir: string): Promise<boolean> {
  const entries = await fs.readdir(dir).catch(() => null);
  return (
    entries !== null &&
    entries.every((e) => ['model.json', 'weights.bin', 'manifest.json'].includes(e))
  );
}
