import { describe, expect, it } from 'vitest';
import { parseTableFromBuffer } from '../../../src-main/engine/data/csv';
import { defaultBinding } from '../../../src-main/engine/data/binding';
import { prepareDataset } from '../../../src-main/engine/data/dataset';
import {
  bucketOf,
  encodeFields,
  fitEncoders,
  fitTargetEncoders,
  quantileEdges,
  transformTarget,
  untransformTarget,
} from '../../../src-main/engine/data/encoders';
import { generateSample, sampleBinding } from '../../../src-main/engine/data/sample';
import { splitRows } from '../../../src-main/engine/data/split';
import { auc, regressionMetrics } from '../../../src-main/engine/predict/metrics';

const parse = (text: string, name = 'd.csv') => parseTableFromBuffer(name, Buffer.from(text));

describe('encoders are fitted on the training split only', () => {
  it('vocabulary: by frequency, unseen and missing values map to 0', async () => {
    const t = await parse('id,city\n1,b\n2,a\n3,b\n4,c\n5,\n6,z\n');
    const train = Int32Array.of(0, 1, 2, 3, 4); // z (row 5) is only outside the training rows
    const [enc] = fitEncoders(
      t,
      [{ column: 'city', kind: 'categorical', encoding: 'vocab', buckets: 0 }],
      train,
    );
    expect(enc).toEqual({ column: 'city', kind: 'vocab', values: ['b', 'a', 'c'] });
    const [field] = encodeFields(t, [enc]);
    expect(field.kind === 'lookup' && Array.from(field.ids)).toEqual([1, 2, 1, 3, 0, 0]);
    expect(field.kind === 'lookup' && field.cardinality).toBe(4);
  });

  it('vocabulary over a numeric column: each number is its own category, as its text', async () => {
    const t = await parse('id,x\n7,1\n0.5,1\n7,1\n-3,1\n,1\n1e3,1\n12,1\n0.5,1\n');
    const train = Int32Array.of(0, 1, 2, 3, 4, 5);
    const [enc] = fitEncoders(
      t,
      [{ column: 'id', kind: 'categorical', encoding: 'vocab', buckets: 0 }],
      train,
    );
    expect(enc.kind === 'vocab' && enc.values).toEqual(['7', '0.5', '-3', '1000']);
    const [field] = encodeFields(t, [enc]);
    // 12 was never seen in training, the empty cell is missing: both 0.
    expect(field.kind === 'lookup' && Array.from(field.ids)).toEqual([1, 2, 1, 3, 0, 4, 0, 2]);
    // A saved model's vocabulary may hold texts that are not a number's own text.
    const [other] = encodeFields(t, [{ column: 'id', kind: 'vocab', values: ['07', '7', ' 12'] }]);
    expect(other.kind === 'lookup' && Array.from(other.ids)).toEqual([2, 0, 2, 0, 0, 0, 0, 0]);
    // Integer ids spread too far for a dense table go through the map alike.
    const [far] = encodeFields(t, [{ column: 'id', kind: 'vocab', values: ['1e+21', '12', '7'] }]);
    expect(far.kind === 'lookup' && Array.from(far.ids)).toEqual([3, 0, 3, 0, 0, 0, 2, 0]);
  });

  it('quantile buckets: edges from the training rows, missing in bucket 0', async () => {
    const values = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 100, 200]);
    const edges = quantileEdges(values, Int32Array.of(0, 1, 2, 3, 4, 5, 6, 7), 4);
    expect(edges).toEqual([3, 5, 7]);
    expect([NaN, 1, 3, 4, 5, 7, 1000].map((x) => bucketOf(x, edges))).toEqual([
      0, 1, 2, 2, 3, 4, 4,
    ]);
    // Heavy ties collapse duplicate edges.
    expect(
      quantileEdges(
        Float64Array.from([0, 0, 0, 0, 0, 0, 1, 2]),
        Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]),
        8,
      ),
    ).toEqual([1, 2]);
  });

  it('linear: standardised signed log1p with training mean and std', async () => {
    const t = await parse('x\n0\n3\n-3\n100\n');
    const [enc] = fitEncoders(
      t,
      [{ column: 'x', kind: 'numeric', encoding: 'linear', buckets: 0 }],
      Int32Array.of(0, 1, 2),
    );
    expect(enc.kind === 'linear' && enc.mean).toBeCloseTo(0, 12);
    const s = Math.log1p(3);
    expect(enc.kind === 'linear' && enc.std).toBeCloseTo(Math.sqrt((2 * s * s) / 3), 12);
  });

  it('target transforms round-trip and clamp at 0', () => {
    const y = Float64Array.from([0, 1, 10, 100]);
    const [enc] = fitTargetEncoders(
      [y],
      [{ name: 'amount', column: 'amount', type: 'regression' }],
      ['log1p-zscore'],
      Int32Array.of(0, 1, 2, 3),
    );
    const z = transformTarget(y, enc);
    const mean = z.reduce((a, b) => a + b, 0) / 4;
    expect(mean).toBeCloseTo(0, 6);
    const back = untransformTarget(z, enc);
    back.forEach((v, i) => expect(v).toBeCloseTo(y[i], 3));
    expect(untransformTarget([-100], enc)[0]).toBe(0);
  });

  it('log1p on a target with negative values is refused with the column named', () => {
    expect(() =>
      fitTargetEncoders(
        [Float64Array.of(-1, 2)],
        [{ name: 'p', column: 'profit', type: 'regression' }],
        ['log1p'],
        Int32Array.of(0, 1),
        'f.csv',
      ),
    ).toThrow(/f\.csv, column "profit": the log1p target transform needs non-negative values/);
  });
});

