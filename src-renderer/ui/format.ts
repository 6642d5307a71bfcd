// How numbers, sizes, times and metrics read in the journey's screens. One place, so that a
// value shown in a table, a chart title and a test's expectation agree to the digit.

import type { TaskMetricsWire } from '../../src-main/ipc/api';
import type { TaskType } from '../../src-main/shared/project';

/** The metric each task type is judged by in tables, charts and comparisons. */
export const HEADLINE_METRIC: Record<TaskType, string> = { binary: 'auc', regression: 'nrmse' };

export interface MetricInfo {
  /** Column heading / legend text. */
  label: string;
  /** One sentence for tooltips. */
  help: string;
  /** Whether a larger value is better (AUC, Gini) or a smaller one (loss, errors). */
  higherIsBetter: boolean;
}

export const METRICS: Record<string, MetricInfo> = {
  auc: {
    label: 'AUC',
    help: 'Area under the ROC curve: the chance a random positive is ranked above a random negative (0.5 is guessing, 1 is perfect).',
    higherIsBetter: true,
  },
  logloss: {
    label: 'LogLoss',
    help: 'Cross-entropy of the predicted probabilities (lower is better).',
    higherIsBetter: false,
  },
  nrmse: {
    label: 'NRMSE',
    help: 'Root mean squared error divided by the standard deviation of the target (1 is no better than predicting the mean; lower is better).',
    higherIsBetter: false,
  },
  nmae: {
    label: 'NMAE',
    help: 'Mean absolute error divided by the mean absolute deviation of the target (lower is better).',
    higherIsBetter: false,
  },
  gini: {
    label: 'Gini',
    help: 'Normalised Gini: how well the predictions rank rows by their actual value, relative to a perfect ranking (higher is better).',
    higherIsBetter: true,
  },
  spearman: {
    label: 'Spearman',
    help: 'Rank correlation between predicted and actual values (higher is better).',
    higherIsBetter: true,
  },
  rmse: {
    label: 'RMSE',
    help: 'Root mean squared error on the raw scale of the target (lower is better).',
    higherIsBetter: false,
  },
  mae: {
    label: 'MAE',
    help: 'Mean absolute error on the raw scale of the target (lower is better).',
    higherIsBetter: false,
  },
  r2: {
    label: 'R²',
    help: 'Share of the variance of the target the predictions explain (0 is no better than predicting the mean; higher is better).',
    higherIsBetter: true,
  },
  totalRatio: {
    label: 'Total ratio',
    help: 'Sum of the predictions divided by the sum of the actual values (1 means predictions add up to the actual total).',
    higherIsBetter: false,
  },
};

/** Metric names in the order tables list them, per task type. */
export const METRIC_ORDER: Record<TaskType, string[]> = {
  binary: ['auc', 'logloss'],
  regression: ['nrmse', 'nmae', 'gini', 'spearman', 'rmse', 'mae'],
};

export function metricLabel(name: string): string {
  return METRICS[name]?.label ?? name;
}

/** Metric names of a task's metrics object, in the table order (known ones first). */
export function metricNames(type: TaskType, metrics: TaskMetricsWire | undefined): string[] {
  const known = METRIC_ORDER[type];
  const extra = metrics ? Object.keys(metrics).filter((k) => !known.includes(k)) : [];
  return [...known.filter((k) => !metrics || k in metrics), ...extra];
}

/** A metric as every screen shows it: 4 decimals for normalised metrics, 4 significant digits otherwise. */
export function formatMetric(name: string, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (name === 'rmse' || name === 'mae') return formatNumber(value);
  return value.toFixed(4);
}

/** A number with about 4 significant digits and thousands separators for large values. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs === 0) return '0';
  if (abs >= 10_000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 1e-3) return String(Number(value.toPrecision(4)));
  return value.toExponential(2);
}

/** A short tick label: 0.25, 1.5k, 12M. */
export function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  if (abs === 0) return '0';
  return String(Number(value.toPrecision(3)));
}

export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatPercent(share: number, digits = 1): string {
  if (!Number.isFinite(share)) return '–';
  return `${(share * 100).toFixed(digits)}%`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

/** "45 s", "3 min 20 s", "1 h 5 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
}

/** A run's time as people read it in a table: "1 Mar 2025, 10:15". */
export function formatTime(iso: string | null): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** The last part of a path, whichever separator the host uses. */
export function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] || p;
}

/** Joins path parts with the host's separator (backslash on Windows hosts). */
export function joinPath(platform: string | undefined, ...parts: string[]): string {
  const sep = platform === 'win32' ? '\\' : '/';
  return parts
    .filter((p) => p !== '')
    .map((p, i) => (i === 0 ? p.replace(/[\\/]+$/, '') : p.replace(/^[\\/]+|[\\/]+$/g, '')))
    .join(sep);
}

/** A file-name-safe slug: "HTLNet funnel (3 epochs)" -> "htlnet-funnel-3-epochs". */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'untitled'
  );
}

/** "long_view" -> "Long view" (task names as titles). */
export function humanize(name: string): string {
  const words = name.replace(/[_\s-]+/g, ' ').trim();
  return words === '' ? name : words[0].toUpperCase() + words.slice(1);
}

export const STATUS_TEXT: Record<string, string> = {
  running: 'Running',
  completed: 'Completed',
  'early-stopping': 'Stopped early',
  cancelled: 'Stopped',
  diverged: 'Diverged',
  failed: 'Failed',
};
