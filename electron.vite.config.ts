import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { DEV_CONTENT_SECURITY_POLICY, META_CONTENT_SECURITY_POLICY } from './src-main/ipc/security';

const root = import.meta.dirname;

/**
 * index.html carries the production Content-Security-Policy in a <meta>. The build fails when it
 * differs from the policy main.ts sends as a header; the dev server relaxes it for React refresh
 * and hot reload (inline preamble script, WebSocket).
 */
function contentSecurityPolicy(): Plugin {
  const meta = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")/;
  return {
    name: 'htlnet:content-security-policy',
    transformIndexHtml: {
      order: 'pre',
      handler(html, ctx) {
        const found = meta.exec(html);
        if (!found) throw new Error('index.html has no Content-Security-Policy <meta>.');
        if (found[2] !== META_CONTENT_SECURITY_POLICY) {
          throw new Error(
            `index.html's Content-Security-Policy differs from src-main/ipc/security.ts:\n` +
              `  index.html:  ${found[2]}\n  security.ts: ${META_CONTENT_SECURITY_POLICY}`,
          );
        }
        const dev = DEV_CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", '');
        return ctx.server ? html.replace(meta, `$1${dev}$3`) : html;
      },
    },
  };
}

/**
 * What the main-process bundles need beside them at run time, written into out/main:
 * - package.json {"type": "module"}: the bundles are ES modules by declaration, not by Node's
 *   syntax detection, so a package.json with "type": "commonjs" in a folder above the install
 *   folder cannot turn them into CommonJS (the worker runs from app.asar.unpacked, where the
 *   app's own package.json is not a parent);
 * - wasm/*.wasm: the WebAssembly backend's binaries. The main process tells its workers where
 *   they are (HTLNET_WASM_DIR, see main.ts); the packaged app carries no node_modules at all.
 */
function mainRuntimeFiles(): Plugin {
  return {
    name: 'htlnet:main-runtime-files',
    generateBundle() {
      this.emitFile({
        type: 'asset',
        fileName: 'package.json',
        source: `${JSON.stringify({ type: 'module' }, null, 2)}\n`,
      });
      const wasmEntry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
      const dist = dirname(wasmEntry);
      const binaries = readdirSync(dist).filter((f) => f.endsWith('.wasm'));
      if (binaries.length === 0) throw new Error(`No .wasm binaries in ${dist}.`);
      for (const name of binaries) {
        this.emitFile({
          type: 'asset',
          fileName: `wasm/${name}`,
          source: readFileSync(join(dist, name)),
        });
      }
    },
  };
}

// Everything the main process runs is bundled (tfjs-core and its wasm backend must share one
// tfjs-core instance, and the engine imports an ES-module-only file of tfjs-core that Node cannot
// load from node_modules), so the packaged app needs no node_modules. Only Electron and the
// optional native backend stay external; the installers leave the native backend out on purpose
// (README, "What is in the package"), and the app falls back to wasm when it does not load.
const external = ['electron', '@tensorflow/tfjs-node', /^@tensorflow\/tfjs-node\//];

export default defineConfig({
  main: {
    plugins: [mainRuntimeFiles()],
    build: {
      outDir: 'out/main',
      externalizeDeps: false,
      rolldownOptions: {
        input: {
          main: resolve(root, 'src-main/main.ts'),
          worker: resolve(root, 'src-main/host/worker.ts'),
          'train-worker': resolve(root, 'src-main/engine/workers/worker.ts'),
        },
        external,
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require only 'electron': bundle everything else into it.
      externalizeDeps: false,
      rolldownOptions: {
        input: { preload: resolve(root, 'src-main/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [react(), contentSecurityPolicy()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: {
        input: { index: resolve(root, 'src-renderer/index.html') },
      },
    },
  },
});
