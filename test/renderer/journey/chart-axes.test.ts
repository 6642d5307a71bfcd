// The plot area shared by the line, scatter and bar charts (charts/axes.ts): margins from the
// legend and the widest y tick label, pixel scales over the plot, ticks placed through an
// axis' transform (log1p) and labelled as given or by the ticks' step. Pure: no DOM.

import { describe, expect, it } from 'vitest';
import { plotArea } from '../../../src-renderer/ui/charts/axes';
import { HEIGHT, leftMarginFor, WIDTH } from '../../../src-renderer/ui/charts/frame';
import { log1pTicks, tickLabels } from '../../../src-renderer/ui/charts/scale';

describe('the plot area of a chart', () => {
  it('maps both domains onto the plot inside the margins', () => {
    const { m, x, y, xTicks, yTicks } = plotArea(
      [],
      { domain: [1, 5], ticks: [1, 2, 3, 4, 5] },
      { domain: [0, 1], ticks: [0, 0.5, 1] },
    );
    expect(x(1)).toBe(m.left);
    expect(x(5)).toBe(WIDTH - m.right);
    expect(y(0)).toBe(HEIGHT - m.bottom);
    expect(y(1)).toBe(m.top);
    expect(xTicks.map((t) => t.at)).toEqual([1, 2, 3, 4, 5].map(x));
    expect(yTicks).toEqual([
      { value: 0, at: y(0) },
      { value: 0.5, at: y(0.5) },
      { value: 1, at: y(1) },
    ]);
  });

  it('widens the left margin for long y tick labels, as the labels will read', () => {
    const short = plotArea([], { domain: [0, 1], ticks: [] }, { domain: [0, 1], ticks: [0, 1] });
    const ticks = [0.985, 0.9875, 0.99];
    const long = plotArea([], { domain: [0, 1], ticks: [] }, { domain: [0.985, 0.99], ticks });
    expect(long.m.left).toBe(leftMarginFor(tickLabels(ticks)));
    expect(long.m.left).toBeGreaterThan(short.m.left);
    const labelled = plotArea(
      [],
      { domain: [0, 1], ticks: [] },
      { domain: [0, 1], ticks: [0, 1], labels: ['none', 'a great many'] },
    );
    expect(labelled.m.left).toBe(leftMarginFor(['none', 'a great many']));
    expect(labelled.yTicks.map((t) => t.label)).toEqual(['none', 'a great many']);
  });

  it('makes room above the plot for the legend', () => {
    const axis = { domain: [0, 1] as [number, number], ticks: [0, 1] };
    const bare = plotArea([], axis, axis);
    const withLegend = plotArea([{ id: 'a', label: 'train', color: 0 }], axis, axis);
    expect(withLegend.m.top).toBeGreaterThan(bare.m.top);
    expect(withLegend.y(1)).toBe(withLegend.m.top);
  });

  it('places the ticks of a log1p axis through its transform', () => {
    const max = 900;
    const ticks = log1pTicks(max);
    const axis = {
      domain: [0, Math.log1p(max)] as [number, number],
      ticks,
      transform: Math.log1p,
      labels: ticks.map(String),
    };
    const { x, xTicks } = plotArea([], axis, axis);
    const ten = xTicks.find((t) => t.value === 10)!;
    expect(ten.at).toBeCloseTo(x(Math.log1p(10)), 9);
    expect(ten.label).toBe('10');
    // Log spacing: 1 -> 10 spans more pixels than 100 -> 300 does.
    const at = (v: number) => xTicks.find((t) => t.value === v)!.at;
    expect(at(10) - at(1)).toBeGreaterThan(at(300) - at(100));
  });

  it('counts bar slots on a categorical axis', () => {
    const { m, x } = plotArea(
      [],
      { domain: [0, 4], ticks: [0.5, 1.5], labels: ['a', 'b'] },
      { domain: [0, 10], ticks: [0, 5, 10] },
    );
    expect((x(1) - x(0)) * 4).toBeCloseTo(WIDTH - m.right - m.left, 9);
  });
});
