// `npm run bench`: trains the default HTLNet on a generated sample (1,000,000 rows, 20 fields,
// 3 tasks by default) and records training samples/s, inference rows/s, CSV ingest MB/s, peak
// memory and achieved GFLOP/s into bench/results/ (one JSON file per run, committed).
//
// Options: --rows N (default 1000000), --epochs N (default 1), --seed N, --out DIR,
//          --keep (keep the generated CSV in the temp folder).

import { execSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../src-main/engine/backend';
import { readTable } from '../src-main/engine/data/csv';
import { generateSample, sampleBinding } from '../src-main/engine/data/sample';
import { buildTemplate } from '../src-main/engine/graph/templates';
import { prepareRun } from '../src-main/engine/pipeline';
import type { HtlnetModel } from '../src-main/engine/model/model';
import { predictRows } from '../src-main/engine/train/evaluate';
import { trainModel } from '../src-main/engine/train/trainer';
import { APP_VERSION } from '../src-main/engine/version';

/** Multiply-adds of the dense layers per sample, forward only (x2 for FLOPs). */
export function denseMacsPerSample(model: HtlnetModel): number {
  let macs = 0;
  for (const [name, v] of model.dense) {
    if (v.shape.length === 2 && !name.endsWith('/table')) macs += v.size;
  }
  // Attention fusion applies Q, K and V to every element of the set: count them per element.
  for (const block of model.plan.order) {
    if (block.type !== 'fusion') continue;
    for (const port of ['reps', 'labels']) {
      const n = (model.plan.incoming.get(`${block.id}:${port}`) ?? []).length;
      const q = model.dense.get(`${block.id}/${port}/query`);
      if (q && n > 1) macs += (n - 1) * 3 * q.size;
    }
  }
  return macs;
}

class PeakMemory {
  peak = 0;
  private timer: NodeJS.Timeout;
  constructor() {
    this.sample();
    this.timer = setInterval(() => this.sample(), 50);
  }
  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
  }
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

function gitRevision(): string {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      epochs: { type: 'string', default: '1' },
      seed: { type: 'string', default: '42' },
      out: { type: 'string', default: 'bench/results' },
      keep: { type: 'boolean', default: false },
    },
  });
  const rows = Number(values.rows);
  const epochs = Number(values.epochs);
  const seed = Number(values.seed);
  const log = (s: string) => process.stderr.write(s + '\n');
  const memory = new PeakMemory();
  const backend = await initBackend();
  log(`backend: ${backend.description}`);

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-bench-'));
  const file = path.join(dir, 'sample.csv');
  let t = performance.now();
  const sample = generateSample({ rows, seed });
  await sample.writeCsv(file);
  const generateSeconds = (performance.now() - t) / 1000;
  const bytes = (await fs.stat(file)).size;
  log(
    `generated ${rows.toLocaleString('en-US')} rows (${(bytes / 1e6).toFixed(0)} MB) in ${generateSeconds.toFixed(1)} s`,
  );

  t = performance.now();
  const table = await readTable(file);
  const ingestSeconds = (performance.now() - t) / 1000;
  const ingestMBps = bytes / 1e6 / ingestSeconds;
  log(`ingest: ${ingestSeconds.toFixed(2)} s, ${ingestMBps.toFixed(1)} MB/s`);

  const project = buildTemplate('htlnet', sampleBinding());
  t = performance.now();
  const run = prepareRun(project, table);
  const prepareSeconds = (performance.now() - t) / 1000;
  log(`encode + split + compile: ${prepareSeconds.toFixed(2)} s`);

  let lastLog = 0;
  const outcome = await trainModel(run.model, run.data, run.split, run.targetEncoders, {
    epochs,
    onEvent: (e) => {
      if (e.type === 'batch' && performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        log(
          `  epoch ${e.epoch} batch ${e.batch}/${e.batches}: ${Math.round(e.samplesPerSecond)} samples/s`,
        );
      } else if (e.type === 'epoch') {
        log(
          `  epoch ${e.epoch}: ${Math.round(e.samplesPerSecond)} samples/s, validation ${JSON.stringify(e.validation)}`,
        );
      }
    },
  });
  const trainSamplesPerSecond = outcome.trainSamplesPerSecond;

  t = performance.now();
  const inferRows = run.split.test.length + run.split.validation.length;
  const all = new Int32Array(inferRows);
  all.set(run.split.test);
  all.set(run.split.validation, run.split.test.length);
  predictRows(run.model, run.data, all, run.targetEncoders);
  const inferenceRowsPerSecond = inferRows / ((performance.now() - t) / 1000);

  const macs = denseMacsPerSample(run.model);
  // forward (1x) + backward (2x: input and weight gradients), 2 FLOPs per multiply-add
  const gflops = (trainSamplesPerSecond * macs * 2 * 3) / 1e9;
  const peakRssMB = memory.stop() / 1e6;

  const result = {
    date: new Date().toISOString(),
    revision: gitRevision(),
    app: APP_VERSION,
    backend: backend.description,
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      memoryGB: Math.round(os.totalmem() / 1e9),
    },
    dataset: {
      rows,
      fields: run.fields.length,
      tasks: run.plan.tasks.length,
      csvMB: +(bytes / 1e6).toFixed(1),
    },
    model: {
      template: 'htlnet',
      batchSize: run.plan.optimizer.batchSize,
      denseMacsPerSample: macs,
      singlePassGradientCapture: run.plan.singlePassCapture,
    },
    epochs: outcome.epochs,
    trainSamplesPerSecond: Math.round(trainSamplesPerSecond),
    inferenceRowsPerSecond: Math.round(inferenceRowsPerSecond),
    csvIngestMBps: +ingestMBps.toFixed(1),
    peakRssMB: Math.round(peakRssMB),
    achievedGflops: +gflops.toFixed(2),
    seconds: {
      generate: +generateSeconds.toFixed(1),
      ingest: +ingestSeconds.toFixed(2),
      prepare: +prepareSeconds.toFixed(2),
    },
  };
  await fs.mkdir(values.out!, { recursive: true });
  const name = `${result.date.replace(/[:.]/g, '-')}-${result.revision}.json`;
  await fs.writeFile(path.join(values.out!, name), JSON.stringify(result, null, 2) + '\n');
  if (!values.keep) await fs.rm(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(result) + '\n');
  log(`wrote ${path.join(values.out!, name)}`);
  run.model.dispose();
}

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
