// Imported CSVs for the app: the wizard's preview (kinds, profiles, first rows, the suggested
// binding, which is the engine's defaultBinding as for the CLI) and the check of a project's
// binding against a file's columns. Only the preview is kept in memory; training reads the
// file again in its worker.

import path from 'node:path';
import { defaultBinding } from '../engine/data/binding';
import { parseNumberText, readTable } from '../engine/data/csv';
import type { Column, Table } from '../engine/data/types';
import type { ColumnSummary, DataPreview } from '../ipc/api';
import { blockParams } from '../shared/catalog';
import type { Problem } from '../shared/problems';
import type { DataBinding, ProjectFile } from '../shared/project';

const HEAD_ROWS = 50;
const HISTOGRAM_BINS = 30;

function present(column: Column, rows: number): Float64Array {
  const values = column.values;
  if (!values) return new Float64Array(0);
  const out = new Float64Array(rows - column.missing);
  let k = 0;
  for (let r = 0; r < rows && k < out.length; r++)
    if (!Number.isNaN(values[r])) out[k++] = values[r];
  return out.subarray(0, k);
}

/** A histogram of positive-skewed values on a log1p scale (amounts), else linear. */
function histogram(sorted: Float64Array): NonNullable<ColumnSummary['stats']>['histogram'] {
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  const median = sorted[Math.floor(sorted.length / 2)];
  const logScale = min >= 0 && max > 0 && max > 20 * Math.max(median, 1e-9);
  const f = logScale ? Math.log1p : (v: number) => v;
  const inv = logScale ? Math.expm1 : (v: number) => v;
  const lo = f(min);
  const hi = f(max);
  const bins = lo === hi ? 1 : HISTOGRAM_BINS;
  const width = (hi - lo) / bins || 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of sorted) counts[Math.min(bins - 1, Math.floor((f(v) - lo) / width))]++;
  const edges = Array.from({ length: bins + 1 }, (_, i) => inv(lo + i * width));
  return { edges, counts, logScale };
}

function summariseColumn(column: Column, index: number, rows: number): ColumnSummary {
  const summary: ColumnSummary = {
    name: column.name,
    index,
    kind: column.kind,
    missing: column.missing,
    distinct: column.distinct,
    numeric: column.values !== null,
  };
  if (column.invalidCells) summary.notNumbers = { ...column.invalidCells, readAsMissing: true };
  if (column.decimalComma) summary.decimalComma = true;
  if (!column.values && column.firstNonNumeric) summary.firstText = { ...column.firstNonNumeric };
  if (column.values) {
    const sorted = present(column, rows).slice().sort();
    if (sorted.length > 0) {
      let sum = 0;
      let zeros = 0;
      for (const v of sorted) {
        sum += v;
        if (v === 0) zeros++;
      }
      summary.stats = {
        min: sorted[0],
        mean: sum / sorted.length,
        max: sorted[sorted.length - 1],
        median: sorted[Math.floor(sorted.length / 2)],
        zeroShare: zeros / sorted.length,
        histogram: histogram(sorted),
      };
      if (column.kind === 'binary') {
        let ones = 0;
        for (const v of sorted) if (v === 1) ones++;
        summary.positiveRate = ones / sorted.length;
      }
    }
  }
  if (column.codes && column.dictionary && (!column.values || column.distinct <= 50)) {
    const counts = new Int32Array(column.dictionary.length);
    for (let r = 0; r < rows; r++) if (column.codes[r] >= 0) counts[column.codes[r]]++;
    const order = Array.from(counts.keys()).sort((a, b) => counts[b] - counts[a]);
    summary.top = order
      .slice(0, 12)
      .map((i) => ({ value: column.dictionary![i], count: counts[i] }));
    if (!column.values && column.firstNonNumeric) {
      // Mostly numbers with a few stray texts: say how many and where the first one is.
      let bad = 0;
      column.dictionary.forEach((v, i) => {
        if (Number.isNaN(parseNumberText(v.trim()))) bad += counts[i];
      });
      if (bad > 0 && bad * 2 < rows - column.missing)
        summary.notNumbers = { count: bad, ...column.firstNonNumeric, readAsMissing: false };
    }
    if (column.kind === 'binary' && !column.values) {
      const yes = new Set(['1', 'true', 'yes', 'y', 't']);
      let pos = 0;
      column.dictionary.forEach((v, i) => {
        if (yes.has(v.trim().toLowerCase())) pos += counts[i];
      });
      summary.positiveRate = pos / Math.max(1, rows - column.missing);
    }
  }
  return summary;
}

function cellText(column: Column, row: number): string {
  if (column.codes && column.dictionary) {
    const code = column.codes[row];
    return code >= 0 ? column.dictionary[code] : '';
  }
  const v = column.values?.[row] ?? Number.NaN;
  return Number.isNaN(v) ? (column.invalid?.get(row) ?? '') : String(v);
}

/** The project's binding when the file has all its columns, else the default one. */
function bindingFor(table: Table, project: ProjectFile | null): DataBinding {
  if (project) {
    const names = new Set(table.columns.map((c) => c.name));
    const b = project.data;
    const all = [...b.features.map((f) => f.column), ...b.tasks.map((t) => t.column)];
    if (b.tasks.length > 0 && all.every((c) => names.has(c))) return structuredClone(b);
  }
  return defaultBinding(table);
}

