// Axis arithmetic for the journey's SVG charts: nice tick values, domains padded to them, and
// linear and log1p mappings from data to pixels. Pure, so it is tested without a DOM.

export type Domain = [number, number];

/** A "nice" step (1, 2 or 5 times a power of ten) giving about `count` ticks over `span`. */
function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const unit = raw / power;
  // The nearest of 1, 2, 5, 10 on a log scale.
  const nice = unit >= Math.sqrt(50) ? 10 : unit >= Math.sqrt(10) ? 5 : unit >= Math.SQRT2 ? 2 : 1;
  return nice * power;
}

/** Tick values covering [min, max] at a nice step (ends included when they fall on the step). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const step = niceStep(max - min, count);
  const first = Math.ceil(min / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step * 1e-9; v += step) {
    ticks.push(Number((Math.abs(v) < step * 1e-9 ? 0 : v).toPrecision(12)));
    if (ticks.length > 50) break;
  }
  return ticks;
}

/** The extent of some values, ignoring non-finite ones; null when there are none. */
export function extent(values: Iterable<number>): Domain | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/** A domain widened to nice tick values (with a little room when it is a single value). */
export function niceDomain(domain: Domain, count = 5): Domain {
  let [lo, hi] = domain;
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, count);
  const clean = (v: number) => Number(v.toPrecision(12));
  return [clean(Math.floor(lo / step + 1e-9) * step), clean(Math.ceil(hi / step - 1e-9) * step)];
}

/** Maps [d0, d1] onto [r0, r1]. */
export function linear(domain: Domain, range: Domain): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** Whether non-negative values are skewed enough (amounts) to read better on a log1p axis. */
export function prefersLog(values: readonly number[]): boolean {
  if (values.length < 3) return false;
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length < 3 || sorted[0] < 0) return false;
  const max = sorted[sorted.length - 1];
  const p90 = sorted[Math.floor(sorted.length * 0.9)];
  return max > 0 && max > 8 * Math.max(p90, 1e-9);
}

/** Raw-value ticks for a log1p axis up to `max`: 0, 1, 3, 10, 30, 100, ... */
export function log1pTicks(max: number): number[] {
  const ticks = [0];
  for (let p = 1; p <= max * 1.0001 && ticks.length < 20; p *= 10) {
    ticks.push(p);
    if (3 * p <= max * 1.0001) ticks.push(3 * p);
  }
  return ticks;
}

/**
 * Indices of at most `max` evenly spread items, always keeping the first and the last:
 * long series are thinned before they are drawn.
 */
export function thinIndices(length: number, max: number): number[] {
  if (length <= max) return Array.from({ length }, (_, i) => i);
  const step = (length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => Math.round(i * step));
}

/**
 * Labels for a run of evenly spaced ticks: as many decimals as their step needs (0.995, 1.000,
 * 1.005 rather than 1, 1, 1), thousands as k and millions as M.
 */
export function tickLabels(ticks: readonly number[]): string[] {
  if (ticks.length === 0) return [];
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : Math.abs(ticks[0]) || 1;
  const top = Math.max(...ticks.map(Math.abs));
  if (top >= 1e4 && step >= 1000) {
    const [div, unit] = top >= 1e6 && step >= 1e5 ? [1e6, 'M'] : [1e3, 'k'];
    const decimals = Math.max(0, Math.ceil(-Math.log10(step / div) - 1e-9));
    return ticks.map((v) => (v === 0 ? '0' : `${(v / div).toFixed(Math.min(decimals, 3))}${unit}`));
  }
  const decimals = step >= 1 ? 0 : Math.min(8, Math.ceil(-Math.log10(step) - 1e-9));
  return ticks.map((v) => (Math.abs(v) < step * 1e-9 ? '0' : v.toFixed(decimals)));
}
