// Header detection and column typing that tell: duplicate names refused naming them, an index
// column's empty name, numeric names, CR-only line endings, a few stray cells in a numeric
// column kept numeric and reported, decimal commas, and "empty" for empty target cells.

import { describe, expect, it } from 'vitest';
import { parseTableFromBuffer } from '../../../src-main/engine/data/csv';
import { parseTargets } from '../../../src-main/engine/data/targets';
import type { Table } from '../../../src-main/engine/data/types';
import { UserError } from '../../../src-main/engine/errors';

const parse = (text: string, name = 'data.csv') => parseTableFromBuffer(name, Buffer.from(text));
const col = (t: Table, name: string) => t.columns.find((c) => c.name === name)!;

function rows(n: number, make: (i: number) => string): string {
  return Array.from({ length: n }, (_, i) => make(i)).join('\n') + '\n';
}

async function message(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UserError);
  expect((e as Error).message).not.toMatch(/\n/);
  return (e as Error).message;
}

describe('header detection', () => {
  it('refuses duplicate header names, naming every one', async () => {
    const m = await message(parse('a,b,a,c,c\n1,2,3,4,5\n6,7,8,9,10\n', 'dup.csv'));
    expect(m).toMatch(/dup\.csv, line 1: the header names "a" twice, "c" twice/);
  });

  it('reads an empty first name as an index column (pandas)', async () => {
    const t = await parse(',visit,spend\n0,1,2.5\n1,0,0\n2,1,3\n');
    expect(t.header).toBe(true);
    expect(t.columns.map((c) => c.name)).toEqual(['index', 'visit', 'spend']);
    expect(t.rows).toBe(3);
  });

  it('accepts numeric header names beside text ones', async () => {
    const t = await parse('region,units,2020\nnorth,1,2\nsouth,3,4\n');
    expect(t.header).toBe(true);
    expect(t.columns.map((c) => c.name)).toEqual(['region', 'units', '2020']);
    expect(Array.from(col(t, '2020').values!)).toEqual([2, 4]);
  });

  it('still reads a file of numbers as headerless', async () => {
    const t = await parse('1,2\n3,4\n');
    expect(t.header).toBe(false);
    expect(t.rows).toBe(2);
  });

  it('reads CR-only line endings', async () => {
    const t = await parse('a,b\r1,2\r3,4\r', 'mac.csv');
    expect(t.header).toBe(true);
    expect(t.rows).toBe(2);
    expect(Array.from(col(t, 'b').values!)).toEqual([2, 4]);
  });
});

describe('column typing', () => {
  it('keeps a mostly numeric column numeric, the stray cells missing and reported', async () => {
    const text =
      'id,amount\n' +
      rows(200, (i) => `${i},${i === 57 ? '4e' : i === 90 ? '-' : i === 120 ? 'Inf' : i * 1.5}`);
    const t = await parse(text);
    const amount = col(t, 'amount');
    expect(amount.values).not.toBeNull();
    expect(amount.kind).toBe('continuous');
    expect(amount.invalidCells).toEqual({ count: 3, line: 59, value: '4e' });
    expect(amount.invalid?.get(120)).toBe('Inf');
    expect(Number.isNaN(amount.values![57])).toBe(true);
    expect(amount.values![58]).toBe(87);
  });

  it('makes a column with many text cells categorical, keeping their text', async () => {
    const t = await parse('f,g\n' + rows(40, (i) => `${i},${i % 3 === 0 ? 'x' + i : i}`));
    const g = col(t, 'g');
    expect(g.values).toBeNull();
    expect(g.kind).toBe('categorical');
    expect(g.firstNonNumeric).toEqual({ line: 2, value: 'x0' });
    expect(g.dictionary).toContain('x3');
    expect(g.dictionary).toContain('4');
  });

  it('reads decimal commas in a semicolon file, reports them in a comma file', async () => {
    const semi = await parse('f;amount\n' + rows(50, (i) => `${i};${i},5`));
    expect(col(semi, 'amount').decimalComma).toBe(true);
    expect(col(semi, 'amount').values![3]).toBe(3.5);
    const comma = await parse('f,amount\n' + rows(50, (i) => `${i},${i === 7 ? '"33,12"' : i}`));
    expect(col(comma, 'amount').invalidCells).toEqual({ count: 1, line: 9, value: '33,12' });
  });

  it('names the stray value of a regression target, and an empty target as empty', async () => {
    const t = await parse(
      'f,amount,click\n' + rows(100, (i) => `${i},${i === 30 ? '4e' : i},${i === 40 ? '' : i % 2}`),
      't.csv',
    );
    const m = await message(
      Promise.resolve().then(() =>
        parseTargets(t, [{ name: 'amount', column: 'amount', type: 'regression' }]),
      ),
    );
    expect(m).toMatch(
      /t\.csv, line 32, column "amount": regression target must be a number, found "4e"/,
    );
    const b = await message(
      Promise.resolve().then(() =>
        parseTargets(t, [{ name: 'click', column: 'click', type: 'binary' }]),
      ),
    );
    expect(b).toMatch(/t\.csv, line 42, column "click": the binary target is (empty|missing)/);
    expect(b).not.toMatch(/NaN/);
  });
});
