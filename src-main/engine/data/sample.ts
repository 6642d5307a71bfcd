// The built-in sample: a simulated purchase funnel with a known structure, so a model can
// learn it and tests can check that it does. Seeded and reproducible (same seed, same bytes),
// any size, streamed to disk in chunks. Feature columns come first, then the targets in funnel
// order: click (binary), purchase (binary, only when clicked), amount (continuous, zero unless
// purchased, heavy-tailed).

import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserError } from '../errors';
import { once } from 'node:events';
import { createRng } from '../../shared/random';
import {
  categoricalSpecs,
  isGenericLayout,
  numericNames,
  sampleHeader,
  type CategoricalSpec,
  type SampleLayoutOptions,
} from './sample-layout';

export { sampleBinding } from './sample-layout';

export interface SampleOptions extends SampleLayoutOptions {
  rows: number;
  seed?: number;
  /** Keep each row's true click and purchase probabilities (for tests). */
  withTruth?: boolean;
  /**
   * What the amount column holds (the benchmark's datasets; default 'spend'):
   * - spend: 0 unless purchased, then lognormal and heavy-tailed (zero-inflated, like real spend);
   * - continuous: every row a roughly normal amount around 100 driven by the same effects;
   * - skewed: every row a mildly skewed (lognormal, small spread) amount, no zeros.
   */
  amount?: 'spend' | 'continuous' | 'skewed';
}

export interface Sample {
  header: string[];
  rows: number;
  /** The whole CSV in memory (small samples). */
  toCsvString(): string;
  /** Streams the CSV to a file in chunks. */
  writeCsv(path: string): Promise<void>;
  /**
   * With `withTruth`, after generating: each row's true click probability, purchase probability
   * (click and purchase) and expected amount.
   */
  truth: { click: Float64Array; purchase: Float64Array; amount: Float64Array } | null;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

// Like real spend: most rows are 0 (no click, or a click without a purchase: about 94% of
// rows), the amounts are lognormal and heavy-tailed (the top tenth of buyers hold about half of
// the spend), and the funnel is strong enough that knowing a row well pays (the true means get
// NRMSE about 0.84 on the amount). About 22% of rows click, 27% of clicks buy.
/** Spread of log(amount) around its mean given the row (lognormal noise of a purchase). */
const AMOUNT_NOISE = 0.6;
/** Scale of the per-value click and purchase effects, and the base log-odds. */
const CLICK_EFFECT = 2;
const PURCHASE_EFFECT = 3.5;
const CLICK_BASE = -2.2;
const PURCHASE_BASE = -5.8;

export function generateSample(options: SampleOptions): Sample {
  const rows = options.rows;
  const seed = options.seed ?? 42;
  const generic = isGenericLayout(options);
  const categorical = categoricalSpecs(options);
  const numeric = numericNames(options);
  const header = sampleHeader(options);
  const kind = options.amount ?? 'spend';

  /** Generates all rows in order, as CSV text chunks of about 1 MB. */
  function* generate(truth: Sample['truth']): Generator<string> {
    const structure = createRng(seed);
    // Each value has one latent appeal shared along the funnel: what makes people click also
    // makes them buy (correlation 0.7) and spend (0.5). Clicks are plentiful and purchases rare,
    // so a model that carries what it learns about clicking over to buying has the edge.
    const effects = categorical.map((c) => {
      const click = new Float64Array(c.size);
      const purchase = new Float64Array(c.size);
      const amount = new Float64Array(c.size);
      for (let v = 0; v < c.size; v++) {
        const appeal = structure.normal();
        click[v] = CLICK_EFFECT * c.click * appeal;
        purchase[v] = PURCHASE_EFFECT * c.purchase * (0.7 * appeal + 0.714 * structure.normal());
        amount[v] = c.amount * (0.5 * appeal + 0.866 * structure.normal());
      }
      return { click, purchase, amount };
    });
    const numericWeights = numeric.map(() => ({
      click: structure.normal() * 0.3,
      purchase: structure.normal() * 0.3,
      amount: structure.normal() * 0.2,
    }));
    const rng = createRng(seed + 1);
    const catIdx = new Int32Array(categorical.length);
    const numVals = new Float64Array(numeric.length);
    {
      let text = '';
      for (let r = 0; r < rows; r++) {
        let click = CLICK_BASE;
        let purchase = PURCHASE_BASE;
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
          click +=
            0.04 * discount -
            0.25 * (lp - 3) +
            0.15 * Math.log1p(session / 60) -
            0.03 * days +
            0.1 * (rating - 3);
          purchase +=
            0.45 * Math.log1p(past) +
            0.12 * cart -
            0.5 * (lp - 3) +
            0.03 * discount +
            0.15 * (rating - 3) -
            0.01 * (age - 40);
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
        let amount: number;
        let expected: number;
        if (kind === 'continuous') {
          const mean = 100 + 20 * (logAmount - 3.2) + 30 * (pClick - 0.15);
          amount = Math.round((mean + 12 * noise) * 100) / 100;
          expected = mean;
        } else if (kind === 'skewed') {
          const log = 3.5 + 0.3 * (logAmount - 3.2) + 0.8 * (pClick - 0.15);
          amount = Math.round(Math.exp(log + 0.35 * noise) * 100) / 100;
          expected = Math.exp(log + 0.35 ** 2 / 2);
        } else {
          amount = bought ? Math.round(Math.exp(logAmount + AMOUNT_NOISE * noise) * 100) / 100 : 0;
          expected = pClick * pPurchase * Math.exp(logAmount + AMOUNT_NOISE ** 2 / 2);
        }
        if (truth) {
          truth.click[r] = pClick;
          truth.purchase[r] = pClick * pPurchase;
          truth.amount[r] = expected;
        }
        let line = '';
        for (let f = 0; f < catIdx.length; f++)
          line += (generic ? `v${catIdx[f]}` : categoricalValue(categorical[f], catIdx[f])) + ',';
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
      const truth = options.withTruth
        ? {
            click: new Float64Array(rows),
            purchase: new Float64Array(rows),
            amount: new Float64Array(rows),
          }
        : null;
      const parts: string[] = [header.join(',') + '\n', ...generate(truth)];
      sample.truth = truth;
      return parts.join('');
    },
    async writeCsv(file: string) {
      const truth = options.withTruth
        ? {
            click: new Float64Array(rows),
            purchase: new Float64Array(rows),
            amount: new Float64Array(rows),
          }
        : null;
      try {
        await mkdir(dirname(file), { recursive: true });
      } catch (e) {
        throw new UserError(`Cannot create the folder for ${file}: ${(e as Error).message}`, {
          file,
        });
      }
      const out = createWriteStream(file);
      const error = new Promise<never>((_, reject) =>
        out.once('error', (e) =>
          reject(new UserError(`Cannot write ${file}: ${e.message}`, { file })),
        ),
      );
      error.catch(() => {}); // raced below; never an unhandled rejection
      const done = once(out, 'finish');
      done.catch(() => {}); // its rejection on 'error' is reported through `error`
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