export function previewTable(
  table: Table,
  file: string,
  project: ProjectFile | null = null,
): DataPreview {
  const columns = table.columns.map((c, i) => summariseColumn(c, i, table.rows));
  const head: string[][] = [];
  for (let r = 0; r < Math.min(HEAD_ROWS, table.rows); r++) {
    head.push(table.columns.map((c) => cellText(c, r)));
  }
  return {
    path: file,
    name: path.basename(file),
    rows: table.rows,
    bytes: table.bytes,
    delimiter: table.delimiter,
    header: table.header,
    columns,
    head,
    suggested: bindingFor(table, project),
  };
}

export interface ImportOptions {
  signal?: AbortSignal;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** Reads a CSV and summarises it for the wizard. */
export async function importCsv(file: string, options: ImportOptions = {}): Promise<DataPreview> {
  const table = await readTable(file, options);
  return previewTable(table, file);
}

/**
 * What is wrong with a project's binding for a file: missing columns, a numeric feature or a
 * regression target on text, a binary target that is not 0/1. Each problem names the column and
 * is pinned to the blocks that use it (feature inputs, the task's head).
 */
export function checkBinding(project: ProjectFile, preview: DataPreview): Problem[] {
  const byName = new Map(preview.columns.map((c) => [c.name, c]));
  const inputs = project.graph.blocks.filter((b) => b.type === 'feature-input').map((b) => b.id);
  const headOf = (task: string) =>
    project.graph.blocks
      .filter((b) => b.type === 'task-head' && b.params.task === task)
      .map((b) => b.id);
  const problems: Problem[] = [];
  const where = preview.name;
  for (const f of project.data.features) {
    const c = byName.get(f.column);
    if (!c) {
      problems.push({
        severity: 'error',
        code: 'data-missing-column',
        // (An empty canvas has no feature input yet: the project's binding lists the column.)
        message:
          inputs.length > 0
            ? `${where} has no column "${f.column}", which the feature inputs use. Re-bind the data or remove the column from the features.`
            : `${where} has no column "${f.column}", a feature of the project's data binding. Choose this file's columns in Data.`,
        blocks: inputs,
        field: 'columns',
      });
    } else if (f.kind === 'numeric' && !c.numeric) {
      problems.push({
        severity: 'error',
        code: 'data-kind-mismatch',
        message: `Column "${f.column}" of ${where} holds text${textAt(c)}, so it cannot be a numeric feature; make it categorical.`,
        blocks: inputs,
        field: 'columns',
      });
    }
  }
  for (const t of project.data.tasks) {
    const c = byName.get(t.column);
    const blocks = headOf(t.name);
    if (!c) {
      problems.push({
        severity: 'error',
        code: 'data-missing-column',
        message: `${where} has no column "${t.column}", the target of task "${t.name}".`,
        blocks,
        field: 'task',
      });
    } else if (t.type === 'regression' && c.notNumbers) {
      // Stray texts, whether read as missing or making the column text: a target needs every row.
      const n = c.notNumbers.count;
      problems.push({
        severity: 'error',
        code: 'data-kind-mismatch',
        message: `Task "${t.name}" is a regression, but column "${t.column}" of ${where} holds ${n} value${n === 1 ? '' : 's'} that ${n === 1 ? 'is' : 'are'} not a number, the first "${c.notNumbers.value}" on line ${c.notNumbers.line}; fix ${n === 1 ? 'it' : 'them'} in the file and read it again.`,
        blocks,
        field: 'task',
      });
    } else if (t.type === 'regression' && !c.numeric) {
      problems.push({
        severity: 'error',
        code: 'data-kind-mismatch',
        message: `Task "${t.name}" is a regression, but column "${t.column}" of ${where} is not numeric${textAt(c)}; fix those values in the file, or use another column.`,
        blocks,
        field: 'task',
      });
    } else if (t.type === 'binary' && c.kind !== 'binary') {
      problems.push({
        severity: 'error',
        code: 'data-kind-mismatch',
        message: `Task "${t.name}" is binary, but column "${t.column}" of ${where} does not hold only 0/1 values (${c.distinct} distinct values).`,
        blocks,
        field: 'task',
      });
    }
  }
  return problems;
}

/** " (line 12 holds "$29.99")": where a column's text starts, for messages. */
function textAt(c: ColumnSummary): string {
  return c.firstText ? ` (line ${c.firstText.line} holds "${c.firstText.value}")` : '';
}

/** The project with a new binding; heads follow the tasks in chain order when the count matches. */
export function rebindProject(project: ProjectFile, binding: DataBinding): ProjectFile {
  const next = structuredClone(project);
  const oldTasks = project.data.tasks.map((t) => t.name);
  next.data = structuredClone(binding);
  if (oldTasks.length === binding.tasks.length) {
    const rename = new Map(oldTasks.map((name, i) => [name, binding.tasks[i].name]));
    for (const block of next.graph.blocks) {
      if (block.type !== 'task-head') continue;
      const to = rename.get(blockParams('task-head', block).task);
      if (to !== undefined) {
        block.params.task = to;
        const task = binding.tasks.find((t) => t.name === to);
        if (task) block.params.kind = task.type;
      }
    }
  }
  return next;
}
