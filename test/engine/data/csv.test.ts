import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseTableFromBuffer, readTable } from '../../../src-main/engine/data/csv';
import { parseTargets } from '../../../src-main/engine/data/targets';
import type { Table } from '../../../src-main/engine/data/types';
import { UserError } from '../../../src-main/engine/errors';
import type { TaskBinding } from '../../../src-main/shared/project';

const parse = (text: string | Buffer, name = 'data.csv') =>
  parseTableFromBuffer(name, typeof text === 'string' ? Buffer.from(text) : text);

const col = (t: Table, name: string) => t.columns.find((c) => c.name === name)!;
const text = (t: Table, name: string) => {
  const c = col(t, name);
  return Array.from(c.codes!, (code) => (code < 0 ? null : c.dictionary![code]));
};

async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<UserError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, `expected an error matching ${pattern}`).toBeInstanceOf(UserError);
  expect((e as Error).message).toMatch(pattern);
  expect((e as Error).message).not.toMatch(/\n/);
  return e as UserError;
}

const binary = (name: string): TaskBinding => ({ name, column: name, type: 'binary' });
const regression = (name: string): TaskBinding => ({ name, column: name, type: 'regression' });

describe('CSV import', () => {
  it('reads comma, semicolon and tab separated files with a header', async () => {
    for (const d of [',', ';', '\t']) {
      const t = await parse(
        [
          'id,city,price'.replaceAll(',', d),
          ['1', 'Oslo', '9.5'].join(d),
          ['2', 'Rome', '12'].join(d),
        ].join('\n'),
      );
      expect(t.delimiter).toBe(d);
      expect(t.header).toBe(true);
      expect(t.columns.map((c) => c.name)).toEqual(['id', 'city', 'price']);
      expect(Array.from(col(t, 'price').values!)).toEqual([9.5, 12]);
      expect(text(t, 'city')).toEqual(['Oslo', 'Rome']);
    }
  });

  it('handles quoted fields with delimiters, escaped quotes and newlines', async () => {
    const t = await parse(
      'name,note,n\n"Smith, J","said ""hi""",1\n"multi\nline","x",2\nplain,"",3\n',
    );
    expect(t.rows).toBe(3);
    expect(text(t, 'name')).toEqual(['Smith, J', 'multi\nline', 'plain']);
    expect(text(t, 'note')).toEqual(['said "hi"', 'x', null]);
    expect(t.lineOfRow(2)).toBe(5); // the quoted newline moved the third row to line 5
  });

  it('detects a missing header', async () => {
    const t = await parse('1,a,0.5\n2,b,0.25\n3,c,1\n');
    expect(t.header).toBe(false);
    expect(t.rows).toBe(3);
    expect(t.columns.map((c) => c.name)).toEqual(['column_1', 'column_2', 'column_3']);
  });

  it('strips a UTF-8 BOM, accepts CRLF, trims spaces after separators, keeps UTF-8 text', async () => {
    const t = await parse(
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from('city, amount\r\nZürich, 3\r\nKraków, 4.5\r\n'),
      ]),
    );
    expect(t.columns.map((c) => c.name)).toEqual(['city', 'amount']);
    expect(text(t, 'city')).toEqual(['Zürich', 'Kraków']);
    expect(Array.from(col(t, 'amount').values!)).toEqual([3, 4.5]);
  });

  it('reads gzip files from disk, streaming, with progress', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-csv-'));
    const lines = ['a,b,click'];
    for (let i = 0; i < 50_000; i++) lines.push(`${i},cat_${i % 7},${i % 2}`);
    const file = path.join(dir, 'big.csv.gz');
    await fs.writeFile(file, gzipSync(lines.join('\n') + '\n'));
    const progress: number[] = [];
    const t = await readTable(file, { onProgress: (read) => progress.push(read) });
    expect(t.rows).toBe(50_000);
    expect(col(t, 'a').values![49_999]).toBe(49_999);
    expect(text(t, 'b')[8]).toBe('cat_1');
    expect(progress.length).toBeGreaterThan(0);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('treats empty, NA, NaN, null and ? as missing', async () => {
    const t = await parse('x,y\n1,a\n,b\nNA,\nnan,c\nnull,?\n5,d\n');
    const x = col(t, 'x');
    expect(x.missing).toBe(4);
    expect(x.firstMissingLine).toBe(3);
    expect(Array.from(x.values!).map((v) => (Number.isNaN(v) ? null : v))).toEqual([
      1,
      null,
      null,
      null,
      null,
      5,
    ]);
    expect(col(t, 'y').missing).toBe(2);
  });

  it('infers column kinds', async () => {
    const rows = ['id,flag,yes,score,count,city'];
    for (let i = 0; i < 100; i++)
      rows.push(`${i},${i % 2},${i % 3 ? 'yes' : 'no'},${(i / 7).toFixed(3)},${i % 5},c${i % 4}`);
    const t = await parse(rows.join('\n'));
    expect(Object.fromEntries(t.columns.map((c) => [c.name, c.kind]))).toEqual({
      id: 'continuous',
      flag: 'binary',
      yes: 'binary',
      score: 'continuous',
      count: 'numeric',
      city: 'categorical',
    });
  });
});

