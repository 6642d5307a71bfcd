// Types of the data layer: a parsed CSV held column by column in typed arrays, the fitted
// encoders (vocabularies, buckets, scalers, target transforms) and the encoded dataset the
// trainer consumes. No object per row anywhere.

import type { FeatureKind, TaskType } from '../../shared/project';
import type { Objective, TargetTransform } from '../../shared/catalog';

/** Inferred (or user-forced) kind of a column, for the wizard and the default binding. */
export type ColumnKind = 'categorical' | 'numeric' | 'binary' | 'continuous';

export interface Column {
  name: string;
  /**
   * Numeric value of every row (NaN where missing). null when some non-missing value is
   * not a number (the column is then categorical-only).
   */
  values: Float64Array | null;
  /**
   * Dictionary code of every row's raw text (-1 where missing), codes index `dictionary`.
   * null when the column is numeric with too many distinct values to be worth keeping
   * (then a forced-categorical encoding keys on the numeric value instead).
   */
  codes: Int32Array | null;
  dictionary: string[] | null;
  /** Rows whose value is missing (empty, NA, NaN, null). */
  missing: number;
  /** Distinct non-missing values (capped count when the dictionary was dropped). */
  distinct: number;
  /** Where the column first stopped being numeric: for error messages. */
  firstNonNumeric: { line: number; value: string } | null;
  /** First line holding a missing value (1-based file line), or null. */
  firstMissingLine: number | null;
  /**
   * A numeric column's cells that are not numbers (a few stray values such as "4e", "-" or
   * "Inf"): they count as missing (NaN in `values`, not in `missing`), and are reported.
   */
  invalidCells?: { count: number; line: number; value: string };
  /** Raw text of those cells by row (for messages and for keeping them in predictions). */
  invalid?: Map<number, string>;
  /** Numbers written with a decimal comma ("33,12" in a semicolon or tab file) were read. */
  decimalComma?: boolean;
  /** Inferred kind. */
  kind: ColumnKind;
}

export interface Table {
  /** The file's path as the user gave it (used in every error message). */
  file: string;
  rows: number;
  columns: Column[];
  /** Whether the first line was a header (else names are column_1, column_2, ...). */
  header: boolean;
  delimiter: string;
  /** 1-based file line of row i is lineOfRow(i); kept compact (only differs when quoted fields span lines). */
  lineOfRow: (row: number) => number;
  bytes: number;
}

/** How one feature column is encoded into a field of the shared embedding. */
export interface FieldSpec {
  column: string;
  kind: FeatureKind;
  /** Numeric columns: 'buckets' (quantile buckets) or 'linear' (standardised signed log1p). */
  encoding: 'vocab' | 'buckets' | 'linear';
  /** Numeric 'buckets' only: number of quantile buckets (one more is kept for missing). */
  buckets: number;
}

/** Fitted on the training split only; serialisable (it goes into the model manifest). */
export type FieldEncoder =
  /** index 0 = unseen or missing; value i maps to index i + 1 */
  | { column: string; kind: 'vocab'; values: string[] }
  /** index 0 = missing; x falls in bucket 1 + (number of edges <= x) */
  | { column: string; kind: 'buckets'; edges: number[] }
  /** value = (slog1p(x) - mean) / std, missing -> 0 */
  | { column: string; kind: 'linear'; mean: number; std: number };

export interface TargetEncoder {
  task: string;
  column: string;
  type: TaskType;
  /** Regression only. */
  transform: TargetTransform;
  /** Of the transformed target on the training split (regression only; 0 and 1 otherwise). */
  mean: number;
  std: number;
  /** True when every training target is >= 0: predictions are clamped at 0 on the raw scale. */
  nonNegative: boolean;
  /**
   * Regression only: the head's objective (absent in models saved before objectives: 'mse').
   * 'mse': the loss is squared error on the transformed target (`transform`, `mean`, `std`).
   * 'ziln' and 'tweedie': the training target is y / exp(mean) (std 1, no transform), and the
   * model's value is the log of the predicted mean on that scale: raw = exp(value + mean).
   */
  objective?: Objective;
  /** 'tweedie' only: the variance power p (1 < p < 2). */
  tweediePower?: number;
  /**
   * 'mse' with a log1p transform and mean correction only: Duan's smearing factor fitted on the
   * validation split, raw = exp(log-scale prediction) * smearing - 1 (absent or 1: plain expm1).
   */
  smearing?: number;
  /**
   * Mean correction only: a raw-scale factor fitted on the validation split so that the
   * predictions there sum to the actual total (after the smearing factor, if any).
   */
  calibration?: number;
  /** Whether the mean correction (smearing with log1p, then calibration) is fitted after training. */
  meanCorrection?: boolean;
}

/** What a regression head asks of its target (binary tasks ignore it). */
export interface TargetSpec {
  transform: TargetTransform;
  objective: Objective;
  tweediePower: number;
  meanCorrection: boolean;
}

export type EncodedField =
  | { column: string; kind: 'lookup'; ids: Int32Array; cardinality: number }
  | { column: string; kind: 'linear'; values: Float32Array };

export interface EncodedDataset {
  rows: number;
  fields: EncodedField[];
  /** Per task in chain order: the raw target (0/1 for binary tasks). */
  targets: Float64Array[];
}

export interface Split {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}
