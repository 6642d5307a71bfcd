// `htlnet templates` and `htlnet sample`: the starting material, the model templates a
// project can start from and the built-in synthetic sample written as a CSV.

import path from 'node:path';
import { generateSample } from '../engine/data/sample';
import { TEMPLATE_KINDS } from '../engine/graph/templates';
import { intFlag, json, Progress, required, type Flags } from './kit';

export function templates(flags: Flags): number {
  if (flags.json) {
    process.stdout.write(json(TEMPLATE_KINDS) + '\n');
    return 0;
  }
  const width = Math.max(...TEMPLATE_KINDS.map((t) => t.kind.length));
  for (const t of TEMPLATE_KINDS)
    process.stdout.write(`${t.kind.padEnd(width)}  ${t.title}: ${t.description}\n`);
  return 0;
}

export async function sample(flags: Flags): Promise<number> {
  const out = required(flags, 'out');
  const rows = intFlag(flags, 'rows', 1, 100_000_000) ?? 100_000;
  const seed = intFlag(flags, 'seed', 0, 2_147_483_647) ?? 42;
  const progress = new Progress(Boolean(flags.json));
  const sampleData = generateSample({ rows, seed });
  await sampleData.writeCsv(out);
  progress.line(`wrote ${rows.toLocaleString('en-US')} sample rows (seed ${seed}) to ${out}`);
  if (flags.json)
    process.stdout.write(
      json({ rows, seed, out: path.resolve(out), columns: sampleData.header }) + '\n',
    );
  return 0;
}
