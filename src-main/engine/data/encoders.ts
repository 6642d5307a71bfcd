// Encoders fitted on the training split only: vocabularies for categorical columns, quantile
// buckets or a standardised signed log1p for numeric ones, and target transforms. Encoding
// turns table columns into the integer ids / values the model reads.

import type { TargetTransform } from '../../shared/catalog';
import type { TaskBinding } from '../../shared/project';
import { UserError } from '../errors';
import { findColumn } from './targets';
import type {
  Column,
  EncodedField,
  FieldEncoder,
  FieldSpec,
  Table,
  TargetEncoder,
  TargetSpec,
} from './types';

/** sign(x) * log1p(|x|) */
export function slog1p(x: number): number {
  return x < 0 ? -Math.log1p(-x) : Math.log1p(x);
}

/** The key a value has in a vocabulary: its text, or its canonical number when the column kept no dictionary. */
function keyOf(column: Column, row: number): string | null {
  if (column.codes && column.dictionary) {
    const code = column.codes[row];
    return code < 0 ? null : column.dictionary[code];
  }
  const v = column.values![row];
  return Number.isNaN(v) ? null : String(v);
}

export function fitEncoders(
  table: Table,
  fields: readonly FieldSpec[],
  trainRows: Int32Array,
  minCount = 1,
): FieldEncoder[] {
  return fields.map((spec) => {
    const column = findColumn(table, spec.column, 'feature');
    if (spec.encoding === 'vocab') return fitVocabulary(column, trainRows, minCount);
    if (!column.values) {
      const bad = column.firstNonNumeric;
      throw new UserError(
        `${table.file}${bad ? `, line ${bad.line}` : ''}, column "${spec.column}": a numeric feature must hold numbers, found "${bad?.value ?? '?'}". Make it categorical instead.`,
        { file: table.file, line: bad?.line, column: spec.column },
      );
    }
    const values = column.values;
    if (spec.encoding === 'linear') {
      let n = 0;
      let sum = 0;
      let sum2 = 0;
      for (let i = 0; i < trainRows.length; i++) {
        const v = values[trainRows[i]];
        if (Number.isNaN(v)) continue;
        const t = slog1p(v);
        n++;
        sum += t;
        sum2 += t * t;
      }
      const mean = n > 0 ? sum / n : 0;
      const variance = n > 0 ? sum2 / n - mean * mean : 0;
      const std = variance > 1e-12 ? Math.sqrt(variance) : 1;
      return { column: spec.column, kind: 'linear', mean, std };
    }
    return {
      column: spec.column,
      kind: 'buckets',
      edges: quantileEdges(values, trainRows, spec.buckets),
    };
  });
}

function fitVocabulary(column: Column, trainRows: Int32Array, minCount: number): FieldEncoder {
  if (column.codes && column.dictionary) {
    const counts = new Int32Array(column.dictionary.length);
    const first = new Int32Array(column.dictionary.length).fill(2 ** 31 - 1);
    for (let i = 0; i < trainRows.length; i++) {
      const code = column.codes[trainRows[i]];
      if (code < 0) continue;
      counts[code]++;
      if (i < first[code]) first[code] = i;
    }
    const codes: number[] = [];
    for (let c = 0; c < counts.length; c++)
      if (counts[c] >= minCount && counts[c] > 0) codes.push(c);
    codes.sort((a, b) => counts[b] - counts[a] || first[a] - first[b]);
    return { column: column.name, kind: 'vocab', values: codes.map((c) => column.dictionary![c]) };
  }
  // A numeric column without a dictionary (many distinct values) forced categorical.
  const counts = new Map<string, { n: number; first: number }>();
  for (let i = 0; i < trainRows.length; i++) {
    const key = keyOf(column, trainRows[i]);
    if (key === null) continue;
    const e = counts.get(key);
    if (e) e.n++;
    else counts.set(key, { n: 1, first: i });
  }
  const values = [...counts]
    .filter(([, e]) => e.n >= minCount)
    .sort((a, b) => b[1].n - a[1].n || a[1].first - b[1].first)
    .map(([k]) => k);
  return { column: column.name, kind: 'vocab', values };
}

