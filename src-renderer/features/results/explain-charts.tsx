// The charts of the Explain panel, drawn in the journey's chart frame (fixed viewBox, so "Save
// PNG" works as for every other chart): importance bars with their intervals, a waterfall of a
// row's contributions, partial dependence over the input's histogram, and the funnel's shares.

import { memo } from 'react';
import type {
  FeatureImportance,
  FunnelSegment,
  PartialDependence,
  TaskContributions,
  TaskFunnel,
} from '../../../src-main/shared/explain';
import { formatNumber } from '../../ui/format';
import { Axes, ChartSvg, HEIGHT, Legend, marginsFor, WIDTH } from '../../ui/charts/frame';
import { linear, niceDomain, niceTicks } from '../../ui/charts/scale';

const LABEL_WIDTH = 132;
/** Most rows a horizontal chart draws (the tables and CSV files hold them all). */
export const MAX_ROWS = 12;

function clip(text: string, max = 20): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Horizontal rows of a chart: y position and height of row i of n. */
function rowsLayout(n: number, top: number, bottom: number) {
  const slot = n > 0 ? (bottom - top) / n : 0;
  return { slot, y: (i: number) => top + i * slot, bar: Math.max(2, slot * 0.64) };
}

function xAxis(values: number[], left: number, right: number) {
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const domain = niceDomain([lo, hi > lo ? hi : lo + 1], 5);
  const x = linear(domain, [left, right]);
  return { x, ticks: niceTicks(domain[0], domain[1], 5).map((v) => ({ value: v, at: x(v) })) };
}

function ImportanceChartImpl({
  title,
  features,
  metricLabel,
  testId,
}: {
  title: string;
  features: readonly FeatureImportance[];
  metricLabel: string;
  testId?: string;
}) {
  const shown = features.slice(0, MAX_ROWS);
  const m = { top: 10, right: 16, bottom: 40, left: LABEL_WIDTH };
  const { x, ticks } = xAxis(
    shown.flatMap((f) => [f.low, f.high, f.importance]),
    m.left,
    WIDTH - m.right,
  );
  const rows = rowsLayout(shown.length, m.top, HEIGHT - m.bottom);
  return (
    <ChartSvg title={title} testId={testId} empty={shown.length ? null : 'Nothing to show'}>
      <Axes m={m} xTicks={ticks} yTicks={[]} xLabel={metricLabel} yLabel="" />
      <line className="jc-axis-line" x1={x(0)} x2={x(0)} y1={m.top} y2={HEIGHT - m.bottom} />
      <g data-series="importance" data-points={shown.length}>
        {shown.map((f, i) => {
          const cy = rows.y(i) + rows.slot / 2;
          return (
            <g key={f.feature}>
              <text x={m.left - 6} y={cy + 3.5} textAnchor="end" className="jc-tick">
                {clip(f.feature)}
              </text>
              <rect
                className={`jc-bar ${f.importance >= 0 ? 'jc-s0' : 'jc-s3'}`}
                x={Math.min(x(0), x(f.importance))}
                width={Math.max(0.5, Math.abs(x(f.importance) - x(0)))}
                y={cy - rows.bar / 2}
                height={rows.bar}
              >
                <title>
                  {`${f.feature}: ${formatNumber(f.importance)} (95% interval ${formatNumber(f.low)} to ${formatNumber(f.high)})`}
                </title>
              </rect>
              <line className="jc-line jc-s7" x1={x(f.low)} x2={x(f.high)} y1={cy} y2={cy} />
              <line className="jc-line jc-s7" x1={x(f.low)} x2={x(f.low)} y1={cy - 3} y2={cy + 3} />
              <line
                className="jc-line jc-s7"
                x1={x(f.high)}
                x2={x(f.high)}
                y1={cy - 3}
                y2={cy + 3}
              />
            </g>
          );
        })}
      </g>
    </ChartSvg>
  );
}
export const ImportanceChart = memo(ImportanceChartImpl);

export interface WaterfallStep {
  label: string;
  from: number;
  to: number;
  kind: 'start' | 'up' | 'down' | 'end';
}

