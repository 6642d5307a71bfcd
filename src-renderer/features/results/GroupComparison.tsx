// The comparison of ticked runs as run groups: runs that belong to experiments are grouped by
// (experiment, variant) and paired by seed; each group shows its mean ± sd, and each group its
// paired difference against the reference group (the analyst can pick it) with its 95% interval
// and a verdict, computed by the experiment report's own code (groups.ts: groupReport). One
// seed gives no interval and says so instead of naming a winner. Ticked runs of no experiment
// stay in the run-by-run comparison below it (CompareView).

import { useState } from 'react';
import type { RunSummary } from '../../../src-main/ipc/api';
import { HEADLINE_METRICS } from '../../../src-main/shared/experiments/report';
import { humanize } from '../../ui/format';
import { useJourney } from '../../store/journey';
import { defaultReference, groupReport, groupRuns } from './groups';
import { MetricTable, metricsOf, tasksOf } from './ExperimentReport';

export function GroupComparison({ runs }: { runs: readonly RunSummary[] }) {
  const experiments = useJourney((s) => s.experiments);
  const groups = groupRuns(runs);
  const [picked, setPicked] = useState<string | null>(null);
  if (groups.length === 0) return null;
  const reference =
    picked && groups.some((g) => g.key === picked)
      ? picked
      : defaultReference(groups, experiments)!;
  const report = groupReport(groups, reference);
  const labels = new Map(groups.map((g) => [g.key, g.label]));
  const label = (key: string) => labels.get(key) ?? key;
  const single = runs.filter((r) => !r.group).length;
  const tasks = tasksOf(report);
  return (
    <section className="j-panel" aria-labelledby="j-groups-title" data-testid="group-comparison">
      <div className="j-panel-head">
        <h3 id="j-groups-title">Run groups, paired by seed</h3>
        {groups.length > 1 && (
          <label className="j-group-filter">
            <span>Compare with</span>
            <select
              value={reference}
              onChange={(e) => setPicked(e.currentTarget.value)}
              title="The group the others are compared with, seed by seed"
              data-testid="group-reference"
            >
              {groups.map((g) => (
                <option key={g.key} value={g.key}>
                  {g.label}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <p className="j-muted">
        {groups.length} group{groups.length === 1 ? '' : 's'} of ticked runs (
        {groups
          .map((g) => `${g.label}: ${g.runs.length} seed${g.runs.length === 1 ? '' : 's'}`)
          .join('; ')}
        ). A difference is marked real only when its 95% interval, over the seeds both groups have,
        excludes zero.
        {single > 0 &&
          ` ${single} ticked run${single === 1 ? '' : 's'} of no experiment appear${single === 1 ? 's' : ''} only in the run-by-run comparison below.`}
      </p>
      {tasks.map((task) => (
        <div key={task} data-testid={`group-task-${task}`}>
          <h4>{humanize(task)}</h4>
          {metricsOf(report, task)
            .filter((m) => (HEADLINE_METRICS as readonly string[]).includes(m))
            .map((m) => (
              <MetricTable
                key={m}
                report={report}
                task={task}
                metric={m}
                label={label}
                testId={`group-${task}-${m}`}
              />
            ))}
        </div>
      ))}
      {tasks.length === 0 && (
        <p className="j-muted">None of the ticked runs of experiments has results yet.</p>
      )}
    </section>
  );
}
