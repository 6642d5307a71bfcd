// Bundles the command line (and the benchmark) for plain Node. Bundling is needed, not only
// convenient: tfjs-core registers gradients from an ES-module file that Node cannot load on
// its own (extensionless imports), so the engine is always run from a bundle (or from vitest).
import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    ssr: true,
    outDir: 'out/cli',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    minify: false,
    rollupOptions: {
      input: {
        cli: 'src-main/cli.ts',
        web: 'src-main/web/main.ts',
        worker: 'src-main/host/worker.ts',
        'train-worker': 'src-main/engine/workers/worker.ts',
        bench: 'bench/bench.ts',
        templates: 'bench/templates.ts',
        explain: 'bench/explain.ts',
        objectives: 'bench/objectives.ts',
      },
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
