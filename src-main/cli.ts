// The `htlnet` command line: the same engine as the desktop app, from a terminal.
// Its commands and its --json output are a public interface: extend them, never break them.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ProjectFile, SplitSetting, TaskType } from './shared/project';
import { MAX_BATCH_SIZE } from './shared/catalog';
import { initBackend } from './engine/backend';
import { readTable } from './engine/data/csv';
import { defaultBinding } from './engine/data/binding';
import { splitSizes } from './engine/data/split';
import { generateSample } from './engine/data/sample';
import { CancelledError, UserError } from './engine/errors';
import { exportOnnx, preprocessingPathFor } from './engine/export/onnx';
import {
  checkOutputFile,
  isLegacyLeftover,
  isModelFolder,
  isOrphan,
  realPathOf,
} from './engine/export/outputs';
import { predictCsv, evaluateCsv, isPredictionsFile, parseKeep } from './engine/export/predict';
import { checkModelOutput, loadModel } from './engine/export/saved-model';
import { outOfMemoryMessage } from './engine/resources';
import { parseProject } from './engine/graph/project-file';
import { buildTemplate, TEMPLATE_KINDS } from './engine/graph/templates';
import { saveRun, trainProject } from './engine/pipeline';
import type { Table } from './engine/data/types';
import type { TaskMetrics } from './engine/predict/evaluate';
import type { TrainEvent } from './engine/train/trainer';
import { APP_VERSION } from './engine/version';
import { exportTorchJob, importTorchModel } from './engine/export/torch';
import { explainModel } from './engine/explain';
import { METRIC_LABELS, type Explanation } from './shared/explain';
import { ablate, sweep, type CliKit } from './cli/experiments';
import { runs } from './cli/runs';

const USAGE = `HTLNet Studio ${APP_VERSION}: multi-task hybrid-target models from the command line.

Usage:
  htlnet train --data FILE --tasks NAME:binary,NAME:binary,NAME:regression
               [--features a,b] [--exclude c,d] [--categorical e,f] [--numeric g]
               [--model htlnet|dnn|shared-bottom|mmoe|ple|esmm|aitm | --project FILE]
               [--epochs N] [--batch N] [--seed N] [--split random|time:COL]
               [--out DIR] [--json]
  htlnet predict --model DIR --data FILE --out FILE [--keep all|none|a,b] [--force] [--json]
               (the predictions follow the kept input columns, by default all of them;
               --force replaces an existing --out file that is not a predictions file)
  htlnet eval --model DIR --data FILE [--json]
  htlnet explain --model DIR --data FILE [--rows N] [--repeats K] [--subset all|test|validation]
               [--group NAME=col,col ...] [--row I ...] [--metric gini|rmse] [--out FILE.json] [--json]
               (which inputs drive each task: permutation importance; --row I: why data row I
               got its prediction; --out: everything, with partial dependence and the funnel)
  htlnet export --model DIR --format onnx --out FILE.onnx [--force] [--json]
               (also writes FILE.preprocessing.json: how to encode raw rows for the model)
  htlnet export --project FILE --format torch --out DIR [--json]
               (a PyTorch training package: python3 train.py / torchrun ... train.py --data FILES)
  htlnet import --torch DIR --out MODELDIR [--json]
               (the model a PyTorch package trained, as an app model to predict, eval, compare)
  htlnet ablate --data FILE --tasks NAME:binary,...,NAME:regression [--categorical e,f]
               [--features a,b] [--exclude c,d] [--project FILE] [--seeds N] [--seed FIRST]
               [--epochs N] [--batch N] [--json]
               (the HTLNet paper's ablation on your data: full, without LEU, without IFU,
               without gradient adjustment, projection only, magnitude only; N seeds each)
  htlnet sweep --project FILE --data FILE --grid 'PARAM=[v1,v2];PARAM=[v1,v2]' [--seeds N]
               [--seed FIRST] [--epochs N] [--batch N] [--json]
               (every combination, N seeds each; PARAM is BLOCK.PARAM or training.PARAM,
               e.g. training.learningRate=[0.001,0.01];tower.units=["128,64","64,32"])
  htlnet runs [--workspace DIR] [--data-dir DIR] [--group ID] [--json]
               (the runs the app keeps for a workspace, with their group and disk use)
  htlnet runs --prune [--older-than DAYS] [--keep-newest N] [--group ID] [--json]
               (deletes finished runs matching every condition given)
  htlnet templates [--json]
  htlnet sample --out FILE [--rows N] [--seed N]

Options common to every command: --verbose (stack traces), --help.
With --json the last line of stdout is one JSON object.`;

