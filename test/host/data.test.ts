// The wizard's suggested binding: which numeric columns are identifiers (categories); column
// profiles and binding checks that say which value, on which line.
import { describe, expect, it } from 'vitest';
import { parseTableFromBuffer } from '../../src-main/engine/data/csv';
import { buildTemplate } from '../../src-main/engine/graph/templates';
import { isIdentifierName } from '../../src-main/engine/data/binding';
import { checkBinding, previewTable } from '../../src-main/host/data';
import type { ProjectFile } from '../../src-main/shared/project';

describe('identifier columns', () => {
  it('recognises ids, keys and codes by name', () => {
    for (const name of ['id', 'ID', 'user_id', 'item-id', 'Store ID', 'userId', 'itemID'])
      expect(isIdentifierName(name), name).toBe(true);
    for (const name of ['zip_code', 'sku', 'order.key', 'session_uuid', 'productCode'])
      expect(isIdentifierName(name), name).toBe(true);
  });

  it('leaves quantities and words that merely end in the letters alone', () => {
    for (const name of ['price', 'paid', 'valid', 'humid', 'barcode_count', 'monkey', 'episode'])
      expect(isIdentifierName(name), name).toBe(false);
  });
});

describe('a number column with a stray text value', () => {
  it('names how many values are not numbers and the first one with its line', async () => {
    const lines = ['visit,spend'];
    for (let i = 0; i < 20; i++)
      lines.push(`${i % 2},${i === 7 ? '$29.99' : (i * 1.5).toFixed(2)}`);
    const table = await parseTableFromBuffer('shop.csv', Buffer.from(lines.join('\n') + '\n'));
    const preview = previewTable(table, '/ws/shop.csv');
    const spend = preview.columns.find((c) => c.name === 'spend')!;
    // Numeric with the stray cell read as missing (5% or fewer), and the cell named.
    expect(spend.numeric).toBe(true);
    expect(spend.notNumbers).toEqual({ count: 1, line: 9, value: '$29.99', readAsMissing: true });
    // A column of words is not "mostly numbers".
    const words = await parseTableFromBuffer('w.csv', Buffer.from('a,b\nx,1\ny,2\n3,3\n'));
    expect(previewTable(words, '/ws/w.csv').columns[0].notNumbers).toBeUndefined();
    // The check of a regression task on it names the value and the line.
    const project = {
      data: {
        features: [{ column: 'visit', kind: 'categorical' as const }],
        tasks: [{ name: 'spend', column: 'spend', type: 'regression' as const }],
        excluded: [],
      },
      graph: { blocks: [], edges: [] },
    } as unknown as ProjectFile;
    const [problem] = checkBinding(project, preview);
    expect(problem.message).toContain('"$29.99" on line 9');
  });

  it('reads a column with too many stray texts as text, still saying how many and where', async () => {
    // 3 of 20 values are not numbers (more than 5%): the column is text, mostly of numbers.
    const lines = ['visit,spend'];
    for (let i = 0; i < 20; i++) lines.push(`${i % 2},${i % 7 === 3 ? `$${i}.99` : i * 1.5}`);
    const table = await parseTableFromBuffer('shop.csv', Buffer.from(lines.join('\n') + '\n'));
    const preview = previewTable(table, '/ws/shop.csv');
    const spend = preview.columns.find((c) => c.name === 'spend')!;
    expect(spend.numeric).toBe(false);
    expect(spend.notNumbers).toEqual({ count: 3, line: 5, value: '$3.99', readAsMissing: false });
    const project = {
      data: {
        features: [{ column: 'visit', kind: 'categorical' as const }],
        tasks: [{ name: 'spend', column: 'spend', type: 'regression' as const }],
        excluded: [],
      },
      graph: { blocks: [], edges: [] },
    } as unknown as ProjectFile;
    const [problem] = checkBinding(project, preview);
    expect(problem.message).toContain(
      'holds 3 values that are not a number, the first "$3.99" on line 5; fix them',
    );
  });
});

describe('the check of a binding on an empty canvas', () => {
  it('does not speak of feature inputs that do not exist', async () => {
    const table = await parseTableFromBuffer('shop.csv', Buffer.from('a,visit\nx,1\ny,0\n'));
    const preview = previewTable(table, '/ws/shop.csv');
    const project = {
      data: {
        features: [{ column: 'user_segment', kind: 'categorical' as const }],
        tasks: [{ name: 'visit', column: 'visit', type: 'binary' as const }],
        excluded: [],
      },
      graph: { blocks: [], edges: [] },
    } as unknown as ProjectFile;
    const [problem] = checkBinding(project, preview);
    expect(problem.message).toContain('has no column "user_segment"');
    expect(problem.message).not.toContain('feature inputs');
  });
});

describe('column profiles that tell', () => {
  const rows = (n: number, f: (i: number) => string) =>
    Array.from({ length: n }, (_, i) => f(i)).join('\n') + '\n';

  it('reports stray cells of a numeric column and decimal commas in the profile', async () => {
    const table = await parseTableFromBuffer(
      'c.csv',
      Buffer.from('visit;spend;rate\n' + rows(100, (i) => `${i % 2};${i === 9 ? '4e' : i};0,${i}`)),
    );
    const preview = previewTable(table, 'c.csv');
    const spend = preview.columns.find((c) => c.name === 'spend')!;
    expect(spend.numeric).toBe(true);
    expect(spend.notNumbers).toEqual({ count: 1, line: 11, value: '4e', readAsMissing: true });
    expect(preview.head[9][1]).toBe('4e'); // the first rows show the cell as written
    expect(preview.columns.find((c) => c.name === 'rate')!.decimalComma).toBe(true);
  });

  it('names the value and line that make a regression target text', async () => {
    const table = await parseTableFromBuffer(
      'm.csv',
      Buffer.from(
        'seg,visit,spend\n' + rows(20, (i) => `s${i % 3},${i % 2},${i % 2 ? '$29.99' : 'n/a'}`),
      ),
    );
    const preview = previewTable(table, 'm.csv');
    const project = buildTemplate('dnn', {
      features: [{ column: 'seg', kind: 'categorical' }],
      tasks: [{ name: 'spend', column: 'spend', type: 'regression' }],
      excluded: [],
    });
    const messages = checkBinding(project, preview).map((p) => p.message);
    expect(messages).toContain(
      'Task "spend" is a regression, but column "spend" of m.csv is not numeric (line 3 holds "$29.99"); fix those values in the file, or use another column.',
    );
  });
});
