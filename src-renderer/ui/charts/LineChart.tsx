// A line chart of several series with a legend, axes and ticks: losses and metrics per epoch,
// gradients over batches, ROC and Lorenz curves (with the diagonal for reference).

import { memo } from 'react';
import { formatNumber } from '../format';
import type { Point } from '../../store/journey/live';
import { plotArea } from './axes';
import { Axes, ChartSvg, HEIGHT, Legend, PALETTE_SIZE, WIDTH } from './frame';
import { extent, niceDomain, niceTicks, thinIndices, type Domain } from './scale';

export interface Series {
  id: string;
  label: string;
  points: readonly Point[];
  /** Palette slot (0..7); defaults to the series' position. */
  color?: number;
  dashed?: boolean;
  /** A dot at every point (few points, e.g. one per epoch). */
  markers?: boolean;
  /** Thin and light: context such as per-batch losses. */
  faint?: boolean;
}

export interface LineChartProps {
  title: string;
  series: readonly Series[];
  xLabel: string;
  yLabel: string;
  xDomain?: Domain;
  yDomain?: Domain;
  /** The y = x line (ROC, Lorenz, calibration). */
  diagonal?: boolean;
  /** A horizontal reference line (0 for cosines). */
  hLine?: number;
  /** A marked x position, e.g. the best epoch. */
  marker?: { x: number; label: string } | null;
  /** Only whole numbers on the x axis (epochs). */
  integerX?: boolean;
  testId?: string;
  /** Text shown while no series has a point. */
  emptyText?: string;
}

/** Most points drawn per series; longer ones are thinned evenly. */
const MAX_DRAWN = 400;

function LineChartImpl({
  title,
  series,
  xLabel,
  yLabel,
  xDomain,
  yDomain,
  diagonal,
  hLine,
  marker,
  integerX,
  testId,
  emptyText = 'No data yet',
}: LineChartProps) {
  const legend = series.map((s, i) => ({
    id: s.id,
    label: s.label,
    color: s.color ?? i,
    dashed: s.dashed,
  }));
  const all = series.flatMap((s) => s.points);
  const hasData = all.length > 0;
  const xs = extent(all.map((p) => p.x)) ?? [0, 1];
  const ys = extent([...all.map((p) => p.y), ...(hLine !== undefined ? [hLine] : [])]) ?? [0, 1];
  let xd: Domain = xDomain ?? (integerX ? [Math.min(1, xs[0]), Math.max(xs[1], 2)] : xs);
  if (!xDomain && !integerX) xd = niceDomain(xd, 6);
  const yd: Domain = yDomain ?? niceDomain(ys, 5);
  let xTickValues = niceTicks(xd[0], xd[1], 6);
  if (integerX) xTickValues = xTickValues.filter((v) => Number.isInteger(v));
  const { m, x, y, xTicks, yTicks } = plotArea(
    legend,
    { domain: xd, ticks: xTickValues },
    { domain: yd, ticks: niceTicks(yd[0], yd[1], 5) },
  );
  const clampY = (v: number) => Math.max(m.top, Math.min(HEIGHT - m.bottom, y(v)));

  return (
    <ChartSvg title={title} testId={testId} empty={hasData ? null : emptyText}>
      <Axes m={m} xTicks={xTicks} yTicks={yTicks} xLabel={xLabel} yLabel={yLabel} />
      {diagonal && (
        <line
          className="jc-reference"
          x1={x(Math.max(xd[0], yd[0]))}
          y1={clampY(Math.max(xd[0], yd[0]))}
          x2={x(Math.min(xd[1], yd[1]))}
          y2={clampY(Math.min(xd[1], yd[1]))}
        />
      )}
      {hLine !== undefined && (
        <line
          className="jc-reference"
          x1={m.left}
          x2={WIDTH - m.right}
          y1={y(hLine)}
          y2={y(hLine)}
        />
      )}
      {marker && marker.x >= xd[0] && marker.x <= xd[1] && (
        <g className="jc-marker" data-x={marker.x}>
          <line x1={x(marker.x)} x2={x(marker.x)} y1={m.top} y2={HEIGHT - m.bottom} />
          {/* The label sits left of the line when the line is near the right edge. */}
          <text
            x={x(marker.x) > WIDTH - m.right - 40 ? x(marker.x) - 4 : x(marker.x) + 4}
            y={m.top + 10}
            textAnchor={x(marker.x) > WIDTH - m.right - 40 ? 'end' : 'start'}
          >
            {marker.label}
          </text>
        </g>
      )}
      {series.map((s, i) => {
        const color = (s.color ?? i) % PALETTE_SIZE;
        const pts = thinIndices(s.points.length, MAX_DRAWN).map((k) => s.points[k]);
        const d = pts
          .map((p, k) => `${k === 0 ? 'M' : 'L'}${x(p.x).toFixed(1)},${clampY(p.y).toFixed(1)}`)
          .join('');
        return (
          <g key={s.id} data-series={s.id} data-points={s.points.length}>
            {pts.length > 1 && (
              <path
                d={d}
                className={`jc-line jc-s${color}${s.dashed ? ' jc-dashed' : ''}${s.faint ? ' jc-faint' : ''}`}
              />
            )}
            {(s.markers || pts.length === 1) &&
              pts.map((p) => (
                <circle
                  key={`${p.x}`}
                  cx={x(p.x)}
                  cy={clampY(p.y)}
                  r={3}
                  className={`jc-dot jc-s${color}`}
                >
                  <title>{`${s.label}: ${formatNumber(p.y)} at ${xLabel.toLowerCase()} ${formatNumber(p.x)}`}</title>
                </circle>
              ))}
          </g>
        );
      })}
      <Legend items={legend} x={m.left} y={8} />
    </ChartSvg>
  );
}

export const LineChart = memo(LineChartImpl);
