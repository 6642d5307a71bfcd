#!/usr/bin/env node
// The `htlnet` command: runs the bundled CLI (out/cli/cli.cjs, built by `npm run build:cli`,
// which `npm install` / `npm ci` run through the "prepare" script).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bundle = path.join(root, 'out', 'cli', 'cli.cjs');
if (!existsSync(bundle)) {
  process.stderr.write(
    'htlnet: the command line is not built yet; run `npm run build:cli` in ' + root + '\n',
  );
  process.exit(2);
}
const { main } = createRequire(import.meta.url)(bundle);
process.exitCode = await main(process.argv.slice(2));
