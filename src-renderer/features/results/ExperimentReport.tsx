// The open experiment's report, for an analyst deciding which variant to trust: for an ablation
// one plain sentence per removed component on top ("The label embedding unit helps purchase AUC
// by +0.004 ± 0.002 on this data (likely real)"); then per task and metric each variant's mean ±
// sd over its seeds, the reference (the full model) marked, and each variant's paired difference
// against it with its 95% interval and verdict; then every seed's run, a click away from its
// detail. The numbers are the host's report (shared/experiments/report.ts), shown as they are.

import { useEffect } from 'react';
import type { ExperimentDetail, ExperimentRunState } from '../../../src-main/ipc/api';
import {
  HEADLINE_METRICS,
  METRICS as REPORT_METRICS,
  type ExperimentReport,
  type VariantReport,
} from '../../../src-main/shared/experiments/report';
import { baseName, humanize, metricLabel, METRICS, METRIC_ORDER, slug } from '../../ui/format';
import { useJourney, useJourneyActions } from '../../store/journey';
import { comparisonOf } from './groups';
import { formatDiff, formatInterval, formatMeanSd, sentence, VerdictBadge } from './verdicts';
import { KIND_TEXT, resumedText } from './experiments';

/** A task's metrics in reading order: the headline ones, then the tables' usual order. */
export function metricsOf(report: ExperimentReport, task: string): string[] {
  const present = new Set<string>();
  for (const v of report.variants) for (const m of Object.keys(v.tasks[task] ?? {})) present.add(m);
  const order = [...HEADLINE_METRICS, ...METRIC_ORDER.binary, ...METRIC_ORDER.regression];
  const known = [...new Set(order)].filter((m) => present.has(m));
  return [...known, ...[...present].filter((m) => !known.includes(m))];
}

export function tasksOf(report: ExperimentReport): string[] {
  const tasks = new Set<string>();
  for (const v of report.variants) for (const t of Object.keys(v.tasks)) tasks.add(t);
  return [...tasks];
}

