// The handler table of the API contract (api.ts): plain async functions, independent of Electron,
// so Electron IPC (main.ts) and a future browser-mode HTTP server serve the same table. Each
// handler takes its arguments as unknown and checks them before use: they come from another
// process.

import { sampleBinding } from '../engine/data/sample-layout';
import { layoutGraph } from '../engine/graph/layout';
import { inferShapes } from '../engine/graph/shapes';
import { buildTemplate, TEMPLATE_KINDS, type TemplateKind } from '../engine/graph/templates';
import { validateGraph } from '../engine/graph/validate';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../engine/backend';
import { generateSample } from '../engine/data/sample';
import { exportOnnx, preprocessingPathFor } from '../engine/export/onnx';
import { checkOutputFile, OutputExistsError, tempPathFor } from '../engine/export/outputs';
import { isPredictionsFile, parseKeep, type KeepColumns } from '../engine/export/predict';
import type { ModelManifest } from '../engine/export/saved-model';
import { UserError } from '../engine/errors';
import { checkTrainingFits } from '../engine/resources';
import { checkBinding, importCsv, rebindProject } from '../host/data';
import { listFiles, PathPolicy } from '../host/files';
import { JobManager, type Runner } from '../host/jobs';
import { ExperimentQueue } from '../host/experiments';
import { RunStore } from '../host/runs';
import { sweepAtStartup, workspaceStateDir } from '../host/state';
import {
  openProjectFile,
  parseProjectText,
  projectTarget,
  ProjectStore,
  saveProjectFile,
} from '../host/projects';
import {
  CHANNELS,
  type ApiResult,
  type Channel,
  type FileKind,
  type HandlerTable,
  type HostEvent,
} from './api';
import {
  ArgumentError,
  checkFileKind,
  checkProjectFile,
  checkInteger,
  checkObject,
  checkRecoverySnapshot,
  checkString,
  expectArgs,
  checkExplainRequest,
} from './args';
import { readJsonOrNull } from '../host/fs-atomic';
import type { Explanation } from '../shared/explain';
import { catalogForWire } from './catalog-wire';
import { experimentHandlers } from './experiment-handlers';

/** Native file dialogs (the Electron shell provides them; browser mode has none). */
interface Dialogs {
  openFile(kind: FileKind): Promise<string | null>;
  saveFile(kind: FileKind, suggestedName: string): Promise<string | null>;
}

export interface HandlerEnv {
  /** The application version (package.json). */
  version: string;
  /** Resolves to the name of the compute backend once started, or null when none could be. */
  backend: () => Promise<string | null>;
  /** Defaults to process.platform. */
  platform?: string;
  mode: 'electron' | 'browser';
  /** The default folder for projects, data and models. */
  workspace: string;
  /** The app's own state (recent projects, the recovery snapshot). */
  dataDir: string;
  /** Folders paths must stay inside; null: anywhere (the desktop app acts for its user). */
  roots: readonly string[] | null;
  dialogs?: Dialogs;
  /** Sends a host event to the page(s). */
  emit?: (event: HostEvent) => void;
  /** Where training and scoring run (a worker thread in the app; in-process in tests). */
  runner?: Runner;
}

