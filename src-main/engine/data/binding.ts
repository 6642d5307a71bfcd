// The default binding of a table's columns: which columns are the tasks' targets and which are
// features, each numeric or categorical. One function for the app's import wizard (which
// suggests the tasks from the funnel at the end of the file) and for `htlnet train` (whose
// --tasks name them, and whose --features, --exclude, --categorical and --numeric adjust the
// rest), so both bind the same file the same way.

import type { DataBinding, FeatureKind, TaskType } from '../../shared/project';
import { UserError } from '../errors';
import { findColumn } from './targets';
import type { Column, Table } from './types';

export interface BindingOptions {
  /** The feature columns (default: every column that is neither a task nor excluded). */
  features?: string[];
  /** Columns that are neither features nor tasks. */
  exclude?: string[];
  /** Columns made categorical whatever their values (numeric-looking codes). */
  categorical?: string[];
  /** Columns made numeric whatever their names say (a quantity named like an id). */
  numeric?: string[];
}

/** At most this many tasks are suggested from the funnel at the end of a file. */
const MAX_SUGGESTED_TASKS = 4;

/**
 * Whether a column's name says it identifies something (user_id, itemId, ID, sku_code): its
 * numbers are labels, not quantities, so it is bound as a category however many it has.
 */
export function isIdentifierName(name: string): boolean {
  return (
    /(?:^|[_\-\s.])(?:id|key|code|uuid|guid|sku)$/i.test(name) ||
    /[a-z0-9](?:Id|ID|Key|Code|Uuid|UUID)$/.test(name)
  );
}

/**
 * The tasks a file suggests: the trailing run of binary columns followed by one continuous
 * column is the funnel (click, purchase, amount), up to four tasks.
 */
function suggestTasks(columns: readonly Column[]): { name: string; type: TaskType }[] {
  const tasks: { name: string; type: TaskType }[] = [];
  let i = columns.length - 1;
  if (i >= 0 && columns[i].kind === 'continuous') {
    tasks.unshift({ name: columns[i].name, type: 'regression' });
    i--;
  }
  while (i >= 0 && columns[i].kind === 'binary' && tasks.length < MAX_SUGGESTED_TASKS) {
    tasks.unshift({ name: columns[i].name, type: 'binary' });
    i--;
  }
  return tasks;
}

/**
 * A feature's kind: continuous values are numeric (quantile buckets) unless the name says they
 * are identifiers; text, binary flags and integers with few values (hour, weekday) embed best
 * as categories. The options force either way; a column with text cannot be numeric.
 */
function featureKind(
  table: Table,
  column: Column,
  categorical: ReadonlySet<string>,
  numeric: ReadonlySet<string>,
): FeatureKind {
  if (categorical.has(column.name)) return 'categorical';
  const hasNumbers = column.values !== null && column.missing < table.rows;
  if (numeric.has(column.name)) {
    if (!hasNumbers) {
      const where = column.firstNonNumeric;
      throw new UserError(
        `${table.file}${where ? `, line ${where.line}` : ''}: column "${column.name}" cannot be numeric: ` +
          (where ? `"${where.value}" is not a number.` : 'it holds no numbers.'),
        { file: table.file, line: where?.line, column: column.name },
      );
    }
    return 'numeric';
  }
  return hasNumbers && column.kind === 'continuous' && !isIdentifierName(column.name)
    ? 'numeric'
    : 'categorical';
}

/**
 * The binding of a table: the tasks name their target columns (in chain order; suggested from
 * the file when not given); the features are every other column unless listed or excluded,
 * each numeric or categorical by featureKind. Named columns that are not in the file are an
 * error. Given tasks (the CLI) must leave at least one feature; suggested ones (the wizard) may
 * leave none, and the wizard shows the binding to complete.
 */
export function defaultBinding(
  table: Table,
  tasks?: readonly { name: string; type: TaskType }[],
  options: BindingOptions = {},
): DataBinding {
  const given = tasks !== undefined;
  const chain = tasks ?? suggestTasks(table.columns);
  for (const t of chain) findColumn(table, t.name, 'task');
  for (const list of [options.features, options.exclude, options.categorical, options.numeric]) {
    for (const name of list ?? []) findColumn(table, name, 'listed');
  }
  const taskColumns = new Set(chain.map((t) => t.name));
  const excluded = new Set(options.exclude ?? []);
  const categorical = new Set(options.categorical ?? []);
  const numeric = new Set(options.numeric ?? []);
  const both = [...categorical].find((n) => numeric.has(n));
  if (both)
    throw new UserError(`Column "${both}" cannot be both categorical and numeric.`, {
      column: both,
    });
  const chosen =
    options.features ??
    table.columns.map((c) => c.name).filter((n) => !taskColumns.has(n) && !excluded.has(n));
  const overlap = chosen.find((n) => taskColumns.has(n));
  if (overlap)
    throw new UserError(`Column "${overlap}" cannot be both a feature and a task target.`, {
      column: overlap,
    });
  const features = chosen
    .filter((n) => !excluded.has(n))
    .map((name) => {
      const column = table.columns.find((c) => c.name === name)!;
      return { column: name, kind: featureKind(table, column, categorical, numeric) };
    });
  if (given && features.length === 0) {
    throw new UserError(
      `${table.file}: no feature columns are left once the task columns and exclusions are removed.`,
      { file: table.file },
    );
  }
  return {
    features,
    tasks: chain.map((t) => ({ name: t.name, column: t.name, type: t.type })),
    excluded: [...excluded],
  };
}