/** One task's metric: each variant's mean ± sd and its difference against the reference. */
export function MetricTable({
  report,
  task,
  metric,
  label = (name) => name,
  testId,
}: {
  report: ExperimentReport;
  task: string;
  metric: string;
  /** A variant's name as shown (the comparison of run groups names them by experiment). */
  label?: (variant: string) => string;
  testId: string;
}) {
  const info = METRICS[metric];
  const way = info ? (info.higherIsBetter ? 'higher is better' : 'lower is better') : '';
  const rows = report.variants.filter((v) => v.tasks[task]?.[metric]);
  return (
    <div className="j-table-scroll">
      <table className="j-table j-report-table" data-testid={testId}>
        <caption title={info?.help}>
          {humanize(task)} · {metricLabel(metric)}
          {way && <span className="j-muted"> ({way})</span>}
        </caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col" className="j-num" title="Mean and standard deviation over the seeds">
              Mean ± sd
            </th>
            <th scope="col" className="j-num" title="Seeds with results">
              Seeds
            </th>
            <th scope="col" className="j-num" title="Variant minus reference, paired by seed">
              Difference
            </th>
            <th scope="col" title="95% interval of the paired difference (t interval)">
              95% interval
            </th>
            <th scope="col">Verdict</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((v) => (
            <ReportRow
              key={v.name}
              report={report}
              variant={v}
              task={task}
              metric={metric}
              label={label(v.name)}
              testId={`${testId}-${slug(v.name)}`}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ReportRow({
  report,
  variant: v,
  task,
  metric,
  label,
  testId,
}: {
  report: ExperimentReport;
  variant: VariantReport;
  task: string;
  metric: string;
  label: string;
  testId: string;
}) {
  const isReference = v.name === report.reference;
  const c = isReference ? undefined : comparisonOf(report, v.name, task, metric);
  const real = c?.verdict === 'likely real';
  return (
    <tr
      className={real ? 'j-report-real' : isReference ? 'j-report-reference' : undefined}
      data-testid={testId}
    >
      <th scope="row">
        {label}
        {isReference && (
          <span className="j-kind-badge" data-testid={`${testId}-reference`}>
            reference
          </span>
        )}
        {v.component && <div className="j-muted j-small">without {v.component}</div>}
      </th>
      <td className="j-num">{formatMeanSd(metric, v.tasks[task][metric])}</td>
      <td className="j-num">{v.seeds}</td>
      {isReference ? (
        <td colSpan={3} className="j-muted">
          the others are compared with this one
        </td>
      ) : c ? (
        <>
          <td className="j-num">{formatDiff(c)}</td>
          <td className="j-nowrap">{formatInterval(c)}</td>
          <td>
            <VerdictBadge
              verdict={c.verdict}
              diff={c.diff}
              direction={c.direction}
              testId={`${testId}-verdict`}
            />
          </td>
        </>
      ) : (
        <td colSpan={3} className="j-muted">
          no seed in common with the reference yet
        </td>
      )}
    </tr>
  );
}

const RUN_STATUS_TEXT: Record<ExperimentRunState['status'], string> = {
  queued: 'queued',
  running: 'training',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

function SeedRuns({ detail }: { detail: ExperimentDetail }) {
  const journey = useJourneyActions();
  const variants = [...new Set(detail.runs.map((r) => r.variant))];
  return (
    <section className="j-panel" aria-labelledby="j-seed-runs-title">
      <h4 id="j-seed-runs-title">Runs by seed</h4>
      <div className="j-table-scroll">
        <table className="j-table" data-testid="experiment-runs">
          <thead>
            <tr>
              <th scope="col">Variant</th>
              {detail.seeds.map((s) => (
                <th key={s} scope="col">
                  Seed {s}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {variants.map((variant) => (
              <tr key={variant}>
                <th scope="row">{variant}</th>
                {detail.seeds.map((seed) => {
                  const r = detail.runs.find((x) => x.variant === variant && x.seed === seed);
                  if (!r) return <td key={seed}>–</td>;
                  const status = RUN_STATUS_TEXT[r.status];
                  return (
                    <td key={seed} title={r.message}>
                      {r.runId ? (
                        <button
                          type="button"
                          className="link"
                          onClick={() => journey.openRunDetail(r.runId)}
                          title={`Open the run of ${variant}, seed ${seed}`}
                          data-testid={`experiment-run-${slug(variant)}-${seed}`}
                        >
                          {status}
                        </button>
                      ) : (
                        <span className="j-muted">{status}</span>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function ExperimentReportView({ id }: { id: string }) {
  const journey = useJourneyActions();
  const detail = useJourney((s) => s.experimentDetails[id]);

  useEffect(() => {
    void journey.loadExperiment(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the store's actions are stable
  }, [id]);

  if (!detail) {
    return (
      <div className="j-panel j-loading" aria-busy="true">
        Loading the experiment…
      </div>
    );
  }
  const { report } = detail;
  const tasks = tasksOf(report);
  const resumed = resumedText(detail);
  return (
    <article className="j-experiment" data-testid="experiment-report" aria-label={detail.name}>
      <header className="j-panel">
        <h3>
          {detail.name} <span className="j-kind-badge">{KIND_TEXT[detail.kind]}</span>
        </h3>
        <p className="j-muted">
          {detail.message} {report.variants.length} variant
          {report.variants.length === 1 ? '' : 's'} × {detail.seeds.length} seed
          {detail.seeds.length === 1 ? '' : 's'} on {baseName(detail.dataPath)}; each variant is
          compared with <strong>{report.reference}</strong>, seed by seed.
        </p>
        {resumed && (
          <p className="j-warning" role="note">
            {resumed}
          </p>
        )}
      </header>
      {report.summaries.length > 0 && (
        <section className="j-panel" aria-labelledby="j-ablation-title">
          <h4 id="j-ablation-title">What each component does on this data</h4>
          <ul className="j-summaries" data-testid="ablation-summary">
            {report.summaries.map((s) => (
              <li key={`${s.variant}-${s.task}-${s.metric}`} data-verdict={s.verdict}>
                <VerdictBadge
                  verdict={s.verdict}
                  diff={s.effect}
                  direction={REPORT_METRICS[s.metric]?.direction ?? 0}
                />{' '}
                {sentence(s.text)}
              </li>
            ))}
          </ul>
        </section>
      )}
      {tasks.length === 0 ? (
        <p className="j-muted" data-testid="experiment-no-results">
          No results yet: the report fills in as runs finish.
        </p>
      ) : (
        tasks.map((task) => {
          const metrics = metricsOf(report, task);
          const headline = metrics.filter((m) =>
            (HEADLINE_METRICS as readonly string[]).includes(m),
          );
          const more = metrics.filter((m) => !headline.includes(m));
          return (
            <section
              key={task}
              className="j-panel"
              aria-label={humanize(task)}
              data-testid={`report-task-${task}`}
            >
              <h4>{humanize(task)}</h4>
              {headline.map((m) => (
                <MetricTable
                  key={m}
                  report={report}
                  task={task}
                  metric={m}
                  testId={`report-${task}-${m}`}
                />
              ))}
              {more.length > 0 && (
                <details>
                  <summary>More metrics ({more.map((m) => metricLabel(m)).join(', ')})</summary>
                  {more.map((m) => (
                    <MetricTable
                      key={m}
                      report={report}
                      task={task}
                      metric={m}
                      testId={`report-${task}-${m}`}
                    />
                  ))}
                </details>
              )}
            </section>
          );
        })
      )}
      <SeedRuns detail={detail} />
    </article>
  );
}
