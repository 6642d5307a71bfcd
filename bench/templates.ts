// `npm run bench:templates`: trains every template on the built-in sample with the same split
// and seed and records their test-split metrics in bench/results/templates-*.json.
//
// Options: --rows N (default 200000), --epochs N (default 5), --seed N (default 42).

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../src-main/engine/backend';
import { readTable } from '../src-main/engine/data/csv';
import { generateSample, sampleBinding } from '../src-main/engine/data/sample';
import { buildTemplate, TEMPLATE_KINDS } from '../src-main/engine/graph/templates';
import { trainProject } from '../src-main/engine/pipeline';
import { gitRevision } from './revision';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '200000' },
      epochs: { type: 'string', default: '5' },
      seed: { type: 'string', default: '42' },
      out: { type: 'string', default: 'bench/results' },
    },
  });
  const rows = Number(values.rows);
  const epochs = Number(values.epochs);
  const seed = Number(values.seed);
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
  const revision = gitRevision();
  const date = new Date().toISOString();
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
  await fs.mkdir(values.out, { recursive: true });
  const name = `templates-${date.replace(/[:.]/g, '-')}-${revision}.json`;
  await fs.writeFile(path.join(values.out, name), JSON.stringify(result, null, 2) + '\n');
  await fs.rm(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(result) + '\n');
  log(`wrote ${path.join(values.out, name)}`);
}

main().catch((e) => {
  process.stderr.write(`bench:templates: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