type Flags = Record<string, string | boolean | undefined>;

const OPTIONS = {
  data: { type: 'string' },
  tasks: { type: 'string' },
  features: { type: 'string' },
  exclude: { type: 'string' },
  categorical: { type: 'string' },
  numeric: { type: 'string' },
  model: { type: 'string' },
  project: { type: 'string' },
  epochs: { type: 'string' },
  batch: { type: 'string' },
  seed: { type: 'string' },
  split: { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string' },
  torch: { type: 'string' },
  rows: { type: 'string' },
  repeats: { type: 'string' },
  subset: { type: 'string' },
  group: { type: 'string', multiple: true },
  row: { type: 'string', multiple: true },
  metric: { type: 'string' },
  seeds: { type: 'string' },
  grid: { type: 'string' },
  workspace: { type: 'string' },
  'data-dir': { type: 'string' },
  prune: { type: 'boolean' },
  'older-than': { type: 'string' },
  'keep-newest': { type: 'string' },
  keep: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[]): Promise<number> {
  let flags: Flags = {};
  try {
    const parsed = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    flags = parsed.values as Flags;
    const [command, ...rest] = parsed.positionals;
    if (flags.help || !command) {
      process.stdout.write(USAGE + '\n');
      return command || flags.help ? 0 : 2;
    }
    if (rest.length > 0)
      throw new UserError(`Unexpected argument "${rest[0]}". Run htlnet --help.`);
    switch (command) {
      case 'train':
        return await train(flags);
      case 'predict':
        return await predict(flags);
      case 'eval':
        return await evaluate(flags);
      case 'explain':
        return await explain(flags);
      case 'export':
        return await exportModel(flags);
      case 'import':
        return await importModel(flags);
      case 'ablate':
        return await ablate(flags, CLI_KIT);
      case 'sweep':
        return await sweep(flags, CLI_KIT);
      case 'runs':
        return await runs(flags, CLI_KIT);
      case 'templates':
        return templates(flags);
      case 'sample':
        return await sample(flags);
      default:
        throw new UserError(
          `Unknown command "${command}". Commands: train, predict, eval, explain, export, import, ablate, sweep, runs, templates, sample.`,
        );
    }
  } catch (e) {
    return fail(e, Boolean(flags.verbose) || argv.includes('--verbose'));
  }
}

function fail(e: unknown, verbose: boolean): number {
  if (e instanceof CancelledError) {
    process.stderr.write('htlnet: cancelled\n');
    return 130;
  }
  const err = e as Error & { code?: string };
  let message = outOfMemoryMessage(e) ?? err?.message ?? String(e);
  if (
    err?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
    err?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
  ) {
    message = `${message.split('. ')[0]}. Run htlnet --help.`;
  }
  const oneLine = message.replace(/\s*\n\s*/g, ' ');
  process.stderr.write(`htlnet: ${e instanceof UserError ? '' : 'error: '}${oneLine}\n`);
  if (verbose && err?.stack) process.stderr.write(err.stack + '\n');
  return e instanceof UserError || err?.code?.startsWith?.('ERR_PARSE_ARGS') ? 1 : 2;
}

function required(flags: Flags, name: string): string {
  const v = flags[name];
  if (typeof v !== 'string' || v === '')
    throw new UserError(`Missing --${name}. Run htlnet --help.`);
  return v;
}

function intFlag(flags: Flags, name: string, min: number, max: number): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UserError(
      `--${name} must be a whole number from ${min} to ${max}, got "${String(v)}".`,
    );
  }
  return n;
}

function list(value: string | boolean | undefined): string[] | undefined {
  if (typeof value !== 'string') return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseTasks(spec: string): { name: string; type: TaskType }[] {
  const tasks = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part): { name: string; type: TaskType } => {
      const i = part.lastIndexOf(':');
      const name = i < 0 ? part : part.slice(0, i);
      const type = i < 0 ? '' : part.slice(i + 1);
      if (!name || (type !== 'binary' && type !== 'regression')) {
        throw new UserError(
          `--tasks: "${part}" must be NAME:binary or NAME:regression (e.g. click:binary,purchase:binary,amount:regression).`,
        );
      }
      return { name, type };
    });
  if (tasks.length === 0) throw new UserError('--tasks names no task.');
  const seen = new Set<string>();
  for (const t of tasks) {
    if (seen.has(t.name)) throw new UserError(`--tasks names "${t.name}" twice.`);
    seen.add(t.name);
  }
  return tasks;
}

