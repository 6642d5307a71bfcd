// The desktop app as analysts install it, proven without the Electron binary (harness.ts): the
// package's contents and size, the fuses, the window, the preload, the app:// scheme and its CSP,
// navigation and permissions, the OS opening projects, and real training and scoring in the
// worker thread from app.asar.unpacked; again under a stray {"type": "commonjs"} package.json
// above the install folder, and with a tfjs-node that fails to load.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, HOST_EVENT_CHANNEL, MENU_COMMAND_CHANNEL } from '../../src-main/ipc/api';
import type { HostEvent, MethodName } from '../../src-main/ipc/api';
import { CONTENT_SECURITY_POLICY } from '../../src-main/ipc/security';
import type { ProjectFile } from '../../src-main/shared/project';
import {
  asar,
  boot,
  fuseWire,
  install,
  packagedUnavailable,
  packLinuxDir,
  type BootedApp,
} from './harness';

/** The budget for app.asar (bytes); it was 46 MB when it carried node_modules and out/demo. */
const ASAR_BUDGET = 15 * 1024 * 1024;
/** What may be inside app.asar: the bundles, the renderer, the window icon, package.json. */
const ALLOWED = [
  /^\/package\.json$/,
  /^\/out(\/(main|preload|renderer))?$/,
  /^\/out\/main\/(main|worker|train-worker)\.js$/,
  /^\/out\/main\/package\.json$/,
  /^\/out\/main\/chunks(\/[\w-]+\.js)?$/,
  /^\/out\/main\/wasm(\/tfjs-backend-wasm(-simd|-threaded-simd)?\.wasm)?$/,
  /^\/out\/preload(\/preload\.cjs)?$/,
  /^\/out\/renderer\/(index\.html|icon\.png|assets)$/,
  /^\/out\/renderer\/assets\/[\w-]+\.(js|css)$/,
  /^\/resources(\/icon\.png)?$/,
];

const APP_PAGE = 'app://htlnet/index.html';
const skip = packagedUnavailable();

let work: string;
let unpackedDir: string;
let appDir: string;
let app: BootedApp;
let project: string;

beforeAll(async () => {
  if (skip) return;
  work = mkdtempSync(path.join(tmpdir(), 'htlnet packaged '));
  unpackedDir = await packLinuxDir(work);
  appDir = install(unpackedDir, path.join(work, 'installed', 'Program Files'));
  project = path.join(work, 'home', 'Documents', 'My funnel.htlnet.json');
  app = boot(appDir, path.join(work, 'home'), { argv: [project] });
});

