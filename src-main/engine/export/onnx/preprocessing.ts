// The preprocessing spec written beside an exported ONNX model: how to turn raw rows into the
// graph's inputs (vocabularies, quantile bucket edges, scalers, missing values), and what the
// outputs mean. It is everything data/encoders.ts does with the manifest's encoders, as data,
// so a service in any language can encode rows the way `htlnet predict` does.
//
// encodeRawValue below is a reference implementation that reads nothing but the spec (the tests
// check it against the engine's encoders); no Node imports, so the app can use it anywhere.

import type { FieldEncoder, TargetEncoder } from '../../data/types';
import { UserError } from '../../errors';

export const PREPROCESSING_FORMAT = 'htlnet-onnx-preprocessing';
export const PREPROCESSING_VERSION = 1;

/**
 * Raw values read as missing, compared case-insensitively after trimming (data/csv/), plus
 * an absent value (null / None / a missing key).
 */
const MISSING_TOKENS = ['', 'na', 'n/a', 'null', 'nan', '?', 'none'] as const;

/** What counts as a number in a raw value (data/csv/ parseNumberText); anything else is text. */
const NUMBER_PATTERN = '^[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?$';

export type InputSpec = VocabularyInput | BucketsInput | ScaledInput;

interface InputBase {
  /** Graph input name (the feature column's name). */
  name: string;
  /** Raw column it is computed from. */
  column: string;
  /** Shape of the graph input: one value per row, batch dimension symbolic. */
  shape: ['N'];
  /** The encoding in one sentence. */
  rule: string;
}

interface VocabularyInput extends InputBase {
  encoding: 'vocabulary';
  dtype: 'int64';
  /**
   * How a raw value is looked up. 'text': its trimmed text, exactly. 'number': the column is
   * numeric, so the value is parsed as a number (NUMBER_PATTERN) and looked up in its canonical
   * decimal form (ECMAScript Number#toString: "7" for 7, 7.0, 07 and 7e0; "0.5" for .5).
   */
  keys: 'text' | 'number';
  /** Value i of the list has index i + 1. */
  vocabulary: string[];
  /** Index of a value not in the vocabulary, and of a missing value. */
  unknownIndex: 0;
  missingIndex: 0;
  /** Indices run from 0 to cardinality - 1. */
  cardinality: number;
}

interface BucketsInput extends InputBase {
  encoding: 'buckets';
  dtype: 'int64';
  /** Quantile edges, ascending: the index is 1 + the number of edges <= x. */
  edges: number[];
  missingIndex: 0;
  cardinality: number;
}

interface ScaledInput extends InputBase {
  encoding: 'signed-log1p-standardised';
  dtype: 'float32';
  /** value = (sign(x) * ln(1 + |x|) - mean) / std, computed in float64, then rounded to float32. */
  mean: number;
  std: number;
  /** The value given for a missing x. */
  missingValue: 0;
}

export interface OutputSpec {
  /** Graph output name (the task's name). */
  name: string;
  task: string;
  /** Target column the task was trained on. */
  column: string;
  type: 'binary' | 'regression';
  dtype: 'float32';
  shape: ['N'];
  /** What the number is. */
  meaning: string;
  /** Regression: how the training-scale prediction was mapped back (already done in the graph). */
  targetTransform?: {
    transform: string;
    mean: number;
    std: number;
    clampedAtZero: boolean;
    /** The head's objective ('mse', 'ziln', 'tweedie'); ZILN and Tweedie: raw = exp(value + mean). */
    objective: string;
    /** Duan's smearing factor of a log1p target (1: none): raw = exp(log value) * smearing - 1. */
    smearing: number;
    /** Total calibration fitted on the validation split (1: none): the raw value is multiplied by it. */
    calibration: number;
  };
}

export interface PreprocessingSpec {
  format: typeof PREPROCESSING_FORMAT;
  version: number;
  /** The ONNX file this describes (its file name, beside this file). */
  model: string;
  project: string;
  producer: string;
  createdAt: string;
  onnx: { opset: number; irVersion: number; batchDimension: 'N' };
  /** How to call the model, in a few sentences. */
  usage: string;
  rawValues: {
    missingTokens: string[];
    missingRule: string;
    numberPattern: string;
    textRule: string;
  };
  inputs: InputSpec[];
  outputs: OutputSpec[];
}

/** True when every vocabulary entry is a number in canonical form: the column was numeric. */
function numericKeys(values: readonly string[]): boolean {
  return (
    values.length > 0 &&
    values.every((v) => {
      if (!new RegExp(NUMBER_PATTERN).test(v)) return false;
      return String(parseFloat(v)) === v;
    })
  );
}

export function inputSpec(name: string, encoder: FieldEncoder): InputSpec {
  const base = { name, column: encoder.column, shape: ['N'] as ['N'] };
  if (encoder.kind === 'vocab') {
    const keys = numericKeys(encoder.values) ? 'number' : 'text';
    return {
      ...base,
      rule:
        keys === 'number'
          ? 'index = 1 + position in vocabulary of the value parsed as a number and written canonically; 0 when missing or not in the vocabulary'
          : 'index = 1 + position in vocabulary of the trimmed text; 0 when missing or not in the vocabulary',
      encoding: 'vocabulary',
      dtype: 'int64',
      keys,
      vocabulary: [...encoder.values],
      unknownIndex: 0,
      missingIndex: 0,
      cardinality: encoder.values.length + 1,
    };
  }
  if (encoder.kind === 'buckets') {
    return {
      ...base,
      rule: 'index = 1 + number of edges <= x; 0 when missing',
      encoding: 'buckets',
      dtype: 'int64',
      edges: [...encoder.edges],
      missingIndex: 0,
      cardinality: encoder.edges.length + 2,
    };
  }
  return {
    ...base,
    rule: 'value = (sign(x) * ln(1 + |x|) - mean) / std as float32; 0 when missing',
    encoding: 'signed-log1p-standardised',
    dtype: 'float32',
    mean: encoder.mean,
    std: encoder.std,
    missingValue: 0,
  };
}

