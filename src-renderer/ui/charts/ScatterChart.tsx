// A scatter of points (predicted vs actual for a regression task), optionally in several
// groups, with the y = x line and a log1p scale for skewed amounts.

import { memo } from 'react';
import { formatNumber, formatTick } from '../format';
import type { Point } from '../../store/journey/live';
import { plotArea, type AxisSpec } from './axes';
import { Axes, ChartSvg, Legend, PALETTE_SIZE } from './frame';
import {
  extent,
  log1pTicks,
  niceDomain,
  niceTicks,
  prefersLog,
  thinIndices,
  type Domain,
} from './scale';

interface ScatterGroup {
  id: string;
  label: string;
  points: readonly Point[];
  color?: number;
}

export interface ScatterChartProps {
  title: string;
  groups: readonly ScatterGroup[];
  xLabel: string;
  yLabel: string;
  /** The y = x line. */
  diagonal?: boolean;
  /** 'auto' picks log1p when the values are heavily skewed (amounts). */
  scale?: 'auto' | 'linear' | 'log1p';
  testId?: string;
}

const MAX_DOTS = 1500;

function ScatterChartImpl({
  title,
  groups,
  xLabel,
  yLabel,
  diagonal,
  scale = 'auto',
  testId,
}: ScatterChartProps) {
  const legend =
    groups.length > 1
      ? groups.map((g, i) => ({ id: g.id, label: g.label, color: g.color ?? i, dot: true }))
      : [];
  const all = groups.flatMap((g) => g.points);
  const values = all.flatMap((p) => [p.x, p.y]);
  const log = scale === 'log1p' || (scale === 'auto' && prefersLog(values));
  const f = log ? Math.log1p : (v: number) => v;
  // Both axes share one domain, so y = x is the diagonal of the plot.
  const raw = extent(values) ?? [0, 1];
  const domain: Domain = log ? [0, f(Math.max(raw[1], 1))] : niceDomain(raw, 5);
  const ticks = log ? log1pTicks(Math.expm1(domain[1])) : niceTicks(domain[0], domain[1], 5);
  const axis: AxisSpec = { domain, ticks, transform: f, labels: ticks.map(formatTick) };
  const { m, x, y, xTicks, yTicks } = plotArea(legend, axis, axis);

  return (
    <ChartSvg title={title} testId={testId} empty={all.length ? null : 'No points'}>
      <Axes
        m={m}
        xTicks={xTicks}
        yTicks={yTicks}
        xLabel={log ? `${xLabel} (log scale)` : xLabel}
        yLabel={log ? `${yLabel} (log scale)` : yLabel}
      />
      {diagonal && (
        <line
          className="jc-reference"
          x1={x(domain[0])}
          y1={y(domain[0])}
          x2={x(domain[1])}
          y2={y(domain[1])}
        />
      )}
      {groups.map((g, i) => {
        const color = (g.color ?? i) % PALETTE_SIZE;
        const idx = thinIndices(g.points.length, MAX_DOTS);
        return (
          <g key={g.id} data-series={g.id} data-points={g.points.length}>
            {idx.map((k) => {
              const p = g.points[k];
              return (
                <circle
                  key={k}
                  cx={x(f(p.x))}
                  cy={y(f(p.y))}
                  r={2.2}
                  className={`jc-scatter jc-s${color}`}
                >
                  <title>{`${xLabel} ${formatNumber(p.x)}, ${yLabel.toLowerCase()} ${formatNumber(p.y)}`}</title>
                </circle>
              );
            })}
          </g>
        );
      })}
      <Legend items={legend} x={m.left} y={8} />
    </ChartSvg>
  );
}

export const ScatterChart = memo(ScatterChartImpl);
