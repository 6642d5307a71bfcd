// Vitest for the whole suite: engine (node), components (happy-dom, per file), end-to-end
// (Chromium, HTLNET_E2E=1) and the packaged app. Sized for the 2-core machines it runs on:
// vitest's own default is one worker fewer than the cores, i.e. a single worker there, which
// ran the ~70 files one after another. Two workers overlap the files that mostly wait (Python,
// Chromium, child processes) with the ones that compute, and the slowest files start first so
// the last worker is not left with a long file at the end.

import os from 'node:os';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/** The long files (seconds on 2 cores, most first): started before everything else. */
const SLOW_FIRST = [
  'test/engine/export/torch.test.ts',
  'test/e2e/journey.e2e.test.ts',
  'test/engine/export/onnx.test.ts',
  'test/e2e/editor.e2e.test.ts',
  'test/e2e/campaign.e2e.test.ts',
  'test/engine/train/fast-path.test.ts',
  'test/engine/train/training.test.ts',
  'test/packaged/packaged.test.ts',
  'test/e2e/launch.e2e.test.ts',
  'test/e2e/explain.e2e.test.ts',
  'test/e2e/experiments.e2e.test.ts',
  'test/engine/train/threads.test.ts',
];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((s) => f.moduleId.endsWith(s));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    const sorted = await super.sort(files);
    return sorted
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    sequence: { sequencer: SlowFirst },
  },
});
