// @vitest-environment happy-dom
// The SVG charts: axes and ticks, series and legends, scatter scales, histograms, and saving a
// chart as a PNG (serialised SVG with inlined colours -> canvas -> blob -> <a download>).

import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BarChart,
  ChartCard,
  downloadBlob,
  histogramBars,
  LineChart,
  pngName,
  ScatterChart,
  serializeChart,
  svgToPng,
} from '../../../src-renderer/ui/charts';
import { layoutLegend, Y_TITLE_RIGHT } from '../../../src-renderer/ui/charts/frame';
import { CalibrationChart } from '../../../src-renderer/features/results/curves';
import type { RunDetail } from '../../../src-main/ipc/api';
import {
  extent,
  log1pTicks,
  niceDomain,
  niceTicks,
  prefersLog,
  thinIndices,
} from '../../../src-renderer/ui/charts/scale';
import { byTestId, click, fixturePreview, render, text, type Rendered } from './helpers';

let view: Rendered | null = null;
afterEach(() => {
  view?.unmount();
  view = null;
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('axis arithmetic', () => {
  it('picks nice ticks and domains', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.61, 0.72, 5)).toEqual([0.62, 0.64, 0.66, 0.68, 0.7, 0.72]);
    expect(niceTicks(1, 3, 6)).toEqual([1, 1.5, 2, 2.5, 3]);
    expect(niceTicks(-1, 1, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(2, 2)).toEqual([2]);
    expect(niceDomain([0.613, 0.718], 5)).toEqual([0.6, 0.72]);
    expect(niceDomain([3, 3])).toEqual([2.7, 3.3]);
    expect(extent([3, NaN, -1, Infinity, 2])).toEqual([-1, 3]);
    expect(extent([])).toBeNull();
  });

  it('uses a log1p scale for skewed amounts only', () => {
    const amounts = [...Array(95).fill(0), 1, 2, 5, 40, 900];
    expect(prefersLog(amounts)).toBe(true);
    expect(prefersLog([1, 2, 3, 4, 5, 6])).toBe(false);
    expect(prefersLog([-5, 0, 1000])).toBe(false);
    expect(log1pTicks(900)).toEqual([0, 1, 3, 10, 30, 100, 300]);
  });

  it('thins long series keeping both ends', () => {
    expect(thinIndices(5, 10)).toEqual([0, 1, 2, 3, 4]);
    const idx = thinIndices(1001, 5);
    expect(idx).toEqual([0, 250, 500, 750, 1000]);
  });

  it('wraps the legend into rows', () => {
    const items = Array.from({ length: 6 }, (_, i) => ({
      id: String(i),
      label: `a long series name ${i}`,
      color: i,
    }));
    const { placed, height } = layoutLegend(items, 400);
    expect(height).toBeGreaterThan(16);
    expect(placed[0]).toMatchObject({ x: 0, y: 0 });
    expect(placed.some((p) => p.y > 0 && p.x === 0)).toBe(true);
  });
});

