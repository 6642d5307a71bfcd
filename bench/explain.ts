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
// Options: --rows N (default 100000), --seed N (default 42), --out DIR; --help lists them.

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
import * as tf from '@tensorflow/tfjs-core';
import type { ExplainData } from '../src-main/engine/explain/context';
import { spearman } from '../src-main/engine/predict/metrics';
import { outOption, runScript, scriptOptions, seedOption, stamp, writeResult } from './script';

const SCRIPT = {
  name: 'bench:explain',
  usage: 'npm run bench:explain -- [options]',
  about:
    'Times explaining the default HTLNet (importance, one row, partial dependence, funnel) and\nmeasures how faithful sampled Shapley values are; writes <out>/explain-<date>-<revision>.json.',
};

/**
 * Integrated gradients over the shared embeddings, for comparison only (the product uses
 * Shapley values): from the background rows' mean embedding to the row's, `steps` midpoints,
 * per task on the model's scale (probability; the transformed target for regression), summed
 * per input (or group). Returns the attributions and f(x) - f(baseline) per task.
 */
function integratedGradients(
  ctx: ExplainData,
  row: number,
  background: Int32Array,
  steps: number,
): { attributions: number[][]; delta: number[] } {
  const model = ctx.model;
  const plan = model.plan;
  const widths = model.embeddings.map((e) => e.tables.length * e.dim);
  const x = model.lookup(ctx.all, { size: 1, rows: Int32Array.of(row) });
  const bg = model.lookup(ctx.data, { size: background.length, rows: background });
  const base = bg.map((b, k) => {
    const out = new Float32Array(widths[k]);
    for (let r = 0; r < background.length; r++)
      for (let j = 0; j < widths[k]; j++) out[j] += b[r * widths[k] + j] / background.length;
    return out;
  });
  const out = (e: tf.Tensor2D[], t: number) => {
    const consumers = new Map(plan.consumers.map((c) => [c.edgeId, e[c.embedding]]));
    const o = model.forward(consumers, { training: false })[t];
    return plan.tasks[t].type === 'binary' ? o.prob! : o.value!;
  };
  const attributions: number[][] = [];
  const delta: number[] = [];
  // Stop-gradients are the identity forward but cut the funnel's paths backward: let the
  // gradient through them here (the forward values are unchanged), restore after.
  const sg = plan.optimizer.stopGradient;
  plan.optimizer.stopGradient = false;
  try {
    for (let t = 0; t < plan.tasks.length; t++) {
      const path = widths.map((w, k) => {
        const v = new Float32Array(steps * w);
        for (let s = 0; s < steps; s++) {
          const a = (s + 0.5) / steps;
          for (let j = 0; j < w; j++) v[s * w + j] = base[k][j] + a * (x[k][j] - base[k][j]);
        }
        return tf.tensor2d(v, [steps, w]);
      });
      const grads = tf.grads((...e: tf.Tensor[]) => tf.sum(out(e as tf.Tensor2D[], t)))(path);
      const perFeature = new Array<number>(ctx.features.length).fill(0);
      model.embeddings.forEach((emb, k) => {
        const g = grads[k].dataSync();
        emb.tables.forEach((_table, f) => {
          const feature = ctx.features.findIndex((ft) => ft.fields.includes(emb.datasetField[f]));
          for (let j = 0; j < emb.dim; j++) {
            const col = f * emb.dim + j;
            let mean = 0;
            for (let s = 0; s < steps; s++) mean += g[s * widths[k] + col] / steps;
            perFeature[feature] += (x[k][col] - base[k][col]) * mean;
          }
        });
      });
      const ends = tf.tidy(() => {
        const fx = out(
          x.map((v, k) => tf.tensor2d(v, [1, widths[k]])),
          t,
        ).dataSync()[0];
        const fb = out(
          base.map((v, k) => tf.tensor2d(v, [1, widths[k]])),
          t,
        ).dataSync()[0];
        return fx - fb;
      });
      path.forEach((p) => p.dispose());
      grads.forEach((g) => g.dispose());
      attributions.push(perFeature);
      delta.push(ends);
    }
  } finally {
    plan.optimizer.stopGradient = sg;
  }
  return { attributions, delta };
}

const seconds = (t0: number) => +((performance.now() - t0) / 1000).toFixed(2);
/** CPU seconds (user + system, every thread of this process) since `from`. */
const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return +((u.user + u.system) / 1e6).toFixed(2);
};

async function main(): Promise<void> {
  const { rows, seed, out } = scriptOptions(SCRIPT, {
    rows: { kind: 'number', default: 100_000, help: 'rows of the generated sample' },
    seed: seedOption,
    out: outOption,
  });
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
  const pdp = await partialDependence(ctx, { seed });
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

  // Integrated gradients on the same rows and groups (model scale), against the exact values.
  const bgRows = Int32Array.from({ length: 50 }, (_, i) => i * 7);
  let igSeconds = 0;
  let igGap = 0;
  let igScale = 0;
  const agreement: number[] = [];
  testRows.forEach((r, i) => {
    const t = performance.now();
    const ig = integratedGradients(ctxGroups, r, bgRows, 32);
    igSeconds += (performance.now() - t) / 1000;
    ig.attributions.forEach((a, k) => {
      if (run.plan.tasks[k].type !== 'binary') return;
      const sum = a.reduce((x, y) => x + y, 0);
      igGap += Math.abs(sum - ig.delta[k]);
      igScale += Math.abs(ig.delta[k]);
      const ex = exact[i].tasks[k];
      const exactBy = new Map(ex.contributions.map((c) => [c.feature, c.contribution]));
      const exactInOrder = ctxGroups.features.map((f) => exactBy.get(f.name)!);
      agreement.push(spearman(a, exactInOrder));
    });
  });
  const integrated = {
    setup: 'same rows and groups; baseline = mean embedding of 50 rows; 32 steps; binary tasks',
    secondsPerRow: +(igSeconds / testRows.length).toFixed(3),
    completenessGap: +(igGap / Math.max(1e-12, igScale)).toFixed(4),
    spearmanWithExactShapley: +(agreement.reduce((a, b) => a + b, 0) / agreement.length).toFixed(3),
  };
  log(`integrated gradients: ${JSON.stringify(integrated)}`);

  const { date, revision } = stamp();
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
    integratedGradients: integrated,
  };
  const written = await writeResult(out, 'explain', { date, revision }, result);
  await fs.rm(dir, { recursive: true, force: true });
  model.dispose();
  process.stdout.write(JSON.stringify(result) + '\n');
  log(`wrote ${written}`);
}

runScript(SCRIPT, main);
