// Runs one of the TypeScript scripts in scripts/ with the engine: bundles it for Node with vite
// into out/scripts/<name>.cjs (the engine is always run from a bundle: tfjs-core has ES-module
// files Node cannot load on its own, see vite.node.config.ts), then runs the bundle with the
// remaining arguments. The npm scripts call it:
//   node scripts/run.mjs scripts/journey-fixtures.ts [args...]

import { spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { build } from 'vite';

const [script, ...args] = process.argv.slice(2);
if (!script || !script.endsWith('.ts')) {
  console.error('usage: node scripts/run.mjs <script.ts> [arguments...]');
  process.exit(2);
}
const name = path.basename(script, '.ts');
const outDir = path.join('out', 'scripts');
await build({
  configFile: false,
  logLevel: 'warn',
  build: {
    ssr: true,
    outDir,
    emptyOutDir: false,
    target: 'node20',
    sourcemap: true,
    minify: false,
    rollupOptions: {
      input: { [name]: script },
      external: [
        ...builtinModules,
        ...builtinModules.map((m) => `node:${m}`),
        '@tensorflow/tfjs-node',
      ],
      output: { format: 'cjs', entryFileNames: '[name].cjs' },
    },
  },
  ssr: { noExternal: true, target: 'node' },
});
const run = spawnSync(
  process.execPath,
  ['--enable-source-maps', path.join(outDir, `${name}.cjs`), ...args],
  { stdio: 'inherit' },
);
process.exit(run.status ?? 1);