describe('split', () => {
  it('random 8:1:1, seeded, disjoint and complete', () => {
    const a = splitRows(1000, { kind: 'random' }, [0.8, 0.1, 0.1], 7);
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([800, 100, 100]);
    const all = new Set([...a.train, ...a.validation, ...a.test]);
    expect(all.size).toBe(1000);
    const b = splitRows(1000, { kind: 'random' }, [0.8, 0.1, 0.1], 7);
    expect(Array.from(b.test)).toEqual(Array.from(a.test));
    const c = splitRows(1000, { kind: 'random' }, [0.8, 0.1, 0.1], 8);
    expect(Array.from(c.test)).not.toEqual(Array.from(a.test));
  });

  it('by time: oldest train, newest test', async () => {
    const lines = ['t,x'];
    for (let i = 0; i < 20; i++) lines.push(`${(i * 7) % 20},${i}`);
    const t = await parse(lines.join('\n'));
    const s = splitRows(20, { kind: 'time', column: 't' }, [0.8, 0.1, 0.1], 1, t);
    const time = t.columns[0].values!;
    const maxTrain = Math.max(...Array.from(s.train, (r) => time[r]));
    const minVal = Math.min(...Array.from(s.validation, (r) => time[r]));
    const maxVal = Math.max(...Array.from(s.validation, (r) => time[r]));
    const minTest = Math.min(...Array.from(s.test, (r) => time[r]));
    expect(maxTrain).toBeLessThan(minVal);
    expect(maxVal).toBeLessThan(minTest);
  });

  it('needs at least 3 rows', () => {
    expect(() => splitRows(2, { kind: 'random' }, [0.8, 0.1, 0.1], 1)).toThrow(/at least 3 rows/);
  });
});

