// Run groups in the Results tab: a run's place in an experiment as the runs table shows it
// (experiment · variant · seed), the groups a table can be filtered by, and the comparison of
// ticked runs as groups: grouped by (experiment, variant), paired by seed, each group's mean ±
// sd and each one's paired difference against a reference with its interval and verdict. The
// statistics are the experiment report's own (shared/experiments: buildReport), so the
// comparison and the report can never disagree. Pure.

import type { ExperimentSummary, RunSummary } from '../../../src-main/ipc/api';
import {
  buildReport,
  type Comparison,
  type ExperimentReport,
} from '../../../src-main/shared/experiments/report';

/** "Ablation · without LEU · seed 2", or null for a run that belongs to no experiment. */
export function groupLabel(run: RunSummary): string | null {
  const g = run.group;
  return g ? `${g.name} · ${g.variant} · seed ${g.seed}` : null;
}

/** The runs table's group filter: every run, the runs of no experiment, or one experiment's. */
export type GroupFilter = { kind: 'all' } | { kind: 'single' } | { kind: 'group'; id: string };

/** The experiments the runs belong to (newest first, as the runs come), for the filter. */
export function groupsOf(
  runs: readonly RunSummary[],
): { id: string; name: string; runs: number }[] {
  const seen = new Map<string, { id: string; name: string; runs: number }>();
  for (const run of runs) {
    if (!run.group) continue;
    const g = seen.get(run.group.id) ?? { id: run.group.id, name: run.group.name, runs: 0 };
    g.runs += 1;
    seen.set(run.group.id, g);
  }
  return [...seen.values()];
}

export function filterRuns(runs: readonly RunSummary[], filter: GroupFilter): RunSummary[] {
  if (filter.kind === 'all') return [...runs];
  if (filter.kind === 'single') return runs.filter((r) => !r.group);
  return runs.filter((r) => r.group?.id === filter.id);
}

/** The disk use of runs in all (runs that do not say count as nothing). */
export function totalDiskBytes(runs: readonly RunSummary[]): number {
  return runs.reduce((sum, r) => sum + (r.diskBytes ?? 0), 0);
}

// ---- comparing groups ---------------------------------------------------------------------------

/** Ticked runs of one variant of one experiment: the seeds of one model. */
interface RunGroup {
  /** "experimentId/variant": the variant's name in the group report. */
  key: string;
  experimentId: string;
  /** "Ablation · without LEU" */
  label: string;
  variant: string;
  /** Its runs by seed (ascending). */
  runs: RunSummary[];
}

/** Whether a run has results an experiment counts (the host's rule: finished, with metrics). */
function usable(run: RunSummary): boolean {
  return run.test !== null && (run.status === 'completed' || run.status === 'early-stopping');
}

/** The ticked runs that belong to experiments, grouped by (experiment, variant), in tick order. */
export function groupRuns(runs: readonly RunSummary[]): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  for (const run of runs) {
    const g = run.group;
    if (!g) continue;
    const key = `${g.id}/${g.variant}`;
    const group = groups.get(key) ?? {
      key,
      experimentId: g.id,
      label: `${g.name} · ${g.variant}`,
      variant: g.variant,
      runs: [],
    };
    group.runs.push(run);
    groups.set(key, group);
  }
  for (const group of groups.values()) group.runs.sort((a, b) => a.group!.seed - b.group!.seed);
  return [...groups.values()];
}

/**
 * The group the others are compared with by default: the reference variant (the full model) of
 * its experiment when exactly one ticked group is one, else the first group.
 */
export function defaultReference(
  groups: readonly RunGroup[],
  experiments: readonly ExperimentSummary[],
): string | null {
  const references = groups.filter(
    (g) => experiments.find((e) => e.id === g.experimentId)?.reference === g.variant,
  );
  if (references.length === 1) return references[0].key;
  return groups[0]?.key ?? null;
}

/** The groups as an experiment report: mean ± sd per group, paired differences to `reference`. */
export function groupReport(groups: readonly RunGroup[], reference: string): ExperimentReport {
  return buildReport({
    variants: groups.map((g) => ({ name: g.key, params: {} })),
    reference,
    results: groups.flatMap((g) =>
      g.runs.map((run) => ({
        variant: g.key,
        seed: run.group!.seed,
        metrics: usable(run) ? run.test : null,
      })),
    ),
  });
}

/** A group's comparison on a task's metric (undefined for the reference or without pairs). */
export function comparisonOf(
  report: ExperimentReport,
  variant: string,
  task: string,
  metric: string,
): Comparison | undefined {
  return report.comparisons.find(
    (c) => c.variant === variant && c.task === task && c.metric === metric,
  );
}
