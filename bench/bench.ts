// `npm run bench`: trains the default HTLNet on generated samples and records, per dataset,
// training samples/s, inference rows/s, CSV ingest MB/s (ours and papaparse's on the same
// file), peak memory and achieved GFLOP/s into bench/results/ (one JSON file per run,
// committed, with the git revision, date, machine and settings).
//
//   npm run bench                      the 1,000,000-row built-in sample
//   npm run bench -- --vs-torch        also the wide variant (20 categorical fields with
//                                      vocabularies of 10,000), and a PyTorch reference of the
//                                      same model (bench/torch/htlnet_ref.py) trained on the
//                                      same encoded rows, with the ratio ours / torch
//
// Options: --rows N (default 1000000), --epochs N (default 1), --seed N, --threads N (ours;
//          default: the trainer's), --torch-threads N (default 2), --datasets default,wide,
//          --out DIR, --keep (keep the temporary folder), --scaling-rows N (default 100000; 0
//          skips the scaling curve), --no-matmul (skip the matmul microbenchmark); --help lists
//          them (OPTIONS below, parsed by bench/script.ts).
//
// Besides the datasets, every run records:
//  - a scaling curve: training samples/s of the default HTLNet on --scaling-rows rows of the
//    built-in sample at 1, 2, 4, ... threads up to the cores present (and the default's count);
//  - the matmul peak of the runtime (bench/matmul.ts: XNNPACK through the wasm backend as the
//    executor calls it, the assembled wasm SIMD product, and relaxed SIMD where the runtime has
//    it; on Node 20 its child runs with --experimental-wasm-relaxed-simd), beside the achieved
//    GFLOP/s of the training step;
//  - with --vs-torch, the app's Shared-Bottom and PyTorch's (bench/torch/htlnet_ref.py
//    --model shared-bottom) on the same encoded rows, beside HTLNet's ratio.
//
// Each dataset runs in a child process (so its peak RSS, read from the kernel's high-water
// mark, is its own): generate the CSV once, ingest it, train one epoch, time inference
// (predictTable: encode + predict every row), and dump the encoded training rows for torch.
// papaparse and torch run in child processes of their own on the same file / the same dump
// (bench/papaparse.ts, bench/torch-reference.ts).
//
// What the ingest comparison measures, both on the same CSV file, from the first byte read to
// columnar data in memory:
//  - ours: readTable(file): streamed read, parse, per-column typed arrays (numbers as
//    Float64Array, text dictionary-encoded), missing-value detection, column kinds;
//  - papaparse 5: fs.readFileSync(file, 'utf8'), then Papa.parse on the string (header false,
//    dynamicTyping false, skipEmptyLines, fastMode when the file has no quote), converting each
//    row into the same columns (+value into a Float64Array, non-numbers into a Map dictionary),
//    both with one result array and with the chunk callback; the faster is reported.

import { spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../src-main/engine/backend';
import { parseTableFromBuffer, readTable } from '../src-main/engine/data/csv';
import { generateSample, sampleBinding } from '../src-main/engine/data/sample';
import type { SampleLayoutOptions } from '../src-main/engine/data/sample-layout';
import { predictTable } from '../src-main/engine/export/predict';
import type { ModelManifest } from '../src-main/engine/export/saved-model';
import { buildTemplate } from '../src-main/engine/graph/templates';
import { prepareRun } from '../src-main/engine/pipeline';
import type { HtlnetModel } from '../src-main/engine/model/model';
import { availableCores, defaultThreads, trainModel } from '../src-main/engine/train/trainer';
import { APP_VERSION } from '../src-main/engine/version';
import { gemmModuleBytes, wasmSimdSupport } from '../src-main/engine/model/simd-gemm';
import { measureMatmulPeak } from './matmul';
import { gitRevision } from './revision';
import { runPapaparse } from './papaparse';
import {
  lastJsonLine,
  log,
  outOption,
  runScript,
  scriptOptions,
  seedOption,
  writeResult,
  type OptionValues,
} from './script';
import { dumpForTorch, runTorch, torchPython } from './torch-reference';

const SCRIPT = {
  name: 'bench',
  usage: 'npm run bench -- [options]',
  about:
    'Trains the default HTLNet on generated samples and records training samples/s, inference\nrows/s, CSV ingest MB/s (beside papaparse), peak memory, a thread scaling curve and the\nmatmul peak in <out>/<date>-<revision>.json.',
};

const OPTIONS = {
  rows: { kind: 'number', default: 1_000_000, help: 'rows of each generated dataset' },
  epochs: { kind: 'number', default: 1, help: 'training epochs' },
  seed: seedOption,
  threads: { kind: 'number', help: "our training threads (default: the trainer's)" },
  'torch-threads': { kind: 'number', default: 2, help: "PyTorch's threads (with --vs-torch)" },
  datasets: {
    kind: 'list',
    value: 'default,wide',
    help: 'the datasets (default: default; with --vs-torch: default,wide)',
  },
  out: outOption,
  keep: { kind: 'boolean', help: 'keep the temporary folder' },
  'vs-torch': {
    kind: 'boolean',
    help: 'also the wide dataset and a PyTorch reference of the same model (bench/torch)',
  },
  'scaling-rows': {
    kind: 'number',
    default: 100_000,
    help: 'rows of the thread scaling curve (0 skips it)',
  },
  'no-matmul': { kind: 'boolean', help: 'skip the matmul microbenchmark' },
  // internal: child modes
  child: { kind: 'string', internal: true, help: 'measure one dataset' },
  dir: { kind: 'string', internal: true, help: "the child's temporary folder" },
  papaparse: { kind: 'string', internal: true, help: 'time papaparse on a file' },
  'scaling-child': { kind: 'number', internal: true, help: 'the scaling curve on N rows' },
  matmul: { kind: 'boolean', internal: true, help: 'the matmul peak' },
} as const;

type Options = OptionValues<typeof OPTIONS>;

const DATASETS: Record<string, { title: string; layout: SampleLayoutOptions }> = {
  default: { title: 'built-in sample (20 fields: 12 categorical, 8 numeric)', layout: {} },
  wide: {
    title: 'wide: 20 categorical fields, vocabularies of 10,000',
    layout: { categoricalFields: 20, numericFields: 0, vocabulary: 10_000 },
  },
};

/** Multiply-adds of the dense layers per sample, forward only (x2 for FLOPs). */
function denseMacsPerSample(model: HtlnetModel): number {
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

/** Peak resident memory of this process (kernel high-water mark; sampled where unavailable). */
class PeakMemory {
  peak = 0;
  private timer: NodeJS.Timeout;
  constructor() {
    this.sample();
    this.timer = setInterval(() => this.sample(), 50);
    this.timer.unref();
  }
  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
  }
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    try {
      const status = readFileSync('/proc/self/status', 'utf8');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      if (hwm) this.peak = Math.max(this.peak, Number(hwm[1]) * 1024);
    } catch {
      // not Linux: the sampled peak
    }
    return this.peak;
  }
}

/** Runs `node <this script> args` (see lastJsonLine). */
const child = (args: string[], nodeFlags: string[] = []) =>
  lastJsonLine(
    process.execPath,
    [...nodeFlags, process.argv[1], ...args],
    `bench child ${args.join(' ')}`,
  );

// ---- one dataset (child process) ------------------------------------------------------------

