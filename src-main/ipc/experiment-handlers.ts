// The API's experiment and run-store channels (issue 17): queue, list, read and cancel
// experiments, and prune runs. Like every handler they take their arguments as unknown and
// check them first (the request's shape here, the project by the project-file reader, then
// every variant against its data as train:start does), so a bad request is refused in one
// line naming the field, the parameter path or the variant, before any run is queued.

import path from 'node:path';
import {
  ablationVariants,
  FULL,
  gridVariants,
  listVariants,
  seedList,
  sweepReference,
  type Variant,
} from '../engine/experiments';
import { validateGraph } from '../engine/graph/validate';
import { MAX_SEEDS } from '../shared/experiments/paths';
import { checkTrainingFits } from '../engine/resources';
import { checkBinding } from '../host/data';
import type { ExperimentQueue, QueuedVariant } from '../host/experiments';
import type { JobManager } from '../host/jobs';
import type {
  DataPreview,
  ExperimentKind,
  ExperimentRequestArgs,
  ExperimentValue,
  HandlerTable,
  PruneOptions,
  RunFilter,
} from './api';
import {
  ArgumentError,
  checkInteger,
  checkObject,
  checkProjectFile,
  checkString,
  expectArgs,
} from './args';

type ExperimentChannels =
  | 'runs:list'
  | 'runs:prune'
  | 'experiments:start'
  | 'experiments:list'
  | 'experiments:get'
  | 'experiments:cancel';

export interface ExperimentHandlerEnv {
  jobs: JobManager;
  queue: ExperimentQueue;
  /** The start-up clean-up; waited for before the run store is read. */
  ready: Promise<unknown>;
  /** A data path checked against the path policy. */
  resolveData(value: unknown, channel: string): Promise<string>;
  /** The preview of a CSV (imported in this session, or read now). */
  previewOf(file: string): Promise<DataPreview>;
}

const KINDS: readonly ExperimentKind[] = ['ablation', 'sweep', 'seeds'];
/** The most runs per experiment a request may ask for (seeds: shared MAX_SEEDS). */
const MAX_RUNS = 2000;

function checkValue(value: unknown, channel: string, name: string): ExperimentValue {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  throw new ArgumentError(`${channel}: ${name} must be text, a number or true/false.`);
}

function checkList(value: unknown, channel: string, name: string, max: number): unknown[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > max)
    throw new ArgumentError(`${channel}: ${name} must be a list of 1 to ${max} items.`);
  return value;
}

function checkParams(
  value: unknown,
  channel: string,
  name: string,
): Record<string, ExperimentValue> {
  const params = checkObject(value, channel, name);
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, checkValue(v, channel, `${name}["${k}"]`)]),
  );
}

/** Checks a request's shape (not its data path, not its variants against the data). */
function checkExperimentRequest(
  value: unknown,
  channel: string,
): Omit<ExperimentRequestArgs, 'dataPath'> & { dataPath: unknown } {
  const request = checkObject(value, channel, 'request');
  if (!KINDS.includes(request.kind as ExperimentKind))
    throw new ArgumentError(`${channel}: kind must be one of ${KINDS.join(', ')}.`);
  const out: ReturnType<typeof checkExperimentRequest> = {
    kind: request.kind as ExperimentKind,
    project: checkProjectFile(request.project, channel),
    dataPath: request.dataPath,
  };
  if (request.name !== undefined)
    out.name = checkString(request.name, channel, 'name', { maxLength: 200 });
  if (request.seeds !== undefined)
    out.seeds = checkInteger(request.seeds, channel, 'seeds', 1, MAX_SEEDS);
  if (request.firstSeed !== undefined)
    out.firstSeed = checkInteger(request.firstSeed, channel, 'firstSeed', 0, 2_147_483_547);
  if (request.grid !== undefined) {
    out.grid = checkList(request.grid, channel, 'grid', 20).map((a, i) => {
      const axis = checkObject(a, channel, `grid[${i}]`);
      return {
        path: checkString(axis.path, channel, `grid[${i}].path`, { maxLength: 500 }),
        values: checkList(axis.values, channel, `grid[${i}].values`, 256).map((v, j) =>
          checkValue(v, channel, `grid[${i}].values[${j}]`),
        ),
      };
    });
  }
  if (request.list !== undefined) {
    out.list = checkList(request.list, channel, 'list', 256).map((e, i) => {
      const entry = checkObject(e, channel, `list[${i}]`);
      return {
        ...(entry.name !== undefined
          ? { name: checkString(entry.name, channel, `list[${i}].name`, { maxLength: 200 }) }
          : {}),
        params: checkParams(entry.params, channel, `list[${i}].params`),
      };
    });
  }
  if (out.kind === 'sweep' && (out.grid === undefined) === (out.list === undefined))
    throw new ArgumentError(`${channel}: a sweep needs either a grid or a list of variants.`);
  if (out.kind !== 'sweep' && (out.grid !== undefined || out.list !== undefined))
    throw new ArgumentError(`${channel}: only a sweep takes a grid or a list.`);
  return out;
}

