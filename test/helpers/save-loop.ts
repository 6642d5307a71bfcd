// A child process for the kill tests of the model swap: builds a small model, then saves it to
// argv[2] over and over (each save replaces the folder), printing "saved N" after each, until
// it is killed.

import { initBackend } from '../../src-main/engine/backend';
import { parseTableFromBuffer } from '../../src-main/engine/data/csv';
import { generateSample, sampleBinding } from '../../src-main/engine/data/sample';
import { saveModel } from '../../src-main/engine/export/saved-model';
import { buildTemplate } from '../../src-main/engine/graph/templates';
import { prepareRun } from '../../src-main/engine/pipeline';

async function main(): Promise<void> {
  const dest = process.argv[2];
  await initBackend();
  const csv = generateSample({ rows: 400, seed: 1 }).toCsvString();
  const table = await parseTableFromBuffer('s.csv', Buffer.from(csv));
  const project = buildTemplate('htlnet', sampleBinding());
  const run = prepareRun(project, table);
  for (let n = 1; ; n++) {
    await saveModel(dest, {
      model: run.model,
      project,
      fields: run.fields,
      encoders: run.encoders,
      targetEncoders: run.targetEncoders,
      metrics: {},
      rows: { train: 0, validation: 0, test: 0 },
      epochs: n,
      bestEpoch: n,
      backend: 'test',
    });
    process.stdout.write(`saved ${n}\n`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