afterAll(async () => {
  await app?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface State {
  channels: string[];
  privilegedSchemes: { scheme: string; privileges: Record<string, boolean> }[];
  protocols: string[];
  windows: number;
  window: {
    options: { webPreferences: Record<string, unknown> };
    loadedUrl: string;
    focused: number;
  };
  recent: string[];
  errorBoxes: unknown[];
  sandboxEnabled: boolean;
  hasPermissionCheck: boolean;
  wasmDir: string | null;
}

function invoke<T>(target: BootedApp, channel: string, ...args: unknown[]): Promise<T> {
  return target.op<T>('invoke', { channel, args, senderUrl: APP_PAGE });
}

function hostEvents(target: BootedApp): HostEvent[] {
  return target.sent
    .filter((s) => s.channel === HOST_EVENT_CHANNEL)
    .map((s) => s.args[0] as HostEvent);
}

async function until<T extends HostEvent['type']>(
  target: BootedApp,
  type: T,
  jobId: string,
): Promise<Extract<HostEvent, { type: T }>> {
  for (;;) {
    const events = hostEvents(target).filter((e) => 'jobId' in e && e.jobId === jobId);
    const found = events.find((e) => e.type === type);
    if (found) return found as Extract<HostEvent, { type: T }>;
    const failed = events.find((e) => e.type === 'job:failed');
    if (failed) throw new Error(`${JSON.stringify(failed)}\n${target.output()}`);
    if (target.child.exitCode !== null) throw new Error(`The app exited:\n${target.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The built-in generated sample (small), a 1-epoch HTLNet on it, then scoring it. Returns the
 * run's id.
 */
async function trainAndScore(target: BootedApp, dir: string): Promise<string> {
  await target.op('ready');
  mkdirSync(dir, { recursive: true });
  const csv = await invoke<string>(target, 'data:sample', 1000);
  const imported = await invoke<{ jobId: string }>(target, 'data:import', csv);
  const { preview } = await until(target, 'import:done', imported.jobId);
  expect(preview.rows).toBe(1000);
  const bound = await invoke<ProjectFile>(target, 'templates:create', 'htlnet');
  const optimizer = bound.graph.blocks.find((b) => b.type === 'optimizer')!;
  Object.assign(optimizer.params, { epochs: 1, batchSize: 256 });
  const started = await invoke<{ jobId: string; runId: string }>(target, 'train:start', {
    project: bound,
    dataPath: csv,
  });
  const trained = await until(target, 'train:done', started.jobId);
  expect(trained.run.status, JSON.stringify(trained.run)).toBe('completed');
  expect(trained.run.epochs).toBe(1);
  const out = path.join(dir, 'predictions.csv');
  const scoring = await invoke<{ jobId: string }>(target, 'score:start', {
    source: { runId: started.runId },
    dataPath: csv,
    out,
  });
  const scored = await until(target, 'score:done', scoring.jobId);
  expect(scored.result.rows).toBe(1000);
  const predictions = readFileSync(out, 'utf8').trim().split('\n');
  expect(predictions).toHaveLength(1001);
  return started.runId;
}

describe.skipIf(skip)('the installed desktop app (stand-in Electron)', () => {
  it('packs only what the app needs, within the size budget', () => {
    const archive = path.join(unpackedDir, 'resources', 'app.asar');
    const size = statSync(archive).size;
    expect(size).toBeLessThanOrEqual(ASAR_BUDGET);
    const listing = asar.listPackage(archive, { isPack: false });
    const unexpected = listing.filter((entry) => !ALLOWED.some((re) => re.test(entry)));
    expect(unexpected).toEqual([]);
    expect(listing).toContain('/out/main/wasm/tfjs-backend-wasm-simd.wasm');
    expect(listing.some((e) => e.includes('node_modules'))).toBe(false);
    // The workers and the wasm binaries are unpacked (worker threads read them as plain files).
    for (const file of [
      'worker.js',
      'train-worker.js',
      'package.json',
      'wasm/tfjs-backend-wasm.wasm',
    ]) {
      expect(
        statSync(path.join(unpackedDir, 'resources/app.asar.unpacked/out/main', file)).isFile(),
      ).toBe(true);
    }
    const moduleType = readFileSync(
      path.join(unpackedDir, 'resources/app.asar.unpacked/out/main/package.json'),
      'utf8',
    );
    expect(JSON.parse(moduleType)).toEqual({ type: 'module' });
    expect(statSync(path.join(unpackedDir, 'resources/templates')).isDirectory()).toBe(true);
  });

  it('flips the Electron fuses', () => {
    const wire = fuseWire(readFileSync(path.join(unpackedDir, 'htlnet-studio')));
    // RunAsNode, CookieEncryption, NODE_OPTIONS, --inspect, asar integrity, only-asar,
    // browser V8 snapshot (untouched), file-protocol extra privileges.
    expect(wire).toBe('01001100');
  });

  it('boots: every API channel has a handler, one hardened window on app://htlnet', async () => {
    await app.op('ready');
    const state = await app.op<State>('state');
    expect([...state.channels].sort()).toEqual([...CHANNELS].sort());
    expect(state.windows).toBe(1);
    expect(state.sandboxEnabled).toBe(true);
    expect(state.errorBoxes).toEqual([]);
    expect(state.window.loadedUrl).toBe(APP_PAGE);
    const prefs = state.window.options.webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      sandbox: true,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
      disableBlinkFeatures: 'Auxclick',
      devTools: false,
    });
    expect(prefs.preload).toBe(path.join(appDir, 'resources/app.asar/out/preload/preload.cjs'));
    expect(state.privilegedSchemes).toEqual([
      {
        scheme: 'app',
        privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
      },
    ]);
    expect(state.protocols).toEqual(['app']);
    expect(state.wasmDir).toBe(path.join(appDir, 'resources/app.asar.unpacked/out/main/wasm'));
    const info = await invoke<{ backend: string }>(app, 'app:info');
    expect(info.backend).toBe('wasm');
  });

  it('serves the renderer from app:// with the CSP header, and nothing outside it', async () => {
    const index = await app.op<{ status: number; headers: Record<string, string>; body: string }>(
      'fetch',
      { url: APP_PAGE },
    );
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(index.body)?.[1];
    expect(script).toBeTruthy();
    const asset = await app.op<{ status: number; headers: Record<string, string> }>('fetch', {
      url: `app://htlnet/${script}`,
    });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    for (const url of [
      'app://htlnet/assets/..%2f..%2fmain%2fmain.js',
      'app://htlnet/../main/main.js',
      'app://other/index.html',
      'app://htlnet/missing.js',
    ]) {
      expect((await app.op<{ status: number }>('fetch', { url })).status, url).toBe(404);
    }
  });

  it('blocks navigation, new windows, foreign IPC senders and permissions', async () => {
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      expect(await app.op('navigate', { event, url: 'https://example.com/' })).toBe(true);
      expect(await app.op('navigate', { event, url: 'file:///etc/passwd' })).toBe(true);
      expect(await app.op('navigate', { event, url: `${APP_PAGE}#x` })).toBe(false);
    }
    expect(await app.op('windowOpen', { url: 'https://example.com/' })).toEqual({
      action: 'deny',
    });
    await expect(
      app.op('invoke', { channel: 'app:info', args: [], senderUrl: 'file:///tmp/evil.html' }),
    ).rejects.toThrow(/Refused "app:info"/);
    expect(
      await app.op('permissionCheck', {
        permission: 'clipboard-sanitized-write',
        origin: 'app://htlnet',
      }),
    ).toBe(true);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read']) {
      expect(await app.op('permissionCheck', { permission, origin: 'app://htlnet' })).toBe(false);
      expect(await app.op('permissionRequest', { permission, pageUrl: APP_PAGE })).toBe(false);
    }
    expect(
      await app.op('permissionCheck', {
        permission: 'clipboard-sanitized-write',
        origin: 'https://example.com',
      }),
    ).toBe(false);
  });

  it('exposes exactly the API the renderer calls through the preload', () => {
    const code = readFileSync(
      path.join(appDir, 'resources/app.asar/out/preload/preload.cjs'),
      'utf8',
    );
    const exposed: Record<string, Record<string, unknown>> = {};
    const invoked: unknown[][] = [];
    const electron = {
      contextBridge: {
        exposeInMainWorld: (name: string, api: Record<string, unknown>) => (exposed[name] = api),
      },
      ipcRenderer: {
        invoke: (...args: unknown[]) => (invoked.push(args), Promise.resolve(null)),
        on: (channel: string, listener: Listener) => listeners.push([channel, listener]),
        removeListener: (channel: string, listener: Listener) =>
          listeners.splice(
            listeners.findIndex(([c, l]) => c === channel && l === listener),
            1,
          ),
      },
    };
    type Listener = (event: unknown, ...args: unknown[]) => void;
    const listeners: [string, Listener][] = [];
    const emit = (channel: string, ...args: unknown[]) => {
      for (const [c, l] of [...listeners]) if (c === channel) l({}, ...args);
    };
    const module = { exports: {} };
    runInNewContext(code, {
      require: (id: string) => {
        if (id !== 'electron') throw new Error(`The sandboxed preload required ${id}`);
        return electron;
      },
      module,
      exports: module.exports,
    });
    expect(Object.keys(exposed)).toEqual(['htlnet']);
    const methods = (c: string) => c.replace(/:(\w)/, (_m, x: string) => x.toUpperCase());
    const expected = [
      ...CHANNELS.map((c) => methods(c) as MethodName<typeof c>),
      'onMenuCommand',
      'onHostEvent',
    ].sort();
    expect(Object.keys(exposed.htlnet).sort()).toEqual(expected);
    for (const fn of Object.values(exposed.htlnet)) expect(typeof fn).toBe('function');
    // The renderer calls each of them (property names survive minification).
    const rendererDir = path.join(appDir, 'resources/app.asar/out/renderer/assets');
    const index = readFileSync(
      path.join(appDir, 'resources/app.asar/out/renderer/index.html'),
      'utf8',
    );
    const bundle = readFileSync(
      path.join(rendererDir, path.basename(/src="\.\/assets\/([^"]+\.js)"/.exec(index)![1])),
      'utf8',
    );
    const unused = expected.filter((name) => !new RegExp(`\\.${name}\\b`).test(bundle));
    expect(unused).toEqual([]);
    void (exposed.htlnet.appInfo as () => Promise<unknown>)();
    expect(invoked).toEqual([['app:info']]);
    // A project the OS asked to open before the page subscribed reaches the first subscriber.
    emit(MENU_COMMAND_CHANNEL, 'file.open', '/p/early.htlnet.json');
    emit(MENU_COMMAND_CHANNEL, 'not.a.command');
    const got: unknown[][] = [];
    const onMenuCommand = exposed.htlnet.onMenuCommand as (
      cb: (...a: unknown[]) => void,
    ) => () => void;
    const unsubscribe = onMenuCommand((...a) => got.push(a));
    expect(got).toEqual([['file.open', '/p/early.htlnet.json']]);
    emit(MENU_COMMAND_CHANNEL, 'file.save');
    expect(got.at(-1)).toEqual(['file.save', undefined]);
    unsubscribe();
    emit(MENU_COMMAND_CHANNEL, 'file.new');
    expect(got).toHaveLength(2);
  });

  it('opens a project given on the command line, by a second launch or by macOS open-file', async () => {
    // First launch: nothing is sent before the page has loaded.
    expect(app.sent.filter((s) => s.channel === MENU_COMMAND_CHANNEL)).toEqual([]);
    await app.op('load');
    const opens = () =>
      app.sent.filter((s) => s.channel === MENU_COMMAND_CHANNEL).map((s) => s.args);
    expect(opens()).toEqual([['file.open', project]]);
    const other = path.join(work, 'elsewhere', 'churn.htlnet.json');
    await app.op('secondInstance', {
      argv: ['/opt/HTLNet Studio/htlnet-studio', '--enable-features=x', 'churn.htlnet.json'],
      cwd: path.dirname(other),
    });
    expect(opens().at(-1)).toEqual(['file.open', other]);
    expect(await app.op('openFile', { file: '/Users/a/mac.htlnet.json' })).toBe(true);
    expect(opens().at(-1)).toEqual(['file.open', '/Users/a/mac.htlnet.json']);
    const state = await app.op<State>('state');
    expect(state.windows).toBe(1);
    expect(state.window.focused).toBeGreaterThanOrEqual(2);
    // Recent documents come from project:open, once the page has read the file (next case).
    expect(state.recent).toEqual([]);
  });

  it('keeps one instance: a second launch quits at once', async () => {
    const second = boot(appDir, path.join(work, 'home'), {
      argv: [project],
      env: { HTLNET_STANDIN_LOCK: 'taken' },
    });
    expect(await second.exited).toBe(0);
    expect(second.output()).not.toMatch(/error/i);
  });

  it('explains at launch when the AppImage runs without the sandbox', async () => {
    const launch = async () => {
      const booted = boot(appDir, path.join(work, 'home appimage'), {
        argv: ['--no-sandbox'],
        env: { APPIMAGE: path.join(work, 'HTLNet Studio.AppImage') },
      });
      try {
        await booted.op('ready');
        const state = await booted.op<State & { messageBoxes: { detail: string }[] }>('state');
        const said = booted
          .output()
          .split('\n')
          .filter((l) => l.includes('sandbox'));
        return { dialogs: state.messageBoxes.map((m) => m.detail), said };
      } finally {
        await booted.stop();
      }
    };
    const first = await launch();
    expect(first.dialogs).toHaveLength(1);
    expect(first.dialogs[0]).toMatch(/install the \.deb package/);
    expect(first.said).toHaveLength(1);
    expect(first.said[0]).toMatch(/^HTLNet Studio is running without Chromium's sandbox: .* Fix: /);
    // Every launch says it on stderr; the dialog comes once.
    const second = await launch();
    expect(second.said).toEqual(first.said);
    expect(second.dialogs).toEqual([]);
    // The regular launch says nothing of the kind.
    expect(app.output()).not.toMatch(/sandbox/);
  });

  it('puts saved and opened projects in the recent documents', async () => {
    const created = await invoke<ProjectFile>(app, 'templates:create', 'htlnet');
    const file = path.join(work, 'home', 'Documents', 'HTLNet Studio', 'saved.htlnet.json');
    mkdirSync(path.dirname(file), { recursive: true });
    await invoke(app, 'project:save', file, created);
    await invoke(app, 'project:open', file);
    const state = await app.op<State>('state');
    expect(state.recent.slice(-2)).toEqual([file, file]);
  });

  it('trains one epoch and scores in the worker thread from app.asar.unpacked', async () => {
    const runId = await trainAndScore(app, path.join(work, 'home', 'Documents', 'run one'));
    // ONNX export runs in the main process (protobufjs bundled into it); onnxruntime reads it.
    const dest = path.join(work, 'home', 'Documents', 'run one', 'model.onnx');
    const exported = await invoke<{ out: string; inputs: string[] }>(
      app,
      'model:exportOnnx',
      runId,
      dest,
    );
    expect(exported.out).toBe(dest);
    const session = await ort.InferenceSession.create(dest);
    expect([...session.inputNames].sort()).toEqual([...exported.inputs].sort());
    await session.release();
  });
});

