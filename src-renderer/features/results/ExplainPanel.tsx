// Explain a run: which inputs drive each task (permutation importance with intervals), why a row
// got its prediction (a waterfall of Shapley values), how each numeric input moves a task
// (partial dependence over its histogram) and, for HTLNet graphs, what passes through the
// funnel. Computed by the host in a worker thread (explain:start, with progress and cancel) and
// kept with the run (explain:get reads it back). Every chart has a "how to read this", a PNG
// and a CSV.

import { useMemo, useState } from 'react';
import type { RunDetail } from '../../../src-main/ipc/api';
import {
  METRIC_LABELS,
  type FeatureGroup,
  type RowExplanation,
} from '../../../src-main/shared/explain';
import { ChartCard, downloadBlob } from '../../ui/charts';
import { baseName, formatCount, formatNumber, humanize } from '../../ui/format';
import { CsvPicker, ErrorBox, ProgressBar, Tabs } from '../../ui/kit';
import { useExplainJob } from './explain-job';
import { contributionsCsv, funnelCsv, importanceCsv, pdpCsv } from './explain-csv';
import { FunnelChart, ImportanceChart, MAX_ROWS, PdpChart, WaterfallChart } from './explain-charts';
import '../../journey/results/explain.css';
import { errorText, useJourneyActions } from '../../store/journey';

const STAGE_TEXT: Record<string, string> = {
  reading: 'Reading the data',
  importance: 'Shuffling each input',
  contributions: 'Explaining the row',
  'partial dependence': 'Partial dependence',
  funnel: 'Reading the funnel',
};

function CsvButton({ name, csv, testId }: { name: string; csv: () => string; testId?: string }) {
  return (
    <button
      type="button"
      className="btn btn-ghost btn-sm"
      onClick={() => downloadBlob(new Blob([csv()], { type: 'text/csv' }), name)}
      title={`Save the table as ${name}`}
      data-testid={testId}
    >
      Save CSV
    </button>
  );
}

function HowToRead({ children, testId }: { children: React.ReactNode; testId?: string }) {
  return (
    <details className="j-how-to-read" data-testid={testId}>
      <summary>How to read this</summary>
      <div className="j-muted">{children}</div>
    </details>
  );
}

function methodText(r: RowExplanation): string {
  return r.method === 'exact-shapley'
    ? `Exact Shapley values over every subset of the inputs, against ${r.background} background rows`
    : `Shapley values estimated by sampling ${r.permutations} orders of the inputs per background row (${r.background} rows); the bars still add up exactly`;
}

