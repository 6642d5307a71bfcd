// The parts every chart shares: the SVG canvas with a fixed viewBox (charts scale with their
// card and never change height as data arrives), axes with ticks and labels, the legend laid
// out inside the SVG (so a saved PNG carries it) and the empty-state text.

import type { ReactNode } from 'react';
import { tickLabels } from './scale';

export const WIDTH = 480;
export const HEIGHT = 270;
export const PALETTE_SIZE = 8;

export interface Margins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface LegendItem {
  id: string;
  label: string;
  color: number;
  dashed?: boolean;
  /** Drawn as a dot (scatter) rather than a line. */
  dot?: boolean;
}

const LEGEND_FONT_WIDTH = 6.3;
const LEGEND_ROW = 16;

/** Legend items placed left to right, wrapping into rows; returns positions and the height. */
export function layoutLegend(
  items: readonly LegendItem[],
  width: number,
): { placed: { item: LegendItem; x: number; y: number }[]; height: number } {
  const placed: { item: LegendItem; x: number; y: number }[] = [];
  let x = 0;
  let row = 0;
  for (const item of items) {
    const w = 22 + item.label.length * LEGEND_FONT_WIDTH + 14;
    if (x > 0 && x + w > width) {
      x = 0;
      row++;
    }
    placed.push({ item, x, y: row * LEGEND_ROW });
    x += w;
  }
  return { placed, height: items.length === 0 ? 0 : (row + 1) * LEGEND_ROW };
}

export function Legend({ items, x, y }: { items: readonly LegendItem[]; x: number; y: number }) {
  const { placed } = layoutLegend(items, WIDTH - x - 8);
  return (
    <g className="jc-legend" transform={`translate(${x},${y})`}>
      {placed.map(({ item, x: ix, y: iy }) => (
        <g key={item.id} transform={`translate(${ix},${iy})`} data-legend={item.id}>
          {item.dot ? (
            <circle cx={8} cy={6} r={4} className={`jc-dot jc-s${item.color % PALETTE_SIZE}`} />
          ) : (
            <line
              x1={0}
              x2={16}
              y1={6}
              y2={6}
              className={`jc-line jc-s${item.color % PALETTE_SIZE}${item.dashed ? ' jc-dashed' : ''}`}
            />
          )}
          <text x={21} y={10} className="jc-legend-text">
            {item.label}
          </text>
        </g>
      ))}
    </g>
  );
}

/** Width of a tick label in the chart's units (10.5px tick font). */
const TICK_CHAR_WIDTH = 6.2;
/** The rotated y-axis title ends here (x); tick labels must start to its right. */
export const Y_TITLE_RIGHT = 19;

/**
 * The left margin that keeps the y ticks' labels clear of the rotated y-axis title: long labels
 * (0.9875) push the plot right instead of running into the title.
 */
export function leftMarginFor(yTickLabels: readonly string[]): number {
  const widest = Math.max(0, ...yTickLabels.map((l) => l.length)) * TICK_CHAR_WIDTH;
  return Math.max(52, Math.ceil(Y_TITLE_RIGHT + 4 + widest + 6));
}

/** Top margin for a chart with this legend (the legend sits above the plot). */
export function marginsFor(items: readonly LegendItem[], left = 52): Margins {
  const legend = layoutLegend(items, WIDTH - left - 8).height;
  return { top: 12 + legend + (legend ? 6 : 0), right: 14, bottom: 40, left };
}

export interface AxisTick {
  value: number;
  /** Position in pixels along the axis. */
  at: number;
  label?: string;
}

export function Axes({
  m,
  xTicks,
  yTicks,
  xLabel,
  yLabel,
}: {
  m: Margins;
  xTicks: AxisTick[];
  yTicks: AxisTick[];
  xLabel: string;
  yLabel: string;
}) {
  const bottom = HEIGHT - m.bottom;
  const right = WIDTH - m.right;
  const xText = tickLabels(xTicks.map((t) => t.value));
  const yText = tickLabels(yTicks.map((t) => t.value));
  return (
    <g className="jc-axis">
      {yTicks.map((t, i) => (
        <g key={`y${t.value}`}>
          <line className="jc-grid" x1={m.left} x2={right} y1={t.at} y2={t.at} />
          <text x={m.left - 6} y={t.at + 3.5} textAnchor="end" className="jc-tick">
            {t.label ?? yText[i]}
          </text>
        </g>
      ))}
      {xTicks.map((t, i) => (
        <g key={`x${t.value}`}>
          <line className="jc-tick-mark" x1={t.at} x2={t.at} y1={bottom} y2={bottom + 4} />
          <text x={t.at} y={bottom + 15} textAnchor="middle" className="jc-tick">
            {t.label ?? xText[i]}
          </text>
        </g>
      ))}
      <line className="jc-axis-line" x1={m.left} x2={right} y1={bottom} y2={bottom} />
      <line className="jc-axis-line" x1={m.left} x2={m.left} y1={m.top} y2={bottom} />
      <text
        className="jc-axis-label"
        x={m.left + (right - m.left) / 2}
        y={HEIGHT - 6}
        textAnchor="middle"
      >
        {xLabel}
      </text>
      <text
        className="jc-axis-label"
        transform={`translate(12,${m.top + (bottom - m.top) / 2}) rotate(-90)`}
        textAnchor="middle"
      >
        {yLabel}
      </text>
    </g>
  );
}

export function ChartSvg({
  title,
  testId,
  children,
  empty,
}: {
  title: string;
  testId?: string;
  children: ReactNode;
  /** Shown over the plot when there is nothing to draw yet. */
  empty?: string | null;
}) {
  return (
    <svg
      className="jc-chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      xmlns="http://www.w3.org/2000/svg"
      role="img"
      aria-label={title}
      data-testid={testId}
      preserveAspectRatio="xMidYMid meet"
    >
      <title>{title}</title>
      {children}
      {empty && (
        <text className="jc-empty" x={WIDTH / 2} y={HEIGHT / 2} textAnchor="middle">
          {empty}
        </text>
      )}
    </svg>
  );
}