describe('bad input gets a clear message naming file, line and column', () => {
  it('an empty file', async () => {
    await rejects(parse('', 'empty.csv'), /^empty\.csv is empty\.$/);
    await rejects(parse('\n\n  \n', 'blank.csv'), /blank\.csv is empty/);
  });

  it('a header-only file', async () => {
    await rejects(parse('a,b,click\n', 'head.csv'), /head\.csv has a header but no data rows/);
  });

  it('a ragged row', async () => {
    const e = await rejects(
      parse('a,b,c\n1,2,3\n4,5\n', 'r.csv'),
      /r\.csv, line 3: has 2 fields, expected 3/,
    );
    expect(e.where.line).toBe(3);
    await rejects(parse('a,b,c\n1,2,3\n4,5,6,7\n', 'r.csv'), /line 3: has 4 fields, expected 3/);
  });

  it('an unterminated quote', async () => {
    await rejects(
      parse('a,b\n1,"open\n2,3\n', 'q.csv'),
      /q\.csv, line 2: a quoted field is never closed/,
    );
  });

  it('invalid UTF-8', async () => {
    const bad = Buffer.concat([
      Buffer.from('a,b\n1,x\n2,'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('\n'),
    ]);
    await rejects(parse(bad, 'latin.csv'), /latin\.csv, line 3: the file is not valid UTF-8/);
  });

  it('a non-numeric regression target', async () => {
    const t = await parse('f,amount\n1,3.5\n2,lots\n', 'a.csv');
    const e = await rejects(
      Promise.resolve().then(() => parseTargets(t, [regression('amount')])),
      /a\.csv, line 3, column "amount": regression target must be a number, found "lots"/,
    );
    expect(e.where).toMatchObject({ file: 'a.csv', line: 3, column: 'amount' });
  });

  it('NaN and Inf in a regression target', async () => {
    const nan = await parse('f,amount\n1,3.5\n2,NaN\n', 'n.csv');
    await rejects(
      Promise.resolve().then(() => parseTargets(nan, [regression('amount')])),
      /n\.csv, line 3, column "amount": the regression target is missing \(empty, NA or NaN\)/,
    );
    const inf = await parse('f,amount\n1,3.5\n2,1e999\n', 'i.csv');
    await rejects(
      Promise.resolve().then(() => parseTargets(inf, [regression('amount')])),
      /i\.csv, line 3, column "amount": regression target must be a finite number, found "(1e999|Infinity)"/,
    );
    const word = await parse('f,amount\n1,3.5\n2,Inf\n', 'w.csv');
    await rejects(
      Promise.resolve().then(() => parseTargets(word, [regression('amount')])),
      /w\.csv, line 3, column "amount": regression target must be a number, found "Inf"/,
    );
  });

  it('a binary target with values other than 0/1', async () => {
    const t = await parse('f,click\n1,0\n2,1\n3,2\n', 'b.csv');
    await rejects(
      Promise.resolve().then(() => parseTargets(t, [binary('click')])),
      /b\.csv, line 4, column "click": binary target must be 0\/1, true\/false or yes\/no, found "2"/,
    );
  });

  it('accepts true/false and yes/no binary targets', async () => {
    const t = await parse('f,click,buy\n1,true,no\n2,FALSE,Yes\n3,True,yes\n');
    const [click, buy] = parseTargets(t, [binary('click'), binary('buy')]);
    expect(Array.from(click)).toEqual([1, 0, 1]);
    expect(Array.from(buy)).toEqual([0, 1, 1]);
  });

  it('a missing target column', async () => {
    const t = await parse('f,click\n1,0\n2,1\n', 'm.csv');
    await rejects(
      Promise.resolve().then(() => parseTargets(t, [regression('amount')])),
      /m\.csv: target column "amount" is not in the file \(its columns: f, click\)/,
    );
  });

  it('a file that does not exist', async () => {
    await rejects(readTable('/nonexistent/dir/x.csv'), /x\.csv: no such file/);
  });
});