export function ExplainPanel({ run }: { run: RunDetail }) {
  const journey = useJourneyActions();
  const [task, setTask] = useState<string>(run.tasks.at(-1)?.name ?? '');
  const [subset, setSubset] = useState<'test' | 'all'>('test');
  const [repeats, setRepeats] = useState(3);
  const [rowText, setRowText] = useState('');
  const [shownRow, setShownRow] = useState(0);
  const [pdpFeature, setPdpFeature] = useState<string | null>(null);
  const [otherFile, setOtherFile] = useState<string | null>(null);
  const [regressionMetric, setRegressionMetric] = useState<'gini-drop' | 'rmse-rise'>('gini-drop');
  const [groupsText, setGroupsText] = useState('');

  const { explanation, job, error, setError, start, cancel } = useExplainJob(
    run.id,
    repeats,
    setShownRow,
  );

  const explainAll = () => {
    const groups = parseGroups(groupsText);
    if (typeof groups === 'string') {
      setError(groups);
      return;
    }
    void start('Explaining the model', {
      subset,
      regressionMetric,
      ...(groups.length > 0 ? { groups } : {}),
      // With no row kept yet the host explains the row with the highest core prediction.
      ...(explanation?.rows.length ? { explainRows: [] } : {}),
    });
  };

  const explainOneRow = (row: number, file: string | null) =>
    void start(`Explaining row ${row}`, {
      parts: ['rows'],
      explainRows: [row],
      ...(file ? { dataPath: file, subset: 'all' as const } : { subset }),
    });

  const uploadOther = async (file: File) => {
    const uploads = journey.uploads();
    if (!uploads) return;
    try {
      setOtherFile(await uploads.upload(file, file.name));
    } catch (e) {
      setError(errorText(e));
    }
  };

  const taskIndex = Math.max(
    0,
    run.tasks.findIndex((t) => t.name === task),
  );
  const importance = explanation?.importance?.tasks.find((t) => t.task === task) ?? null;
  const rows = explanation?.rows ?? [];
  const row = rows[Math.min(shownRow, rows.length - 1)] ?? null;
  const rowTask = row?.tasks.find((t) => t.task === task) ?? null;
  const pdp =
    explanation?.partialDependence.find((p) => p.feature === pdpFeature) ??
    explanation?.partialDependence[0] ??
    null;
  const funnel = explanation?.funnel?.tasks.find((t) => t.task === task) ?? null;
  const picks = useMemo(
    () =>
      [...(explanation?.picks ?? [])].sort(
        (a, b) => b.predictions[taskIndex] - a.predictions[taskIndex],
      ),
    [explanation, taskIndex],
  );
  const busy = job !== null;
  const typeOf = run.tasks[taskIndex]?.type;

  return (
    <section className="j-panel j-explain" aria-label="Explain" data-testid="explain-panel">
      <header className="j-explain-head">
        <div>
          <h3>Explain</h3>
          <p className="j-muted">
            Which inputs drive each task, why a row got its prediction, and what passes through the
            funnel.
            {explanation &&
              ` Explained ${formatCount(explanation.data.rows)} of ${formatCount(explanation.data.of)} rows (${
                explanation.data.subset === 'test' ? 'test split' : 'all rows'
              }) of ${baseName(explanation.data.path)}.`}
          </p>
        </div>
        <div className="j-explain-actions">
          <label className="j-field">
            <span className="j-field-label">Rows</span>
            <select
              value={subset}
              onChange={(e) => setSubset(e.target.value as 'test' | 'all')}
              disabled={busy}
              data-testid="explain-subset"
            >
              <option value="test">test split</option>
              <option value="all">all rows of the file</option>
            </select>
          </label>
          <label className="j-field" title="Shuffles per input: more give narrower intervals">
            <span className="j-field-label">Shuffles</span>
            <input
              type="number"
              min={1}
              max={20}
              value={repeats}
              onChange={(e) => setRepeats(Math.max(1, Math.min(20, Number(e.target.value) || 1)))}
              disabled={busy}
              data-testid="explain-repeats"
            />
          </label>
          {run.tasks.some((t) => t.type === 'regression') && (
            <label className="j-field" title="How a regression task's importance is measured">
              <span className="j-field-label">Regression importance</span>
              <select
                value={regressionMetric}
                onChange={(e) => setRegressionMetric(e.target.value as 'gini-drop' | 'rmse-rise')}
                disabled={busy}
                data-testid="explain-regression-metric"
              >
                <option value="gini-drop">drop in normalised Gini</option>
                <option value="rmse-rise">rise in RMSE</option>
              </select>
            </label>
          )}
          <label
            className="j-field"
            title="Columns shuffled together, e.g. user=user_id,user_age; item=item_id,price"
          >
            <span className="j-field-label">Groups (optional)</span>
            <input
              type="text"
              value={groupsText}
              placeholder="user=user_id,user_age; item=item_id,price"
              onChange={(e) => setGroupsText(e.target.value)}
              disabled={busy}
              data-testid="explain-groups"
            />
          </label>
          {busy ? (
            <button
              type="button"
              className="btn btn-secondary"
              onClick={cancel}
              data-testid="explain-cancel"
            >
              Stop
            </button>
          ) : (
            <button
              type="button"
              className="btn btn-primary"
              onClick={explainAll}
              disabled={!run.hasModel}
              title={run.hasModel ? 'Compute the explanation' : 'This run kept no model'}
              data-testid="explain-start"
            >
              {explanation ? 'Explain again' : 'Explain the model'}
            </button>
          )}
        </div>
      </header>
      {job && (
        <ProgressBar
          value={job.total > 0 ? job.done / job.total : null}
          label={`${job.what}: ${STAGE_TEXT[job.stage] ?? job.stage}`}
          detail={job.total > 0 ? `${job.done} / ${job.total}` : undefined}
          testId="explain-progress"
        />
      )}
      {error && (
        <ErrorBox message={error} onDismiss={() => setError(null)} testId="explain-error" />
      )}
      {explanation && (
        <>
          <Tabs
            label="Task"
            value={task}
            onChange={setTask}
            testId="explain-task"
            options={run.tasks.map((t) => ({
              value: t.name,
              label: humanize(t.name),
              title: `Explain the ${t.type} task ${t.name}`,
            }))}
          />
          <div className="j-chart-grid">
            {importance && (
              <div>
                <ChartCard
                  title={`Input importance · ${task}`}
                  note={`${METRIC_LABELS[importance.metric]} when shuffled`}
                  help="Permutation importance on the explained rows"
                  testId="explain-importance"
                >
                  <ImportanceChart
                    title={`Input importance · ${task}`}
                    features={importance.features}
                    metricLabel={METRIC_LABELS[importance.metric]}
                  />
                </ChartCard>
                <div className="j-explain-tools">
                  <CsvButton
                    name={`importance-${run.id}.csv`}
                    csv={() => importanceCsv(explanation)}
                    testId="explain-importance-csv"
                  />
                  {importance.features.length > MAX_ROWS && (
                    <span className="j-muted">
                      Top {MAX_ROWS} of {importance.features.length} inputs (all in the CSV).
                    </span>
                  )}
                </div>
                <HowToRead testId="explain-importance-help">
                  Each input was shuffled across the rows ({explanation.importance!.repeats} times),
                  breaking its link with the target, and the task was measured again. The bar is how
                  much worse it got: the {METRIC_LABELS[importance.metric]}
                  {importance.baseline !== null
                    ? ` (from ${formatNumber(importance.baseline)} as is)`
                    : ''}
                  . The whisker is a 95% interval over the shuffles. A bar near zero means the model
                  does not use the input for this task; a negative one means shuffling it helped
                  (noise). Inputs that carry the same information share the credit: shuffle them
                  together as a group to see their joint weight.
                </HowToRead>
              </div>
            )}

            <div>
              {rowTask && row ? (
                <ChartCard
                  title={`Why this prediction · ${task} · row ${row.row}`}
                  note={`${formatNumber(rowTask.baseline)} → ${formatNumber(rowTask.prediction)}`}
                  help={methodText(row)}
                  testId="explain-waterfall"
                >
                  <WaterfallChart title={`Why this prediction · ${task}`} task={rowTask} />
                </ChartCard>
              ) : (
                <p className="j-muted">Pick a row below to see why it got its prediction.</p>
              )}
              <div className="j-explain-tools">
                {rows.length > 0 && (
                  <select
                    value={Math.min(shownRow, rows.length - 1)}
                    onChange={(e) => setShownRow(Number(e.target.value))}
                    aria-label="Explained rows"
                    data-testid="explain-row-list"
                  >
                    {rows.map((r, i) => (
                      <option key={`${r.file}:${r.row}`} value={i}>
                        row {r.row}
                        {r.file !== explanation.data.path ? ` of ${baseName(r.file)}` : ''}
                      </option>
                    ))}
                  </select>
                )}
                {row && (
                  <CsvButton
                    name={`contributions-row-${row.row}.csv`}
                    csv={() => contributionsCsv(row)}
                    testId="explain-row-csv"
                  />
                )}
              </div>
              <div className="j-explain-tools">
                {picks.length > 0 && (
                  <select
                    value=""
                    onChange={(e) => e.target.value && setRowText(e.target.value)}
                    aria-label="Pick a row by its prediction"
                    data-testid="explain-pick"
                    disabled={busy}
                  >
                    <option value="">
                      Pick a {explanation.data.subset === 'test' ? 'test' : ''} row by its {task}{' '}
                      prediction…
                    </option>
                    {picks.map((p) => (
                      <option key={p.row} value={String(p.row)}>
                        row {p.row}: {formatNumber(p.predictions[taskIndex])}
                      </option>
                    ))}
                  </select>
                )}
                <input
                  type="number"
                  min={0}
                  placeholder="data row"
                  value={rowText}
                  onChange={(e) => setRowText(e.target.value)}
                  aria-label="Data row to explain (0 is the first data row)"
                  data-testid="explain-row-input"
                  disabled={busy}
                />
                <button
                  type="button"
                  className="btn btn-secondary btn-sm"
                  disabled={busy || rowText === '' || !(Number(rowText) >= 0)}
                  onClick={() => explainOneRow(Math.floor(Number(rowText)), otherFile)}
                  data-testid="explain-row-start"
                >
                  Explain row{otherFile ? ` of ${baseName(otherFile)}` : ''}
                </button>
              </div>
              <details className="j-how-to-read">
                <summary>Explain a row of another file (e.g. a scored file)</summary>
                <CsvPicker
                  testId="explain-other-file"
                  onPath={setOtherFile}
                  onFile={(f) => void uploadOther(f)}
                  disabled={busy}
                />
                {otherFile && (
                  <p className="j-muted">
                    Rows are now taken from {baseName(otherFile)}.{' '}
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      onClick={() => setOtherFile(null)}
                    >
                      Back to the run&apos;s data
                    </button>
                  </p>
                )}
              </details>
              <HowToRead testId="explain-waterfall-help">
                The chart starts at the model&apos;s average prediction over a background sample of
                rows and ends at this row&apos;s prediction. Each bar is what one input, set to this
                row&apos;s value instead of the background rows&apos; values, adds (right) or takes
                away (left), shared fairly over every order in which the inputs could be switched
                (Shapley values). The bars add up exactly to the difference.{' '}
                {row ? `${methodText(row)}.` : ''} Shapley values were chosen over integrated
                gradients on the embeddings after measuring both (bench/results/explain-*.json): on
                the built-in sample they rank the inputs alike (rank correlation 0.9 to 0.93) at a
                similar cost (a twentieth to a fifth of a second a row), but the sum of integrated
                gradients is only approximately the difference, they need the model&apos;s
                gradients, and their path between two categories through the embedding passes
                through no real category.
                {typeOf === 'binary'
                  ? ' Values are probabilities.'
                  : ' Values are on the raw scale.'}
              </HowToRead>
            </div>

            {pdp && (
              <div>
                <ChartCard
                  title={`Partial dependence · ${task} · ${pdp.feature}`}
                  note={`${pdp.missing > 0 ? `${formatCount(pdp.missing)} missing` : ''}`}
                  testId="explain-pdp"
                >
                  <PdpChart
                    title={`Partial dependence · ${task} · ${pdp.feature}`}
                    pdp={pdp}
                    task={taskIndex}
                  />
                </ChartCard>
                <div className="j-explain-tools">
                  <select
                    value={pdp.feature}
                    onChange={(e) => setPdpFeature(e.target.value)}
                    aria-label="Numeric input"
                    data-testid="explain-pdp-feature"
                  >
                    {explanation.partialDependence.map((p) => (
                      <option key={p.feature} value={p.feature}>
                        {p.feature}
                      </option>
                    ))}
                  </select>
                  <CsvButton
                    name={`partial-dependence-${pdp.feature}.csv`}
                    csv={() => pdpCsv(pdp)}
                    testId="explain-pdp-csv"
                  />
                </div>
                <HowToRead testId="explain-pdp-help">
                  Every sampled row was given the value on the horizontal axis and predicted again;
                  the line is the average prediction, the dashed lines hold the middle 80% of the
                  rows. The grey bars show how many rows really have each value: where they are low
                  the curve rests on few rows (and on the model&apos;s extrapolation). With strongly
                  related inputs the curve also shows combinations the data never has.
                </HowToRead>
              </div>
            )}

            {funnel && (
              <div>
                <ChartCard
                  title={`Through the funnel · ${task}`}
                  note={
                    funnel.shares.length > 0
                      ? `label embeddings ${(funnel.shares[1].mean * 100).toFixed(1)}%`
                      : ''
                  }
                  testId="explain-funnel"
                >
                  <FunnelChart title={`Through the funnel · ${task}`} funnel={funnel} />
                </ChartCard>
                {funnel.attention.length > 0 && (
                  <table className="j-table j-compact" data-testid="explain-attention">
                    <caption>Attention of the fusion unit {funnel.fusionBlock}</caption>
                    <thead>
                      <tr>
                        <th>reads</th>
                        <th>from task</th>
                        <th className="j-num">mean weight</th>
                        <th className="j-num">spread (sd)</th>
                      </tr>
                    </thead>
                    <tbody>
                      {funnel.attention.flatMap((a) =>
                        a.items.map((i) => (
                          <tr key={`${a.port}-${i.source}`}>
                            <td>{a.port === 'reps' ? 'representations' : 'label embeddings'}</td>
                            <td>{i.source}</td>
                            <td className="j-num">{formatNumber(i.mean)}</td>
                            <td className="j-num">{formatNumber(i.sd)}</td>
                          </tr>
                        )),
                      )}
                    </tbody>
                  </table>
                )}
                <div className="j-explain-tools">
                  <CsvButton
                    name={`funnel-${task}.csv`}
                    csv={() => funnelCsv(funnel)}
                    testId="explain-funnel-csv"
                  />
                </div>
                <HowToRead testId="explain-funnel-help">
                  The first layer of {task}&apos;s tower reads three things: the earlier tasks&apos;
                  representations and label embeddings (through the fusion unit) and the inputs
                  directly. Each bar splits the size of what each part adds to that layer, on
                  average, for all rows and for rows grouped by the predicted{' '}
                  {funnel.segmentBy ?? 'earlier task'} probability (lowest to highest). A large
                  label-embedding share, growing with the probability, means the earlier task&apos;s
                  outcome does reach {task}; near zero means it does not. The table gives the
                  attention the fusion unit pays to each earlier task (weights sum to 1).
                </HowToRead>
              </div>
            )}
          </div>
        </>
      )}
    </section>
  );
}

/** "user=a,b; item=c" -> groups, or a message saying what is wrong. */
function parseGroups(text: string): FeatureGroup[] | string {
  const groups: FeatureGroup[] = [];
  for (const part of text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const i = part.indexOf('=');
    const name = i < 0 ? '' : part.slice(0, i).trim();
    const columns = (i < 0 ? '' : part.slice(i + 1))
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    if (!name || columns.length === 0)
      return `Groups: "${part}" must be NAME=column,column (groups separated by ";").`;
    groups.push({ name, columns });
  }
  return groups;
}
