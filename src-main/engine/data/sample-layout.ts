// The layout of the built-in sample (its columns and the funnel's tasks), without Node
// imports: the renderer and the templates use it too. The generator lives in sample.ts.

import type { DataBinding } from '../../shared/project';

/** The generic layout (cat_1.., num_1..) is used when any of these is given. */
export interface SampleLayoutOptions {
  categoricalFields?: number;
  numericFields?: number;
  vocabulary?: number;
}

export interface CategoricalSpec {
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

const SAMPLE_TASKS = [
  { name: 'click', type: 'binary' as const },
  { name: 'purchase', type: 'binary' as const },
  { name: 'amount', type: 'regression' as const },
];

/** Whether options ask for the generic layout (cat_1.., num_1..) instead of the named one. */
export function isGenericLayout(options: SampleLayoutOptions): boolean {
  return (
    options.categoricalFields !== undefined ||
    options.numericFields !== undefined ||
    options.vocabulary !== undefined
  );
}

/** The categorical fields of a layout. */
export function categoricalSpecs(options: SampleLayoutOptions): CategoricalSpec[] {
  if (!isGenericLayout(options)) return DEFAULT_CATEGORICAL;
  return Array.from({ length: options.categoricalFields ?? 12 }, (_, i) => ({
    name: `cat_${i + 1}`,
    size: options.vocabulary ?? 1000,
    skew: 1.5,
    click: i % 3 === 2 ? 0 : 0.3,
    purchase: i % 4 === 3 ? 0 : 0.3,
    amount: i % 2 === 1 ? 0 : 0.2,
  }));
}

export function numericNames(options: SampleLayoutOptions): string[] {
  return isGenericLayout(options)
    ? Array.from({ length: options.numericFields ?? 8 }, (_, i) => `num_${i + 1}`)
    : DEFAULT_NUMERIC;
}

/** Column names: features first, then the targets in funnel order. */
export function sampleHeader(options: SampleLayoutOptions = {}): string[] {
  return [
    ...categoricalSpecs(options).map((c) => c.name),
    ...numericNames(options),
    ...SAMPLE_TASKS.map((t) => t.name),
  ];
}

/** The binding of the built-in sample: every feature column, tasks click -> purchase -> amount. */
export function sampleBinding(options: SampleLayoutOptions = {}): DataBinding {
  const header = sampleHeader(options);
  const categoricalCount =
    options.categoricalFields ??
    (options.numericFields !== undefined || options.vocabulary !== undefined
      ? 12
      : DEFAULT_CATEGORICAL.length);
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
