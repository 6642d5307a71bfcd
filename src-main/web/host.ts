// The browser-mode host: the API handlers confined to a workspace, served with uploads. Used
// by `npm run web` and by the end-to-end tests, so both run the same thing.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../engine/backend';
import { APP_VERSION } from '../engine/version';
import { workerRunner } from '../host/jobs';
import { PathPolicy } from '../host/files';
import { saveUpload } from '../host/uploads';
import type { HostEvent } from '../ipc/api';
import { createHandlers } from '../ipc/handlers';
import { startWebServer, type WebServer } from './server';

export interface BrowserHostOptions {
  workspace: string;
  dataDir: string;
  /** The built renderer (out/renderer). */
  staticDir: string;
  port?: number;
  /** The bundled worker script (out/cli/worker.cjs) that trains and scores off the main thread. */
  workerScript: string;
}

export interface BrowserHost {
  server: WebServer;
  backend: Promise<string | null>;
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const workspace = path.resolve(options.workspace);
  const staticDir = path.resolve(options.staticDir);
  const existing = await fs.stat(workspace).catch(() => null);
  if (existing && !existing.isDirectory()) {
    throw new Error(`The workspace ${workspace} is a file, not a folder: choose a folder.`);
  }
  await fs.mkdir(workspace, { recursive: true });
  if (!(await fs.stat(path.join(staticDir, 'index.html')).catch(() => null))) {
    throw new Error(`The built app is missing (${staticDir}/index.html): run \`npm run build\`.`);
  }
  const backend = initBackend().then(
    (b) => b.name,
    (error: unknown) => {
      console.error('Compute backend failed to start:', error);
      return null;
    },
  );
  const uploadsPolicy = new PathPolicy([workspace], workspace);
  let emit: (event: HostEvent) => void = () => undefined;
  const handlers = createHandlers({
    version: APP_VERSION,
    backend: () => backend,
    mode: 'browser',
    workspace,
    dataDir: path.resolve(options.dataDir),
    roots: [workspace],
    emit: (event) => emit(event),
    runner: workerRunner(options.workerScript),
  });
  const server = await startWebServer({
    handlers,
    staticDir,
    port: options.port,
    // Through confine: an "uploads" link leading out of the workspace is refused.
    upload: async (name, body) =>
      saveUpload(
        await uploadsPolicy.confine('uploads', 'uploads folder', { write: true }),
        name,
        body,
      ),
  });
  emit = (event) => server.broadcast(event);
  return { server, backend };
}
