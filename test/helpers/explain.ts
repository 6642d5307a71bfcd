// A generated funnel with a known structure, for explanation tests: `strong` drives every task,
// `level` (categorical) drives the click, `weak` drives the amount a little, and `noise` and
// `noise_cat` drive nothing.
import { parseTableFromBuffer } from '../../src-main/engine/data/csv';
import { createRng } from '../../src-main/shared/random';
import type { Table } from '../../src-main/engine/data/types';

export function knownCsv(rows: number, seed = 3): string {
  const rng = createRng(seed);
  const levelEffect = [-1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2];
  const lines = ['strong,level,weak,noise,noise_cat,click,purchase,amount'];
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  for (let i = 0; i < rows; i++) {
    const strong = rng.normal();
    const level = rng.int(8);
    const weak = rng.normal();
    const noise = rng.normal();
    const noiseCat = rng.int(6);
    const click = rng.next() < sigmoid(2 * strong + levelEffect[level]) ? 1 : 0;
    const purchase = click && rng.next() < sigmoid(1.5 * strong - 0.5) ? 1 : 0;
    const amount = purchase ? Math.exp(1 + 0.8 * strong + 0.4 * weak + 0.3 * rng.normal()) : 0;
    lines.push(
      [
        strong.toFixed(4),
        `L${level}`,
        weak.toFixed(4),
        noise.toFixed(4),
        `n${noiseCat}`,
        click,
        purchase,
        amount.toFixed(3),
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

export function knownTable(rows: number, seed = 3): Promise<Table> {
  return parseTableFromBuffer('known.csv', Buffer.from(knownCsv(rows, seed)));
}