describe('the charts', () => {
  it('draws several series with a legend, ticks, a reference line and a marker', async () => {
    view = await render(
      <LineChart
        title="AUC per epoch"
        testId="line"
        xLabel="Epoch"
        yLabel="AUC"
        integerX
        xDomain={[0, 4]}
        marker={{ x: 2, label: 'best' }}
        hLine={0.5}
        series={[
          {
            id: 'a',
            label: 'HTLNet',
            points: [
              { x: 1, y: 0.6 },
              { x: 2, y: 0.7 },
              { x: 3, y: 0.69 },
            ],
            markers: true,
          },
          { id: 'b', label: 'MMoE', points: [{ x: 1, y: 0.62 }], dashed: true },
          { id: 'c', label: 'empty', points: [] },
        ]}
      />,
    );
    const svg = byTestId<SVGSVGElement>(view.container, 'line');
    expect(svg.getAttribute('viewBox')).toBe('0 0 480 270');
    expect(svg.getAttribute('aria-label')).toBe('AUC per epoch');
    const a = svg.querySelector('[data-series="a"]')!;
    expect(a.getAttribute('data-points')).toBe('3');
    expect(a.querySelector('path')!.getAttribute('d')!.match(/[ML]/g)).toHaveLength(3);
    expect(a.querySelectorAll('circle')).toHaveLength(3);
    // A lone point is drawn as a dot; an empty series draws nothing but keeps its legend entry.
    expect(svg.querySelector('[data-series="b"] path')).toBeNull();
    expect(svg.querySelectorAll('[data-series="b"] circle')).toHaveLength(1);
    expect(svg.querySelectorAll('[data-legend]')).toHaveLength(3);
    expect(text(svg.querySelector('[data-legend="b"]'))).toBe('MMoE');
    expect(svg.querySelector('[data-legend="b"] line')!.getAttribute('class')).toContain(
      'jc-dashed',
    );
    // Whole epochs only on the x axis.
    const xTicks = Array.from(svg.querySelectorAll('.jc-tick'))
      .filter((t) => t.getAttribute('text-anchor') === 'middle')
      .map((t) => t.textContent);
    expect(xTicks).toEqual(['0', '1', '2', '3', '4']);
    expect(text(svg.querySelector('.jc-marker'))).toBe('best');
    expect(svg.querySelectorAll('.jc-reference')).toHaveLength(1);
    expect(svg.querySelector('.jc-empty')).toBeNull();
  });

  it('keeps long y tick labels (NRMSE 0.9875) clear of the y-axis title', async () => {
    const points = [0.9931, 0.9902, 0.9888, 0.9876].map((y, i) => ({ x: i + 1, y }));
    view = await render(
      <LineChart
        title="NRMSE"
        series={[{ id: 'nrmse', label: 'validation NRMSE', points }]}
        xLabel="Epoch"
        yLabel="NRMSE"
        integerX
      />,
    );
    const ticks = Array.from(
      view.container.querySelectorAll<SVGTextElement>('text.jc-tick[text-anchor="end"]'),
    );
    expect(ticks.length).toBeGreaterThan(2);
    expect(Math.max(...ticks.map((t) => (t.textContent ?? '').length))).toBeGreaterThanOrEqual(5);
    for (const t of ticks) {
      const start = Number(t.getAttribute('x')) - (t.textContent ?? '').length * 6.2;
      expect(start, t.textContent ?? '').toBeGreaterThan(Y_TITLE_RIGHT);
    }
  });

  it('zooms a calibration chart to the range predicted, both axes alike', async () => {
    const run = {
      id: 'r1',
      test: { visit: { logloss: 0.67 } },
      curves: {
        visit: {
          calibration: {
            meanPredicted: [0.46, 0.47, 0.48, 0.49],
            fractionPositive: [0.12, 0.14, 0.15, 0.17],
            count: [10, 10, 10, 10],
          },
        },
      },
    } as unknown as RunDetail;
    view = await render(
      <CalibrationChart task="visit" runs={[{ run, label: 'r1', color: 0 }]} testId="cal" />,
    );
    const ticks = (anchor: string) =>
      Array.from(
        view!.container.querySelectorAll(
          `[data-testid="cal"] text.jc-tick[text-anchor="${anchor}"]`,
        ),
      ).map((t) => Number(t.textContent));
    const x = ticks('middle');
    const y = ticks('end');
    expect(Math.min(...x)).toBeCloseTo(0.1, 5);
    expect(Math.max(...x)).toBeCloseTo(0.5, 5);
    expect([Math.min(...y), Math.max(...y)]).toEqual([Math.min(...x), Math.max(...x)]);
  });

  it('says so when there is nothing to draw yet', async () => {
    view = await render(
      <LineChart
        title="t"
        testId="line"
        xLabel="x"
        yLabel="y"
        emptyText="Waiting…"
        series={[{ id: 'a', label: 'a', points: [] }]}
      />,
    );
    expect(text(byTestId(view.container, 'line').querySelector('.jc-empty'))).toBe('Waiting…');
  });

  it('plots predicted against actual on a shared log scale with the diagonal', async () => {
    const points = [...Array(95).fill(0), 1, 2, 5, 40, 900].map((v, i) => ({
      x: v,
      y: i % 2 ? v * 0.8 : v * 1.1,
    }));
    view = await render(
      <ScatterChart
        title="scatter"
        testId="scatter"
        xLabel="Actual"
        yLabel="Predicted"
        diagonal
        groups={[{ id: 'test', label: 'test rows', points }]}
      />,
    );
    const svg = byTestId(view.container, 'scatter');
    expect(svg.querySelectorAll('circle.jc-scatter')).toHaveLength(100);
    expect(text(svg)).toContain('Actual (log scale)');
    expect(svg.querySelectorAll('.jc-reference')).toHaveLength(1);
  });

  it("draws a column's histogram from the host's bins", async () => {
    const amount = fixturePreview().columns.find((c) => c.name === 'amount')!;
    const { bars, edgeTicks } = histogramBars(amount.stats!.histogram);
    expect(bars).toHaveLength(amount.stats!.histogram.counts.length);
    expect(edgeTicks[0].at).toBe(0);
    expect(edgeTicks[edgeTicks.length - 1].at).toBe(1);
    view = await render(
      <BarChart
        title="h"
        testId="bars"
        bars={bars}
        edgeTicks={edgeTicks}
        xLabel="x"
        yLabel="Rows"
      />,
    );
    const rects = byTestId(view.container, 'bars').querySelectorAll('rect.jc-bar');
    expect(rects).toHaveLength(bars.length);
    // Bar heights follow the counts.
    const heights = Array.from(rects).map((r) => Number(r.getAttribute('height')));
    const counts = amount.stats!.histogram.counts;
    const tallest = counts.indexOf(Math.max(...counts));
    expect(heights.indexOf(Math.max(...heights))).toBe(tallest);
  });
});

