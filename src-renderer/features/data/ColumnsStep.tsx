// Step 2 of the import wizard: every column with its inferred kind and profile; the user sets
// each feature's kind (categorical / numeric), picks the targets, their type and chain order,
// and excludes columns. The first rows of the file are shown underneath.

import type { ColumnSummary, DataPreview } from '../../../src-main/ipc/api';
import type { FeatureKind, TaskType } from '../../../src-main/shared/project';
import {
  canBeRegression,
  decimalCommaText,
  draftCore,
  draftToBinding,
  kindReason,
  draftIssues,
  moveTarget,
  notNumbersText,
  setKind,
  setTaskType,
  toggleExcluded,
  toggleTarget,
  type BindingDraft,
  type ColumnDraft,
} from '../../store/journey/binding';
import { formatBytes, formatCount, formatNumber, formatPercent } from '../../ui/format';
import { ColumnProfile, KIND_TEXT } from './ColumnProfile';
import { useJourney, useJourneyActions } from '../../store/journey';

function targetSummary(column: ColumnSummary | undefined, type: TaskType): string {
  if (!column) return '';
  if (type === 'binary') {
    return column.positiveRate !== undefined
      ? `${formatPercent(column.positiveRate, 2)} positive`
      : `${column.distinct} values`;
  }
  if (column.stats) {
    return `mean ${formatNumber(column.stats.mean)} · ${formatPercent(column.stats.zeroShare, 0)} zero`;
  }
  return '';
}

function ColumnRow({
  column,
  summary,
  selected,
  rows,
}: {
  column: ColumnDraft;
  summary: ColumnSummary;
  selected: boolean;
  rows: number;
}) {
  const journey = useJourneyActions();
  const name = column.name;
  const isFeature = column.role === 'feature';
  return (
    <tr
      className={`j-col-row j-role-${column.role}${selected ? ' j-selected' : ''}`}
      data-testid={`column-row-${name}`}
      data-role={column.role}
      aria-selected={selected}
      onClick={() => journey.selectColumn(name)}
    >
      <th scope="row">
        <button
          type="button"
          className="link"
          onClick={() => journey.selectColumn(name)}
          title={`Show the profile of ${name}`}
          aria-label={`Profile of ${name}`}
        >
          {name}
        </button>
      </th>
      <td
        className="j-muted"
        title={[
          `Inferred from the values: ${KIND_TEXT[summary.kind]}`,
          summary.notNumbers?.readAsMissing ? notNumbersText(summary) : null,
          decimalCommaText(summary),
        ]
          .filter(Boolean)
          .join('. ')}
      >
        {summary.kind}
        {summary.notNumbers?.readAsMissing && (
          <span className="j-warn-text" data-testid={`column-invalid-${name}`}>
            {' '}
            · {formatCount(summary.notNumbers.count)} not{' '}
            {summary.notNumbers.count === 1 ? 'a number' : 'numbers'}
          </span>
        )}
      </td>
      <td className="j-num" title="Rows without a value">
        {summary.missing > 0 ? formatPercent(summary.missing / Math.max(1, rows)) : '–'}
      </td>
      <td className="j-num" title="Distinct values">
        {formatCount(summary.distinct)}
      </td>
      <td>
        {column.role === 'target' ? (
          <span
            className="j-muted j-kind-target"
            title="A target: its type (binary or regression) is set in the chain on the right"
            data-testid={`kind-${name}`}
          >
            {column.taskType} target
          </span>
        ) : (
          <select
            value={column.kind}
            disabled={!isFeature}
            onChange={(e) =>
              journey.updateDraft((d) => setKind(d, name, e.currentTarget.value as FeatureKind))
            }
            onClick={(e) => e.stopPropagation()}
            aria-label={`Kind of ${name}`}
            title={
              isFeature
                ? 'Categorical: each value gets its own embedding. Numeric: values are bucketed by quantiles, then embedded.'
                : 'Only features have a kind'
            }
            data-testid={`kind-${name}`}
          >
            <option value="categorical">categorical</option>
            <option value="numeric" disabled={!summary.numeric}>
              numeric
            </option>
          </select>
        )}
        {isFeature && kindReason(summary, column.kind) && (
          <span className="j-kind-reason" data-testid={`kind-reason-${name}`}>
            {kindReason(summary, column.kind)}
          </span>
        )}
      </td>
      <td className="j-center">
        <input
          type="checkbox"
          checked={column.role === 'target'}
          onChange={() => journey.updateDraft((d) => toggleTarget(d, name))}
          onClick={(e) => e.stopPropagation()}
          aria-label={`${name} is a target`}
          title="A target is a column the model learns to predict (a step of the funnel)"
          data-testid={`target-${name}`}
        />
      </td>
      <td className="j-center">
        <input
          type="checkbox"
          checked={column.role === 'excluded'}
          onChange={() => journey.updateDraft((d) => toggleExcluded(d, name))}
          onClick={(e) => e.stopPropagation()}
          aria-label={`Exclude ${name}`}
          title="Excluded columns are neither features nor targets (ids, leaks, free text)"
          data-testid={`exclude-${name}`}
        />
      </td>
    </tr>
  );
}