/** At most buckets - 1 distinct edges at the training split's quantiles. */
export function quantileEdges(values: Float64Array, rows: Int32Array, buckets: number): number[] {
  const present: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const v = values[rows[i]];
    if (!Number.isNaN(v)) present.push(v);
  }
  if (present.length === 0) return [];
  const sorted = Float64Array.from(present).sort();
  const edges: number[] = [];
  for (let q = 1; q < buckets; q++) {
    const v = sorted[Math.min(sorted.length - 1, Math.floor((q * sorted.length) / buckets))];
    if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
  }
  // An edge at the minimum makes an empty first bucket: drop it.
  if (edges.length > 0 && edges[0] <= sorted[0]) edges.shift();
  return edges;
}

/** Bucket of x: 0 for missing, else 1 + the number of edges <= x. */
export function bucketOf(x: number, edges: readonly number[]): number {
  if (Number.isNaN(x)) return 0;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return 1 + lo;
}

function cardinality(encoder: FieldEncoder): number {
  return encoder.kind === 'vocab'
    ? encoder.values.length + 1
    : encoder.kind === 'buckets'
      ? encoder.edges.length + 2
      : 0;
}

export function encodeFields(table: Table, encoders: readonly FieldEncoder[]): EncodedField[] {
  return encoders.map((enc) => {
    const column = findColumn(table, enc.column, 'feature');
    const n = table.rows;
    if (enc.kind === 'vocab') {
      const index = new Map(enc.values.map((v, i) => [v, i + 1]));
      const ids = new Int32Array(n);
      if (column.codes && column.dictionary) {
        const byCode = Int32Array.from(column.dictionary, (v) => index.get(v) ?? 0);
        for (let r = 0; r < n; r++) {
          const code = column.codes[r];
          ids[r] = code < 0 ? 0 : byCode[code];
        }
      } else {
        // Numbers: look the number up, not its text (String(v) per row is most of the time).
        // v's key is String(v), so v matches the values whose text is a number's own text.
        const values = column.values!;
        const byNumber = new Map<number, number>();
        enc.values.forEach((text, i) => {
          const x = Number(text);
          if (text !== '' && String(x) === text) byNumber.set(x, i + 1);
        });
        // Integer ids (the usual case) index a dense table; other numbers go through the map.
        let lo = Infinity;
        let hi = -Infinity;
        for (const x of byNumber.keys()) {
          if (!Number.isInteger(x)) continue;
          lo = Math.min(lo, x);
          hi = Math.max(hi, x);
        }
        const span = hi - lo;
        const dense =
          span >= 0 && span <= Math.max(1 << 16, 8 * byNumber.size)
            ? new Int32Array(span + 1)
            : null;
        if (dense) for (const [x, id] of byNumber) if (Number.isInteger(x)) dense[x - lo] = id;
        for (let r = 0; r < n; r++) {
          const v = values[r];
          const k = v - lo;
          if (dense && k >= 0 && k <= span && (k | 0) === k) ids[r] = dense[k];
          else ids[r] = Number.isNaN(v) ? 0 : (byNumber.get(v) ?? 0);
        }
      }
      return { column: enc.column, kind: 'lookup', ids, cardinality: cardinality(enc) };
    }
    if (!column.values) {
      const bad = column.firstNonNumeric;
      throw new UserError(
        `${table.file}${bad ? `, line ${bad.line}` : ''}, column "${enc.column}": the model expects numbers here, found "${bad?.value ?? '?'}".`,
        { file: table.file, line: bad?.line, column: enc.column },
      );
    }
    const values = column.values;
    if (enc.kind === 'buckets') {
      const ids = new Int32Array(n);
      for (let r = 0; r < n; r++) ids[r] = bucketOf(values[r], enc.edges);
      return { column: enc.column, kind: 'lookup', ids, cardinality: cardinality(enc) };
    }
    const out = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      const v = values[r];
      out[r] = Number.isNaN(v) ? 0 : (slog1p(v) - enc.mean) / enc.std;
    }
    return { column: enc.column, kind: 'linear', values: out };
  });
}

