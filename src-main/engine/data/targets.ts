// Task targets from the parsed table: binary targets as 0/1, regression targets as finite
// numbers. Any other value is an error naming the file, line, column and value.

import type { TaskBinding } from '../../shared/project';
import { UserError } from '../errors';
import type { Column, Table } from './types';

const TRUE_WORDS = new Set(['1', 'true', 'yes']);
const FALSE_WORDS = new Set(['0', 'false', 'no']);

export function findColumn(table: Table, name: string, what: string): Column {
  const column = table.columns.find((c) => c.name === name);
  if (!column) {
    const names = table.columns.map((c) => c.name);
    const shown = names.length > 12 ? `${names.slice(0, 12).join(', ')}, ...` : names.join(', ');
    throw new UserError(
      `${table.file}: ${what} column "${name}" is not in the file (its columns: ${shown}).`,
      {
        file: table.file,
        column: name,
      },
    );
  }
  return column;
}

/** Raw text of a row's value, for messages. */
function rawValue(column: Column, row: number): string {
  if (column.codes && column.dictionary) {
    const code = column.codes[row];
    return code < 0 ? '' : column.dictionary[code];
  }
  const bad = column.invalid?.get(row);
  if (bad !== undefined) return bad;
  if (!column.values || Number.isNaN(column.values[row])) return 'empty';
  return String(column.values[row]);
}

export function parseTargets(table: Table, tasks: readonly TaskBinding[]): Float64Array[] {
  return tasks.map((task) => {
    const column = findColumn(table, task.column, `target`);
    const where = (row: number) => ({
      file: table.file,
      line: table.lineOfRow(row),
      column: task.column,
    });
    const prefix = (row: number) =>
      `${table.file}, line ${table.lineOfRow(row)}, column "${task.column}"`;
    const out = new Float64Array(table.rows);
    if (task.type === 'binary') {
      // Map each dictionary entry once, then every row by its code.
      const dictionary = column.dictionary;
      if (!column.codes || !dictionary) {
        // Numeric with too many distinct values: cannot be binary.
        const values = column.values!;
        for (let r = 0; r < table.rows; r++) {
          const v = values[r];
          if (v !== 0 && v !== 1) {
            throw new UserError(
              Number.isNaN(v) && !column.invalid?.has(r)
                ? `${prefix(r)}: the binary target is empty (or NA); every row needs 0 or 1.`
                : `${prefix(r)}: binary target must be 0/1, true/false or yes/no, found "${rawValue(column, r)}".`,
              where(r),
            );
          }
          out[r] = v;
        }
        return out;
      }
      const mapped = dictionary.map((v) => {
        const w = v.trim().toLowerCase();
        return TRUE_WORDS.has(w) || Number(w) === 1
          ? 1
          : FALSE_WORDS.has(w) || (w !== '' && Number(w) === 0)
            ? 0
            : -1;
      });
      const codes = column.codes;
      for (let r = 0; r < table.rows; r++) {
        const code = codes[r];
        if (code < 0)
          throw new UserError(
            `${prefix(r)}: the binary target is missing (empty, NA or NaN).`,
            where(r),
          );
        const v = mapped[code];
        if (v < 0) {
          throw new UserError(
            `${prefix(r)}: binary target must be 0/1, true/false or yes/no, found "${dictionary[code]}".`,
            where(r),
          );
        }
        out[r] = v;
      }
      return out;
    }
    if (!column.values) {
      const bad = column.firstNonNumeric!;
      throw new UserError(
        `${table.file}, line ${bad.line}, column "${task.column}": regression target must be a number, found "${bad.value}".`,
        { file: table.file, line: bad.line, column: task.column },
      );
    }
    const values = column.values;
    for (let r = 0; r < table.rows; r++) {
      const v = values[r];
      if (!Number.isFinite(v)) {
        const bad = column.invalid?.get(r);
        throw new UserError(
          bad !== undefined
            ? `${prefix(r)}: regression target must be a number, found "${bad}".`
            : Number.isNaN(v)
              ? `${prefix(r)}: the regression target is missing (empty, NA or NaN); every row needs a number.`
              : `${prefix(r)}: regression target must be a finite number, found "${rawValue(column, r)}".`,
          where(r),
        );
      }
      out[r] = v;
    }
    return out;
  });
}