async function runDataset(values: Options): Promise<void> {
  const name = String(values.child);
  const spec = DATASETS[name];
  const { rows, seed, epochs } = values;
  const dir = String(values.dir);
  const memory = new PeakMemory();
  const backend = await initBackend();
  log(`[${name}] backend: ${backend.description}`);

  const file = path.join(dir, `${name}.csv`);
  let t = performance.now();
  await generateSample({ rows, seed, ...spec.layout }).writeCsv(file);
  const generateSeconds = (performance.now() - t) / 1000;
  const bytes = (await fs.stat(file)).size;
  log(
    `[${name}] generated ${rows.toLocaleString('en-US')} rows (${(bytes / 1e6).toFixed(0)} MB) in ${generateSeconds.toFixed(1)} s`,
  );

  t = performance.now();
  const table = await readTable(file);
  const ingestSeconds = (performance.now() - t) / 1000;
  log(
    `[${name}] ingest: ${ingestSeconds.toFixed(2)} s, ${(bytes / 1e6 / ingestSeconds).toFixed(1)} MB/s`,
  );

  const project = buildTemplate('htlnet', sampleBinding(spec.layout));
  t = performance.now();
  const run = prepareRun(project, table);
  const prepareSeconds = (performance.now() - t) / 1000;
  log(`[${name}] encode + split + compile: ${prepareSeconds.toFixed(2)} s`);

  let lastLog = 0;
  const threads = values.threads;
  const outcome = await trainModel(run.model, run.data, run.split, run.targetEncoders, {
    epochs,
    threads,
    onEvent: (e) => {
      if (e.type === 'batch' && performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        log(
          `[${name}]   epoch ${e.epoch} batch ${e.batch}/${e.batches}: ${Math.round(e.samplesPerSecond)} samples/s`,
        );
      } else if (e.type === 'epoch') {
        log(`[${name}]   epoch ${e.epoch}: ${Math.round(e.samplesPerSecond)} samples/s`);
      }
    },
  });
  const last = outcome.history[outcome.history.length - 1];
  log(
    `[${name}] training: ${Math.round(outcome.trainSamplesPerSecond)} samples/s (${outcome.engine.name}, ${outcome.engine.threads} thread${outcome.engine.threads === 1 ? '' : 's'})`,
  );
  const trainPeak = memory.stop();

  // Inference the way `htlnet predict` does it: encode the table's rows, predict every row.
  const manifest = {
    project,
    encoders: run.encoders,
    targetEncoders: run.targetEncoders,
  } as unknown as ModelManifest;
  t = performance.now();
  await predictTable(run.model, manifest, table);
  const inferenceSeconds = (performance.now() - t) / 1000;
  log(`[${name}] inference: ${Math.round(table.rows / inferenceSeconds)} rows/s`);

  // The encoded training rows and the model's shape, for the torch reference; and the app's
  // Shared-Bottom on the same table, beside PyTorch's.
  let torchMeta: string | null = null;
  let sharedBottom: Record<string, unknown> | null = null;
  if (values['vs-torch']) {
    const sbProject = buildTemplate('shared-bottom', sampleBinding(spec.layout));
    const sb = prepareRun(sbProject, table);
    const sbOutcome = await trainModel(sb.model, sb.data, sb.split, sb.targetEncoders, {
      epochs,
      threads,
    });
    const sbMacs = denseMacsPerSample(sb.model);
    sharedBottom = {
      engine: sbOutcome.engine,
      trainSamplesPerSecond: Math.round(sbOutcome.trainSamplesPerSecond),
      denseMacsPerSample: sbMacs,
      achievedGflops: +((sbOutcome.trainSamplesPerSecond * sbMacs * 2 * 3) / 1e9).toFixed(2),
      validation: sbOutcome.history[sbOutcome.history.length - 1]?.validation,
    };
    log(
      `[${name}] Shared-Bottom training: ${Math.round(sbOutcome.trainSamplesPerSecond)} samples/s (${sbOutcome.engine.threads} threads)`,
    );
    torchMeta = await dumpForTorch(run, dir, name, seed, sb);
    sb.model.dispose();
  }

  const macs = denseMacsPerSample(run.model);
  const result = {
    dataset: {
      name,
      title: spec.title,
      rows,
      fields: run.fields.length,
      tableRows: run.model.embeddings.reduce(
        (n, e) => n + e.tables.reduce((m, x) => m + x.rows, 0),
        0,
      ),
      tasks: run.plan.tasks.length,
      csvMB: +(bytes / 1e6).toFixed(1),
      file,
    },
    model: {
      template: 'htlnet',
      batchSize: run.plan.optimizer.batchSize,
      denseMacsPerSample: macs,
      singlePassGradientCapture: run.plan.singlePassCapture,
    },
    backend: backend.description,
    // Where the step's products ran: relaxed SIMD (simd-gemm.ts) for widths that are multiples
    // of 4 when the runtime has it, else XNNPACK.
    products: wasmSimdSupport().relaxed ? 'relaxed-simd + xnnpack' : 'xnnpack',
    epochs: outcome.epochs,
    engine: outcome.engine,
    trainSamplesPerSecond: Math.round(outcome.trainSamplesPerSecond),
    trainLoss: last?.trainLoss,
    validation: last?.validation,
    inferenceRowsPerSecond: Math.round(table.rows / inferenceSeconds),
    csvIngestMBps: +(bytes / 1e6 / ingestSeconds).toFixed(1),
    peakRssMB: Math.round(trainPeak / 1e6),
    achievedGflops: +((outcome.trainSamplesPerSecond * macs * 2 * 3) / 1e9).toFixed(2),
    seconds: {
      generate: +generateSeconds.toFixed(1),
      ingest: +ingestSeconds.toFixed(2),
      prepare: +prepareSeconds.toFixed(2),
      inference: +inferenceSeconds.toFixed(2),
    },
    sharedBottom,
    torchMeta,
  };
  run.model.dispose();
  process.stdout.write(JSON.stringify(result) + '\n');
}

// ---- scaling curve and matmul peak (child processes) ------------------------------------------

/** Thread counts of the curve: 1, 2, 4, ... up to the cores present, and the cores themselves. */
function scalingThreads(cores: number): number[] {
  const out: number[] = [];
  for (let t = 1; t <= cores; t *= 2) out.push(t);
  if (!out.includes(cores)) out.push(cores);
  return out;
}

