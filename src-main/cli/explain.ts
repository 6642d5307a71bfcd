// `htlnet explain`: which inputs drive each task of a saved model (permutation importance),
// why given rows got their predictions (Shapley values, --row), and with --out everything
// (partial dependence and the funnel too) as one JSON file written atomically.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../engine/backend';
import { UserError } from '../engine/errors';
import { loadModel } from '../engine/export/saved-model';
import { explainModel } from '../engine/explain';
import { METRIC_LABELS, type Explanation } from '../shared/explain';
import { fmt, intFlag, json, loadTable, Progress, required, type Flags } from './kit';

/** A flag given several times (--row 3 --row 9): its values. */
function many(flags: Flags, name: string): string[] {
  const v = flags[name] as unknown;
  return Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : [];
}

function parseGroups(values: string[]): { name: string; columns: string[] }[] {
  return values.map((spec) => {
    const i = spec.indexOf('=');
    const columns = (i < 0 ? '' : spec.slice(i + 1))
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    const name = spec.slice(0, Math.max(0, i)).trim();
    if (!name || columns.length === 0)
      throw new UserError(`--group "${spec}" must be NAME=column,column (e.g. user=age,gender).`);
    return { name, columns };
  });
}

export async function explain(flags: Flags): Promise<number> {
  const progress = new Progress(Boolean(flags.json));
  const modelDir = required(flags, 'model');
  const dataFile = required(flags, 'data');
  const rows = intFlag(flags, 'rows', 1, 100_000_000);
  const repeats = intFlag(flags, 'repeats', 1, 100);
  const seed = intFlag(flags, 'seed', 0, 2_147_483_647);
  const subset = typeof flags.subset === 'string' ? flags.subset : 'all';
  if (subset !== 'all' && subset !== 'test' && subset !== 'validation')
    throw new UserError(`--subset must be all, test or validation; got "${subset}".`);
  const metric = typeof flags.metric === 'string' ? flags.metric : 'gini';
  if (metric !== 'gini' && metric !== 'rmse')
    throw new UserError(`--metric (for regression tasks) must be gini or rmse; got "${metric}".`);
  const explainRows = many(flags, 'row').map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw new UserError(`--row must be a data row number (0 is the first data row), got "${v}".`);
    return n;
  });
  const groups = parseGroups(many(flags, 'group'));
  const outFile = typeof flags.out === 'string' ? flags.out : null;
  await initBackend();
  const { model, manifest } = await loadModel(modelDir);
  const table = await loadTable(dataFile, progress);
  for (const r of explainRows) {
    if (r >= table.rows)
      throw new UserError(`--row ${r}: ${dataFile} has data rows 0 to ${table.rows - 1}.`, {
        file: dataFile,
      });
  }
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const explanation = await explainModel(model, manifest, table, {
      subset,
      rows,
      repeats,
      seed,
      groups,
      explainRows,
      regressionMetric: metric === 'rmse' ? 'rmse-rise' : 'gini-drop',
      parts: outFile ? ['importance', 'rows', 'pdp', 'funnel'] : ['importance', 'rows'],
      signal: controller.signal,
      onProgress: (stage, done, total) =>
        progress.bar(stage, total ? done / total : 0, `${done}/${total}`),
    });
    progress.done();
    const importance = explanation.importance!;
    progress.line(
      `explained ${importance.rows.toLocaleString('en-US')} of ${explanation.data.of.toLocaleString('en-US')} rows (${subset}${importance.rows < explanation.data.of ? ', a seeded sample: --rows N for more' : ''}), ${importance.repeats} shuffles per input, ${importance.seconds.toFixed(1)} s`,
    );
    if (outFile) {
      await writeJsonAtomic(outFile, explanation);
      progress.line(`wrote the explanation to ${path.resolve(outFile)}`);
    }
    if (flags.json) {
      const result: Record<string, unknown> = {
        tasks: Object.fromEntries(
          importance.tasks.map((t) => [
            t.task,
            t.features.map((f) => ({
              feature: f.feature,
              importance: f.importance,
              low: f.low,
              high: f.high,
            })),
          ]),
        ),
        metrics: Object.fromEntries(importance.tasks.map((t) => [t.task, t.metric])),
        rows: importance.rows,
        repeats: importance.repeats,
        seconds: importance.seconds,
      };
      if (explanation.rows.length > 0) {
        result.contributions = explanation.rows.map((r) => ({
          row: r.row,
          method: r.method,
          tasks: Object.fromEntries(
            r.tasks.map((t) => [
              t.task,
              {
                baseline: t.baseline,
                prediction: t.prediction,
                contributions: t.contributions.map((c) => ({
                  feature: c.feature,
                  value: c.value,
                  contribution: c.contribution,
                })),
              },
            ]),
          ),
        }));
      }
      if (outFile) result.out = path.resolve(outFile);
      process.stdout.write(json(result) + '\n');
    } else {
      process.stdout.write(importanceText(explanation));
    }
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    model.dispose();
  }
}

function importanceText(explanation: Explanation): string {
  let text = '';
  for (const t of explanation.importance!.tasks) {
    text += `\n${t.task}: ${METRIC_LABELS[t.metric]} when the input is shuffled${
      t.baseline === null
        ? ''
        : ` (${t.metric === 'rmse-rise' ? 'RMSE' : t.metric === 'auc-drop' ? 'AUC' : 'Gini'} ${fmt(t.baseline)} as is)`
    }\n`;
    const width = Math.max(7, ...t.features.map((f) => f.feature.length));
    const top = Math.max(1e-12, ...t.features.map((f) => Math.abs(f.importance)));
    for (const f of t.features) {
      const bar = '#'.repeat(Math.round((Math.max(0, f.importance) / top) * 20));
      text += `  ${f.feature.padEnd(width)}  ${fmt(f.importance).padStart(8)}  [${fmt(f.low)}, ${fmt(f.high)}]  ${bar}\n`;
    }
  }
  for (const r of explanation.rows) {
    text += `\nrow ${r.row} (line ${r.line}), ${r.method === 'exact-shapley' ? 'exact Shapley values' : 'sampled Shapley values'} against ${r.background} background rows:\n`;
    for (const t of r.tasks) {
      text += `  ${t.task}: average ${fmt(t.baseline)} -> this row ${fmt(t.prediction)}\n`;
      for (const c of t.contributions)
        text += `    ${c.contribution >= 0 ? '+' : '-'}${fmt(Math.abs(c.contribution))}  ${c.feature} = ${c.value === '' ? '(missing)' : c.value}\n`;
    }
  }
  return text;
}

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const target = path.resolve(file);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}`;
  await fs.writeFile(tmp, json(value) + '\n');
  await fs.rename(tmp, target);
}