function parseSplit(value: string | boolean | undefined): SplitSetting | undefined {
  if (typeof value !== 'string') return undefined;
  if (value === 'random') return { kind: 'random' };
  if (value.startsWith('time:') && value.length > 5)
    return { kind: 'time', column: value.slice(5) };
  throw new UserError(`--split must be "random" or "time:COLUMN", got "${value}".`);
}

const MODEL_KINDS = ['htlnet', 'dnn', 'shared-bottom', 'mmoe', 'ple', 'esmm', 'aitm'] as const;
type ModelKind = (typeof MODEL_KINDS)[number];

/** Sets a parameter of the (single) optimizer block. */
function setOptimizerParam(project: ProjectFile, name: string, value: number): void {
  const block = project.graph.blocks.find((b) => b.type === 'optimizer');
  if (block) block.params = { ...block.params, [name]: value };
}

class Progress {
  private last = 0;
  private readonly tty = Boolean(process.stderr.isTTY);
  constructor(private readonly quiet: boolean) {}

  line(text: string): void {
    if (this.quiet) return;
    if (this.tty) process.stderr.write('\r\x1b[2K');
    process.stderr.write(text + '\n');
  }

  bar(label: string, fraction: number, detail: string): void {
    if (this.quiet || !this.tty) return;
    const now = Date.now();
    if (now - this.last < 100 && fraction < 1) return;
    this.last = now;
    const width = 28;
    const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
    process.stderr.write(
      `\r\x1b[2K${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${detail}`,
    );
  }

  done(): void {
    if (!this.quiet && this.tty) process.stderr.write('\r\x1b[2K');
  }
}

const fmt = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

