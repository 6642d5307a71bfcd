// The wizard's suggested binding: which numeric columns are identifiers (categories); column
// profiles and binding checks that say which value, on which line.
import { describe, expect, it } from 'vitest';
import { parseTableFromBuffer } from '../../src-main/engine/data/csv';
import { buildTemplate } from '../../src-main/engine/graph/templates';
import { checkBinding, isIdentifierName, previewTable } from '../../src-main/host/data';

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
    expect(spend.invalid).toEqual({ count: 1, line: 11, value: '4e' });
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
