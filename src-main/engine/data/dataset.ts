// From a parsed table and a data binding to the encoded dataset the trainer reads, plus the
// column profile of a bound table. (The default binding itself is binding.ts.)

import type { TargetTransform } from '../../shared/catalog';
import type { DataBinding } from '../../shared/project';
import { encodeFields, fitEncoders, fitTargetEncoders } from './encoders';
import { parseTargets } from './targets';
import type {
  EncodedDataset,
  FieldEncoder,
  FieldSpec,
  Split,
  Table,
  TargetEncoder,
  TargetSpec,
} from './types';

export interface PreparedData {
  encoders: FieldEncoder[];
  targetEncoders: TargetEncoder[];
  data: EncodedDataset;
}

export function prepareDataset(
  table: Table,
  binding: DataBinding,
  fields: readonly FieldSpec[],
  transforms: readonly (TargetTransform | TargetSpec)[],
  split: Split,
): PreparedData {
  const targets = parseTargets(table, binding.tasks);
  const encoders = fitEncoders(table, fields, split.train);
  const targetEncoders = fitTargetEncoders(
    targets,
    binding.tasks,
    transforms,
    split.train,
    table.file,
  );
  return {
    encoders,
    targetEncoders,
    data: { rows: table.rows, fields: encodeFields(table, encoders), targets },
  };
}

export interface ColumnProfile {
  column: string;
  kind: string;
  role: 'feature' | 'target' | 'excluded' | 'unused';
  missing: number;
  distinct: number;
  /** Binary targets: share of positives. */
  positiveRate?: number;
  /** Numeric columns: summary of the values present. */
  numeric?: {
    min: number;
    mean: number;
    max: number;
    quantiles: { q: number; value: number }[];
    zeroShare: number;
  };
  /** Categorical columns: the most frequent values. */
  top?: { value: string; count: number }[];
}

export function profileColumns(table: Table, binding: DataBinding): ColumnProfile[] {
  const features = new Set(binding.features.map((f) => f.column));
  const targets = new Map(binding.tasks.map((t) => [t.column, t]));
  const excluded = new Set(binding.excluded);
  return table.columns.map((c) => {
    const role = targets.has(c.name)
      ? 'target'
      : features.has(c.name)
        ? 'feature'
        : excluded.has(c.name)
          ? 'excluded'
          : 'unused';
    const profile: ColumnProfile = {
      column: c.name,
      kind: c.kind,
      role,
      missing: c.missing,
      distinct: c.distinct,
    };
    if (c.values) {
      const present: number[] = [];
      let sum = 0;
      let zeros = 0;
      for (let r = 0; r < table.rows; r++) {
        const v = c.values[r];
        if (Number.isNaN(v)) continue;
        present.push(v);
        sum += v;
        if (v === 0) zeros++;
      }
      if (present.length > 0) {
        const sorted = Float64Array.from(present).sort();
        profile.numeric = {
          min: sorted[0],
          mean: sum / sorted.length,
          max: sorted[sorted.length - 1],
          quantiles: [0.1, 0.25, 0.5, 0.75, 0.9, 0.99].map((q) => ({
            q,
            value: sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))],
          })),
          zeroShare: zeros / sorted.length,
        };
      }
      const task = targets.get(c.name);
      if (task?.type === 'binary' && present.length > 0) {
        profile.positiveRate = present.filter((v) => v === 1).length / present.length;
      }
    }
    if (c.codes && c.dictionary && !c.values) {
      const counts = new Int32Array(c.dictionary.length);
      for (let r = 0; r < table.rows; r++) if (c.codes[r] >= 0) counts[c.codes[r]]++;
      const order = Array.from(counts.keys()).sort((a, b) => counts[b] - counts[a]);
      profile.top = order.slice(0, 10).map((i) => ({ value: c.dictionary![i], count: counts[i] }));
      const task = targets.get(c.name);
      if (task?.type === 'binary') {
        const pos = c.dictionary.reduce(
          (n, v, i) => n + (['1', 'true', 'yes'].includes(v.trim().toLowerCase()) ? counts[i] : 0),
          0,
        );
        profile.positiveRate = pos / Math.max(1, table.rows - c.missing);
      }
    }
    return profile;
  });
}
