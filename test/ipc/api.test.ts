// The API contract stays in one piece: channel map (api.ts), handler table (handlers.ts) and the
// preload's window.htlnet agree, at compile time (tsc checks the expectTypeOf lines) and at run
// time; handlers reject malformed arguments with a message naming the field.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';

const electron = vi.hoisted(() => {
  const listeners = new Map<string, ((...args: unknown[]) => void)[]>();
  return {
    exposed: new Map<string, unknown>(),
    listeners,
    contextBridge: {
      exposeInMainWorld: (key: string, value: unknown) => electron.exposed.set(key, value),
    },
    ipcRenderer: {
      invoke: vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>(),
      on: (channel: string, listener: (...args: unknown[]) => void) => {
        listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
      },
      removeListener: (channel: string, listener: (...args: unknown[]) => void) => {
        listeners.set(
          channel,
          (listeners.get(channel) ?? []).filter((l) => l !== listener),
        );
      },
    },
  };
});
vi.mock('electron', () => ({
  contextBridge: electron.contextBridge,
  ipcRenderer: electron.ipcRenderer,
}));

import {
  CHANNELS,
  MENU_COMMAND_CHANNEL,
  type ApiArgs,
  type ApiResult,
  type Channel,
  type HandlerTable,
  type MethodName,
  type RendererApi,
} from '../../src-main/ipc/api';
import { ArgumentError } from '../../src-main/ipc/args';
import { catalogForWire, createHandlers, invokeHandler } from '../../src-main/ipc/handlers';
import type { HtlnetApi } from '../../src-main/preload';
import { CATALOG } from '../../src-main/shared/catalog';
import {
  PROJECT_FORMAT,
  defaultTrainingSettings,
  type ProjectFile,
} from '../../src-main/shared/project';

function methodName(channel: string): string {
  const [scope, action] = channel.split(':');
  return scope + action[0].toUpperCase() + action.slice(1);
}

const sandbox = mkdtempSync(path.join(tmpdir(), 'htlnet-api-'));
afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

const handlers = createHandlers({
  version: '9.8.7',
  backend: async () => 'wasm',
  platform: 'linux',
  mode: 'browser',
  workspace: path.join(sandbox, 'workspace'),
  dataDir: path.join(sandbox, 'data'),
  roots: [path.join(sandbox, 'workspace')],
});

function project(): ProjectFile {
  return {
    format: PROJECT_FORMAT,
    version: 2,
    name: 'tiny',
    graph: {
      blocks: [
        { id: 'in', type: 'feature-input', params: {}, position: { x: 0, y: 0 } },
        { id: 'emb', type: 'shared-embedding', params: { dim: 8 }, position: { x: 200, y: 0 } },
      ],
      edges: [
        {
          id: 'e1',
          source: { block: 'in', port: 'features' },
          target: { block: 'emb', port: 'features' },
        },
      ],
    },
    data: {
      features: [{ column: 'user', kind: 'categorical' }],
      tasks: [{ name: 'click', column: 'click', type: 'binary' }],
      excluded: [],
    },
    training: defaultTrainingSettings(),
  };
}

describe('contract sync', () => {
  it('the handler table has exactly the channels of the map (compile time)', () => {
    expectTypeOf<keyof HandlerTable>().toEqualTypeOf<Channel>();
    expectTypeOf<(typeof CHANNELS)[number]>().toEqualTypeOf<Channel>();
    expectTypeOf(handlers['project:validate']).parameters.toEqualTypeOf<
      ApiArgs<'project:validate'>
    >();
    expectTypeOf(handlers['app:info']).returns.toEqualTypeOf<Promise<ApiResult<'app:info'>>>();
  });

  it('the handler table has exactly the channels of the map (run time)', () => {
    expect(Object.keys(handlers).sort()).toEqual([...CHANNELS].sort());
    expect(new Set(CHANNELS).size).toBe(CHANNELS.length);
  });

  it('the preload exposes one method per channel plus onMenuCommand (compile time)', () => {
    expectTypeOf<keyof HtlnetApi>().toEqualTypeOf<
      MethodName<Channel> | 'onMenuCommand' | 'onHostEvent'
    >();
    expectTypeOf<HtlnetApi>().toEqualTypeOf<RendererApi>();
    expectTypeOf<HtlnetApi['projectValidate']>().parameters.toEqualTypeOf<
      ApiArgs<'project:validate'>
    >();
  });
});