async function runScaling(values: Options): Promise<void> {
  const rows = Number(values['scaling-child']);
  const seed = values.seed;
  const backend = await initBackend();
  const table = await parseTableFromBuffer(
    'sample.csv',
    Buffer.from(generateSample({ rows, seed }).toCsvString()),
  );
  const project = buildTemplate('htlnet', sampleBinding());
  const cores = availableCores();
  const points: { threads: number; trainSamplesPerSecond: number; seconds: number }[] = [];
  for (const threads of scalingThreads(cores)) {
    const run = prepareRun(project, table);
    const t = performance.now();
    const outcome = await trainModel(run.model, run.data, run.split, run.targetEncoders, {
      epochs: 1,
      threads,
    });
    const seconds = (performance.now() - t) / 1000;
    run.model.dispose();
    points.push({
      threads: outcome.engine.threads,
      trainSamplesPerSecond: Math.round(outcome.trainSamplesPerSecond),
      seconds: +seconds.toFixed(1),
    });
    log(
      `[scaling] ${threads} thread${threads === 1 ? '' : 's'}: ${Math.round(outcome.trainSamplesPerSecond)} samples/s`,
    );
  }
  const run = prepareRun(project, table);
  const chosen = defaultThreads(run.split.train.length, run.plan.optimizer.batchSize);
  run.model.dispose();
  process.stdout.write(
    JSON.stringify({
      backend: backend.description,
      rows,
      cores,
      defaultThreads: chosen,
      points,
    }) + '\n',
  );
}

async function runMatmul(): Promise<void> {
  const backend = await initBackend();
  const peak = await measureMatmulPeak();
  for (const r of peak.results)
    log(
      `[matmul] ${r.shape.padEnd(14)} ${Object.entries(r.gflops)
        .map(([k, v]) => `${k} ${v} GFLOP/s`)
        .join(', ')}`,
    );
  process.stdout.write(JSON.stringify({ backend: backend.description, ...peak }) + '\n');
}

/** Node's flag for relaxed SIMD when this runtime has it off and the flag exists. */
function relaxedSimdFlags(): string[] {
  const flag = '--experimental-wasm-relaxed-simd';
  const probe = (flags: string[]) =>
    spawnSync(
      process.execPath,
      [
        ...flags,
        '-e',
        // The relaxed-SIMD product's module validates only with relaxed SIMD on.
        `process.exit(WebAssembly.validate(new Uint8Array([${Array.from(gemmModuleBytes('relaxed')).join(',')}]))?0:1)`,
      ],
      { stdio: 'ignore' },
    ).status === 0;
  if (probe([])) return [];
  return probe([flag]) ? [flag] : [];
}

// ---- orchestration --------------------------------------------------------------------------