describe.skipIf(skip)('the installed app in unusual places', () => {
  it('trains under a stray {"type": "commonjs"} package.json above the install folder', async () => {
    const parent = path.join(work, 'stray parent');
    const stray = install(unpackedDir, parent);
    writeFileSync(path.join(parent, 'package.json'), JSON.stringify({ type: 'commonjs' }));
    const booted = boot(stray, path.join(work, 'home stray'));
    try {
      await trainAndScore(booted, path.join(work, 'home stray', 'data'));
    } finally {
      await booted.stop();
    }
  });

  it('falls back to wasm, with one line, when the installed tfjs-node cannot load', async () => {
    const broken = install(unpackedDir, path.join(work, 'broken native'));
    for (const where of ['app.asar', 'app.asar.unpacked']) {
      const pkg = path.join(broken, 'resources', where, 'node_modules/@tensorflow/tfjs-node');
      mkdirSync(path.join(pkg, 'lib', 'napi-v8'), { recursive: true });
      writeFileSync(
        path.join(pkg, 'package.json'),
        JSON.stringify({ name: '@tensorflow/tfjs-node', version: '4.22.0', main: 'index.js' }),
      );
      writeFileSync(
        path.join(pkg, 'index.js'),
        "throw new Error('The module tfjs_binding.node was compiled against a different Node.js version\\nusing NODE_MODULE_VERSION 115.');\n",
      );
    }
    const booted = boot(broken, path.join(work, 'home broken'));
    try {
      const info = await invoke<{ backend: string }>(booted, 'app:info');
      expect(info.backend).toBe('wasm');
      await trainAndScore(booted, path.join(work, 'home broken', 'data'));
      const notes = booted
        .output()
        .split('\n')
        .filter((l) => l.includes('tfjs-node'));
      expect(notes).toEqual([
        'HTLNet Studio: @tensorflow/tfjs-node did not load (The module tfjs_binding.node was compiled against a different Node.js version); using the WebAssembly backend.',
      ]);
    } finally {
      await booted.stop();
    }
  });
});

it.runIf(skip)('the packaged-app test needs the build', () => {
  // Reported, not silently passed: `npm test` builds first.
  expect(skip).toBeNull();
});