const usesLog = (t: TargetTransform) => t === 'log1p' || t === 'log1p-zscore';
const usesZ = (t: TargetTransform) => t === 'zscore' || t === 'log1p-zscore';

/** Whether the model's value is the log of the mean (ZILN, Tweedie): raw = exp(value + mean). */
export function logMeanOutput(enc: TargetEncoder): boolean {
  return enc.type === 'regression' && (enc.objective === 'ziln' || enc.objective === 'tweedie');
}

const OBJECTIVE_TITLES = { ziln: 'zero-inflated lognormal', tweedie: 'Tweedie' } as const;

export function fitTargetEncoders(
  targets: readonly Float64Array[],
  tasks: readonly TaskBinding[],
  specs: readonly (TargetTransform | TargetSpec)[],
  trainRows: Int32Array,
  file = '',
): TargetEncoder[] {
  return tasks.map((task, t) => {
    const y = targets[t];
    if (task.type === 'binary') {
      return {
        task: task.name,
        column: task.column,
        type: 'binary',
        transform: 'none',
        mean: 0,
        std: 1,
        nonNegative: true,
      };
    }
    const given = specs[t] ?? 'none';
    const spec: TargetSpec =
      typeof given === 'string'
        ? { transform: given, objective: 'mse', tweediePower: 1.5, meanCorrection: false }
        : given;
    let nonNegative = true;
    for (let i = 0; i < trainRows.length; i++) if (y[trainRows[i]] < 0) nonNegative = false;
    if (spec.objective === 'ziln' || spec.objective === 'tweedie') {
      if (!nonNegative) {
        throw new UserError(
          `${file ? file + ', ' : ''}column "${task.column}": the ${OBJECTIVE_TITLES[spec.objective]} objective needs amounts of 0 or more, but the column has negative ones. Choose the "squared error" objective with the "z-score" transform on its task head.`,
          { file, column: task.column },
        );
      }
      // Scale: the geometric mean of the positive amounts (ZILN: log y then has mean 0 where
      // y > 0) or the mean amount (Tweedie: the mean is 1), so the head starts near the answer.
      let sum = 0;
      let n = 0;
      for (let i = 0; i < trainRows.length; i++) {
        const v = y[trainRows[i]];
        if (v <= 0) continue;
        sum += spec.objective === 'ziln' ? Math.log(v) : v;
        n++;
      }
      const mean =
        n === 0
          ? 0
          : spec.objective === 'ziln'
            ? sum / n
            : Math.log(sum / Math.max(1, trainRows.length));
      return {
        task: task.name,
        column: task.column,
        type: 'regression',
        transform: 'none',
        mean,
        std: 1,
        nonNegative,
        objective: spec.objective,
        ...(spec.objective === 'tweedie' ? { tweediePower: spec.tweediePower } : {}),
        ...(spec.meanCorrection ? { meanCorrection: true } : {}),
      };
    }
    const transform = spec.transform;
    if (usesLog(transform) && !nonNegative) {
      throw new UserError(
        `${file ? file + ', ' : ''}column "${task.column}": the log1p target transform needs non-negative values, but the column has negative ones. Choose the "z-score" or "none" transform on its task head.`,
        { file, column: task.column },
      );
    }
    let mean = 0;
    let std = 1;
    if (usesZ(transform)) {
      let sum = 0;
      let sum2 = 0;
      for (let i = 0; i < trainRows.length; i++) {
        const v = usesLog(transform) ? Math.log1p(y[trainRows[i]]) : y[trainRows[i]];
        sum += v;
        sum2 += v * v;
      }
      const n = Math.max(1, trainRows.length);
      mean = sum / n;
      const variance = sum2 / n - mean * mean;
      std = variance > 1e-12 ? Math.sqrt(variance) : 1;
    }
    return {
      task: task.name,
      column: task.column,
      type: 'regression',
      transform,
      mean,
      std,
      nonNegative,
      objective: 'mse',
      ...(spec.meanCorrection ? { meanCorrection: true } : {}),
    };
  });
}