export function createHandlers(env: HandlerEnv): HandlerTable {
  const policy = new PathPolicy(env.roots, env.workspace);
  // Runs and the recovery snapshot belong to the workspace: another workspace's never show.
  const stateDir = workspaceStateDir(env.dataDir, env.workspace);
  const store = new ProjectStore(env.dataDir, stateDir);
  const runStore = new RunStore(path.join(stateDir, 'runs'));
  const jobs = new JobManager(
    (event) => env.emit?.(event),
    env.runner ??
      (() => {
        throw new Error('This host cannot run jobs (no runner configured).');
      }),
    runStore,
  );
  // Leftovers of a session that was killed (temp files, interrupted model swaps, legacy runs of
  // this workspace) are dealt with once, before any job starts.
  const ready = sweepAtStartup({
    dataDir: env.dataDir,
    stateDir,
    workspace: env.workspace,
    runs: runStore,
  }).catch((error: unknown) => {
    console.error('Start-up clean-up failed:', error);
  });
  const resolveData = async (value: unknown, channel: string, name = 'data path') =>
    policy.confine(checkString(value, channel, name), name);
  const previewOf = async (file: string) => jobs.preview(file) ?? (await importCsv(file));
  // Experiments: queued in the workspace's state folder, resumed once the clean-up is done.
  const queue = new ExperimentQueue(
    path.join(stateDir, 'experiments'),
    jobs,
    (event) => env.emit?.(event),
    {},
    ready,
  );
  const dialogs = (channel: string): Dialogs => {
    if (!env.dialogs) {
      throw new ArgumentError(`${channel}: there are no native file dialogs in browser mode.`);
    }
    return env.dialogs;
  };
  return {
    ...experimentHandlers({ jobs, queue, ready, resolveData, previewOf }),
    'app:info': async (...args: unknown[]) => {
      expectArgs('app:info', args, []);
      return {
        version: env.version,
        backend: await env.backend(),
        platform: env.platform ?? process.platform,
        mode: env.mode,
        workspace: env.workspace,
      };
    },
    'catalog:get': async (...args: unknown[]) => {
      expectArgs('catalog:get', args, []);
      return catalogForWire();
    },
    'templates:list': async (...args: unknown[]) => {
      expectArgs('templates:list', args, []);
      return TEMPLATE_KINDS.map(({ kind, title, description }) => ({ kind, title, description }));
    },
    'project:validate': async (...args: unknown[]) => {
      expectArgs('project:validate', args, ['project']);
      const project = checkProjectFile(args[0], 'project:validate');
      return { problems: validateGraph(project), shapes: inferShapes(project) };
    },
    'templates:create': async (...args: unknown[]) => {
      expectArgs('templates:create', args, args.length === 2 ? ['kind', 'binding'] : ['kind']);
      const kind = checkString(args[0], 'templates:create', 'kind');
      if (!TEMPLATE_KINDS.some((t) => t.kind === kind)) {
        const kinds = TEMPLATE_KINDS.map((t) => t.kind).join(', ');
        throw new ArgumentError(`templates:create: unknown template "${kind}" (${kinds}).`);
      }
      const sample = buildTemplate(kind as TemplateKind, sampleBinding());
      if (args.length === 1 || args[1] === undefined) return sample;
      // The project's own data: the template's heads are named after its tasks.
      const binding = checkProjectFile(
        { ...sample, data: args[1] },
        'templates:create (binding)',
      ).data;
      if (binding.tasks.length === 0)
        throw new ArgumentError('templates:create: the binding has no task to build heads for.');
      return buildTemplate(kind as TemplateKind, binding);
    },
    'project:new': async (...args: unknown[]) => {
      expectArgs('project:new', args, []);
      const bound = buildTemplate('htlnet', sampleBinding());
      return { ...bound, name: 'Untitled', graph: { blocks: [], edges: [] } };
    },
    'graph:layout': async (...args: unknown[]) => {
      expectArgs('graph:layout', args, ['project']);
      return layoutGraph(checkProjectFile(args[0], 'graph:layout'));
    },
    'project:open': async (...args: unknown[]) => {
      expectArgs('project:open', args, ['path']);
      const file = await policy.confine(
        checkString(args[0], 'project:open', 'path'),
        'project path',
      );
      const opened = await openProjectFile(file);
      await store.touch(file, opened.name);
      return opened;
    },
    'project:parse': async (...args: unknown[]) => {
      expectArgs('project:parse', args, ['text', 'name']);
      const text = checkString(args[0], 'project:parse', 'text', { allowEmpty: true });
      const name = checkString(args[1], 'project:parse', 'name');
      return parseProjectText(text, name);
    },
    'project:save': async (...args: unknown[]) => {
      expectArgs('project:save', args, ['path', 'project']);
      const given = checkFileName(checkString(args[0], 'project:save', 'path'), 'project:save');
      // The final name (with its extension) is what is checked and written.
      const file = await policy.confine(projectTarget(given), 'project path', { write: true });
      const project = checkProjectFile(args[1], 'project:save');
      const saved = await saveProjectFile(file, project);
      await store.touch(saved.path, saved.name);
      return saved;
    },
    'project:recent': async (...args: unknown[]) => {
      expectArgs('project:recent', args, []);
      const recent = await store.recent();
      // In browser mode, only what the page may open.
      return env.roots ? recent.filter((r) => policy.isAllowed(r.path)) : recent;
    },
    'recovery:write': async (...args: unknown[]) => {
      expectArgs('recovery:write', args, ['snapshot']);
      await store.writeRecovery(checkRecoverySnapshot(args[0], 'recovery:write'));
      return null;
    },
    'recovery:read': async (...args: unknown[]) => {
      expectArgs('recovery:read', args, []);
      await ready;
      return store.readRecovery();
    },
    'recovery:clear': async (...args: unknown[]) => {
      expectArgs('recovery:clear', args, []);
      await store.clearRecovery();
      return null;
    },
    'dialog:openFile': async (...args: unknown[]) => {
      expectArgs('dialog:openFile', args, ['kind']);
      return dialogs('dialog:openFile').openFile(checkFileKind(args[0], 'dialog:openFile'));
    },
    'dialog:saveFile': async (...args: unknown[]) => {
      expectArgs('dialog:saveFile', args, ['kind', 'suggestedName']);
      const kind = checkFileKind(args[0], 'dialog:saveFile');
      const name = checkString(args[1], 'dialog:saveFile', 'suggestedName', { allowEmpty: true });
      return dialogs('dialog:saveFile').saveFile(kind, name);
    },
    'files:list': async (...args: unknown[]) => {
      expectArgs('files:list', args, ['dir', 'kind']);
      const dir = args[0] === null ? null : checkString(args[0], 'files:list', 'dir');
      return listFiles(policy, dir, checkFileKind(args[1], 'files:list'));
    },
    'data:import': async (...args: unknown[]) => {
      expectArgs('data:import', args, ['path']);
      return { jobId: jobs.startImport(await resolveData(args[0], 'data:import')) };
    },
    'data:preview': async (...args: unknown[]) => {
      expectArgs('data:preview', args, ['path']);
      return jobs.preview(await resolveData(args[0], 'data:preview'));
    },
    'data:check': async (...args: unknown[]) => {
      expectArgs('data:check', args, ['project', 'path']);
      const project = checkProjectFile(args[0], 'data:check');
      const preview = await previewOf(await resolveData(args[1], 'data:check'));
      return [...validateGraph(project), ...checkBinding(project, preview)];
    },
    'project:rebind': async (...args: unknown[]) => {
      expectArgs('project:rebind', args, ['project', 'binding']);
      const project = checkProjectFile(args[0], 'project:rebind');
      const withBinding = checkProjectFile(
        { ...(args[0] as object), data: args[1] },
        'project:rebind (binding)',
      );
      return rebindProject(project, withBinding.data);
    },
    'data:sample': async (...args: unknown[]) => {
      expectArgs('data:sample', args, ['rows']);
      const rows = checkInteger(args[0], 'data:sample', 'rows', 1000, 5_000_000);
      // Through confine: a "samples" link leading out of the workspace is refused.
      const file = await policy.confine(
        path.join(env.workspace, 'samples', `funnel-sample-${rows}.csv`),
        'sample path',
        { write: true },
      );
      const exists = await fs.stat(file).then(
        (s) => s.isFile() && s.size > 0,
        () => false,
      );
      if (!exists) {
        await ready;
        await fs.mkdir(path.dirname(file), { recursive: true });
        const partial = tempPathFor(file);
        try {
          await generateSample({ rows, seed: 42 }).writeCsv(partial);
          await fs.rename(partial, file);
        } catch (error) {
          await fs.rm(partial, { force: true });
          throw error;
        }
      }
      return file;
    },
    'train:start': async (...args: unknown[]) => {
      expectArgs('train:start', args, ['request']);
      const request = checkObject(args[0], 'train:start', 'request');
      const project = checkProjectFile(request.project, 'train:start');
      const dataPath = await resolveData(request.dataPath, 'train:start');
      await ready;
      const label =
        request.label === undefined
          ? undefined
          : checkString(request.label, 'train:start', 'label');
      const preview = await previewOf(dataPath);
      const problems = [...validateGraph(project), ...checkBinding(project, preview)];
      const errors = problems.filter((p) => p.severity === 'error');
      if (errors.length > 0) {
        throw new ArgumentError(
          `The project cannot be trained on ${path.basename(dataPath)}: ${errors
            .map((p) => p.message)
            .join(' ')}`,
        );
      }
      checkTrainingFits(project, preview); // a model that will not fit is refused now
      return jobs.startTrain({ project, dataPath, label });
    },
    'job:cancel': async (...args: unknown[]) => {
      expectArgs('job:cancel', args, ['jobId']);
      jobs.cancel(checkString(args[0], 'job:cancel', 'jobId'));
      return null;
    },
    'runs:get': async (...args: unknown[]) => {
      expectArgs('runs:get', args, ['runId']);
      await ready;
      return jobs.runs.get(checkString(args[0], 'runs:get', 'runId'));
    },
    'runs:delete': async (...args: unknown[]) => {
      expectArgs('runs:delete', args, ['runId']);
      const id = checkString(args[0], 'runs:delete', 'runId');
      if (jobs.activeRuns().has(id)) {
        throw new ArgumentError('This run is still training: stop it before deleting it.');
      }
      await jobs.runs.delete(id);
      return null;
    },
    'model:export': async (...args: unknown[]) => {
      expectArgs('model:export', args, ['runId', 'dest']);
      const id = checkString(args[0], 'model:export', 'runId');
      const dest = await policy.confine(
        checkString(args[1], 'model:export', 'dest'),
        'destination',
        {
          write: true,
        },
      );
      const run = await jobs.runs.get(id);
      if (!run.hasModel) throw new ArgumentError(`Run "${run.label}" has no trained model.`);
      const existing = await fs.stat(dest).catch(() => null);
      if (existing && !existing.isDirectory()) {
        throw new ArgumentError(`${dest} is a file; choose a new folder for the model.`);
      }
      const taken = existing !== null && (await fs.readdir(dest)).length > 0;
      if (taken) {
        throw new ArgumentError(`${dest} already exists and is not empty; choose a new folder.`);
      }
      // Copied to a temp folder of its own, then renamed: a kill never leaves half a model.
      const tmp = tempPathFor(dest);
      try {
        await fs.cp(jobs.runs.modelDir(id), tmp, { recursive: true });
        if (existing) await fs.rmdir(dest); // an empty folder (checked above)
        await fs.rename(tmp, dest);
      } catch (error) {
        await fs.rm(tmp, { recursive: true, force: true });
        throw error;
      }
      return dest;
    },
    'model:exportOnnx': async (...args: unknown[]) => {
      expectArgs('model:exportOnnx', args, ['runId', 'dest']);
      const id = checkString(args[0], 'model:exportOnnx', 'runId');
      let given = checkFileName(
        checkString(args[1], 'model:exportOnnx', 'dest'),
        'model:exportOnnx',
      );
      if (!given.toLowerCase().endsWith('.onnx')) given += '.onnx';
      // The final names (with their extensions) are what is checked and written.
      const dest = await policy.confine(given, 'destination', { write: true });
      await policy.confine(preprocessingPathFor(dest), 'destination', { write: true });
      const stat = await fs.stat(dest).catch(() => null);
      if (stat?.isDirectory()) {
        throw new UserError(`${given} is a folder; give the ONNX file's name (e.g. model.onnx).`);
      }
      const oursBefore =
        stat !== null &&
        (await fs.stat(preprocessingPathFor(dest)).then(
          (p) => p.isFile(),
          () => false,
        ));
      if (stat && stat.size > 0 && !oursBefore) {
        throw new OutputExistsError(
          `${given} already exists and is not an ONNX export of HTLNet Studio; it was not replaced. Choose another name.`,
          given,
        );
      }
      const run = await jobs.runs.get(id);
      if (!run.hasModel) throw new ArgumentError(`Run "${run.label}" has no trained model.`);
      await initBackend();
      const r = await exportOnnx(jobs.runs.modelDir(id), dest);
      return {
        out: r.out,
        preprocessing: r.preprocessing,
        opset: r.opset,
        inputs: r.inputs.map((i) => i.name),
        outputs: r.outputs.map((o) => o.name),
        bytes: r.bytes,
      };
    },
    'score:start': async (...args: unknown[]) => {
      expectArgs('score:start', args, ['request']);
      const request = checkObject(args[0], 'score:start', 'request');
      const source = checkObject(request.source, 'score:start', 'source');
      const modelDir =
        typeof source.runId === 'string'
          ? jobs.runs.modelDir(source.runId)
          : await policy.confine(
              checkString(source.modelDir, 'score:start', 'source.modelDir'),
              'model',
            );
      const dataPath = await resolveData(request.dataPath, 'score:start');
      const outGiven = checkString(request.out, 'score:start', 'out');
      const out = await policy.confine(outGiven, 'output path', { write: true });
      let keep: KeepColumns = 'all';
      if (request.keep !== undefined) {
        if (Array.isArray(request.keep)) {
          keep = request.keep.map((c, i) => checkString(c, 'score:start', `keep[${i}]`));
        } else {
          const k = checkString(request.keep, 'score:start', 'keep');
          if (k !== 'all' && k !== 'none') {
            throw new ArgumentError(
              `score:start: keep must be "all", "none" or a list of column names; got "${k}".`,
            );
          }
          keep = parseKeep(k);
        }
      }
      if (request.replace !== undefined && typeof request.replace !== 'boolean') {
        throw new ArgumentError('score:start: replace must be true or false.');
      }
      const manifest = await fs
        .readFile(path.join(modelDir, 'manifest.json'), 'utf8')
        .then((t) => JSON.parse(t) as ModelManifest)
        .catch(() => null);
      await checkOutputFile(out, {
        inputs: [dataPath, modelDir],
        // The desktop app's native save dialog has already asked before replacing a file.
        replace: request.replace ?? env.mode === 'electron',
        ours: async (file) => manifest !== null && (await isPredictionsFile(file, manifest)),
        allowWith: 'Confirm to replace it (score:start with replace: true).',
      });
      await ready;
      return { jobId: jobs.startScore({ type: 'score', modelDir, dataPath, out, keep }) };
    },
    'explain:start': async (...args: unknown[]) => {
      expectArgs('explain:start', args, ['request']);
      const { source, dataPath, ...options } = checkExplainRequest(args[0], 'explain:start');
      let modelDir: string;
      let data: string;
      let runId: string | null = null;
      if ('runId' in source) {
        const run = await jobs.runs.get(source.runId);
        if (!run.hasModel) throw new ArgumentError(`Run "${run.label}" has no trained model.`);
        runId = run.id;
        modelDir = jobs.runs.modelDir(run.id);
        data =
          dataPath === undefined
            ? await resolveData(run.dataPath, 'explain:start')
            : await resolveData(dataPath, 'explain:start');
        options.subset ??= dataPath === undefined ? 'test' : 'all';
      } else {
        modelDir = await policy.confine(
          checkString(source.modelDir, 'explain:start', 'source.modelDir'),
          'model',
        );
        data = await resolveData(dataPath, 'explain:start');
      }
      const saveTo = runId ? path.join(jobs.runs.dir(runId), 'explanation.json') : null;
      return {
        jobId: jobs.startExplain(
          { type: 'explain', modelDir, dataPath: data, options, saveTo },
          runId,
        ),
      };
    },
    'explain:get': async (...args: unknown[]) => {
      expectArgs('explain:get', args, ['runId']);
      const id = checkString(args[0], 'explain:get', 'runId');
      return (await readJsonOrNull(
        path.join(jobs.runs.dir(id), 'explanation.json'),
      )) as Explanation | null;
    },
  } satisfies HandlerTable;
}

/** A path naming a file: not ending in a separator, ".", ".." (an extension is added after). */
function checkFileName(p: string, channel: string): string {
  const last = p.split(/[\\/]/).pop() ?? '';
  if (last === '' || last === '.' || last === '..') {
    throw new ArgumentError(`${channel}: ${p} names a folder; give a file name.`);
  }
  return p;
}

function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

/** Calls the handler of `channel` with arguments received from a transport. */
export function invokeHandler(
  table: HandlerTable,
  channel: unknown,
  args: readonly unknown[],
): Promise<ApiResult<Channel>> {
  if (!isChannel(channel)) {
    return Promise.reject(new ArgumentError(`Unknown channel ${JSON.stringify(channel)}.`));
  }
  const handler = table[channel] as (...a: unknown[]) => Promise<ApiResult<Channel>>;
  return handler(...args);
}

export { catalogForWire };
