// The default binding, the one function the app's wizard and `htlnet train` share: feature
// kinds (ids as categories, quantities as numbers), the tasks suggested from the funnel, and
// the options' errors naming the file, line and column.
import { describe, expect, it } from 'vitest';
import { defaultBinding, isIdentifierName } from '../../../src-main/engine/data/binding';
import { parseTableFromBuffer } from '../../../src-main/engine/data/csv';
import { UserError } from '../../../src-main/engine/errors';

/** 80 rows: an id and a price (continuous), an hour (few integers), a word, then the funnel. */
function shopCsv(): string {
  const lines = ['user_id,price,hour,city,click,purchase,amount'];
  for (let i = 0; i < 80; i++) {
    const click = i % 3 === 0 ? 1 : 0;
    const purchase = click && i % 2 === 0 ? 1 : 0;
    const amount = purchase ? (10 + i * 0.37).toFixed(2) : '0';
    lines.push(
      `${1000 + i * 7},${(5 + i * 1.13).toFixed(2)},${i % 24},${['lyon', 'nice'][i % 2]},${click},${purchase},${amount}`,
    );
  }
  return lines.join('\n') + '\n';
}

const parse = (text: string) => parseTableFromBuffer('shop.csv', Buffer.from(text));

async function failure(f: () => unknown): Promise<UserError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

describe('defaultBinding', () => {
  it('suggests the funnel at the end of the file as the tasks, in chain order', async () => {
    const b = defaultBinding(await parse(shopCsv()));
    expect(b.tasks).toEqual([
      { name: 'click', column: 'click', type: 'binary' },
      { name: 'purchase', column: 'purchase', type: 'binary' },
      { name: 'amount', column: 'amount', type: 'regression' },
    ]);
    expect(b.excluded).toEqual([]);
  });

  it('binds ids and few-valued integers as categories, quantities as numbers', async () => {
    const table = await parse(shopCsv());
    expect(table.columns[0].kind).toBe('continuous'); // user_id looks like a quantity
    const tasks = [
      { name: 'click', type: 'binary' as const },
      { name: 'amount', type: 'regression' as const },
    ];
    const b = defaultBinding(table, tasks);
    expect(b.features).toEqual([
      { column: 'user_id', kind: 'categorical' },
      { column: 'price', kind: 'numeric' },
      { column: 'hour', kind: 'categorical' },
      { column: 'city', kind: 'categorical' },
      { column: 'purchase', kind: 'categorical' },
    ]);
  });

  it('gives the same feature kinds with suggested and with given tasks', async () => {
    const table = await parse(shopCsv());
    const suggested = defaultBinding(table);
    const given = defaultBinding(
      table,
      suggested.tasks.map((t) => ({ name: t.name, type: t.type })),
    );
    expect(given).toEqual(suggested);
  });

  it('follows --features, --exclude, --categorical and --numeric', async () => {
    const table = await parse(shopCsv());
    const tasks = [{ name: 'amount', type: 'regression' as const }];
    const b = defaultBinding(table, tasks, {
      exclude: ['city', 'click', 'purchase'],
      categorical: ['price'],
      numeric: ['user_id'],
    });
    expect(b.features).toEqual([
      { column: 'user_id', kind: 'numeric' },
      { column: 'price', kind: 'categorical' },
      { column: 'hour', kind: 'categorical' },
    ]);
    expect(b.excluded).toEqual(['city', 'click', 'purchase']);
    const listed = defaultBinding(table, tasks, { features: ['price', 'hour'] });
    expect(listed.features.map((f) => f.column)).toEqual(['price', 'hour']);
  });

  it('refuses what cannot be, naming the file, line and column', async () => {
    const table = await parse(shopCsv());
    const tasks = [{ name: 'amount', type: 'regression' as const }];
    const text = await failure(() => defaultBinding(table, tasks, { numeric: ['city'] }));
    expect(text.message).toBe(
      'shop.csv, line 2: column "city" cannot be numeric: "lyon" is not a number.',
    );
    expect(text.where).toMatchObject({ file: 'shop.csv', line: 2, column: 'city' });
    const both = await failure(() =>
      defaultBinding(table, tasks, { numeric: ['price'], categorical: ['price'] }),
    );
    expect(both.message).toBe('Column "price" cannot be both categorical and numeric.');
    const missing = await failure(() => defaultBinding(table, tasks, { numeric: ['cost'] }));
    expect(missing.message).toMatch(/^shop\.csv: listed column "cost" is not in the file/);
    const overlap = await failure(() => defaultBinding(table, tasks, { features: ['amount'] }));
    expect(overlap.message).toBe('Column "amount" cannot be both a feature and a task target.');
    const none = await failure(() =>
      defaultBinding(table, tasks, { features: [], exclude: ['city'] }),
    );
    expect(none.message).toMatch(/no feature columns are left/);
  });

  it('leaves a file without features to the wizard when it suggests the tasks', async () => {
    const table = await parse('click,amount\n1,2.5\n0,0\n1,3.25\n0,0\n');
    const b = defaultBinding(table);
    expect(b.features).toEqual([]);
    expect(b.tasks.map((t) => t.type)).toEqual(['binary', 'regression']);
  });

  it('recognises identifier names', () => {
    expect(['user_id', 'itemId', 'sku_code', 'ID'].every(isIdentifierName)).toBe(true);
    expect(['price', 'paid', 'humid'].some(isIdentifierName)).toBe(false);
  });
});
