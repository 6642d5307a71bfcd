// The built-in sample: a simulated purchase funnel with a known structure, so a model can
// learn it and tests can check that it does. Seeded and reproducible (same seed, same bytes),
// any size, streamed to disk in chunks. Feature columns come first, then the targets in funnel
// order: click (binary), purchase (binary, only when clicked), amount (continuous, zero unless
// purchased, heavy-tailed).

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { DataBinding } from '../../shared/project';
import { createRng } from './random';

export interface SampleOptions {
  rows: number;
  seed?: number;
  /** Generic layout (cat_1.., num_1..): number of categorical fields. */
  categoricalFields?: number;
  numericFields?: number;
  /** Generic layout: vocabulary size of every categorical field. */
  vocabulary?: number;
  /** Keep each row's true click and purchase probabilities (for tests). */
  withTruth?: boolean;
}

interface CategoricalSpec {
  name: string;
  size: number;
  /** Skew of the value distribution: index = floor(size * u^skew). */
  skew: number;
  /** Std of the per-value effects on click, purchase and amount. */
  click: number;
  purchase: number;
  amount: number;
}

const DEFAULT_CATEGORICAL: CategoricalSpec[] = [
  { name: 'user_segment', size: 8, skew: 1, click: 0.5, purchase: 0.5, amount: 0.3 },
  { name: 'region', size: 20, skew: 1.3, click: 0.15, purchase: 0.2, amount: 0.15 },
  { name: 'device', size: 4, skew: 1.5, click: 0.3, purchase: 0.2, amount: 0 },
  { name: 'item_category', size: 30, skew: 1.4, click: 0.4, purchase: 0.4, amount: 0.5 },
  { name: 'brand', size: 200, skew: 2, click: 0.2, purchase: 0.3, amount: 0.3 },
  { name: 'channel', size: 6, skew: 1.2, click: 0.45, purchase: 0.25, amount: 0 },
  { name: 'hour', size: 24, skew: 1, click: 0.2, purchase: 0.1, amount: 0 },
  { name: 'weekday', size: 7, skew: 1, click: 0.1, purchase: 0.1, amount: 0 },
  { name: 'day', size: 30, skew: 1, click: 0, purchase: 0, amount: 0 },
  { name: 'user_id', size: 5000, skew: 2, click: 0.4, purchase: 0.4, amount: 0.3 },
  { name: 'item_id', size: 2000, skew: 2, click: 0.3, purchase: 0.3, amount: 0.2 },
  { name: 'campaign', size: 50, skew: 1.5, click: 0.3, purchase: 0.1, amount: 0 },
];

const DEFAULT_NUMERIC = [
  'price',
  'user_age',
  'past_purchases',
  'session_length',
  'discount',
  'item_rating',
  'days_since_last_visit',
  'cart_items',
];

export const SAMPLE_TASKS = [
  { name: 'click', type: 'binary' as const },
  { name: 'purchase', type: 'binary' as const },
  { name: 'amount', type: 'regression' as const },
];

