// `npm run bench:templates`: trains every template on the built-in sample with the same split
// and seed and records their test-split metrics in bench/results/templates-*.json.
//
// Options: --rows N (default 200000), --epochs N (default 5), --seed N (default 42), --out DIR;
// --help lists them (bench/script.ts parses every bench script's options).

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../src-main/engine/backend';
import { readTable } from '../src-main/engine/data/csv';
import { generateSample, sampleBinding } from '../src-main/engine/data/sample';
import { buildTemplate, TEMPLATE_KINDS } from '../src-main/engine/graph/templates';
import { trainProject } from '../src-main/engine/pipeline';
import { outOption, runScript, scriptOptions, seedOption, stamp, writeResult } from './script';

const SCRIPT = {
  name: 'bench:templates',
  usage: 'npm run bench:templates -- [options]',
  about:
    'Trains every template on the built-in sample with the same split and seed and records their\ntest-split metrics in <out>/templates-<date>-<revision>.json.',
};

async function main(): Promise<void> {
  const { rows, epochs, seed, out } = scriptOptions(SCRIPT, {
    rows: { kind: 'number', default: 200_000, help: 'rows of the generated sample' },
    epochs: { kind: 'number', default: 5, help: 'epochs per template' },
    seed: seedOption,
    out: outOption,
  });
  const log = (s: string) => process.stderr.write(s + '\n');
  const backend = await initBackend();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-templates-'));
  const file = path.join(dir, 'sample.csv');
  await generateSample({ rows, seed }).writeCsv(file);
  const table = await readTable(file);
  const results: Record<string, unknown> = {};
  for (const { kind } of TEMPLATE_KINDS) {
    const project = buildTemplate(kind, sampleBinding());
    const optimizer = project.graph.blocks.find((b) => b.type === 'optimizer')!;
    optimizer.params = { ...optimizer.params, epochs, seed };
    const t0 = performance.now();
    const run = await trainProject({ project, table });
    const seconds = (performance.now() - t0) / 1000;
    results[kind] = {
      metrics: run.test.metrics,
      epochs: run.outcome.epochs,
      bestEpoch: run.outcome.bestEpoch,
      trainSamplesPerSecond: Math.round(run.outcome.trainSamplesPerSecond),
      seconds: +seconds.toFixed(1),
    };
    log(`${kind}: ${JSON.stringify(results[kind])}`);
    run.model.dispose();
  }
  const { date, revision } = stamp();
  const result = {
    date,
    revision,
    backend: backend.description,
    rows,
    epochs,
    seed,
    split: '8:1:1 random',
    templates: results,
  };
  const written = await writeResult(out, 'templates', { date, revision }, result);
  await fs.rm(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(result) + '\n');
  log(`wrote ${written}`);
}

runScript(SCRIPT, main);
