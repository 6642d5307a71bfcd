// The Explain panel's tables as CSV text (one file per table, RFC 4180 quoting).

import type {
  Explanation,
  PartialDependence,
  RowExplanation,
  TaskFunnel,
} from '../../../src-main/shared/explain';

function cell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function toCsv(header: string[], rows: (string | number | null)[][]): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

export function importanceCsv(e: Explanation): string {
  const rows = (e.importance?.tasks ?? []).flatMap((t) =>
    t.features.map((f, rank) => [
      t.task,
      t.metric,
      rank + 1,
      f.feature,
      f.columns.join(' '),
      f.importance,
      f.low,
      f.high,
    ]),
  );
  return toCsv(['task', 'metric', 'rank', 'feature', 'columns', 'importance', 'low', 'high'], rows);
}

export function contributionsCsv(r: RowExplanation): string {
  const rows = r.tasks.flatMap((t) => [
    [r.row, t.task, '(average prediction)', '', t.baseline, 0],
    ...t.contributions.map((c) => [r.row, t.task, c.feature, c.value, c.contribution, c.stderr]),
    [r.row, t.task, '(this row)', '', t.prediction, 0],
  ]);
  return toCsv(['row', 'task', 'feature', 'value', 'contribution', 'stderr'], rows);
}

export function pdpCsv(p: PartialDependence): string {
  const rows = p.tasks.flatMap((t) =>
    p.x.map((x, i) => [p.feature, x, t.task, t.mean[i], t.low[i], t.high[i]]),
  );
  return toCsv(['feature', 'value', 'task', 'mean', 'p10', 'p90'], rows);
}

export function funnelCsv(f: TaskFunnel): string {
  const rows: (string | number | null)[][] = [];
  for (const s of f.shares) rows.push([f.task, 'all rows', 'share', s.part, s.mean, s.sd]);
  for (const a of f.attention)
    for (const i of a.items)
      rows.push([f.task, 'all rows', `attention ${a.port}`, i.source, i.mean, i.sd]);
  for (const seg of f.segments) {
    for (const s of seg.shares) rows.push([f.task, seg.label, 'share', s.part, s.mean, null]);
    for (const a of seg.attention)
      rows.push([f.task, seg.label, `attention ${a.port}`, a.source, a.mean, null]);
  }
  return toCsv(['task', 'segment', 'measure', 'part or source', 'mean', 'sd'], rows);
}
