// The bench scripts' shared command line (bench/script.ts): typed values and defaults, a bad
// flag or number refused in one line naming the flag, --help listing the public options, and
// the result file's name.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { helpText, parseOptions, UsageError, writeResult } from '../../bench/script';

const OPTIONS = {
  rows: { kind: 'number', default: 1000, help: 'rows of the sample' },
  threads: { kind: 'number', help: 'training threads' },
  seeds: { kind: 'numbers', default: [1, 2], help: 'one run per seed' },
  datasets: { kind: 'list', value: 'default,wide', help: 'the datasets' },
  out: { kind: 'string', default: 'bench/results', value: 'DIR', help: 'where the JSON goes' },
  keep: { kind: 'boolean', help: 'keep the temporary folder' },
  child: { kind: 'string', internal: true, help: 'one dataset' },
} as const;

describe('bench script options', () => {
  it('gives defaults, typed values and lists', () => {
    const d = parseOptions(OPTIONS, []);
    expect(d).toEqual({
      help: false,
      rows: 1000,
      threads: undefined,
      seeds: [1, 2],
      datasets: undefined,
      out: 'bench/results',
      keep: false,
      child: undefined,
    });
    const v = parseOptions(OPTIONS, [
      '--rows',
      '2e3',
      '--threads=0',
      '--seeds',
      '4, 5',
      '--datasets',
      'default,wide',
      '--keep',
      '--child',
      'wide',
    ]);
    expect(v).toMatchObject({
      rows: 2000,
      threads: 0,
      seeds: [4, 5],
      datasets: ['default', 'wide'],
      keep: true,
      child: 'wide',
    });
    expect(parseOptions(OPTIONS, ['--help']).help).toBe(true);
  });

  it('refuses a bad number or an unknown flag in one line naming it', () => {
    const refusal = (argv: string[]) => {
      try {
        parseOptions(OPTIONS, argv);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal(['--rows', 'many'])).toBe('--rows takes a number, got "many"');
    expect(refusal(['--seeds', '1,,2'])).toBe('--seeds takes a number, got ""');
    expect(refusal(['--rows'])).toMatch(/--rows/);
    const unknown = refusal(['--bogus']);
    expect(unknown).toMatch(/--bogus/);
    expect(unknown).not.toContain('\n');
  });

  it('lists the public options with their defaults in --help', () => {
    const text = helpText(
      { name: 'bench:x', usage: 'npm run bench:x', about: 'Measures x.' },
      OPTIONS,
    );
    expect(text.split('\n').slice(0, 3)).toEqual(['usage: npm run bench:x', '', 'Measures x.']);
    expect(text).toMatch(/--rows N +rows of the sample \(default 1000\)/);
    expect(text).toMatch(/--seeds 1,2 +one run per seed \(default 1,2\)/);
    expect(text).toMatch(/--out DIR +where the JSON goes \(default bench\/results\)/);
    expect(text).toMatch(/--keep +keep the temporary folder$/m);
    expect(text).toMatch(/--help +this text/);
    expect(text).not.toContain('--child');
  });

  it('writes the result as <tag>-<date>-<revision>.json', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-script-'));
    try {
      const stamp = { date: '2026-01-02T03:04:05.678Z', revision: 'abc1234' };
      const tagged = await writeResult(path.join(dir, 'out'), 'runs', stamp, { x: 1 });
      expect(path.basename(tagged)).toBe('runs-2026-01-02T03-04-05-678Z-abc1234.json');
      expect(JSON.parse(await readFile(tagged, 'utf8'))).toEqual({ x: 1 });
      const plain = await writeResult(dir, '', stamp, {});
      expect(path.basename(plain)).toBe('2026-01-02T03-04-05-678Z-abc1234.json');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
