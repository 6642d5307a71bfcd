// Train / validation / test split: a seeded random permutation, or by a time column (oldest
// rows train, next validation, newest test).

import type { SplitSetting } from '../../shared/project';
import { UserError } from '../errors';
import { createRng, shuffleInPlace } from '../../shared/random';
import { findColumn } from './targets';
import type { Split, Table } from './types';

/** Rows in each part of a split. */
export function splitSizes(split: Split): { train: number; validation: number; test: number } {
  return {
    train: split.train.length,
    validation: split.validation.length,
    test: split.test.length,
  };
}

export function splitRows(
  rows: number,
  setting: SplitSetting,
  fractions: readonly [number, number, number] | readonly number[],
  seed: number,
  table?: Table,
): Split {
  if (rows < 3) {
    throw new UserError(
      `${table ? table.file + ': ' : ''}training needs at least 3 rows (train, validation and test each need one); the data has ${rows}.`,
      { file: table?.file },
    );
  }
  const nTrain = Math.max(1, Math.min(rows - 2, Math.floor(rows * fractions[0])));
  const nValidation = Math.max(1, Math.min(rows - nTrain - 1, Math.floor(rows * fractions[1])));
  let order: Int32Array;
  if (setting.kind === 'random') {
    order = new Int32Array(rows);
    for (let i = 0; i < rows; i++) order[i] = i;
    shuffleInPlace(order, createRng(seed));
  } else {
    if (!table) throw new Error('a time split needs the table');
    const column = findColumn(table, setting.column, 'time');
    const times = column.values ?? timesFromText(column.dictionary, column.codes);
    if (!times) {
      throw new UserError(
        `${table.file}, column "${setting.column}": a time column must hold numbers or dates.`,
        {
          file: table.file,
          column: setting.column,
        },
      );
    }
    for (let r = 0; r < rows; r++) {
      if (Number.isNaN(times[r])) {
        throw new UserError(
          `${table.file}, line ${table.lineOfRow(r)}, column "${setting.column}": the time is missing or not a date; a time split needs it on every row.`,
          { file: table.file, line: table.lineOfRow(r), column: setting.column },
        );
      }
    }
    const idx = Array.from({ length: rows }, (_, i) => i);
    idx.sort((a, b) => times[a] - times[b] || a - b); // ties keep file order
    order = Int32Array.from(idx);
  }
  const train = order.slice(0, nTrain);
  const validation = order.slice(nTrain, nTrain + nValidation);
  const test = order.slice(nTrain + nValidation);
  if (setting.kind === 'random') {
    // Row order inside each part does not matter to training (it shuffles); sorted reads faster.
    train.sort();
    validation.sort();
    test.sort();
  }
  return { train, validation, test };
}

/** Dates written as text (ISO 8601 and the like) as milliseconds; null when some are not dates. */
function timesFromText(dictionary: string[] | null, codes: Int32Array | null): Float64Array | null {
  if (!dictionary || !codes) return null;
  const parsed = dictionary.map((v) => Date.parse(v));
  if (parsed.some((v) => Number.isNaN(v))) return null;
  const out = new Float64Array(codes.length);
  for (let r = 0; r < codes.length; r++) out[r] = codes[r] < 0 ? NaN : parsed[codes[r]];
  return out;
}
