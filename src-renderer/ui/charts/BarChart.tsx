// Bars: a histogram of a numeric column (bins from the host's edges, log-spaced for amounts)
// or counts of a column's most frequent values.

import { memo } from 'react';
import { formatCount, formatNumber, formatTick } from '../format';
import { plotArea } from './axes';
import { Axes, ChartSvg, HEIGHT } from './frame';
import { niceDomain, niceTicks, thinIndices } from './scale';

export interface Bar {
  label: string;
  value: number;
  /** Tooltip; defaults to "label: value". */
  title?: string;
}

export interface BarChartProps {
  title: string;
  bars: readonly Bar[];
  xLabel: string;
  yLabel: string;
  /** Tick labels under the bars' edges (histograms): value at fraction 0..1 of the axis. */
  edgeTicks?: { at: number; label: string }[];
  /** Palette slot. */
  color?: number;
  testId?: string;
}

function BarChartImpl({
  title,
  bars,
  xLabel,
  yLabel,
  edgeTicks,
  color = 0,
  testId,
}: BarChartProps) {
  const max = Math.max(0, ...bars.map((b) => b.value));
  const yd = niceDomain([0, max || 1], 4);
  const n = bars.length;
  // The x axis counts bar slots (bar i spans i..i+1); its ticks are the histogram's edges or
  // the labels of up to eight bars, under their middles.
  const shown = thinIndices(n, 8);
  const { m, x, y, xTicks, yTicks } = plotArea(
    [],
    {
      domain: [0, n],
      ticks: edgeTicks ? edgeTicks.map((t) => t.at * n) : shown.map((i) => i + 0.5),
      labels: edgeTicks
        ? edgeTicks.map((t) => t.label)
        : shown.map((i) =>
            bars[i].label.length > 10 ? `${bars[i].label.slice(0, 9)}…` : bars[i].label,
          ),
    },
    { domain: yd, ticks: niceTicks(yd[0], yd[1], 4) },
  );
  const slot = x(1) - x(0);
  const gap = n > 20 ? 1 : Math.min(8, slot * 0.2);

  return (
    <ChartSvg title={title} testId={testId} empty={bars.length ? null : 'No values'}>
      <Axes m={m} xTicks={xTicks} yTicks={yTicks} xLabel={xLabel} yLabel={yLabel} />
      <g data-series="bars" data-points={bars.length}>
        {bars.map((b, i) => (
          <rect
            key={i}
            className={`jc-bar jc-s${color}`}
            x={x(i) + gap / 2}
            width={Math.max(0.5, slot - gap)}
            y={y(b.value)}
            height={Math.max(0, HEIGHT - m.bottom - y(b.value))}
          >
            <title>{b.title ?? `${b.label}: ${formatCount(b.value)}`}</title>
          </rect>
        ))}
      </g>
    </ChartSvg>
  );
}

export const BarChart = memo(BarChartImpl);

/** Bars and edge ticks of a histogram as the host sends it. */
export function histogramBars(histogram: {
  edges: number[];
  counts: number[];
  logScale: boolean;
}): {
  bars: Bar[];
  edgeTicks: { at: number; label: string }[];
} {
  const { edges, counts } = histogram;
  const bars = counts.map((count, i) => ({
    label: `${formatNumber(edges[i])}–${formatNumber(edges[i + 1])}`,
    value: count,
    title: `${formatNumber(edges[i])} to ${formatNumber(edges[i + 1])}: ${formatCount(count)} rows`,
  }));
  const n = counts.length;
  const edgeTicks = thinIndices(n + 1, 6).map((i) => ({
    at: n === 0 ? 0 : i / n,
    label: formatTick(edges[i]),
  }));
  return { bars, edgeTicks };
}