export function outputSpec(name: string, target: TargetEncoder): OutputSpec {
  const base = {
    name,
    task: target.task,
    column: target.column,
    dtype: 'float32' as const,
    shape: ['N'] as ['N'],
  };
  if (target.type === 'binary') {
    return { ...base, type: 'binary', meaning: `probability that ${target.column} is 1` };
  }
  return {
    ...base,
    type: 'regression',
    meaning: `predicted ${target.column} (the mean given the inputs) on the raw target scale${target.nonNegative ? ' (clamped at 0)' : ''}`,
    targetTransform: {
      transform: target.transform,
      mean: target.mean,
      std: target.std,
      clampedAtZero: target.nonNegative,
      objective: target.objective ?? 'mse',
      smearing: target.smearing ?? 1,
      calibration: target.calibration ?? 1,
    },
  };
}

export const RAW_VALUE_RULES: PreprocessingSpec['rawValues'] = {
  missingTokens: [...MISSING_TOKENS],
  missingRule:
    'A value is missing when absent (null) or when its text, trimmed of spaces and tabs and lower-cased, is one of missingTokens.',
  numberPattern: NUMBER_PATTERN,
  textRule:
    'Text values are trimmed of surrounding spaces and tabs (inside CSV quotes: kept as written). A numeric input (buckets, signed-log1p-standardised) must hold a number matching numberPattern or be missing.',
};

// ---- reference encoder ------------------------------------------------------------------------

const MISSING = new Set<string>(MISSING_TOKENS);
const NUMBER = new RegExp(NUMBER_PATTERN);

export type RawValue = string | number | null | undefined;

/** The raw value's text with missing values as null. */
function rawText(raw: RawValue): string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number') return Number.isNaN(raw) ? null : String(raw);
  const text = raw.replace(/^[ \t]+|[ \t]+$/g, '');
  return MISSING.has(text.toLowerCase()) ? null : text;
}

function numberOf(text: string): number {
  return NUMBER.test(text) ? parseFloat(text) : NaN;
}

/** The key a raw value has in a vocabulary, or null when it is missing. */
function vocabularyKey(input: VocabularyInput, raw: RawValue): string | null {
  const text = rawText(raw);
  if (text === null || input.keys === 'text') return text;
  const x = typeof raw === 'number' ? raw : numberOf(text);
  return Number.isNaN(x) ? text : String(x);
}

/** Encodes one raw value for one input, following the spec alone. */
function encodeRawValue(input: InputSpec, raw: RawValue): number {
  if (input.encoding === 'vocabulary') {
    const key = vocabularyKey(input, raw);
    if (key === null) return input.missingIndex;
    const i = input.vocabulary.indexOf(key);
    return i < 0 ? input.unknownIndex : i + 1;
  }
  const text = rawText(raw);
  if (text === null) return input.encoding === 'buckets' ? input.missingIndex : input.missingValue;
  const x = typeof raw === 'number' ? raw : numberOf(text);
  if (Number.isNaN(x)) {
    throw new UserError(
      `Column "${input.column}": the model expects numbers here, found "${text}".`,
      { column: input.column },
    );
  }
  if (input.encoding === 'buckets') {
    let lo = 0;
    let hi = input.edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (input.edges[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return 1 + lo;
  }
  const slog = x < 0 ? -Math.log1p(-x) : Math.log1p(x);
  return Math.fround((slog - input.mean) / input.std);
}

/**
 * Encodes raw rows (objects keyed by column name) into the graph's input tensors' data:
 * BigInt64Array for int64 inputs, Float32Array for float32 ones.
 */
export function encodeRawRows(
  spec: Pick<PreprocessingSpec, 'inputs'>,
  rows: readonly Record<string, RawValue>[],
): Record<string, BigInt64Array | Float32Array> {
  const out: Record<string, BigInt64Array | Float32Array> = {};
  for (const input of spec.inputs) {
    if (input.encoding === 'vocabulary') {
      // By a Map, so encoding stays linear in the rows whatever the vocabulary size.
      const index = new Map(input.vocabulary.map((v, i) => [v, i + 1]));
      const data = new BigInt64Array(rows.length);
      rows.forEach((row, r) => {
        const key = vocabularyKey(input, row[input.column]);
        data[r] = BigInt(
          key === null ? input.missingIndex : (index.get(key) ?? input.unknownIndex),
        );
      });
      out[input.name] = data;
    } else if (input.encoding === 'buckets') {
      const data = new BigInt64Array(rows.length);
      rows.forEach((row, r) => (data[r] = BigInt(encodeRawValue(input, row[input.column]))));
      out[input.name] = data;
    } else {
      const data = new Float32Array(rows.length);
      rows.forEach((row, r) => (data[r] = encodeRawValue(input, row[input.column])));
      out[input.name] = data;
    }
  }
  return out;
}
