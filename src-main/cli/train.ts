// `htlnet train`: a model from a CSV, built from a template (--model) or a project file
// (--project), trained with progress on stderr, its test metrics printed (or the --json line),
// and saved to --out. The --out folder is checked before the data is read: never an input,
// never inside a model folder, never a folder that is not a model. Flags override the optimizer
// block's epochs, batch size, seed, learning-rate schedule and weight decay.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ParamValue, ProjectFile, SplitSetting } from '../shared/project';
import { blockSpec, MAX_BATCH_SIZE } from '../shared/catalog';
import { checkParamValue } from '../shared/validity/params';
import { initBackend } from '../engine/backend';
import { defaultBinding } from '../engine/data/binding';
import { splitSizes } from '../engine/data/split';
import { UserError } from '../engine/errors';
import { isModelFolder, realPathOf } from '../engine/export/outputs';
import { checkModelOutput } from '../engine/export/saved-model';
import { parseProject } from '../engine/graph/project-file';
import { buildTemplate } from '../engine/graph/templates';
import { saveRun, trainProject } from '../engine/pipeline';
import type { TrainEvent } from '../engine/train/trainer';
import {
  fmt,
  intFlag,
  json,
  list,
  loadTable,
  metricsTable,
  parseTasks,
  Progress,
  required,
  sweepFolder,
  type Flags,
} from './kit';

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
function setOptimizerParam(project: ProjectFile, name: string, value: ParamValue): void {
  const block = project.graph.blocks.find((b) => b.type === 'optimizer');
  if (block) block.params = { ...block.params, [name]: value };
}

/**
 * The learning-rate schedule and weight-decay flags of `htlnet train`: flag -> the optimizer
 * block's parameter, whose catalog entry gives the allowed values and the default.
 */
const SCHEDULE_FLAGS = {
  schedule: 'schedule',
  warmup: 'warmupEpochs',
  'decay-factor': 'decayFactor',
  'decay-every': 'decayEvery',
  'cosine-floor': 'cosineFloor',
  'weight-decay': 'weightDecay',
  'embedding-weight-decay': 'embeddingWeightDecay',
} as const;

/** The schedule / weight-decay flags given, as optimizer parameters checked against the catalog. */
function scheduleFlags(flags: Flags): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [flag, name] of Object.entries(SCHEDULE_FLAGS)) {
    const text = flags[flag];
    if (text === undefined) continue;
    const spec = blockSpec('optimizer').params.find((p) => p.name === name)!;
    const given = String(text).trim();
    const number = given === '' ? NaN : Number(given);
    const value = spec.kind === 'number' && Number.isFinite(number) ? number : given;
    const issue = checkParamValue(spec, value);
    if (issue) throw new UserError(`--${flag} (${spec.title}) ${issue.message}.`);
    out[name] = value;
  }
  return out;
}

export async function train(flags: Flags): Promise<number> {
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
  const schedule = scheduleFlags(flags);
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
  for (const [name, value] of Object.entries(schedule)) setOptimizerParam(project, name, value);
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
