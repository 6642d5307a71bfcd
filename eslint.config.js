// Flat config: ESLint's and typescript-eslint's recommended rules, a type-aware set for the
// TypeScript (through the project service, so the rules see the same types as `tsc`), and
// react-hooks' recommended rules for the renderer. The type-aware rules are the ones that catch
// real bugs here (a promise nobody awaits, a promise where a callback expects void, a switch
// that misses a case); the full `recommendedTypeChecked` set would mostly flag `any` from tfjs.

import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import { boundaries } from './eslint.boundaries.js';

const nodeGlobals = {
  process: 'readonly',
  console: 'readonly',
  Buffer: 'readonly',
  URL: 'readonly',
  setTimeout: 'readonly',
  clearTimeout: 'readonly',
  setImmediate: 'readonly',
  queueMicrotask: 'readonly',
  structuredClone: 'readonly',
};

export default defineConfig(
  globalIgnores([
    'out/',
    'release/',
    'dist/',
    'node_modules/',
    'bench/results/',
    'coverage/',
    'test-results/',
    'scratch/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },
  {
    // Type-aware rules: TypeScript files only, typed by tsconfig.json (files outside it, such
    // as the CLI's vite config, get the default project).
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vite.node.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // tfjs ops are generic in their result's rank; a cast such as `as tf.Tensor2D` names it.
      '@typescript-eslint/no-unnecessary-type-assertion': [
        'error',
        {
          typesToIgnore: [
            'tf.Scalar',
            'tf.Tensor1D',
            'tf.Tensor2D',
            'tf.Tensor3D',
            'tf.Variable[]',
            'tfc.Scalar',
            'tfc.Tensor1D',
            'tfc.Tensor2D',
            'tfc.Tensor3D',
          ],
        },
      ],
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
    },
  },
  {
    // An `async` function without `await` is right where a contract asks for a promise and a
    // throw must become a rejection: the API handler table, its fakes, and test callbacks.
    files: ['src-main/ipc/handlers.ts', 'test/**'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}', 'test/renderer/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    // Plain JavaScript (this file, the CLI launcher, scripts) runs on Node.
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: nodeGlobals },
  },
  ...boundaries,
);
