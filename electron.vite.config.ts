import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
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

// tfjs-core and its wasm backend are bundled into the main process: the engine imports an
// ES-module-only file of tfjs-core (register_all_gradients) that Node cannot load from
// node_modules, and every part must share one tfjs-core instance. The wasm backend still reads
// its .wasm binaries from node_modules at run time (unpacked from the asar, see
// electron-builder.yml). The optional native backend stays external: it is a native addon.
const bundled = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-cpu',
];
const external = ['@tensorflow/tfjs-node', /^@tensorflow\/tfjs-node\//];

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: { exclude: bundled },
      rolldownOptions: {
        input: {
          main: resolve(root, 'src-main/main.ts'),
          worker: resolve(root, 'src-main/host/worker.ts'),
          'train-worker': resolve(root, 'src-main/engine/train/worker.ts'),
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
