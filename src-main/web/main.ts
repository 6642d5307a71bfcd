// `npm run web`: the app in a browser. Serves the built renderer (out/renderer) and the API on
// 127.0.0.1 with a per-launch token, and prints the address to open.

import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataDir, defaultWorkspace } from '../host/paths';
import { startBrowserHost } from './host';

const USAGE = `Usage: npm run web -- [--port N] [--workspace DIR] [--data-dir DIR] [--renderer DIR]

Serves HTLNet Studio to a browser on 127.0.0.1 and prints the address (with its per-launch
token) to open. Files are read and written only inside the workspace folder
(default: ~/HTLNet Studio, or $HTLNET_WORKSPACE).`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      workspace: { type: 'string' },
      'data-dir': { type: 'string' },
      renderer: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a port number; got "${values.port}".`);
  }
  const workspace = path.resolve(values.workspace ?? defaultWorkspace());
  const { server, backend } = await startBrowserHost({
    workspace,
    dataDir: values['data-dir'] ?? defaultDataDir(),
    staticDir: values.renderer ?? path.join(__dirname, '..', 'renderer'),
    workerScript: path.join(__dirname, 'worker.cjs'),
    port,
  });
  console.log(`HTLNet Studio (browser mode), backend: ${(await backend) ?? 'none'}`);
  console.log(`Workspace: ${workspace}`);
  console.log(`Open: ${server.url}`);
  console.log('New here? "Try the sample" trains HTLNet on the built-in sample in one click.');
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