/** The steps of a waterfall: the average, the largest contributions, the rest, this row. */
export function waterfallSteps(task: TaskContributions, top = MAX_ROWS - 3): WaterfallStep[] {
  const steps: WaterfallStep[] = [
    { label: 'average prediction', from: task.baseline, to: task.baseline, kind: 'start' },
  ];
  let at = task.baseline;
  const shown = task.contributions.slice(0, top);
  const rest = task.contributions.slice(top);
  for (const c of shown) {
    const label = c.value === '' ? `${c.feature} (missing)` : `${c.feature} = ${c.value}`;
    steps.push({
      label,
      from: at,
      to: at + c.contribution,
      kind: c.contribution >= 0 ? 'up' : 'down',
    });
    at += c.contribution;
  }
  if (rest.length > 0) {
    const sum = rest.reduce((a, c) => a + c.contribution, 0);
    steps.push({
      label: `${rest.length} other inputs`,
      from: at,
      to: at + sum,
      kind: sum >= 0 ? 'up' : 'down',
    });
    at += sum;
  }
  steps.push({ label: 'this row', from: task.prediction, to: task.prediction, kind: 'end' });
  return steps;
}

function WaterfallChartImpl({
  title,
  task,
  testId,
}: {
  title: string;
  task: TaskContributions;
  testId?: string;
}) {
  const steps = waterfallSteps(task);
  const m = { top: 10, right: 16, bottom: 40, left: LABEL_WIDTH + 20 };
  const values = steps.flatMap((s) => [s.from, s.to]);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 0.01;
  const domain = niceDomain([lo - pad, hi + pad], 5);
  const x = linear(domain, [m.left, WIDTH - m.right]);
  const ticks = niceTicks(domain[0], domain[1], 5).map((v) => ({ value: v, at: x(v) }));
  const rows = rowsLayout(steps.length, m.top, HEIGHT - m.bottom);
  return (
    <ChartSvg title={title} testId={testId}>
      <Axes
        m={m}
        xTicks={ticks}
        yTicks={[]}
        xLabel={task.type === 'binary' ? 'predicted probability' : 'prediction'}
        yLabel=""
      />
      <g data-series="waterfall" data-points={steps.length}>
        {steps.map((s, i) => {
          const cy = rows.y(i) + rows.slot / 2;
          const point = s.kind === 'start' || s.kind === 'end';
          return (
            <g key={i}>
              <text x={m.left - 6} y={cy + 3.5} textAnchor="end" className="jc-tick">
                {clip(s.label, 26)}
              </text>
              {point ? (
                <circle cx={x(s.to)} cy={cy} r={4} className="jc-dot jc-s7">
                  <title>{`${s.label}: ${formatNumber(s.to)}`}</title>
                </circle>
              ) : (
                <rect
                  className={`jc-bar ${s.kind === 'up' ? 'jc-s0' : 'jc-s3'}`}
                  x={Math.min(x(s.from), x(s.to))}
                  width={Math.max(0.5, Math.abs(x(s.to) - x(s.from)))}
                  y={cy - rows.bar / 2}
                  height={rows.bar}
                >
                  <title>{`${s.label}: ${s.to >= s.from ? '+' : '−'}${formatNumber(Math.abs(s.to - s.from))}`}</title>
                </rect>
              )}
              {i < steps.length - 1 && (
                <line
                  className="jc-grid"
                  x1={x(s.to)}
                  x2={x(s.to)}
                  y1={cy}
                  y2={rows.y(i + 1) + rows.slot / 2}
                />
              )}
            </g>
          );
        })}
      </g>
    </ChartSvg>
  );
}
export const WaterfallChart = memo(WaterfallChartImpl);

