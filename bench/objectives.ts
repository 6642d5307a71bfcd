// `npm run bench:objectives`: which objective should the core (regression) head use by default?
// Trains HTLNet with each core-target objective on datasets whose core target is zero-inflated
// and heavy-tailed (the built-in sample's spend), plain continuous, and mildly skewed, with 3
// seeds each, and records on the test split: predicted total / actual total, NRMSE, R^2,
// normalised Gini and Spearman (bench/results/objectives-*.json, and a table on stdout).
//
// The test split's own total is noisy for a heavy-tailed target (a few buyers hold much of the
// spend), so each dataset also records the oracle: the true expected amounts the generator drew
// from, scored on the same test rows (no model can be expected to do better).
//
// Options: --rows N (rows of the spend dataset, default 100000; the others get --small-rows,
// default 30000: their totals are not noisy), --epochs N (default 4), --seeds 1,2,3,
// --datasets spend,continuous,skewed, --objectives a,b (names below), --threads N (default 1),
// --csv FILE --tasks a:binary,b:regression (instead of the generated datasets: a CSV of your own;
// for exploring, nothing here is tuned on it), --out DIR; --help lists them.

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../src-main/engine/backend';
import { readTable } from '../src-main/engine/data/csv';
import { defaultBinding } from '../src-main/engine/data/binding';
import { generateSample, sampleBinding } from '../src-main/engine/data/sample';
import type { Table } from '../src-main/engine/data/types';
import { buildTemplate } from '../src-main/engine/graph/templates';
import { trainProject } from '../src-main/engine/pipeline';
import { regressionMetrics, type RegressionMetrics } from '../src-main/engine/predict/metrics';
import type { DataBinding } from '../src-main/shared/project';
import { gitRevision } from './revision';
import { outOption, runScript, scriptOptions, writeResult } from './script';

const SCRIPT = {
  name: 'bench:objectives',
  usage: 'npm run bench:objectives -- [options]',
  about:
    "Trains HTLNet with each core-target objective on zero-inflated, continuous and skewed\ndatasets (3 seeds each) and records the test split's totals, NRMSE, R², Gini and Spearman in\n<out>/objectives-<date>-<revision>.json, with a table of the means on stdout.",
};

/** The objectives compared: the regression head's parameters for each. "+correction": the mean
 * correction (Duan's smearing fitted on the validation split for log1p targets, then the
 * calibration of the validation predictions to the train + validation mean); without it, the
 * objective's own predictions. */
const OBJECTIVES: Record<string, Record<string, string | number | boolean>> = {
  'log1p-mse': { objective: 'mse', transform: 'log1p-zscore', meanCorrection: false },
  'log1p-mse+correction': { objective: 'mse', transform: 'log1p-zscore', meanCorrection: true },
  'zscore-mse': { objective: 'mse', transform: 'zscore', meanCorrection: false },
  'zscore-mse+correction': { objective: 'mse', transform: 'zscore', meanCorrection: true },
  ziln: { objective: 'ziln', meanCorrection: false },
  'ziln+correction': { objective: 'ziln', meanCorrection: true },
  tweedie: { objective: 'tweedie', tweediePower: 1.5, meanCorrection: false },
  'tweedie+correction': { objective: 'tweedie', tweediePower: 1.5, meanCorrection: true },
};

const KEYS = ['totalRatio', 'nrmse', 'r2', 'gini', 'spearman'] as const;