async function main(): Promise<void> {
  const values = scriptOptions(SCRIPT, OPTIONS);
  if (values['scaling-child']) return runScaling(values);
  if (values.matmul) return runMatmul();
  if (values.papaparse) return runPapaparse(values.papaparse);
  if (values.child) return runDataset(values);

  const vsTorch = values['vs-torch'];
  const names = values.datasets ?? (vsTorch ? ['default', 'wide'] : ['default']);
  for (const n of names) if (!DATASETS[n]) throw new Error(`unknown dataset ${n}`);
  const python = vsTorch ? torchPython() : null;
  if (vsTorch && !python) throw new Error('no python with torch, and apt-get could not install it');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-bench-'));
  const start = new Date();
  const load = os.loadavg();
  const datasets: Record<string, unknown> = {};
  const forward = (['rows', 'epochs', 'seed', 'threads'] as const).flatMap((k) =>
    values[k] !== undefined ? [`--${k}`, String(values[k])] : [],
  );
  // Every child runs with relaxed SIMD on where the runtime has it behind a flag (Node 20), as
  // Electron's V8 has it by default: the products then use it (kernels.ts).
  const nodeFlags = relaxedSimdFlags();
  for (const name of names) {
    const ours = await child(
      ['--child', name, '--dir', dir, ...forward, ...(vsTorch ? ['--vs-torch'] : [])],
      nodeFlags,
    );
    const file = (ours.dataset as { file: string }).file;
    const papa = await child(['--papaparse', file]);
    const entry: Record<string, unknown> = {
      ...ours,
      ingest: {
        oursMBps: ours.csvIngestMBps,
        papaparseMBps: papa.MBps,
        papaparseModes: papa.modes,
        ratio: +(Number(ours.csvIngestMBps) / Number(papa.MBps)).toFixed(2),
      },
    };
    delete entry.torchMeta;
    await fs.rm(file, { force: true });
    if (python && ours.torchMeta) {
      const torch = await runTorch(
        python,
        String(ours.torchMeta),
        values['torch-threads'],
        values.epochs,
      );
      entry.torch = torch;
      entry.ratioVsTorch = +(
        Number(ours.trainSamplesPerSecond) / Number(torch.samplesPerSecond)
      ).toFixed(2);
      log(
        `[${name}] ours ${ours.trainSamplesPerSecond} samples/s, torch ${Math.round(Number(torch.samplesPerSecond))} samples/s: ratio ${entry.ratioVsTorch}`,
      );
      const sb = ours.sharedBottom as { trainSamplesPerSecond: number } | null;
      if (sb) {
        const torchSb = await runTorch(
          python,
          String(ours.torchMeta),
          values['torch-threads'],
          values.epochs,
          'shared-bottom',
        );
        entry.torchSharedBottom = torchSb;
        entry.sharedBottomRatioVsTorch = +(
          sb.trainSamplesPerSecond / Number(torchSb.samplesPerSecond)
        ).toFixed(2);
        log(
          `[${name}] Shared-Bottom: ours ${sb.trainSamplesPerSecond} samples/s, torch ${Math.round(Number(torchSb.samplesPerSecond))} samples/s: ratio ${entry.sharedBottomRatioVsTorch}`,
        );
      }
    }
    datasets[name] = entry;
  }
  const scalingRows = values['scaling-rows'];
  const scaling =
    scalingRows > 0 ? await child(['--scaling-child', String(scalingRows)], nodeFlags) : null;
  const matmul = values['no-matmul'] ? null : await child(['--matmul'], nodeFlags);
  const first = datasets[names[0]] as Record<string, unknown>;
  const result = {
    date: start.toISOString(),
    revision: gitRevision(),
    app: APP_VERSION,
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      memoryGB: Math.round(os.totalmem() / 1e9),
      node: process.version,
      loadAverageAtStart: load.map((x) => +x.toFixed(2)),
    },
    settings: {
      rows: values.rows,
      epochs: values.epochs,
      seed: values.seed,
      threads: values.threads ?? 'default',
      torchThreads: vsTorch ? values['torch-threads'] : null,
      vsTorch,
    },
    // The first dataset's headline figures (the keys earlier results had).
    backend: first.backend,
    trainSamplesPerSecond: first.trainSamplesPerSecond,
    inferenceRowsPerSecond: first.inferenceRowsPerSecond,
    csvIngestMBps: first.csvIngestMBps,
    peakRssMB: first.peakRssMB,
    achievedGflops: first.achievedGflops,
    datasets,
    scaling,
    matmul: matmul && {
      ...matmul,
      // The training step's achieved rate beside the single-thread peak (the step runs on
      // engine.threads threads; its products are those of the shapes measured).
      achievedTrainingGflops: first.achievedGflops,
      trainingThreads: (first.engine as { threads: number }).threads,
      achievedPerThreadOfPeak: +(
        Number(first.achievedGflops) /
        (first.engine as { threads: number }).threads /
        Number(matmul.peakGflops)
      ).toFixed(2),
    },
  };
  const written = await writeResult(values.out, '', result, result);
  if (!values.keep) await fs.rm(dir, { recursive: true, force: true });
  log('');
  for (const name of names) {
    const d = datasets[name] as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    log(
      `${name.padEnd(8)} train ${d.trainSamplesPerSecond} samples/s (${d.engine.threads} threads)` +
        (d.torch
          ? ` | torch ${Math.round(d.torch.samplesPerSecond)} samples/s | ratio ${d.ratioVsTorch}`
          : '') +
        ` | inference ${d.inferenceRowsPerSecond} rows/s | ingest ${d.ingest.oursMBps} MB/s vs papaparse ${d.ingest.papaparseMBps} (x${d.ingest.ratio}) | peak ${d.peakRssMB} MB`,
    );
  }
  if (scaling)
    log(
      `scaling  ${(scaling.points as { threads: number; trainSamplesPerSecond: number }[])
        .map((p) => `${p.threads} thr ${p.trainSamplesPerSecond}/s`)
        .join(', ')} (default ${scaling.defaultThreads} on ${scaling.cores} cores)`,
    );
  if (matmul)
    log(
      `matmul   peak ${matmul.peakGflops} GFLOP/s (${matmul.peakBy}); training step ${first.achievedGflops} GFLOP/s`,
    );
  process.stdout.write(JSON.stringify(result) + '\n');
  log(`wrote ${written}`);
}

runScript(SCRIPT, main);
