// What every explanation works on: a trained model, the rows to explain encoded as the model
// reads them (a compact dataset of just those rows, with their raw values for display), the
// inputs as the user names them (columns, or groups of columns moved together) and a way to
// predict modified copies of the rows.

import os from 'node:os';
import type {
  EncodedDataset,
  EncodedField,
  FieldEncoder,
  Table,
  TargetEncoder,
} from '../data/types';
import { encodeFields } from '../data/encoders';
import { parseTargets } from '../data/targets';
import { UserError } from '../errors';
import type { HtlnetModel } from '../model/model';
import { predictRows } from '../predict/evaluate';
import { startPredictor } from '../predict/parallel';
import { fastSetup } from '../predict/fast';
import type { ModelManifest } from '../export/saved-model';
import { untransformTarget } from '../data/encoders';

/** An input as explanations name it: one column, or a group of columns moved together. */
export interface Feature {
  name: string;
  columns: string[];
  /** Indices into the dataset's fields. */
  fields: number[];
}

export interface ExplainData {
  model: HtlnetModel;
  manifest: ModelManifest;
  /** The explained rows only, as rows 0 .. n-1. */
  data: EncodedDataset;
  /** Whether every task's target column is present (and parsed into data.targets). */
  hasTargets: boolean;
  features: Feature[];
  /** Raw numeric values of each numeric feature column over the explained rows (NaN: missing). */
  raw: Map<string, Float64Array>;
  /** Every row of the table, encoded (rows explained one by one may come from anywhere). */
  all: EncodedDataset;
  /** Text of a column's value at a row of the table, for display. */
  text: (column: string, tableRow: number) => string;
  /** Row i of `data` is row sourceRows[i] of the table. */
  sourceRows: Int32Array;
  table: Table;
}

export function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

function pickField(field: EncodedField, rows: Int32Array): EncodedField {
  if (field.kind === 'lookup') {
    const ids = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) ids[i] = field.ids[rows[i]];
    return { ...field, ids };
  }
  const values = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) values[i] = field.values[rows[i]];
  return { ...field, values };
}

/**
 * Encodes `rows` of `table` for the model. `groups` name columns moved together (every other
 * input column stays on its own).
 */
export function explainData(
  model: HtlnetModel,
  manifest: ModelManifest,
  table: Table,
  rows: Int32Array,
  groups: { name: string; columns: string[] }[] = [],
  options: { needTargets?: boolean } = {},
): ExplainData {
  const encoders: FieldEncoder[] = manifest.encoders;
  const full = encodeFields(table, encoders);
  const names = new Set(table.columns.map((c) => c.name));
  let hasTargets = manifest.project.data.tasks.every((t) => names.has(t.column));
  let targets: Float64Array[] = [];
  if (hasTargets) {
    let parsed: Float64Array[] | null = null;
    try {
      parsed = parseTargets(table, manifest.project.data.tasks);
    } catch (error) {
      // Unusable targets (e.g. a missing value) matter only to what measures against them.
      if (options.needTargets !== false) throw error;
      hasTargets = false;
    }
    targets = (parsed ?? []).map((values) => {
      const out = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]];
      return out;
    });
  }
  const data: EncodedDataset = {
    rows: rows.length,
    fields: full.map((f) => pickField(f, rows)),
    targets,
  };

  const columns = [...new Set(encoders.map((e) => e.column))];
  const fieldsOf = (column: string) => encoders.flatMap((e, i) => (e.column === column ? [i] : []));
  const grouped = new Set<string>();
  const features: Feature[] = [];
  for (const g of groups) {
    if (g.columns.length === 0) throw new UserError(`The group "${g.name}" names no column.`);
    for (const c of g.columns) {
      if (!columns.includes(c)) {
        throw new UserError(
          `The group "${g.name}" names "${c}", which is not an input of the model (inputs: ${columns.join(', ')}).`,
        );
      }
      if (grouped.has(c)) throw new UserError(`The column "${c}" is in two groups.`);
      grouped.add(c);
    }
    features.push({ name: g.name, columns: [...g.columns], fields: g.columns.flatMap(fieldsOf) });
  }
  for (const c of columns) {
    if (!grouped.has(c)) features.push({ name: c, columns: [c], fields: fieldsOf(c) });
  }

  const raw = new Map<string, Float64Array>();
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  for (const c of columns) {
    const col = byName.get(c);
    if (!col?.values) continue;
    const out = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = col.values[rows[i]];
    raw.set(c, out);
  }
  const text = (column: string, r: number): string => {
    const col = byName.get(column);
    if (!col) return '';
    if (col.codes && col.dictionary) {
      const code = col.codes[r];
      return code < 0 ? '' : col.dictionary[code];
    }
    const v = col.values?.[r];
    return v === undefined || Number.isNaN(v) ? '' : String(v);
  };
  const all: EncodedDataset = { rows: table.rows, fields: full, targets: [] };
  return { model, manifest, data, all, hasTargets, features, raw, text, sourceRows: rows, table };
}

/** Predicts rows of a dataset: per task, probability or the prediction on the raw scale. */
export interface Predictor {
  predict(rows: Int32Array): Promise<Float64Array[]>;
  dispose(): void;
}

export function availableCores(): number {
  return typeof os.availableParallelism === 'function'
    ? os.availableParallelism()
    : os.cpus().length;
}

/**
 * A predictor over `data` that stays up between calls (worker threads start once). The dataset's
 * columns may be changed in place between calls: the threads read them from shared memory.
 */
export async function startExplainPredictor(
  model: HtlnetModel,
  data: EncodedDataset,
  targetEncoders: TargetEncoder[],
  threads: number,
): Promise<Predictor> {
  const toRaw = (out: Float32Array[]): Float64Array[] =>
    model.plan.tasks.map((task, t) =>
      task.type === 'binary'
        ? Float64Array.from(out[t])
        : untransformTarget(out[t], targetEncoders[t]),
    );
  const fast = threads > 1 ? fastSetup(model) : null;
  if (!fast) {
    return {
      // eslint-disable-next-line @typescript-eslint/require-await -- a throw becomes a rejection
      predict: async (rows) => predictRows(model, data, rows, targetEncoders).raw,
      dispose: () => undefined,
    };
  }
  const predictor = await startPredictor(model, data, fast.program, fast.kernels, threads);
  return {
    predict: async (rows) => {
      const out = model.plan.tasks.map(() => new Float32Array(rows.length));
      await predictor.predict(rows, out);
      return toRaw(out);
    },
    dispose: () => predictor.dispose(),
  };
}

/** Sets field `f` of rows [from, to) of `data` to the value field `f` has at `source` row of `src`. */
export function copyFieldValue(
  dst: EncodedField,
  to: number,
  src: EncodedField,
  from: number,
): void {
  if (dst.kind === 'lookup' && src.kind === 'lookup') dst.ids[to] = src.ids[from];
  else if (dst.kind === 'linear' && src.kind === 'linear') dst.values[to] = src.values[from];
}

/** An empty dataset shaped like `like`, with `rows` rows. */
export function blankDataset(like: EncodedDataset, rows: number): EncodedDataset {
  return {
    rows,
    fields: like.fields.map((f) =>
      f.kind === 'lookup'
        ? { ...f, ids: new Int32Array(rows) }
        : { ...f, values: new Float32Array(rows) },
    ),
    targets: [],
  };
}
