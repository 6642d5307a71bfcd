// The desktop app as shipped, without the Electron binary: electron-builder packs the built app
// (`--dir --linux`) around a stand-in Electron distribution (a shell script carrying Electron's
// fuse wire, plus resources/), app.asar is extracted into an installed layout whose path has a
// space, and the built main process is booted under plain Node with `electron` resolved to a
// recording stand-in (test/packaged/stand-in). The test drives it as the page would.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const STAND_IN = path.join(import.meta.dirname, 'stand-in');
const require = createRequire(import.meta.url);

/** Electron's fuse sentinel; the wire that follows: version 1, 8 fuses, Electron 45's defaults. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const DEFAULT_FUSES = '10110001';

/** Why the packaged-app test cannot run, or null. */
export function packagedUnavailable(): string | null {
  for (const file of ['out/main/main.js', 'out/preload/preload.cjs', 'out/renderer/index.html']) {
    if (!existsSync(path.join(ROOT, file))) return `${file} is not built: run \`npm run build\`.`;
  }
  return null;
}

/** A stand-in Electron distribution for electron-builder's `electronDist`. */
function writeStandInDist(dir: string): void {
  mkdirSync(path.join(dir, 'resources'), { recursive: true });
  const script =
    '#!/bin/sh\n# Stand-in Electron (test/packaged): carries the fuse wire, runs nothing.\n' +
    `# ${FUSE_SENTINEL}\u0001\u0008${DEFAULT_FUSES}\n` +
    'echo "stand-in Electron: nothing to run" >&2\nexit 1\n';
  writeFileSync(path.join(dir, 'electron'), script, { mode: 0o755 });
  writeFileSync(path.join(dir, 'version'), '45.5.0');
}

/**
 * The project as `npm run dist` sees it after `npm run build` and `npm run demo`: a copy of the
 * build inputs (node_modules linked), with out/cli and an out/demo (a sample CSV and a model)
 * that must not reach the package.
 */
function stageProject(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const file of ['package.json', 'package-lock.json', 'electron-builder.yml']) {
    cpSync(path.join(ROOT, file), path.join(dir, file));
  }
  for (const folder of ['out', 'resources', 'build']) {
    cpSync(path.join(ROOT, folder), path.join(dir, folder), { recursive: true });
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'junction');
  mkdirSync(path.join(dir, 'out', 'demo', 'model'), { recursive: true });
  const rows = [
    'user,click,amount',
    ...Array.from({ length: 2000 }, (_, i) => `u${i},${i % 2},${i}`),
  ];
  writeFileSync(path.join(dir, 'out', 'demo', 'sample.csv'), `${rows.join('\n')}\n`);
  writeFileSync(path.join(dir, 'out', 'demo', 'model', 'model.json'), '{}\n');
}

/** `electron-builder --dir --linux` with the stand-in; returns the linux-unpacked folder. */
export async function packLinuxDir(work: string): Promise<string> {
  const dist = path.join(work, 'electron-dist');
  writeStandInDist(dist);
  const project = path.join(work, 'project');
  stageProject(project);
  const output = path.join(work, 'release');
  const cli = path.join(ROOT, 'node_modules', 'electron-builder', 'cli.js');
  await promisify(execFile)(
    process.execPath,
    [
      cli,
      '--dir',
      '--linux',
      '--x64',
      `--projectDir=${project}`,
      `-c.electronDist=${dist}`,
      `-c.directories.output=${output}`,
      '--publish=never',
    ],
    {
      cwd: project,
      env: {
        ...process.env,
        ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
        CSC_IDENTITY_AUTO_DISCOVERY: 'false',
      },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return path.join(output, 'linux-unpacked');
}

/** The fuse wire of a packaged executable: '0'/'1' per fuse (RunAsNode first). */
export function fuseWire(binary: Buffer): string {
  const at = binary.indexOf(FUSE_SENTINEL);
  if (at < 0) throw new Error('No fuse sentinel in the packaged executable.');
  const wire = at + FUSE_SENTINEL.length;
  const length = binary[wire + 1];
  return binary.subarray(wire + 2, wire + 2 + length).toString('latin1');
}

interface Asar {
  listPackage(archive: string, options: { isPack: boolean }): string[];
  extractAll(archive: string, dest: string): void;
}
export const asar = require('@electron/asar') as Asar;

/**
 * Installs the unpacked app at `<parent>/HTLNet Studio` with app.asar extracted into a folder of
 * the same name (so the main process runs from `.../resources/app.asar/out/main/main.js`), the
 * real app.asar.unpacked beside it. What Electron's asar support would serve from the unpacked
 * folder (the workers and the .wasm binaries) is removed from the extracted copy, so anything
 * that runs proves it was found in app.asar.unpacked.
 */
export function install(unpackedDir: string, parent: string): string {
  const appDir = path.join(parent, 'HTLNet Studio');
  mkdirSync(parent, { recursive: true });
  cpSync(unpackedDir, appDir, { recursive: true });
  const resources = path.join(appDir, 'resources');
  const archive = path.join(resources, 'app.asar');
  const extracted = path.join(resources, 'app.asar.extracted');
  asar.extractAll(archive, extracted);
  rmSync(archive);
  renameSync(extracted, archive);
  for (const file of ['out/main/worker.js', 'out/main/train-worker.js', 'out/main/wasm']) {
    rmSync(path.join(archive, file), { recursive: true, force: true });
  }
  return appDir;
}

type Message =
  | { id: number; result?: unknown; error?: string }
  | { type: 'sent'; channel: string; args: unknown[] }
  | { type: 'quit' }
  | { type: 'error-box'; title: string; content: string };

export interface BootedApp {
  child: ChildProcess;
  /** Sends an op to the stand-in and waits for its answer. */
  op<T = unknown>(op: string, payload?: Record<string, unknown>): Promise<T>;
  /** What the app sent to the page (webContents.send), in order. */
  sent: { channel: string; args: unknown[] }[];
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Boots `<appDir>/resources/app.asar/out/main/main.js` under Node with the stand-in. */
export function boot(
  appDir: string,
  home: string,
  options: { argv?: string[]; env?: Record<string, string>; cwd?: string } = {},
): BootedApp {
  const main = path.join(appDir, 'resources', 'app.asar', 'out', 'main', 'main.js');
  const register = pathToFileURL(path.join(STAND_IN, 'register.mjs')).href;
  mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, HTLNET_STANDIN_HOME: home, ...options.env };
  delete env.HTLNET_WASM_DIR;
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--import', register, main, ...(options.argv ?? [])], {
    cwd: options.cwd ?? home,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const sent: { channel: string; args: unknown[] }[] = [];
  child.on('message', (m: Message) => {
    if ('id' in m) {
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.error !== undefined) w?.reject(new Error(m.error));
      else w?.resolve(m.result);
    } else if (m.type === 'sent') sent.push({ channel: m.channel, args: m.args });
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void exited.then(() => {
    for (const w of waiting.values()) w.reject(new Error(`The app exited:\n${out}`));
    waiting.clear();
  });
  let seq = 0;
  return {
    child,
    sent,
    output: () => out,
    exited,
    op<T>(op: string, payload: Record<string, unknown> = {}) {
      const id = ++seq;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve, reject });
        child.send({ id, op, ...payload });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    },
  };
}
