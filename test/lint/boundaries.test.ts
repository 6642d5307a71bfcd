// The import boundaries of eslint.boundaries.js, checked on small sources linted as if they
// were files of each area: what crosses a boundary is refused with its reason, what the
// layering allows passes.

import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
// The probes are not files of the TypeScript project, so the type-aware rules (which need it)
// are off for them; the boundary rules need no types.
const eslint = new ESLint({ cwd: ROOT, overrideConfig: tseslint.configs.disableTypeChecked });

/** The restricted-import messages of `code` linted as the file `file` (relative to the root). */
async function refusals(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages
    .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((m) => m.message);
}

const use = (names: string) => `\nexport const used = [${names}];\n`;

describe('import boundaries', () => {
  it('keeps the features apart and below the app', async () => {
    const found = await refusals(
      'src-renderer/features/train/Probe.ts',
      [
        "import { SourceStep } from '../data/SourceStep';",
        "import { Editor } from '../../features/editor/Editor';",
        "import { Shell } from '../../app/Shell';",
        "import { LiveCharts } from './LiveCharts';",
        "import { formatBytes } from '../../ui/format';",
        "import { useJourney } from '../../store/journey';",
        "import type { RendererApi } from '../../../src-main/ipc/api';",
      ].join('\n') + use('SourceStep, Editor, Shell, LiveCharts, formatBytes, useJourney'),
    );
    expect(found).toHaveLength(3);
    expect(found[0]).toMatch(/A feature does not import another/);
    expect(found[1]).toMatch(/A feature does not import another/);
    expect(found[2]).toMatch(/app\/ composes the features/);
  });

  it('keeps Node and the engine out of the renderer', async () => {
    const found = await refusals(
      'src-renderer/ui/Probe.ts',
      [
        "import fs from 'fs';",
        "import path from 'node:path';",
        "import { loadDataset } from '../../src-main/engine/data/dataset';",
        "import { CATALOG } from '../../src-main/shared/catalog';",
      ].join('\n') + use('fs, path, loadDataset, CATALOG'),
    );
    expect(found).toHaveLength(3);
    expect(found[0]).toMatch(/The renderer has no Node/);
    expect(found[2]).toMatch(/only through src-main\/ipc/);
  });

  it('lets the stores use the host client’s types, not its code', async () => {
    const found = await refusals(
      'src-renderer/store/journey/Probe.ts',
      [
        "import type { BrowserExtras } from '../../app/api';",
        "import { createBrowserApi } from '../../app/api';",
      ].join('\n') + use('createBrowserApi as unknown as BrowserExtras'),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/app\/ composes the features/);
  });

  it('keeps the engine free of Electron, UI, host and IPC', async () => {
    const found = await refusals(
      'src-main/engine/train/Probe.ts',
      [
        "import { app } from 'electron';",
        "import { useState } from 'react';",
        "import type { ApiMap } from '../../ipc/api';",
        "import { suggest } from '../../host/data';",
        "import { CATALOG } from '../../shared/catalog';",
      ].join('\n') + use('app, useState, suggest, CATALOG as unknown as ApiMap'),
    );
    expect(found).toHaveLength(4);
    expect(found[0]).toMatch(/The engine is plain TypeScript/);
    expect(found[2]).toMatch(/does not import the host, the IPC layer/);
  });
});