describe('the built-in sample', () => {
  it('is reproducible and lays out features first, then click, purchase, amount', () => {
    const a = generateSample({ rows: 500, seed: 3 }).toCsvString();
    const b = generateSample({ rows: 500, seed: 3 }).toCsvString();
    const c = generateSample({ rows: 500, seed: 4 }).toCsvString();
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    const header = a.split('\n')[0].split(',');
    expect(header).toHaveLength(23);
    expect(header.slice(-3)).toEqual(['click', 'purchase', 'amount']);
    expect(sampleBinding().features.map((f) => f.column)).toEqual(header.slice(0, 20));
  });

  it('is a funnel: purchase only after a click, amount > 0 exactly when purchased, heavy-tailed', async () => {
    const t = await parse(generateSample({ rows: 20_000, seed: 11 }).toCsvString());
    const v = (n: string) => t.columns.find((c) => c.name === n)!.values!;
    const click = v('click');
    const purchase = v('purchase');
    const amount = v('amount');
    let clicks = 0;
    let buys = 0;
    const amounts: number[] = [];
    for (let r = 0; r < t.rows; r++) {
      if (purchase[r] === 1) expect(click[r]).toBe(1);
      expect(amount[r] > 0).toBe(purchase[r] === 1);
      clicks += click[r];
      buys += purchase[r];
      if (amount[r] > 0) amounts.push(amount[r]);
    }
    expect(clicks / t.rows).toBeGreaterThan(0.1);
    expect(clicks / t.rows).toBeLessThan(0.4);
    expect(buys / clicks).toBeGreaterThan(0.1);
    expect(buys / clicks).toBeLessThan(0.5);
    // Like real spend: mostly zeros, and a heavy tail (a tenth of the buyers hold a third or more).
    expect(amounts.length / t.rows).toBeLessThan(0.12);
    amounts.sort((a, b) => a - b);
    const median = amounts[Math.floor(amounts.length / 2)];
    const p99 = amounts[Math.floor(amounts.length * 0.99)];
    expect(p99 / median).toBeGreaterThan(5); // heavy right tail
    const total = amounts.reduce((a, b) => a + b, 0);
    const top = amounts.slice(Math.floor(amounts.length * 0.9)).reduce((a, b) => a + b, 0);
    expect(top / total).toBeGreaterThan(0.33);
  });

  it('has a learnable structure: the true probabilities rank the outcomes well', async () => {
    const sample = generateSample({ rows: 20_000, seed: 5, withTruth: true });
    const t = await parse(sample.toCsvString());
    const click = t.columns.find((c) => c.name === 'click')!.values!;
    const purchase = t.columns.find((c) => c.name === 'purchase')!.values!;
    expect(auc(click, sample.truth!.click)).toBeGreaterThan(0.7);
    expect(auc(purchase, sample.truth!.purchase)).toBeGreaterThan(0.75);
    // The true mean amounts explain a good part of the spend: a model can beat the average.
    const amount = t.columns.find((c) => c.name === 'amount')!.values!;
    const best = regressionMetrics(amount, sample.truth!.amount);
    expect(best.nrmse).toBeLessThan(0.92);
    expect(Math.abs(best.totalRatio - 1)).toBeLessThan(0.1);
  });

  it('generates the benchmark amounts: plain continuous and mildly skewed, never 0', async () => {
    for (const kind of ['continuous', 'skewed'] as const) {
      const sample = generateSample({ rows: 3000, seed: 5, amount: kind, withTruth: true });
      const t = await parse(sample.toCsvString());
      const amount = t.columns.find((c) => c.name === 'amount')!.values!;
      const sorted = Float64Array.from(amount).sort();
      expect(sorted[0]).toBeGreaterThan(0);
      const median = sorted[sorted.length >> 1];
      const p99 = sorted[Math.floor(sorted.length * 0.99)];
      expect(p99 / median).toBeLessThan(kind === 'continuous' ? 2 : 5);
      expect(regressionMetrics(amount, sample.truth!.amount).nrmse).toBeLessThan(0.8);
    }
  });

  it('has a wide variant: 20 categorical fields with vocabularies of 10,000', () => {
    const csv = generateSample({
      rows: 200,
      seed: 1,
      categoricalFields: 20,
      numericFields: 0,
      vocabulary: 10_000,
    }).toCsvString();
    const header = csv.split('\n')[0].split(',');
    expect(header).toHaveLength(23);
    expect(
      sampleBinding({ categoricalFields: 20, numericFields: 0, vocabulary: 10_000 }).features.every(
        (f) => f.kind === 'categorical',
      ),
    ).toBe(true);
  });
});

describe('dataset', () => {
  it('builds the CLI binding and encodes a prepared dataset', async () => {
    const t = await parse(generateSample({ rows: 300, seed: 2 }).toCsvString());
    const binding = defaultBinding(
      t,
      [
        { name: 'click', type: 'binary' },
        { name: 'amount', type: 'regression' },
      ],
      { exclude: ['purchase'], categorical: ['user_id'] },
    );
    expect(binding.features.find((f) => f.column === 'user_id')!.kind).toBe('categorical');
    expect(binding.features.find((f) => f.column === 'price')!.kind).toBe('numeric');
    // integers with few values (hour of day) and text embed as categories
    expect(binding.features.find((f) => f.column === 'hour')!.kind).toBe('categorical');
    expect(binding.features.find((f) => f.column === 'device')!.kind).toBe('categorical');
    expect(binding.features.some((f) => f.column === 'purchase')).toBe(false);
    expect(() => defaultBinding(t, [{ name: 'revenue', type: 'regression' }])).toThrow(
      /task column "revenue" is not in the file/,
    );

    const split = splitRows(t.rows, { kind: 'random' }, [0.8, 0.1, 0.1], 1);
    const fields = binding.features.map((f) => ({
      column: f.column,
      kind: f.kind,
      encoding: f.kind === 'categorical' ? ('vocab' as const) : ('buckets' as const),
      buckets: 8,
    }));
    const prepared = prepareDataset(t, binding, fields, ['none', 'log1p-zscore'], split);
    expect(prepared.data.fields).toHaveLength(binding.features.length);
    expect(prepared.data.targets).toHaveLength(2);
  });
});
