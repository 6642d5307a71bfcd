// An ablation of two variants over three seeds, as the host would hold it: the runs (recorded
// HTLNet run summaries given a group, a seed and chosen test metrics) and the experiment's
// detail with its report built by the report code the host uses. "without LEU" is worse on
// purchase AUC by 0.004 to 0.005 at every seed (a real difference); on amount NRMSE it moves
// both ways (within noise). Shared by the experiments view, group comparison and prune tests.

import type { ExperimentDetail, RunDetail, RunSummary } from '../../../src-main/ipc/api';
import { buildReport, type ReportInput } from '../../../src-main/shared/experiments/report';
import { fixtureRuns, summaryOf } from './helpers';

export const EXPERIMENT_ID = 'x20260301-100000-abcdef';
export const EXPERIMENT_NAME = 'Ablation on sample';
const SEEDS = [1, 2, 3];

/** Per variant, per seed: purchase AUC and amount NRMSE. */
const VALUES: Record<string, { auc: number; nrmse: number }[]> = {
  full: [
    { auc: 0.74, nrmse: 0.9 },
    { auc: 0.742, nrmse: 0.91 },
    { auc: 0.741, nrmse: 0.89 },
  ],
  'without LEU': [
    { auc: 0.735, nrmse: 0.91 },
    { auc: 0.738, nrmse: 0.89 },
    { auc: 0.736, nrmse: 0.9 },
  ],
};

function runId(variant: string, seed: number): string {
  return `r20260301-10${variant === 'full' ? 1 : 2}${seed}00-00000${seed}`;
}

/** The six runs of the experiment (details, with their summaries), newest first. */
export function experimentRuns(): RunDetail[] {
  const base = fixtureRuns()[0];
  const out: RunDetail[] = [];
  for (const [variant, values] of Object.entries(VALUES)) {
    values.forEach((v, i) => {
      const seed = SEEDS[i];
      const id = runId(variant, seed);
      out.push({
        ...base,
        id,
        label: `${EXPERIMENT_NAME}: ${variant}, seed ${seed}`,
        startedAt: `2026-03-01T10:${variant === 'full' ? 1 : 2}${seed}:00.000Z`,
        test: {
          click: { ...base.test!.click },
          purchase: { ...base.test!.purchase, auc: v.auc },
          amount: { ...base.test!.amount, nrmse: v.nrmse },
        },
        group: { id: EXPERIMENT_ID, name: EXPERIMENT_NAME, variant, seed },
        diskBytes: 200_000 + seed * 1000,
      });
    });
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

export function experimentSummaries(): RunSummary[] {
  return experimentRuns().map((r) => summaryOf(r));
}

/** The experiment as experiments:get returns it once every run has finished. */
export function experimentDetail(overrides: Partial<ExperimentDetail> = {}): ExperimentDetail {
  const runs = experimentRuns();
  const variants: ReportInput['variants'] = [
    { name: 'full', params: {}, component: null },
    {
      name: 'without LEU',
      params: { 'leu.enabled': false },
      component: 'the label embedding unit',
    },
  ];
  return {
    id: EXPERIMENT_ID,
    name: EXPERIMENT_NAME,
    kind: 'ablation',
    reference: 'full',
    createdAt: '2026-03-01T10:00:00.000Z',
    status: 'completed',
    message: 'All 6 runs finished.',
    seeds: SEEDS,
    total: 6,
    done: 6,
    failed: 0,
    running: 0,
    dataPath: '/ws/sample-6k.csv',
    runs: runs
      .map((r) => ({
        variant: r.group!.variant,
        seed: r.group!.seed,
        runId: r.id,
        status: 'done' as const,
      }))
      .reverse(),
    report: buildReport({
      variants,
      reference: 'full',
      results: runs.map((r) => ({
        variant: r.group!.variant,
        seed: r.group!.seed,
        metrics: r.test,
      })),
    }),
    ...overrides,
  };
}

export function summaryOfExperiment(detail: ExperimentDetail) {
  const { runs: _r, report: _p, dataPath: _d, ...summary } = detail;
  return summary;
}