describe('preload', () => {
  beforeEach(() => {
    electron.ipcRenderer.invoke.mockReset();
  });

  async function exposed(): Promise<Record<string, (...args: unknown[]) => unknown>> {
    await import('../../src-main/preload');
    const api = electron.exposed.get('htlnet');
    expect(api).toBeTypeOf('object');
    return api as Record<string, (...args: unknown[]) => unknown>;
  }

  it('exposes window.htlnet with one method per channel and nothing else', async () => {
    const api = await exposed();
    expect([...electron.exposed.keys()]).toEqual(['htlnet']);
    expect(Object.keys(api).sort()).toEqual(
      [...CHANNELS.map(methodName), 'onMenuCommand', 'onHostEvent'].sort(),
    );
    for (const value of Object.values(api)) expect(value).toBeTypeOf('function');
  });

  it('each method invokes its own channel with its arguments', async () => {
    const api = await exposed();
    electron.ipcRenderer.invoke.mockResolvedValue('ok');
    const argsFor: Record<Channel, unknown[]> = {
      'app:info': [],
      'catalog:get': [],
      'templates:list': [],
      'project:validate': [project()],
      'templates:create': ['htlnet'],
      'project:new': [],
      'graph:layout': [project()],
      'project:open': ['a.htlnet.json'],
      'project:parse': ['{}', 'a.htlnet.json'],
      'project:save': ['a.htlnet.json', project()],
      'project:recent': [],
      'recovery:write': [{ project: project(), path: null, name: 'tiny' }],
      'recovery:read': [],
      'recovery:clear': [],
      'dialog:openFile': ['csv'],
      'dialog:saveFile': ['project', 'tiny.htlnet.json'],
      'files:list': [null, 'csv'],
      'data:import': ['a.csv'],
      'data:preview': ['a.csv'],
      'data:check': [project(), 'a.csv'],
      'train:start': [{ project: project(), dataPath: 'a.csv' }],
      'job:cancel': ['j1'],
      'runs:list': [],
      'runs:get': ['r1'],
      'runs:delete': ['r1'],
      'model:export': ['r1', 'out'],
      'model:exportOnnx': ['r1', 'out.onnx'],
      'score:start': [{ source: { runId: 'r1' }, dataPath: 'a.csv', out: 'p.csv' }],
      'project:rebind': [project(), project().data],
      'data:sample': [1000],
      'explain:start': [{ source: { runId: 'r1' }, explainRows: [3] }],
      'explain:get': ['r1'],
      'runs:prune': [{ group: 'x1' }],
      'experiments:start': [{ kind: 'seeds', project: project(), dataPath: 'a.csv', seeds: 2 }],
      'experiments:list': [],
      'experiments:get': ['x1'],
      'experiments:cancel': ['x1'],
    };
    for (const channel of CHANNELS) {
      await expect(api[methodName(channel)](...argsFor[channel])).resolves.toBe('ok');
      expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith(channel, ...argsFor[channel]);
    }
  });

  it("strips Electron's remote-call prefix from errors", async () => {
    const api = await exposed();
    electron.ipcRenderer.invoke.mockRejectedValue(
      new Error(
        "Error invoking remote method 'project:validate': ArgumentError: project:validate: project.name must be a string, not a number.",
      ),
    );
    await expect(api.projectValidate(project())).rejects.toThrow(
      /^project:validate: project\.name must be a string/,
    );
  });

  it('onMenuCommand passes known command ids only and unsubscribes', async () => {
    const api = await exposed();
    const seen: unknown[] = [];
    const off = api.onMenuCommand((c: unknown) => seen.push(c)) as () => void;
    const emit = (payload: unknown) =>
      (electron.listeners.get(MENU_COMMAND_CHANNEL) ?? []).forEach((l) => l({}, payload));
    emit('view.toggleDark');
    emit('rm -rf');
    emit({ id: 'view.toggleDark' });
    off();
    emit('help.about');
    expect(seen).toEqual(['view.toggleDark']);
  });
});