export interface Sample {
  header: string[];
  rows: number;
  /** The whole CSV in memory (small samples). */
  toCsvString(): string;
  /** Streams the CSV to a file in chunks. */
  writeCsv(path: string): Promise<void>;
  /** With `withTruth`, after generating: each row's true click and purchase probabilities. */
  truth: { click: Float64Array; purchase: Float64Array } | null;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function generateSample(options: SampleOptions): Sample {
  const rows = options.rows;
  const seed = options.seed ?? 42;
  const generic =
    options.categoricalFields !== undefined || options.numericFields !== undefined || options.vocabulary !== undefined;
  const categorical: CategoricalSpec[] = generic
    ? Array.from({ length: options.categoricalFields ?? 12 }, (_, i) => ({
        name: `cat_${i + 1}`,
        size: options.vocabulary ?? 1000,
        skew: 1.5,
        click: i % 3 === 2 ? 0 : 0.3,
        purchase: i % 4 === 3 ? 0 : 0.3,
        amount: i % 2 === 1 ? 0 : 0.2,
      }))
    : DEFAULT_CATEGORICAL;
  const numericNames = generic
    ? Array.from({ length: options.numericFields ?? 8 }, (_, i) => `num_${i + 1}`)
    : DEFAULT_NUMERIC;
  const header = [...categorical.map((c) => c.name), ...numericNames, ...SAMPLE_TASKS.map((t) => t.name)];

  /** Generates all rows in order, as CSV text chunks of about 1 MB. */
  function* generate(truth: Sample['truth']): Generator<string> {
    const structure = createRng(seed);
    const effects = categorical.map((c) => ({
      click: Float64Array.from({ length: c.size }, () => structure.normal() * c.click),
      purchase: Float64Array.from({ length: c.size }, () => structure.normal() * c.purchase),
      amount: Float64Array.from({ length: c.size }, () => structure.normal() * c.amount),
    }));
    const numericWeights = numericNames.map(() => ({
      click: structure.normal() * 0.3,
      purchase: structure.normal() * 0.3,
      amount: structure.normal() * 0.2,
    }));
    const rng = createRng(seed + 1);
    const catIdx = new Int32Array(categorical.length);
    const numVals = new Float64Array(numericNames.length);
    {
      let text = '';
      for (let r = 0; r < rows; r++) {
        let click = -2.1;
        let purchase = -2.8;
        let logAmount = 3.2;
        for (let f = 0; f < categorical.length; f++) {
          const c = categorical[f];
          const v = Math.min(c.size - 1, Math.floor(c.size * Math.pow(rng.next(), c.skew)));
          catIdx[f] = v;
          click += effects[f].click[v];
          purchase += effects[f].purchase[v];
          logAmount += effects[f].amount[v];
        }
        let missing = '';
        if (generic) {
          for (let f = 0; f < numVals.length; f++) {
            const x = rng.normal();
            numVals[f] = x;
            click += numericWeights[f].click * x;
            purchase += numericWeights[f].purchase * x;
            logAmount += numericWeights[f].amount * x;
          }
        } else {
          const price = Math.exp(3 + 0.8 * rng.normal());
          const age = 18 + rng.int(53);
          const past = Math.floor(-Math.log(1 - rng.next()) * 2.5);
          const session = -Math.log(1 - rng.next()) * 240;
          const discount = [0, 0, 0, 5, 10, 20, 30][rng.int(7)];
          const rating = Math.round((3 + 1.2 * rng.normal()) * 10) / 10;
          const days = Math.floor(-Math.log(1 - rng.next()) * 12);
          const cart = rng.int(11);
          const lp = Math.log(price);
          click += 0.04 * discount - 0.25 * (lp - 3) + 0.15 * Math.log1p(session / 60) - 0.03 * days + 0.1 * (rating - 3);
          purchase +=
            0.45 * Math.log1p(past) + 0.12 * cart - 0.5 * (lp - 3) + 0.03 * discount + 0.15 * (rating - 3) - 0.01 * (age - 40);
          logAmount += 0.9 * (lp - 3) + 0.25 * Math.log1p(past) + 0.04 * cart - 0.01 * discount;
          numVals[0] = Math.round(price * 100) / 100;
          numVals[1] = rng.next() < 0.02 ? NaN : age; // some users never told their age
          numVals[2] = past;
          numVals[3] = Math.round(session * 10) / 10;
          numVals[4] = discount;
          numVals[5] = rng.next() < 0.03 ? NaN : Math.min(5, Math.max(1, rating));
          numVals[6] = days;
          numVals[7] = cart;
          missing = '';
        }
        const pClick = sigmoid(click);
        const pPurchase = sigmoid(purchase);
        const clicked = rng.next() < pClick ? 1 : 0;
        const bought = clicked && rng.next() < pPurchase ? 1 : 0;
        const noise = rng.normal();
        const amount = bought ? Math.round(Math.exp(logAmount + 0.7 * noise) * 100) / 100 : 0;
        if (truth) {
          truth.click[r] = pClick;
          truth.purchase[r] = pClick * pPurchase;
        }
        let line = '';
        for (let f = 0; f < catIdx.length; f++) line += (generic ? `v${catIdx[f]}` : categoricalValue(categorical[f], catIdx[f])) + ',';
        for (let f = 0; f < numVals.length; f++) {
          const x = numVals[f];
          line += (Number.isNaN(x) ? missing : generic ? x.toFixed(4) : String(x)) + ',';
        }
        text += `${line}${clicked},${bought},${amount}\n`;
        if (text.length > 1 << 20) {
          yield text;
          text = '';
        }
      }
      if (text) yield text;
    }
  }

  const sample: Sample = {
    header,
    rows,
    truth: null,
    toCsvString() {
      const truth = options.withTruth ? { click: new Float64Array(rows), purchase: new Float64Array(rows) } : null;
      const parts: string[] = [header.join(',') + '\n', ...generate(truth)];
      sample.truth = truth;
      return parts.join('');
    },
    async writeCsv(path: string) {
      const truth = options.withTruth ? { click: new Float64Array(rows), purchase: new Float64Array(rows) } : null;
      const out = createWriteStream(path);
      const done = once(out, 'finish');
      const error = new Promise<never>((_, reject) => out.once('error', reject));
      const write = async (text: string) => {
        if (!out.write(text)) await Promise.race([once(out, 'drain'), error]);
      };
      await write(header.join(',') + '\n');
      for (const chunk of generate(truth)) await write(chunk);
      out.end();
      await Promise.race([done, error]);
      sample.truth = truth;
    },
  };
  return sample;
}

/** Readable category values: "segment_3", "region_12", "device_0" (ids stay numbers). */
function categoricalValue(spec: CategoricalSpec, index: number): string {
  switch (spec.name) {
    case 'hour':
    case 'weekday':
    case 'day':
    case 'user_id':
    case 'item_id':
      return String(index);
    default:
      return `${spec.name.split('_').pop()}_${index}`;
  }
}

/** The binding of the built-in sample: every feature column, tasks click -> purchase -> amount. */
export function sampleBinding(options: Pick<SampleOptions, 'categoricalFields' | 'numericFields' | 'vocabulary'> = {}): DataBinding {
  const header = generateSample({ rows: 0, ...options }).header;
  const categoricalCount =
    options.categoricalFields ?? (options.numericFields !== undefined || options.vocabulary !== undefined ? 12 : DEFAULT_CATEGORICAL.length);
  const features = header.slice(0, header.length - SAMPLE_TASKS.length).map((column, i) => ({
    column,
    kind: i < categoricalCount ? ('categorical' as const) : ('numeric' as const),
  }));
  return {
    features,
    tasks: SAMPLE_TASKS.map((t) => ({ name: t.name, column: t.name, type: t.type })),
    excluded: [],
  };
}

