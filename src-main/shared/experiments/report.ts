// An experiment's results as one report: per variant the mean and sd of every test metric over
// its seeds, per variant and metric the paired difference against the reference with its
// interval and verdict, and for an ablation one plain sentence per removed component. The CLI
// prints it (--json: as is), the app shows it (Results › Experiments) and builds the same report
// for ticked run groups, so it lives in shared/ (no engine, no Node); its shape is part of the
// CLI's interface.

import type { ParamValue } from '../project';
import {
  decimalsFor,
  describeDifference,
  meanSd,
  pairedDifference,
  signed,
  spreadScale,
  verdictOf,
  type Verdict,
} from './stats';

/** One finished run of an experiment: its variant, its seed and its test metrics by task. */
export interface RunResult {
  variant: string;
  seed: number;
  /** Null when the run failed or was cancelled before it had results. */
  metrics: Record<string, Record<string, number>> | null;
}

export interface VariantReport {
  name: string;
  params: Record<string, ParamValue>;
  /** Seeds with results. */
  seeds: number;
  tasks: Record<string, Record<string, { mean: number; sd: number }>>;
  /** Ablation: the component the variant removes. */
  component?: string | null;
}

export interface Comparison {
  variant: string;
  task: string;
  metric: string;
  /** Mean over paired seeds of variant - reference. */
  diff: number;
  /** The 95% paired t interval of `diff`. */
  low: number;
  high: number;
  /** The 95% percentile bootstrap interval of `diff`. */
  bootstrapLow: number;
  bootstrapHigh: number;
  /** Seeds paired. */
  pairs: number;
  /** Whether the variant is better: +1 higher is better, -1 lower is better, 0 no direction. */
  direction: 1 | -1 | 0;
  verdict: Verdict;
  /** "purchase AUC +0.004 ± 0.002, likely real" */
  text: string;
}

/** Ablation: what a component does for a headline metric, in one sentence. */
interface ComponentSummary {
  component: string;
  variant: string;
  task: string;
  metric: string;
  /** full - without: the component's effect. */
  effect: number;
  low: number;
  high: number;
  verdict: Verdict;
  text: string;
}

export interface ExperimentReport {
  variants: VariantReport[];
  reference: string;
  comparisons: Comparison[];
  summaries: ComponentSummary[];
}

/** Metric names in words, and which way is better. */
export const METRICS: Record<string, { label: string; direction: 1 | -1 | 0 }> = {
  auc: { label: 'AUC', direction: 1 },
  logloss: { label: 'LogLoss', direction: -1 },
  rmse: { label: 'RMSE', direction: -1 },
  mae: { label: 'MAE', direction: -1 },
  nrmse: { label: 'NRMSE', direction: -1 },
  nmae: { label: 'NMAE', direction: -1 },
  gini: { label: 'Gini', direction: 1 },
  spearman: { label: 'Spearman', direction: 1 },
  r2: { label: 'R²', direction: 1 },
  totalRatio: { label: 'total ratio', direction: 0 },
};

/** The metrics a summary speaks of: AUC for binary tasks, NRMSE and Gini for regression. */
export const HEADLINE_METRICS = ['auc', 'nrmse', 'gini'] as const;

function metricLabel(metric: string): string {
  return METRICS[metric]?.label ?? metric;
}

export interface ReportInput {
  variants: readonly {
    name: string;
    params: Record<string, ParamValue>;
    component?: string | null;
  }[];
  reference: string;
  results: readonly RunResult[];
}

