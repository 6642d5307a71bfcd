// The plot area every chart sets up the same way: from each axis' domain and tick values to the
// margins (the legend above, the widest y tick label on the left), the pixel scales and the
// ticks placed for <Axes>. Line, scatter and bar charts differ only in the axes they describe.

import {
  HEIGHT,
  leftMarginFor,
  marginsFor,
  WIDTH,
  type AxisTick,
  type LegendItem,
  type Margins,
} from './frame';
import { linear, tickLabels, type Domain } from './scale';

export interface AxisSpec {
  /** The axis' extent in plotted units (after `transform`). */
  domain: Domain;
  /** Tick values in data units. */
  ticks: readonly number[];
  /** Where a data value is plotted: the identity, or Math.log1p on a log axis. */
  transform?: (v: number) => number;
  /** Tick labels; by default as many decimals as the ticks' step needs (tickLabels). */
  labels?: readonly string[];
}

export interface PlotArea {
  m: Margins;
  /** Plotted x value to pixels. */
  x: (v: number) => number;
  /** Plotted y value to pixels (up is larger). */
  y: (v: number) => number;
  xTicks: AxisTick[];
  yTicks: AxisTick[];
}

function place(axis: AxisSpec, scale: (v: number) => number): AxisTick[] {
  const at = axis.transform ?? ((v: number) => v);
  return axis.ticks.map((value, i) =>
    axis.labels
      ? { value, at: scale(at(value)), label: axis.labels[i] }
      : { value, at: scale(at(value)) },
  );
}

/** Margins, scales and placed ticks for a chart with this legend and these axes. */
export function plotArea(
  legend: readonly LegendItem[],
  xAxis: AxisSpec,
  yAxis: AxisSpec,
): PlotArea {
  const m = marginsFor(legend, leftMarginFor(yAxis.labels ?? tickLabels(yAxis.ticks)));
  const x = linear(xAxis.domain, [m.left, WIDTH - m.right]);
  const y = linear(yAxis.domain, [HEIGHT - m.bottom, m.top]);
  return { m, x, y, xTicks: place(xAxis, x), yTicks: place(yAxis, y) };
}
