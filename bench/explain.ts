// `npm run bench:explain`: how long explaining a model takes, and how faithful the row
// contributions are. Trains the default HTLNet (1 epoch) on the built-in sample (default 100,000
// rows x 20 inputs), then times, on the same machine and threads as the app:
//  - permutation importance with the defaults (a seeded sample sized to the forward budget,
//    3 shuffles per input), and on every row with 1 shuffle;
//  - one row's Shapley values (sampling: 100 background rows x 4 walks);
//  - partial dependence of every numeric input, and the funnel summary;
// and measures the faithfulness of sampled Shapley values against exact ones (the 20 inputs in
// 10 groups of 2, so that every subset can be enumerated), for 2 to 32 walks per background row.
// Writes bench/results/explain-<date>-<revision>.json, with wall-clock and CPU seconds (all
// threads) and the load average: on a shared machine the CPU seconds are the steadier figure.
//
// Options: --rows N (default 100000), --seed N (default 42), --out DIR.

import { execSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../src-main/engine/backend';
import { readTable } from '../src-main/engine/data/csv';
import { generateSample, sampleBinding } from '../src-main/engine/data/sample';
import {
  explainData,
  explainModel,
  explainRow,
  funnelSummary,
  partialDependence,
  permutationImportance,
} from '../src-main/engine/explain';
import type { ModelManifest } from '../src-main/engine/export/saved-model';
import { buildTemplate } from '../src-main/engine/graph/templates';
import { trainProject } from '../src-main/engine/pipeline';

const seconds = (t0: number) => +((performance.now() - t0) / 1000).toFixed(2);
/** CPU seconds (user + system, every thread of this process) since `from`. */
const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return +((u.user + u.system) / 1e6).toFixed(2);
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '42' },
      out: { type: 'string', default: 'bench/results' },
    },
  });
  const rows = Number(values.rows);
  const seed = Number(values.seed);
  const log = (s: string) => process.stderr.write(s + '\n');
  const backend = await initBackend();
  const loadStart = os.loadavg();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-explain-bench-'));
  const file = path.join(dir, 'sample.csv');
  await generateSample({ rows, seed }).writeCsv(file);
  const table = await readTable(file);
  const project = buildTemplate('htlnet', sampleBinding());
  const optimizer = project.graph.blocks.find((b) => b.type === 'optimizer')!;
  optimizer.params = { ...optimizer.params, epochs: 1, seed };
  const run = await trainProject({ project, table });
  const model = run.model;
  const manifest = {
    project: run.project,
    fields: run.fields,
    encoders: run.encoders,
    targetEncoders: run.targetEncoders,
    metrics: run.test.metrics,
    rows: {
      train: run.split.train.length,
      validation: run.split.validation.length,
      test: run.split.test.length,
    },
    epochs: run.outcome.epochs,
    bestEpoch: run.outcome.bestEpoch,
    backend: run.backend.name,
  } as ModelManifest;
  const inputs = new Set(manifest.encoders.map((e) => e.column)).size;
  log(`trained on ${rows} rows x ${inputs} inputs`);

  let cpu = process.cpuUsage();
  let t0 = performance.now();
  const byDefault = await explainModel(model, manifest, table, { parts: ['importance'], seed });
  const defaultSeconds = seconds(t0);
  const defaultCpu = cpuSeconds(cpu);
  const imp = byDefault.importance!;
  log(`importance, defaults: ${imp.rows} rows x ${imp.repeats} shuffles: ${defaultSeconds} s`);

  const all = new Int32Array(table.rows).map((_, i) => i);
  const ctxAll = explainData(model, manifest, table, all);
  cpu = process.cpuUsage();
  t0 = performance.now();
  const full = await permutationImportance(ctxAll, { repeats: 1, seed });
  const fullSeconds = seconds(t0);
  const fullCpu = cpuSeconds(cpu);
  const forwardRows = table.rows * (1 + inputs);
  log(`importance, every row, 1 shuffle: ${fullSeconds} s`);

  const sample = all.slice(0, 20_000);
  const ctx = explainData(model, manifest, table, sample);
  t0 = performance.now();
  const row = explainRow(ctx, 12, { background: 100, permutations: 4, seed });
  const rowSeconds = seconds(t0);
  t0 = performance.now();
  const pdp = partialDependence(ctx, { seed });
  const pdpSeconds = seconds(t0);
  t0 = performance.now();
  const funnel = funnelSummary(ctx, { seed });
  const funnelSeconds = seconds(t0);
  log(`row ${rowSeconds} s, partial dependence ${pdpSeconds} s, funnel ${funnelSeconds} s`);

  // Faithfulness: 10 groups of 2 inputs (2^10 subsets), exact vs sampled, 5 rows.
  const columns = [...new Set(manifest.encoders.map((e) => e.column))];
  const groups = [];
  for (let i = 0; i < columns.length; i += 2)
    groups.push({ name: columns.slice(i, i + 2).join('+'), columns: columns.slice(i, i + 2) });
  const ctxGroups = explainData(model, manifest, table, sample, groups);
  const walks = [2, 4, 8, 16, 32];
  const faithfulness: Record<string, { relativeError: number; seconds: number }> = {};
  let exactSeconds = 0;
  let efficiencyGap = 0;
  const testRows = [3, 101, 2002, 7777, 15000];
  const exact = testRows.map((r) => {
    const t = performance.now();
    const e = explainRow(ctxGroups, r, { method: 'exact', background: 50, seed });
    exactSeconds += (performance.now() - t) / 1000;
    return e;
  });
  for (const w of walks) {
    let err = 0;
    let scale = 0;
    let time = 0;
    testRows.forEach((r, i) => {
      const t = performance.now();
      const s = explainRow(ctxGroups, r, {
        method: 'sampling',
        background: 50,
        permutations: w,
        // The same seed as the exact values: the same background rows (the walks differ).
        seed,
      });
      time += (performance.now() - t) / 1000;
      s.tasks.forEach((task, k) => {
        const ex = new Map(exact[i].tasks[k].contributions.map((c) => [c.feature, c.contribution]));
        const sum = task.contributions.reduce((a, c) => a + c.contribution, 0);
        efficiencyGap = Math.max(
          efficiencyGap,
          Math.abs(task.baseline + sum - task.prediction) /
            Math.max(1e-9, Math.abs(task.prediction)),
        );
        for (const c of task.contributions) {
          err += Math.abs(c.contribution - ex.get(c.feature)!);
          scale += Math.abs(ex.get(c.feature)!);
        }
      });
    });
    faithfulness[`${w} walks`] = {
      relativeError: +(err / Math.max(1e-12, scale)).toFixed(4),
      seconds: +(time / testRows.length).toFixed(3),
    };
    log(`sampling, ${w} walks per background row: ${JSON.stringify(faithfulness[`${w} walks`])}`);
  }

  let revision = 'unknown';
  try {
    revision = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    // not a git checkout
  }
  const date = new Date().toISOString();
  const result = {
    date,
    revision,
    backend: backend.description,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown' },
    loadAverage: {
      start: loadStart.map((x) => +x.toFixed(2)),
      end: os.loadavg().map((x) => +x.toFixed(2)),
    },
    data: { rows, inputs, tasks: run.plan.tasks.map((t) => t.name) },
    importance: {
      defaults: {
        rows: imp.rows,
        repeats: imp.repeats,
        forwardRows: imp.rows * (1 + inputs * imp.repeats),
        seconds: defaultSeconds,
        cpuSeconds: defaultCpu,
      },
      everyRow: {
        rows: table.rows,
        repeats: 1,
        forwardRows,
        seconds: fullSeconds,
        cpuSeconds: fullCpu,
        forwardRowsPerSecond: Math.round(forwardRows / full.seconds),
      },
      top: Object.fromEntries(
        imp.tasks.map((t) => [t.task, t.features.slice(0, 5).map((f) => f.feature)]),
      ),
    },
    row: {
      method: row.method,
      background: row.background,
      walks: row.permutations,
      forwardRows: row.background * row.permutations * (inputs + 1),
      seconds: rowSeconds,
    },
    partialDependence: { inputs: pdp.length, rows: 500, seconds: pdpSeconds },
    funnel: { rows: funnel?.rows ?? 0, seconds: funnelSeconds },
    shapleyFaithfulness: {
      setup:
        '10 groups of 2 inputs, 50 background rows, 5 rows x 3 tasks; error = sum |sampled - exact| / sum |exact|',
      exactSecondsPerRow: +(exactSeconds / testRows.length).toFixed(3),
      sampled: faithfulness,
      maxEfficiencyGap: efficiencyGap,
    },
  };
  await fs.mkdir(values.out!, { recursive: true });
  const name = `explain-${date.replace(/[:.]/g, '-')}-${revision}.json`;
  await fs.writeFile(path.join(values.out!, name), JSON.stringify(result, null, 2) + '\n');
  await fs.rm(dir, { recursive: true, force: true });
  model.dispose();
  process.stdout.write(JSON.stringify(result) + '\n');
  log(`wrote ${path.join(values.out!, name)}`);
}

main().catch((e) => {
  process.stderr.write(`bench:explain: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