export function buildReport(input: ReportInput): ExperimentReport {
  // variant -> task -> metric -> seed -> value
  const values = new Map<string, Map<string, Map<string, Map<number, number>>>>();
  for (const r of input.results) {
    if (!r.metrics) continue;
    const byTask = values.get(r.variant) ?? new Map<string, Map<string, Map<number, number>>>();
    values.set(r.variant, byTask);
    for (const [task, metrics] of Object.entries(r.metrics)) {
      const byMetric = byTask.get(task) ?? new Map<string, Map<number, number>>();
      byTask.set(task, byMetric);
      for (const [metric, value] of Object.entries(metrics)) {
        const bySeed = byMetric.get(metric) ?? new Map<number, number>();
        byMetric.set(metric, bySeed);
        bySeed.set(r.seed, value);
      }
    }
  }
  const variants: VariantReport[] = input.variants.map((v) => {
    const byTask = values.get(v.name);
    const seeds = new Set(
      input.results.filter((r) => r.variant === v.name && r.metrics).map((r) => r.seed),
    );
    const tasks: VariantReport['tasks'] = {};
    for (const [task, byMetric] of byTask ?? []) {
      tasks[task] = {};
      for (const [metric, bySeed] of byMetric) {
        const { mean, sd } = meanSd([...bySeed.values()]);
        tasks[task][metric] = { mean, sd };
      }
    }
    return {
      name: v.name,
      params: v.params,
      seeds: seeds.size,
      tasks,
      ...(v.component !== undefined ? { component: v.component } : {}),
    };
  });
  const reference = values.get(input.reference);
  const comparisons: Comparison[] = [];
  for (const v of input.variants) {
    if (v.name === input.reference) continue;
    for (const [task, byMetric] of values.get(v.name) ?? []) {
      for (const [metric, bySeed] of byMetric) {
        const ref = reference?.get(task)?.get(metric);
        if (!ref) continue;
        const d = pairedDifference(bySeed, ref);
        if (d.n === 0) continue;
        comparisons.push({
          variant: v.name,
          task,
          metric,
          diff: d.diff,
          low: d.low,
          high: d.high,
          bootstrapLow: d.bootstrapLow,
          bootstrapHigh: d.bootstrapHigh,
          pairs: d.n,
          direction: METRICS[metric]?.direction ?? 0,
          verdict: verdictOf(d),
          text: describeDifference(task, metricLabel(metric), d),
        });
      }
    }
  }
  return {
    variants,
    reference: input.reference,
    comparisons,
    summaries: componentSummaries(input.variants, comparisons),
  };
}

/**
 * "the label embedding unit helps purchase AUC by +0.004 ± 0.002 on this data (likely real)":
 * the effect of a component is the full model minus the model without it.
 */
function componentSummaries(
  variants: ReportInput['variants'],
  comparisons: readonly Comparison[],
): ComponentSummary[] {
  const out: ComponentSummary[] = [];
  for (const v of variants) {
    if (!v.component) continue;
    for (const c of comparisons) {
      if (c.variant !== v.name || !(HEADLINE_METRICS as readonly string[]).includes(c.metric))
        continue;
      const effect = -c.diff;
      const low = -c.high;
      const high = -c.low;
      const better = Math.sign(effect) === c.direction;
      const half = (high - low) / 2;
      const digits = decimalsFor(spreadScale(half, effect));
      const shown = signed(effect, digits);
      const amount = `${shown}${Number.isFinite(half) ? ` ± ${half.toFixed(digits)}` : ''}`;
      const verb =
        c.verdict === 'likely real'
          ? better
            ? 'helps'
            : 'hurts'
          : better
            ? 'may help'
            : 'may hurt';
      const tail =
        c.verdict === 'likely real'
          ? 'likely real'
          : c.verdict === 'within noise'
            ? 'within noise'
            : 'one seed, no interval';
      out.push({
        component: v.component,
        variant: v.name,
        task: c.task,
        metric: c.metric,
        effect,
        low,
        high,
        verdict: c.verdict,
        // An effect that rounds to zero at its interval's precision has no direction to name.
        text: /^[0.]+$/.test(shown)
          ? `${v.component} makes no visible difference to ${c.task} ${metricLabel(c.metric)} (${amount} on this data, ${tail})`
          : `${v.component} ${verb} ${c.task} ${metricLabel(c.metric)} by ${amount} on this data (${tail})`,
      });
    }
  }
  return out;
}
