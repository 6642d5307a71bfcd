// Feature input: the bound columns that feed a shared embedding. It has no parameters and
// computes nothing itself (the embedding reads its columns); its shape and its check against
// the data binding (the columns it names exist; its kind has columns to give) live here.

import { featureInput as spec } from '../../shared/blocks/feature-input';
import { parseColumnList } from '../../shared/catalog';
import { blockName, featureColumnsOf } from '../graph/graph';
import { defineBlock } from './define';

export const featureInput = defineBlock({
  spec,
  outputDims: ({ project, block, noBinding }) => [
    noBinding ? 'fields' : featureColumnsOf(project, block).length,
  ],
  check: ({ project, block, params, error }) => {
    const { features, tasks, excluded } = project.data;
    const bound = new Set(features.map((f) => f.column));
    const named = parseColumnList(params.columns ?? '');
    for (const column of named) {
      if (bound.has(column)) continue;
      let why = 'which is not a bound feature';
      if (tasks.some((t) => t.column === column)) why = 'which is a task target, not a feature';
      else if (excluded.includes(column)) why = 'which is excluded in the data binding';
      error(
        'unknown-feature-column',
        `${blockName(block)} names column "${column}", ${why}.`,
        [block.id],
        { field: 'columns' },
      );
    }
    if (named.length > 0 || features.length === 0) return;
    for (const kind of ['numeric', 'categorical'] as const) {
      if (params.kind !== kind || features.some((f) => f.kind === kind)) continue;
      error(
        kind === 'numeric' ? 'no-numeric-features' : 'no-categorical-features',
        `${blockName(block)} provides ${kind} columns, but the data binding has no ${kind} features.`,
        [block.id],
        { field: 'kind' },
      );
    }
  },
});