function PdpChartImpl({
  title,
  pdp,
  task,
  testId,
}: {
  title: string;
  pdp: PartialDependence;
  task: number;
  testId?: string;
}) {
  const curve = pdp.tasks[task];
  const legend = [
    { id: 'mean', label: 'average prediction', color: 0 },
    { id: 'band', label: '10th–90th percentile of rows', color: 0, dashed: true },
    { id: 'hist', label: 'rows with this value', color: 6 },
  ];
  const m = marginsFor(legend, 58);
  const xs = pdp.x;
  const last = xs[xs.length - 1];
  const xd = niceDomain([xs[0], last > xs[0] ? last : xs[0] + 1], 5);
  const x = linear(xd, [m.left, WIDTH - m.right]);
  const ys = [...curve.low, ...curve.high, ...curve.mean];
  const ymin = Math.min(...ys);
  const ymax = Math.max(...ys);
  const yd = niceDomain(
    [ymin, ymax > ymin ? ymax : ymin + Math.max(1e-6, Math.abs(ymin) * 0.1)],
    4,
  );
  const bottom = HEIGHT - m.bottom;
  const y = linear(yd, [bottom, m.top]);
  const maxCount = Math.max(1, ...pdp.histogram.counts);
  const histHeight = (bottom - m.top) * 0.25;
  const path = (values: number[]) =>
    values
      .map((v, i) => `${i === 0 ? 'M' : 'L'}${x(xs[i]).toFixed(1)},${y(v).toFixed(1)}`)
      .join('');
  return (
    <ChartSvg title={title} testId={testId}>
      <Legend items={legend} x={m.left} y={6} />
      <Axes
        m={m}
        xTicks={niceTicks(xd[0], xd[1], 5).map((v) => ({ value: v, at: x(v) }))}
        yTicks={niceTicks(yd[0], yd[1], 4).map((v) => ({ value: v, at: y(v) }))}
        xLabel={pdp.feature}
        yLabel={curve.type === 'binary' ? 'probability' : 'prediction'}
      />
      <g data-series="histogram" data-points={pdp.histogram.counts.length}>
        {pdp.histogram.counts.map((c, i) => {
          const a = x(pdp.histogram.edges[i]);
          const b = x(pdp.histogram.edges[i + 1]);
          const h = (c / maxCount) * histHeight;
          return (
            <rect
              key={i}
              className="jc-bar jc-s6"
              style={{ opacity: 0.3 }}
              x={Math.min(a, b)}
              width={Math.max(0.5, Math.abs(b - a) - 1)}
              y={bottom - h}
              height={h}
            >
              <title>{`${formatNumber(pdp.histogram.edges[i])} to ${formatNumber(pdp.histogram.edges[i + 1])}: ${c} rows`}</title>
            </rect>
          );
        })}
      </g>
      <path className="jc-line jc-s0 jc-dashed jc-faint" d={path(curve.low)} />
      <path className="jc-line jc-s0 jc-dashed jc-faint" d={path(curve.high)} />
      <path
        className="jc-line jc-s0"
        d={path(curve.mean)}
        data-series="pdp"
        data-points={xs.length}
      />
    </ChartSvg>
  );
}
export const PdpChart = memo(PdpChartImpl);

const PART_COLORS = { representations: 1, 'label embeddings': 2, inputs: 4 } as const;

function FunnelChartImpl({
  title,
  funnel,
  testId,
}: {
  title: string;
  funnel: TaskFunnel;
  testId?: string;
}) {
  const rowsData: { label: string; shares: FunnelSegment['shares'] }[] = [
    { label: 'all rows', shares: funnel.shares.map((s) => ({ part: s.part, mean: s.mean })) },
    ...funnel.segments.map((s) => ({ label: s.label, shares: s.shares })),
  ];
  const legend = funnel.shares.map((s) => ({
    id: s.part,
    label: s.part,
    color: PART_COLORS[s.part],
  }));
  const m = { ...marginsFor(legend, LABEL_WIDTH), right: 16 };
  const x = linear([0, 1], [m.left, WIDTH - m.right]);
  const rows = rowsLayout(rowsData.length, m.top, HEIGHT - m.bottom);
  return (
    <ChartSvg title={title} testId={testId} empty={funnel.shares.length ? null : 'No shares'}>
      <Legend items={legend} x={m.left} y={6} />
      <Axes
        m={m}
        xTicks={[0, 0.25, 0.5, 0.75, 1].map((v) => ({ value: v, at: x(v), label: `${v * 100}%` }))}
        yTicks={[]}
        xLabel="share of the first layer's input signal"
        yLabel=""
      />
      <g data-series="funnel" data-points={rowsData.length}>
        {rowsData.map((r, i) => {
          const cy = rows.y(i) + rows.slot / 2;
          let at = 0;
          return (
            <g key={r.label}>
              <text x={m.left - 6} y={cy + 3.5} textAnchor="end" className="jc-tick">
                {clip(r.label, 24)}
              </text>
              {r.shares.map((s) => {
                const from = at;
                at += s.mean;
                return (
                  <rect
                    key={s.part}
                    className={`jc-bar jc-s${PART_COLORS[s.part]}`}
                    x={x(from)}
                    width={Math.max(0, x(at) - x(from))}
                    y={cy - rows.bar / 2}
                    height={rows.bar}
                  >
                    <title>{`${r.label}: ${s.part} ${(s.mean * 100).toFixed(1)}%`}</title>
                  </rect>
                );
              })}
            </g>
          );
        })}
      </g>
    </ChartSvg>
  );
}
export const FunnelChart = memo(FunnelChartImpl);