function metricsTable(metrics: Record<string, TaskMetrics>): string {
  const rows: string[][] = [['task', 'metric', 'value']];
  for (const [task, m] of Object.entries(metrics)) {
    for (const [k, v] of Object.entries(m)) rows.push([task, k, fmt(v as number)]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r, i) => {
      const line = r
        .map((cell, c) => (c === 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
        .join('  ');
      return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

/** JSON with NaN and Infinity as null. */
function json(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v,
  );
}

async function loadTable(file: string, progress: Progress) {
  const table = await readTable(file, {
    onProgress: (read, total) =>
      progress.bar('reading', total ? read / total : 0, `${(read / 1e6).toFixed(0)} MB`),
  });
  progress.done();
  progress.line(
    `read ${table.rows.toLocaleString('en-US')} rows x ${table.columns.length} columns from ${file}`,
  );
  for (const line of columnNotes(table)) progress.line(line);
  return table;
}

/** One line per column whose typing needs a word: stray cells read as missing, decimal commas. */
export function columnNotes(table: Table): string[] {
  const notes: string[] = [];
  for (const c of table.columns) {
    const bad = c.invalidCells;
    if (bad) {
      const comma = /^[+-]?\d*,\d+$/.test(bad.value.trim())
        ? ` (a decimal comma? write ${bad.value.trim().replace(',', '.')})`
        : '';
      notes.push(
        `column "${c.name}": ${bad.count.toLocaleString('en-US')} cell${bad.count === 1 ? ' is' : 's are'} not a number and count${bad.count === 1 ? 's' : ''} as missing (first: line ${bad.line}, "${bad.value}"${comma})`,
      );
    }
    if (c.decimalComma) notes.push(`column "${c.name}": numbers with a decimal comma were read`);
  }
  return notes;
}

/** The helpers the experiment commands (cli/experiments.ts) borrow. */
const CLI_KIT: CliKit = {
  required,
  intFlag,
  list,
  parseTasks,
  loadTable: (file, quiet) => loadTable(file, new Progress(quiet)),
  line: (quiet, text) => new Progress(quiet).line(text),
  json,
};

async function train(flags: Flags): Promise<number> {
  const quiet = Boolean(flags.json);
  const progress = new Progress(quiet);
  const dataFile = required(flags, 'data');
  if (flags.model && flags.project)
    throw new UserError('Give either --model or --project, not both.');
  const modelKind = (typeof flags.model === 'string' ? flags.model : 'htlnet') as ModelKind;
  if (!MODEL_KINDS.includes(modelKind)) {
    throw new UserError(`--model must be one of ${MODEL_KINDS.join(', ')}; got "${modelKind}".`);
  }
  const epochs = intFlag(flags, 'epochs', 1, 10_000);
  const batch = intFlag(flags, 'batch', 1, MAX_BATCH_SIZE);
  const seed = intFlag(flags, 'seed', 0, 2_147_483_647);
  const split = parseSplit(flags.split);
  let project: ProjectFile | null = null;
  if (typeof flags.project === 'string') {
    const text = await fs.readFile(flags.project, 'utf8').catch(() => {
      throw new UserError(`Cannot read the project file ${flags.project}.`, {
        file: String(flags.project),
      });
    });
    project = parseProject(text, flags.project);
  }
  if (!flags.tasks && !project)
    throw new UserError(
      'Missing --tasks (e.g. --tasks click:binary,purchase:binary,amount:regression).',
    );

  if (typeof flags.out === 'string') await checkTrainOutput(flags.out, dataFile, flags.project);

  const backend = await initBackend();
  progress.line(`backend: ${backend.description}`);
  const table = await loadTable(dataFile, progress);
  if (
    typeof flags.tasks === 'string' ||
    list(flags.features) ||
    list(flags.exclude) ||
    list(flags.categorical) ||
    list(flags.numeric)
  ) {
    const tasks =
      typeof flags.tasks === 'string'
        ? parseTasks(flags.tasks)
        : project!.data.tasks.map((t) => ({ name: t.name, type: t.type }));
    const binding = defaultBinding(table, tasks, {
      features: list(flags.features),
      exclude: list(flags.exclude),
      categorical: list(flags.categorical),
      numeric: list(flags.numeric),
    });
    binding.source = dataFile;
    project = project ? { ...project, data: binding } : buildTemplate(modelKind, binding);
  }
  project = structuredClone(project!);
  if (epochs !== undefined) setOptimizerParam(project, 'epochs', epochs);
  if (batch !== undefined) setOptimizerParam(project, 'batchSize', batch);
  if (seed !== undefined) setOptimizerParam(project, 'seed', seed);
  if (split) project.training = { ...project.training, split };

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let start: Extract<TrainEvent, { type: 'start' }> | null = null;
  try {
    const run = await trainProject({
      project,
      table,
      signal: controller.signal,
      batchEventEvery: 1,
      onEvent: (e) => {
        if (e.type === 'start') {
          start = e;
          progress.line(
            `training ${e.tasks.map((t) => t.name).join(' -> ')} on ${e.rows.train.toLocaleString('en-US')} rows ` +
              `(validation ${e.rows.validation.toLocaleString('en-US')}, test ${e.rows.test.toLocaleString('en-US')}), ` +
              `batch ${e.batchSize}, up to ${e.epochs} epochs`,
          );
        } else if (e.type === 'batch') {
          const losses = Object.entries(e.loss)
            .map(([k, v]) => `${k} ${fmt(v, 3)}`)
            .join(' ');
          progress.bar(
            `epoch ${e.epoch}/${start?.epochs ?? '?'}`,
            e.batch / e.batches,
            `${e.batch}/${e.batches}  ${losses}  ${Math.round(e.samplesPerSecond).toLocaleString('en-US')} samples/s`,
          );
        } else if (e.type === 'epoch') {
          progress.done();
          const metrics = Object.entries(e.validation)
            .map(([k, m]) => ('auc' in m ? `${k} AUC ${fmt(m.auc)}` : `${k} NRMSE ${fmt(m.nrmse)}`))
            .join(', ');
          progress.line(
            `epoch ${e.epoch}: validation ${metrics}${e.bestEpoch === e.epoch ? ' (best)' : ''}  ` +
              `${Math.round(e.samplesPerSecond).toLocaleString('en-US')} samples/s, ${e.seconds.toFixed(1)} s`,
          );
        }
      },
    });
    progress.line(run.outcome.message);
    if (run.outcome.reason === 'diverged' && run.outcome.bestEpoch === 0)
      throw new UserError(run.outcome.message);
    if (typeof flags.out === 'string') {
      await saveRun(flags.out, run);
      progress.line(`saved the model to ${path.resolve(flags.out)}`);
    }
    const result = {
      tasks: run.test.metrics,
      rows: splitSizes(run.split),
      epochs: run.outcome.epochs,
      bestEpoch: run.outcome.bestEpoch,
      trainSamplesPerSecond: Math.round(run.outcome.trainSamplesPerSecond),
      backend: run.backend.name,
      stopReason: run.outcome.reason,
      model: typeof flags.project === 'string' ? 'project' : modelKind,
      ...(typeof flags.out === 'string' ? { out: path.resolve(flags.out) } : {}),
    };
    if (flags.json) process.stdout.write(json(result) + '\n');
    else
      process.stdout.write(
        `\ntest split (${result.rows.test.toLocaleString('en-US')} rows):\n${metricsTable(run.test.metrics)}\n`,
      );
    run.model.dispose();
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** A --out model folder is checked before training: never an input, a file, or a foreign folder. */
async function checkTrainOutput(
  out: string,
  dataFile: string,
  projectFile: string | boolean | undefined,
): Promise<void> {
  const real = await realPathOf(out);
  for (const input of [dataFile, typeof projectFile === 'string' ? projectFile : null]) {
    if (input && (await realPathOf(input)) === real) {
      throw new UserError(`--out ${out} is also an input (${input}); choose another folder.`, {
        file: out,
      });
    }
  }
  const parent = path.dirname(real);
  if (await isModelFolder(parent)) {
    throw new UserError(
      `--out ${out} is inside the model folder ${parent}; choose a folder outside it.`,
      { file: out },
    );
  }
  await checkModelOutput(out);
  await sweepFolder(parent);
}

/** Removes temp files of writers that died (a killed train or predict) in `dir`. */
async function sweepFolder(dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const full = path.join(dir, name);
    const isDir = await fs.stat(full).then(
      (st) => st.isDirectory(),
      () => false,
    );
    const legacy = isDir && isLegacyLeftover(name) && (await holdsOnlyModelFiles(full));
    if (!isOrphan(name) && !legacy) continue;
    // An interrupted model swap (its folder missing) is finished or rolled back by the next
    // save or load of that folder, not removed here.
    const m = /^\.?(.*?)(?:\.tmp-|\.old-)/.exec(name);
    const base = m ? m[1] : '';
    if (
      isDir &&
      base &&
      !(await fs.stat(path.join(dir, base)).then(
        () => true,
        () => false,
      ))
    )
      continue;
    await fs.rm(full, { recursive: true, force: true });
  }
}

async function holdsOnlyModelFiles(dir: string): Promise<boolean> {
  const entries = await fs.readdir(dir).catch(() => null);
  return (
    entries !== null &&
    entries.every((e) => ['model.json', 'weights.bin', 'manifest.json'].includes(e))
  );
}

async function predict(flags: Flags): Promise<number> {
  const progress = new Progress(Boolean(flags.json));
  const modelDir = required(flags, 'model');
  const dataFile = required(flags, 'data');
  const outFile = required(flags, 'out');
  const keep = typeof flags.keep === 'string' ? parseKeep(flags.keep) : 'all';
  await initBackend();
  const { model, manifest } = await loadModel(modelDir);
  await checkOutputFile(outFile, {
    inputs: [dataFile, modelDir],
    replace: Boolean(flags.force),
    ours: (file) => isPredictionsFile(file, manifest),
    allowWith: 'Use --force to replace it.',
  });
  await sweepFolder(path.dirname(path.resolve(outFile)));
  const result = await predictCsv(model, manifest, dataFile, outFile, {
    keep,
    onTable: (table) => {
      progress.done();
      for (const line of columnNotes(table)) progress.line(line);
    },
    onProgress: (read, total) =>
      progress.bar('reading', total ? read / total : 0, `${(read / 1e6).toFixed(0)} MB`),
  });
  progress.done();
  progress.line(
    `wrote ${result.rows.toLocaleString('en-US')} predictions (${result.columns.join(', ')}) to ${outFile}` +
      ` (${Math.round(result.rowsPerSecond).toLocaleString('en-US')} rows/s)`,
  );
  if (flags.json)
    process.stdout.write(
      json({
        rows: result.rows,
        columns: result.columns,
        keptColumns: result.keptColumns,
        out: path.resolve(outFile),
      }) + '\n',
    );
  model.dispose();
  return 0;
}

async function evaluate(flags: Flags): Promise<number> {
  const modelDir = required(flags, 'model');
  const dataFile = required(flags, 'data');
  await initBackend();
  const { model, manifest } = await loadModel(modelDir);
  const result = await evaluateCsv(model, manifest, dataFile);
  if (flags.json) process.stdout.write(json({ tasks: result.metrics, rows: result.rows }) + '\n');
  else
    process.stdout.write(
      `${result.rows.toLocaleString('en-US')} rows:\n${metricsTable(result.metrics)}\n`,
    );
  model.dispose();
  return 0;
}

function templates(flags: Flags): number {
  if (flags.json) {
    process.stdout.write(json(TEMPLATE_KINDS) + '\n');
    return 0;
  }
  const width = Math.max(...TEMPLATE_KINDS.map((t) => t.kind.length));
  for (const t of TEMPLATE_KINDS)
    process.stdout.write(`${t.kind.padEnd(width)}  ${t.title}: ${t.description}\n`);
  return 0;
}

async function sample(flags: Flags): Promise<number> {
  const out = required(flags, 'out');
  const rows = intFlag(flags, 'rows', 1, 100_000_000) ?? 100_000;
  const seed = intFlag(flags, 'seed', 0, 2_147_483_647) ?? 42;
  const progress = new Progress(Boolean(flags.json));
  const sampleData = generateSample({ rows, seed });
  await sampleData.writeCsv(out);
  progress.line(`wrote ${rows.toLocaleString('en-US')} sample rows (seed ${seed}) to ${out}`);
  if (flags.json)
    process.stdout.write(
      json({ rows, seed, out: path.resolve(out), columns: sampleData.header }) + '\n',
    );
  return 0;
}

// ---- export -------------------------------------------------------------------------------------

/** One export format: what it reads (a saved --model folder, or a --project file) and how. */
interface ExportFormat {
  source: 'model' | 'project';
  run: (input: string, out: string) => Promise<{ out: string } & Record<string, unknown>>;
  describe: (result: Record<string, unknown>) => string;
}

const EXPORT_FORMATS: Record<string, ExportFormat> = {
  onnx: {
    source: 'model',
    run: async (modelDir, out) => ({ ...(await exportOnnx(modelDir, out)) }),
    describe: (r) =>
      `wrote the ONNX model (opset ${String(r.opset)}, ${String(r.nodes)} nodes) to ${String(r.out)}\n` +
      `wrote how to encode its inputs to ${String(r.preprocessing)}`,
  },
  torch: {
    source: 'project',
    run: async (project, out) => ({ ...(await exportTorchJob({ project, out })) }),
    describe: (r) =>
      `wrote the PyTorch training package to ${String(r.out)} (${(r.files as string[]).length} files)\n` +
      `run it with: python3 train.py --data FILES  (or: torchrun --nproc_per_node N train.py --data FILES)`,
  },
};

async function importModel(flags: Flags): Promise<number> {
  const dir = required(flags, 'torch');
  const out = required(flags, 'out');
  await initBackend();
  const result = await importTorchModel({ dir, out });
  if (flags.json) process.stdout.write(json({ format: 'torch', ...result }) + '\n');
  else {
    process.stdout.write(
      `imported the PyTorch model from ${dir} as an app model in ${result.out}\n`,
    );
  }
  return 0;
}

async function exportModel(flags: Flags): Promise<number> {
  const formats = Object.keys(EXPORT_FORMATS);
  const name = flags.format;
  if (typeof name !== 'string' || name === '')
    throw new UserError(`Missing --format (one of ${formats.join(', ')}). Run htlnet --help.`);
  const format = Object.hasOwn(EXPORT_FORMATS, name) ? EXPORT_FORMATS[name] : undefined;
  if (!format) throw new UserError(`--format must be one of ${formats.join(', ')}; got "${name}".`);
  const other = format.source === 'model' ? 'project' : 'model';
  if (typeof flags[other] === 'string')
    throw new UserError(`--format ${name} exports from --${format.source}, not --${other}.`);
  const input = required(flags, format.source);
  const out = required(flags, 'out');
  if (name === 'onnx') {
    // Never over the model, inside it, or over a file that is not an earlier ONNX export.
    await checkOutputFile(out, {
      inputs: [input],
      replace: Boolean(flags.force),
      ours: (file) =>
        fs.stat(preprocessingPathFor(file)).then(
          (s) => s.isFile(),
          () => false,
        ),
      allowWith: 'Use --force to replace it.',
    });
  }
  const result = await format.run(input, out);
  if (flags.json) process.stdout.write(json({ format: name, ...result }) + '\n');
  else process.stdout.write(format.describe(result) + '\n');
  return 0;
}

// ---- explain ------------------------------------------------------------------------------------

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

async function explain(flags: Flags): Promise<number> {
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
