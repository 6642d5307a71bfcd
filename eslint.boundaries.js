// The import boundaries of the code, as lint rules (issue 12): the engine stays plain TypeScript
// (no Electron, React, host or IPC), the renderer never reaches Node or the engine (it asks the
// main process through the typed API), and the renderer's features (editor, data, train,
// results) never import each other or the app: what they share lives in ui/ (components) and
// store/ (state, over the injected API), and the app (app/) composes them. Spread into
// eslint.config.js. Each file group gets one complete rule (a later block replaces an earlier
// one's options), so every group repeats the renderer's base patterns.

import { builtinModules } from 'node:module';

const RULE = '@typescript-eslint/no-restricted-imports';
const FEATURES = ['editor', 'data', 'train', 'results'];

const nodeBuiltins = {
  paths: builtinModules
    .filter((name) => !name.startsWith('_'))
    .map((name) => ({
      name,
      message: 'The renderer has no Node: ask the main process through the typed API.',
    })),
  patterns: [
    {
      regex: '^node:',
      message: 'The renderer has no Node: ask the main process through the typed API.',
    },
    {
      regex: '(^|/)src-main/(engine|host|web)(/|$)|(^|/)src-main/main$|^electron$',
      message:
        'The renderer reaches the engine only through src-main/ipc (the typed API) and src-main/shared.',
    },
  ],
};

/** A relative import of a sibling folder of src-renderer (from any depth). */
const toFolder = (names) => `^(\\.\\./)+(${names.join('|')})(/|$)`;

const noApp = {
  regex: toFolder(['app']),
  message: 'app/ composes the features; nothing below it imports it.',
};

function rendererRule(extra = []) {
  return ['error', { paths: nodeBuiltins.paths, patterns: [...nodeBuiltins.patterns, ...extra] }];
}

function featureBlock(feature) {
  const others = FEATURES.filter((f) => f !== feature);
  return {
    files: [`src-renderer/features/${feature}/**/*.{ts,tsx}`],
    rules: {
      [RULE]: rendererRule([
        {
          regex: `^(\\.\\./)+(features/)?(${others.join('|')})(/|$)`,
          message: `A feature does not import another: share it through ui/ or store/, or compose it in app/.`,
        },
        noApp,
      ]),
    },
  };
}

export const boundaries = [
  {
    files: ['src-main/engine/**/*.ts'],
    rules: {
      [RULE]: [
        'error',
        {
          paths: ['electron', 'react', 'react-dom', 'zustand', '@xyflow/react'].map((name) => ({
            name,
            message: 'The engine is plain TypeScript: no Electron and no UI.',
          })),
          patterns: [
            {
              regex: '^(\\.\\./)+(ipc|host|web|main|preload|cli)(/|$|\\.)',
              message: 'The engine does not import the host, the IPC layer or the app.',
            },
            {
              regex: '(^|/)src-renderer(/|$)',
              message: 'The engine does not import the renderer.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: { [RULE]: rendererRule() },
  },
  ...FEATURES.map(featureBlock),
  {
    files: ['src-renderer/ui/**/*.{ts,tsx}'],
    rules: {
      [RULE]: rendererRule([
        {
          regex: toFolder(['features']),
          message: 'ui/ is the shared kit: it does not import features.',
        },
        noApp,
      ]),
    },
  },
  {
    files: ['src-renderer/store/**/*.{ts,tsx}'],
    rules: {
      [RULE]: rendererRule([
        {
          regex: toFolder(['features']),
          message: 'The stores do not import features.',
        },
        // Types of the host client (app/api.ts) are fine; its code is the app's.
        { ...noApp, allowTypeImports: true },
      ]),
    },
  },
];