describe('saving a chart as PNG', () => {
  it('serialises the SVG standalone, with its colours inlined and a background', async () => {
    view = await render(
      <div style={{ background: 'rgb(10, 20, 30)' }}>
        <LineChart
          title="ROC"
          testId="roc"
          xLabel="FPR"
          yLabel="TPR"
          series={[
            {
              id: 'a',
              label: 'run',
              points: [
                { x: 0, y: 0 },
                { x: 1, y: 1 },
              ],
            },
          ]}
        />
      </div>,
    );
    const svg = byTestId<SVGSVGElement>(view.container, 'roc');
    const path = svg.querySelector('path')!;
    path.style.stroke = 'rgb(13, 115, 119)';
    const out = serializeChart(svg);
    expect(out).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(out).toContain('width="480"');
    expect(out).toContain('height="270"');
    // With a caption: a band on top, the chart moved under it.
    const captioned = serializeChart(svg, { caption: 'ROC · click — AUC 0.7051' });
    expect(captioned).toContain('height="300"');
    expect(captioned).toContain('viewBox="0 0 480 300"');
    expect(captioned).toContain('transform="translate(0,30)"');
    expect(captioned).toContain('>ROC · click — AUC 0.7051</text>');
    expect(out).toContain('fill="rgb(10, 20, 30)"');
    expect(out).toContain('stroke:rgb(13, 115, 119)');
    expect(out).not.toContain('class=');
    expect(out).not.toContain('data-testid');
    // The page's chart is untouched.
    expect(path.getAttribute('class')).toContain('jc-line');
  });

  it('draws the SVG on a canvas and downloads the PNG through a blob: URL', async () => {
    const png = new Blob(['png'], { type: 'image/png' });
    const drawn: unknown[] = [];
    class FakeImage {
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      set src(value: string) {
        drawn.push(value);
        queueMicrotask(() => this.onload?.());
      }
    }
    vi.stubGlobal('Image', FakeImage);
    const realCreate = document.createElement.bind(document);
    const clicks: { href: string; download: string }[] = [];
    vi.spyOn(document, 'createElement').mockImplementation(((tag: string) => {
      const el = realCreate(tag);
      if (tag === 'canvas') {
        const canvas = el as HTMLCanvasElement;
        canvas.getContext = (() => ({
          scale: vi.fn(),
          drawImage: vi.fn(),
        })) as unknown as HTMLCanvasElement['getContext'];
        canvas.toBlob = (cb: BlobCallback) => cb(png);
      }
      if (tag === 'a') {
        (el as HTMLAnchorElement).click = function (this: HTMLAnchorElement) {
          clicks.push({ href: this.href, download: this.download });
        };
      }
      return el;
    }) as typeof document.createElement);
    const created: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      created.push(b as Blob);
      return 'blob:chart-1';
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);

    expect(await svgToPng('<svg xmlns="http://www.w3.org/2000/svg"/>')).toBe(png);
    expect(String(drawn[0])).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/);

    // The card's button runs the whole path.
    view = await render(
      <ChartCard title="ROC · click" testId="card">
        <LineChart title="ROC" xLabel="x" yLabel="y" series={[]} />
      </ChartCard>,
    );
    await click(byTestId(view.container, 'card-png'));
    await new Promise((r) => setTimeout(r, 0));
    expect(clicks).toEqual([{ href: 'blob:chart-1', download: 'roc-click.png' }]);
    expect(created.at(-1)).toBe(png);
    expect(document.querySelectorAll('a[download]')).toHaveLength(0);
  });

  it('names files after the chart and offers any blob for download', () => {
    expect(pngName('Validation AUC per epoch · click')).toBe('validation-auc-per-epoch-click.png');
    expect(pngName('···')).toBe('chart.png');
    const click = vi.fn();
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(click);
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:x');
    downloadBlob(new Blob(['x']), 'x.png');
    expect(click).toHaveBeenCalledTimes(1);
  });
});