describe('handlers', () => {
  it('app:info reports version, backend and platform', async () => {
    await expect(handlers['app:info']()).resolves.toEqual({
      version: '9.8.7',
      backend: 'wasm',
      platform: 'linux',
      mode: 'browser',
      workspace: path.join(sandbox, 'workspace'),
    });
  });

  it('catalog:get sends the whole catalog as plain data', async () => {
    const catalog = await handlers['catalog:get']();
    expect(JSON.parse(JSON.stringify(catalog))).toEqual(catalog);
    expect(catalog.map((b) => b.type)).toEqual(CATALOG.map((b) => b.type));
    const head = catalog.find((b) => b.type === 'task-head');
    expect(head?.outputs[0]).toMatchObject({
      name: 'prediction',
      type: 'binary',
      typeByParam: { param: 'kind', types: { binary: 'binary', regression: 'regression' } },
    });
    const tower = catalog.find((b) => b.type === 'tower');
    expect(tower?.inputs[0]).toMatchObject({ name: 'in', type: 'vector' });
    expect(tower?.inputs[0].typeByParam).toBeUndefined();
  });

  it('catalog:get returns a copy the caller may change', async () => {
    const first = await handlers['catalog:get']();
    first[0].title = 'changed';
    expect(catalogForWire()[0].title).toBe(CATALOG[0].title);
  });

  it('templates:list sends kind, title and description only', async () => {
    const templates = await handlers['templates:list']();
    expect(templates.length).toBeGreaterThan(0);
    for (const t of templates) {
      expect(Object.keys(t).sort()).toEqual(['description', 'kind', 'title']);
      expect(t.kind).toBeTypeOf('string');
    }
  });

  it("templates:create builds a template for the project's own data when given", async () => {
    const binding = {
      source: '/ws/campaign.csv',
      features: [{ column: 'channel', kind: 'categorical' as const }],
      tasks: [
        { name: 'visit', column: 'visit', type: 'binary' as const },
        { name: 'spend', column: 'spend', type: 'regression' as const },
      ],
      excluded: [],
    };
    const t = await handlers['templates:create']('mmoe', binding);
    expect(t.data).toEqual(binding);
    const heads = t.graph.blocks.filter((b) => b.type === 'task-head');
    expect(heads.map((h) => h.params.task)).toEqual(['visit', 'spend']);
    expect(heads.map((h) => h.label).join(' ')).not.toMatch(/click|purchase/i);
    const sample = await handlers['templates:create']('mmoe');
    expect(sample.data.tasks.map((x) => x.name)).toEqual(['click', 'purchase', 'amount']);
    await expect(handlers['templates:create']('mmoe', { ...binding, tasks: [] })).rejects.toThrow(
      /templates:create/,
    );
  });

  it('project:validate returns problems and shapes for a well-formed project', async () => {
    const result = await handlers['project:validate'](project());
    expect(Array.isArray(result.problems)).toBe(true);
    expect(result.shapes).toBeTypeOf('object');
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
  it('project:validate reports what is wrong with a half-built graph instead of rejecting', async () => {
    const p = project();
    p.graph.edges = [];
    const result = await handlers['project:validate'](p);
    const errors = result.problems.filter((q) => q.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((q) => q.blocks.includes('emb'))).toBe(true);
    expect(Object.keys(result.shapes).sort()).toEqual(['emb', 'in']);
  });
});

describe('argument rejection', () => {
  const call = (channel: unknown, ...args: unknown[]) => invokeHandler(handlers, channel, args);

  it('rejects an unknown channel', async () => {
    await expect(call('fs:read', '/etc/passwd')).rejects.toThrow(/Unknown channel "fs:read"/);
    await expect(call('toString')).rejects.toThrow(ArgumentError);
    await expect(call(42)).rejects.toThrow(/Unknown channel 42/);
  });

  it('rejects arguments to channels that take none', async () => {
    await expect(call('app:info', 1)).rejects.toThrow('app:info takes no arguments; got 1.');
    await expect(call('catalog:get', {})).rejects.toThrow(ArgumentError);
  });

  it('rejects a missing or extra project argument', async () => {
    await expect(call('project:validate')).rejects.toThrow(
      'project:validate takes 1 (project); got 0.',
    );
    await expect(call('project:validate', project(), 2)).rejects.toThrow(/got 2/);
  });

  // The shape check is the engine's project-file reader; these pin that its message reaches the
  // caller with the channel in front and the offending field named.
  const malformed: [string, (p: Record<string, unknown>) => unknown, RegExp][] = [
    ['null', () => null, /not an HTLNet Studio project/],
    ['an array', () => [], /not an HTLNet Studio project/],
    ['another format', (p) => ({ ...p, format: 'x' }), /format is "x"/],
    ['no name', (p) => ({ ...p, name: undefined }), /"name"/],
    ['no graph', (p) => ({ ...p, graph: 'g' }), /"graph"/],
    ['blocks not an array', (p) => ({ ...p, graph: { blocks: {}, edges: [] } }), /"graph\.blocks"/],
    [
      'a block id that is a number',
      (p) => {
        const q = structuredClone(p) as unknown as ProjectFile;
        (q.graph.blocks[1] as unknown as { id: number }).id = 7;
        return q;
      },
      /block #2, field "id"/,
    ],
    [
      'a param that is an object',
      (p) => {
        const q = structuredClone(p) as unknown as ProjectFile;
        (q.graph.blocks[0].params as Record<string, unknown>).columns = { a: 1 };
        return q;
      },
      /block "in".*parameter "columns"/,
    ],
    [
      'a position that is not finite',
      (p) => {
        const q = structuredClone(p) as unknown as ProjectFile;
        q.graph.blocks[0].position.x = Number.NaN;
        return q;
      },
      /block "in".*"position\.x"/,
    ],
    ['no data', (p) => ({ ...p, data: undefined }), /data/],
    [
      'two fractions',
      (p) => ({ ...p, training: { split: { kind: 'random' }, fractions: [0.5, 0.5] } }),
      /"fractions"/,
    ],
    [
      'a time split without a column',
      (p) => ({ ...p, training: { split: { kind: 'time' }, fractions: [0.8, 0.1, 0.1] } }),
      /"split\.column"/,
    ],
  ];

  it.each(malformed)('rejects a project with %s', async (_what, mutate, message) => {
    const bad = mutate(project());
    const rejection = call('project:validate', bad);
    await expect(rejection).rejects.toThrow(ArgumentError);
    await expect(rejection).rejects.toThrow(/^project:validate: The project/);
    await expect(rejection).rejects.toThrow(message);
  });

  it('names the channel in every rejection', async () => {
    await expect(call('project:validate', { format: PROJECT_FORMAT })).rejects.toThrow(
      /^project:validate: /,
    );
  });
});