async function main(): Promise<void> {
  const values = scriptOptions(SCRIPT, {
    rows: { kind: 'number', default: 100_000, help: 'rows of the spend dataset' },
    'small-rows': { kind: 'number', default: 30_000, help: 'rows of the other datasets' },
    epochs: { kind: 'number', default: 4, help: 'epochs per run' },
    seeds: { kind: 'numbers', default: [1, 2, 3], help: 'one run per seed' },
    datasets: {
      kind: 'list',
      default: ['spend', 'continuous', 'skewed'],
      help: 'the generated datasets',
    },
    objectives: { kind: 'list', default: Object.keys(OBJECTIVES), help: 'the objectives compared' },
    threads: { kind: 'number', default: 1, help: 'training threads' },
    csv: { kind: 'string', value: 'FILE', help: 'a CSV of your own instead of the datasets' },
    tasks: { kind: 'string', value: 'a:binary,b:regression', help: "the CSV's tasks" },
    out: outOption,
  });
  const { rows, epochs, seeds, objectives, threads } = values;
  for (const o of objectives) if (!OBJECTIVES[o]) throw new Error(`Unknown objective ${o}`);
  const log = (s: string) => process.stderr.write(s + '\n');
  // The revision the run starts from (the checkout may move on while it runs).
  const revision = gitRevision();
  const backend = await initBackend();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-objectives-'));

  const datasets: {
    name: string;
    table: Table;
    binding: DataBinding;
    truth: Float64Array | null;
  }[] = [];
  if (values.csv) {
    const table = await readTable(values.csv);
    const tasks = (values.tasks ?? '').split(',').map((t) => {
      const [name, type] = t.split(':');
      return { name, type: type === 'regression' ? ('regression' as const) : ('binary' as const) };
    });
    datasets.push({
      name: path.basename(values.csv),
      table,
      binding: defaultBinding(table, tasks),
      truth: null,
    });
  } else {
    for (const name of values.datasets) {
      const file = path.join(dir, `${name}.csv`);
      const sample = generateSample({
        rows: name === 'spend' ? rows : values['small-rows'],
        seed: 7,
        amount: name as 'spend' | 'continuous' | 'skewed',
        withTruth: true,
      });
      await sample.writeCsv(file);
      datasets.push({
        name,
        table: await readTable(file),
        binding: sampleBinding(),
        truth: sample.truth!.amount,
      });
    }
  }

  const results: Record<string, Record<string, unknown>> = {};
  for (const ds of datasets) {
    const core = ds.binding.tasks.findLast((t) => t.type === 'regression')!.name;
    results[ds.name] = {};
    const oracle: Record<string, number>[] = [];
    for (const objective of objectives) {
      const runs: Record<string, number>[] = [];
      for (const seed of seeds) {
        const project = buildTemplate('htlnet', ds.binding);
        for (const b of project.graph.blocks) {
          if (b.type === 'optimizer') b.params = { ...b.params, epochs, seed };
          if (b.type === 'task-head' && b.params.kind === 'regression')
            b.params = { ...b.params, ...OBJECTIVES[objective] };
        }
        const run = await trainProject({ project, table: ds.table, threads });
        const m = run.test.metrics[core] as RegressionMetrics;
        const binary = ds.binding.tasks
          .filter((t) => t.type === 'binary')
          .map((t) => (run.test.metrics[t.name] as { auc: number }).auc);
        if (ds.truth && oracle.length < seeds.length) {
          const t = ds.binding.tasks.findIndex((x) => x.name === core);
          const test = run.split.test;
          const actual = Float64Array.from(test, (r) => run.data.targets[t][r]);
          const truth = Float64Array.from(test, (r) => ds.truth![r]);
          const o = regressionMetrics(actual, truth);
          oracle.push({ seed, ...Object.fromEntries(KEYS.map((k) => [k, o[k]])) });
        }
        runs.push({
          seed,
          ...Object.fromEntries(KEYS.map((k) => [k, m[k]])),
          meanBinaryAuc: binary.reduce((a, b) => a + b, 0) / Math.max(1, binary.length),
          bestEpoch: run.outcome.bestEpoch,
        });
        run.model.dispose();
        log(`${ds.name} ${objective} seed ${seed}: ${JSON.stringify(runs[runs.length - 1])}`);
      }
      const mean = Object.fromEntries(
        [...KEYS, 'meanBinaryAuc'].map((k) => [
          k,
          runs.reduce((a, r) => a + r[k], 0) / runs.length,
        ]),
      );
      results[ds.name][objective] = { mean, runs };
    }
    if (oracle.length > 0) {
      const mean = Object.fromEntries(
        KEYS.map((k) => [k, oracle.reduce((a, r) => a + r[k], 0) / oracle.length]),
      );
      results[ds.name].oracle = { mean: { ...mean, meanBinaryAuc: NaN }, runs: oracle };
    }
  }

  const date = new Date().toISOString();
  const result = {
    date,
    revision,
    backend: backend.description,
    model: 'htlnet template (defaults), core head objective varied',
    rows: Object.fromEntries(datasets.map((d) => [d.name, d.table.rows])),
    epochs,
    seeds,
    split: '8:1:1 random',
    objectives: OBJECTIVES,
    datasets: results,
  };
  if (!values.csv) await writeResult(values.out, 'objectives', { date, revision }, result);
  await fs.rm(dir, { recursive: true, force: true });
  // A markdown table of the means (the README's).
  const lines = [
    '| dataset | objective | total ratio | NRMSE | R² | Gini | Spearman | binary AUC |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [ds, byObjective] of Object.entries(results)) {
    for (const [o, r] of Object.entries(byObjective)) {
      const m = (r as { mean: Record<string, number> }).mean;
      const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
      lines.push(
        `| ${ds} | ${o} | ${f(m.totalRatio)} | ${f(m.nrmse)} | ${f(m.r2)} | ${f(m.gini)} | ${f(m.spearman)} | ${f(m.meanBinaryAuc)} |`,
      );
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}

runScript(SCRIPT, main);