function TargetChain({ draft, preview }: { draft: BindingDraft; preview: DataPreview }) {
  const journey = useJourneyActions();
  const byName = new Map(preview.columns.map((c) => [c.name, c]));
  const drafts = new Map(draft.columns.map((c) => [c.name, c]));
  const core = draftCore(draft);
  return (
    <section className="j-panel j-chain" aria-labelledby="j-chain-title" data-testid="target-chain">
      <h3
        id="j-chain-title"
        title="Tasks are predicted in this order; each later task uses what the earlier ones learned"
      >
        Targets in funnel order
      </h3>
      {draft.targets.length === 0 ? (
        <p className="j-muted">
          Tick <strong>Target</strong> on the columns to predict, first step of the funnel first
          (e.g. click, then purchase, then amount).
        </p>
      ) : (
        <ol className="j-chain-list">
          {draft.targets.map((name, i) => {
            const type = drafts.get(name)?.taskType ?? 'binary';
            const summary = byName.get(name);
            return (
              <li key={name} data-testid={`chain-${name}`} className="j-chain-item">
                <span className="j-chain-index">{i + 1}</span>
                <span className="j-chain-name">
                  <button
                    type="button"
                    className="link"
                    onClick={() => journey.selectColumn(name)}
                    title={`Show the profile of ${name}`}
                  >
                    {name}
                  </button>
                  {i === core && (
                    <span
                      className="j-core-badge"
                      title="The core task: the last regression target. HTLNet's optimiser adjusts the other tasks' gradients toward it."
                    >
                      core
                    </span>
                  )}
                  <span className="j-muted j-chain-rate" data-testid={`target-rate-${name}`}>
                    {targetSummary(summary, type)}
                  </span>
                </span>
                <select
                  value={type}
                  onChange={(e) =>
                    journey.updateDraft((d) =>
                      setTaskType(d, name, e.currentTarget.value as TaskType),
                    )
                  }
                  aria-label={`Task type of ${name}`}
                  title="Binary: a yes/no step (click, purchase). Regression: a continuous value (amount)."
                  data-testid={`task-type-${name}`}
                >
                  <option value="binary" disabled={summary?.kind !== 'binary'}>
                    binary
                  </option>
                  <option value="regression" disabled={!canBeRegression(summary)}>
                    regression
                  </option>
                </select>
                <button
                  type="button"
                  className="btn btn-ghost btn-icon btn-sm"
                  onClick={() => journey.updateDraft((d) => moveTarget(d, name, -1))}
                  disabled={i === 0}
                  aria-label={`Move ${name} earlier`}
                  title="Earlier in the funnel"
                  data-testid={`move-up-${name}`}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="btn btn-ghost btn-icon btn-sm"
                  onClick={() => journey.updateDraft((d) => moveTarget(d, name, 1))}
                  disabled={i === draft.targets.length - 1}
                  aria-label={`Move ${name} later`}
                  title="Later in the funnel"
                  data-testid={`move-down-${name}`}
                >
                  ↓
                </button>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

function FirstRows({ preview }: { preview: DataPreview }) {
  return (
    <details className="j-first-rows" open>
      <summary title="The first rows of the file as read">First {preview.head.length} rows</summary>
      {/* Focusable, so the rows can be scrolled from the keyboard. */}
      <div
        className="j-table-scroll j-rows-scroll"
        tabIndex={0}
        role="region"
        aria-label={`First ${preview.head.length} rows of ${preview.name}`}
      >
        <table className="j-table j-compact" data-testid="first-rows">
          <thead>
            <tr>
              {preview.columns.map((c) => (
                <th key={c.name} scope="col">
                  {c.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.head.map((row, r) => (
              <tr key={r}>
                {row.map((cell, i) => (
                  <td key={i} className={preview.columns[i]?.numeric ? 'j-num' : undefined}>
                    {cell === '' ? <span className="j-missing">∅</span> : cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

export function ColumnsStep() {
  const journey = useJourneyActions();
  const preview = useJourney((s) => s.preview);
  const draft = useJourney((s) => s.draft);
  const selected = useJourney((s) => s.selectedColumn);
  if (!preview || !draft) return null;
  const summaries = new Map(preview.columns.map((c) => [c.name, c]));
  const selectedSummary = selected ? summaries.get(selected) : undefined;
  const issues = draftIssues(draft, preview);
  const errors = issues.filter((i) => i.severity === 'error');
  const counts = {
    features: draft.columns.filter((c) => c.role === 'feature').length,
    excluded: draft.columns.filter((c) => c.role === 'excluded').length,
  };
  return (
    <div className="j-columns-step">
      <p className="j-file-facts" data-testid="file-facts">
        <strong>{preview.name}</strong> · {formatCount(preview.rows)} rows ·{' '}
        {preview.columns.length} columns · {formatBytes(preview.bytes)} ·{' '}
        {preview.delimiter === '\t' ? 'tab' : `"${preview.delimiter}"`} separated
        {preview.header ? '' : ' · no header row'}
      </p>
      <div className="j-columns-grid">
        <section className="j-panel j-columns-panel" aria-label="Columns">
          <div className="j-panel-head">
            <h3>Columns</h3>
            <span className="j-muted" data-testid="role-counts">
              {counts.features} features · {draft.targets.length} targets · {counts.excluded}{' '}
              excluded
            </span>
          </div>
          <div className="j-table-scroll j-columns-scroll">
            <table className="j-table" data-testid="columns-table">
              <thead>
                <tr>
                  <th scope="col">Column</th>
                  <th scope="col" title="The kind inferred from the values">
                    Inferred
                  </th>
                  <th scope="col" className="j-num" title="Share of rows without a value">
                    Missing
                  </th>
                  <th scope="col" className="j-num" title="Number of distinct values">
                    Distinct
                  </th>
                  <th scope="col" title="How a feature is embedded">
                    Kind
                  </th>
                  <th scope="col" className="j-center" title="Predict this column">
                    Target
                  </th>
                  <th scope="col" className="j-center" title="Leave this column out">
                    Exclude
                  </th>
                </tr>
              </thead>
              <tbody>
                {draft.columns.map((c) => {
                  const summary = summaries.get(c.name);
                  return summary ? (
                    <ColumnRow
                      key={c.name}
                      column={c}
                      summary={summary}
                      selected={c.name === selected}
                      rows={preview.rows}
                    />
                  ) : null;
                })}
              </tbody>
            </table>
          </div>
        </section>
        <div className="j-side">
          <TargetChain draft={draft} preview={preview} />
          <section className="j-panel">
            {selectedSummary ? (
              <ColumnProfile column={selectedSummary} rows={preview.rows} />
            ) : (
              <p className="j-muted">Select a column to see its profile.</p>
            )}
          </section>
        </div>
      </div>
      {issues.length > 0 && (
        <ul className="j-issues" data-testid="draft-issues">
          {issues.map((i, k) => (
            <li key={k} className={`j-issue j-issue-${i.severity}`}>
              {i.column ? (
                <button
                  type="button"
                  className="link"
                  onClick={() => journey.selectColumn(i.column!)}
                  title={`Show ${i.column}`}
                >
                  {i.message}
                </button>
              ) : (
                i.message
              )}
              {i.fix === 'reread' && (
                <button
                  type="button"
                  className="btn btn-secondary btn-sm"
                  onClick={() => void journey.importFile(preview.path, draftToBinding(draft))}
                  title={`Read ${preview.name} again, keeping the choices made here`}
                  data-testid="wizard-reread"
                >
                  Read the file again
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <FirstRows preview={preview} />
      <div className="j-nav">
        <button
          type="button"
          className="btn btn-secondary"
          onClick={() => journey.setStep('source')}
          title="Choose another file"
          data-testid="wizard-back"
        >
          Back
        </button>
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => journey.setStep('review')}
          disabled={errors.length > 0}
          title={errors.length > 0 ? errors[0].message : 'Review the binding and apply it'}
          data-testid="wizard-next"
        >
          Next: review
        </button>
      </div>
    </div>
  );
}