function checkPruneOptions(value: unknown, channel: string): PruneOptions {
  const o = checkObject(value, channel, 'options');
  const out: PruneOptions = {};
  if (o.olderThanDays !== undefined)
    out.olderThanDays = checkInteger(o.olderThanDays, channel, 'olderThanDays', 0, 100_000);
  if (o.keepNewest !== undefined)
    out.keepNewest = checkInteger(o.keepNewest, channel, 'keepNewest', 0, 1_000_000);
  if (o.group !== undefined) out.group = checkString(o.group, channel, 'group', { maxLength: 200 });
  if (Object.keys(out).length === 0)
    throw new ArgumentError(`${channel}: give olderThanDays, keepNewest or group.`);
  if (o.dryRun !== undefined) {
    if (typeof o.dryRun !== 'boolean')
      throw new ArgumentError(`${channel}: options.dryRun must be true or false.`);
    out.dryRun = o.dryRun;
  }
  return out;
}

export function experimentHandlers(
  env: ExperimentHandlerEnv,
): Pick<HandlerTable, ExperimentChannels> {
  const { jobs, queue } = env;
  return {
    'runs:list': async (...args: unknown[]) => {
      expectArgs('runs:list', args, args.length === 1 ? ['filter'] : []);
      const filter: RunFilter = {};
      if (args.length === 1 && args[0] !== undefined) {
        const f = checkObject(args[0], 'runs:list', 'filter');
        if (f.group !== undefined)
          filter.group = checkString(f.group, 'runs:list', 'filter.group', { maxLength: 200 });
      }
      await env.ready;
      return jobs.runs.list(jobs.activeRuns(), filter);
    },
    'runs:prune': async (...args: unknown[]) => {
      expectArgs('runs:prune', args, ['options']);
      const options = checkPruneOptions(args[0], 'runs:prune');
      await env.ready;
      return jobs.runs.prune(options, jobs.activeRuns());
    },
    'experiments:start': async (...args: unknown[]) => {
      const channel = 'experiments:start';
      expectArgs(channel, args, ['request']);
      const request = checkExperimentRequest(args[0], channel);
      const dataPath = await env.resolveData(request.dataPath, channel);
      const seeds = seedList(request.seeds ?? 3, request.firstSeed ?? 1);
      let variants: (Variant & { component?: string | null })[];
      let reference: string;
      if (request.kind === 'ablation') {
        variants = ablationVariants(request.project);
        reference = FULL;
      } else if (request.kind === 'sweep') {
        variants = request.grid
          ? gridVariants(request.project, request.grid)
          : listVariants(request.project, request.list!);
        reference = sweepReference(request.project, variants);
      } else {
        variants = [{ name: 'project', params: {}, project: request.project }];
        reference = 'project';
      }
      if (variants.length * seeds.length > MAX_RUNS)
        throw new ArgumentError(
          `${channel}: ${variants.length} variants x ${seeds.length} seeds is more than ${MAX_RUNS} runs.`,
        );
      await env.ready;
      const preview = await env.previewOf(dataPath);
      for (const v of variants) {
        const errors = [...validateGraph(v.project), ...checkBinding(v.project, preview)].filter(
          (p) => p.severity === 'error',
        );
        if (errors.length > 0)
          throw new ArgumentError(
            `Variant "${v.name}" cannot be trained on ${path.basename(dataPath)}: ${errors.map((p) => p.message).join(' ')}`,
          );
        checkTrainingFits(v.project, preview);
      }
      const queued: QueuedVariant[] = variants.map((v) => ({
        name: v.name,
        params: v.params,
        ...(v.component !== undefined ? { component: v.component } : {}),
        project: v.project,
      }));
      return queue.start({
        name: request.name ?? `${request.project.name} ${request.kind}`,
        kind: request.kind,
        reference,
        dataPath,
        seeds,
        variants: queued,
      });
    },
    'experiments:list': async (...args: unknown[]) => {
      expectArgs('experiments:list', args, []);
      return queue.list();
    },
    'experiments:get': async (...args: unknown[]) => {
      expectArgs('experiments:get', args, ['experimentId']);
      return queue.get(checkString(args[0], 'experiments:get', 'experimentId', { maxLength: 100 }));
    },
    'experiments:cancel': async (...args: unknown[]) => {
      expectArgs('experiments:cancel', args, ['experimentId']);
      await queue.cancel(
        checkString(args[0], 'experiments:cancel', 'experimentId', { maxLength: 100 }),
      );
      return null;
    },
  };
}