/** Raw target -> training scale (0/1 unchanged for binary tasks). */
export function transformTarget(raw: ArrayLike<number>, enc: TargetEncoder): Float32Array {
  const out = new Float32Array(raw.length);
  if (logMeanOutput(enc)) {
    const scale = Math.exp(-enc.mean);
    for (let i = 0; i < raw.length; i++) out[i] = raw[i] * scale;
    return out;
  }
  const log = enc.type === 'regression' && usesLog(enc.transform);
  const z = enc.type === 'regression' && usesZ(enc.transform);
  for (let i = 0; i < raw.length; i++) {
    let v = log ? Math.log1p(raw[i]) : raw[i];
    if (z) v = (v - enc.mean) / enc.std;
    out[i] = v;
  }
  return out;
}

/**
 * Training scale -> raw target (the mean prediction), clamped at 0 for non-negative targets.
 * `smearing` overrides the encoder's factor (used while fitting it).
 */
export function untransformTarget(
  values: ArrayLike<number>,
  enc: TargetEncoder,
  smearing = enc.smearing ?? 1,
  calibration = enc.calibration ?? 1,
): Float64Array {
  const out = new Float64Array(values.length);
  if (logMeanOutput(enc)) {
    for (let i = 0; i < values.length; i++) out[i] = Math.exp(values[i] + enc.mean) * calibration;
    return out;
  }
  const log = usesLog(enc.transform);
  const z = usesZ(enc.transform);
  for (let i = 0; i < values.length; i++) {
    let v = values[i];
    if (z) v = v * enc.std + enc.mean;
    if (log) v = smearing === 1 ? Math.expm1(v) : Math.exp(v) * smearing - 1;
    if (enc.nonNegative && v < 0) v = 0;
    out[i] = calibration === 1 ? v : v * calibration;
  }
  return out;
}

/**
 * The total calibration: sum(actual) / sum(predicted) on the raw scale, or 1 when either sum is
 * not a positive finite number.
 */
export function totalCalibration(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  let sp = 0;
  let sa = 0;
  for (let i = 0; i < actual.length; i++) {
    sp += predicted[i];
    sa += actual[i];
  }
  const c = sa / sp;
  return sp > 0 && sa > 0 && Number.isFinite(c) ? c : 1;
}

/** The factor that makes the mean of `predicted` equal `targetMean` (1 when either is not > 0). */
export function meanCalibration(predicted: ArrayLike<number>, targetMean: number): number {
  let sp = 0;
  for (let i = 0; i < predicted.length; i++) sp += predicted[i];
  const c = targetMean / (sp / predicted.length);
  return sp > 0 && targetMean > 0 && Number.isFinite(c) ? c : 1;
}

/**
 * Duan's smearing factor for a log1p-transformed target: the mean of exp(residual) on the log1p
 * scale, so that exp(prediction) * factor - 1 estimates the mean amount rather than a typical
 * one. `predicted` is on the training scale, `actual` raw. 1 when the encoder does not use log1p.
 */
export function smearingFactor(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
  enc: TargetEncoder,
): number {
  if (enc.type !== 'regression' || logMeanOutput(enc) || !usesLog(enc.transform)) return 1;
  const z = usesZ(enc.transform);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < actual.length; i++) {
    const fitted = z ? predicted[i] * enc.std + enc.mean : predicted[i];
    const r = Math.log1p(actual[i]) - fitted;
    if (!Number.isFinite(r)) continue;
    sum += Math.exp(r);
    n++;
  }
  const s = n > 0 ? sum / n : 1;
  return Number.isFinite(s) && s > 0 ? s : 1;
}
