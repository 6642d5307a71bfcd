// Score a new CSV with a run's model or an exported model folder into a predictions CSV, with
// progress; shows where the file went, its rows and, when the file had the targets, metrics.

import { useEffect, useState } from 'react';
import {
  baseName,
  formatBytes,
  formatCount,
  formatMetric,
  formatPercent,
  humanize,
  joinPath,
  metricLabel,
  METRICS,
} from '../../ui/format';
import { ChoiceDialog } from '../../ui/ChoiceDialog';
import type { ScoreRequestArgs } from '../../../src-main/ipc/api';
import { CsvPicker, ErrorBox, Field, ProgressBar, useAppMode, WorkspaceFiles } from '../../ui/kit';
import {
  errorCode,
  errorText,
  isScoring,
  type ScoreState,
  useJourney,
  useJourneyActions,
} from '../../store/journey';

/** The "keep" choice as the host takes it: the named columns of a comma-separated list. */
function keepArg(choice: KeepChoice, names: string): ScoreRequestArgs['keep'] {
  if (choice !== 'some') return choice;
  return names
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
}

function stem(name: string): string {
  return name.replace(/\.(csv|tsv|txt)(\.gz)?$/i, '');
}

type KeepChoice = 'all' | 'none' | 'some';

/** Which input columns the predictions file keeps (`keep` of score:start). */
const KEEP_OPTIONS: { value: KeepChoice; label: string; title: string }[] = [
  {
    value: 'all',
    label: 'all',
    title: 'Every column of the scored file, then the predictions (rows join back by their own id)',
  },
  {
    value: 'none',
    label: 'none',
    title: 'Only the prediction columns (rows join back by their order)',
  },
  {
    value: 'some',
    label: 'these:',
    title: 'Only the columns you name (an id, say), then the predictions',
  },
];

export function ScorePanel() {
  const journey = useJourneyActions();
  const mode = useAppMode();
  const info = useJourney((s) => s.info);
  const runs = useJourney((s) => s.runs);
  const source = useJourney((s) => s.scoreSource);
  const score = useJourney((s) => s.score);
  const [dataPath, setDataPath] = useState<string | null>(null);
  // Browser mode: the file being sent to the workspace, bytes sent of total.
  const [uploading, setUploading] = useState<{ sent: number; total: number } | null>(null);
  const [outName, setOutName] = useState('');
  const [outPath, setOutPath] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [keep, setKeep] = useState<KeepChoice>('all');
  const [keepNames, setKeepNames] = useState('');
  // The request refused because its output exists (a file the app did not write): asks first.
  const [confirmReplace, setConfirmReplace] = useState<ScoreRequestArgs | null>(null);
  const openRun = useJourney((s) => s.openRun);
  const busy = isScoring(score);
  // Start from the run on screen, when it has a model.
  useEffect(() => {
    if (source === null && openRun && runs.some((r) => r.id === openRun && r.hasModel)) {
      journey.setScoreSource({ runId: openRun });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the store's actions are stable; its state object is not
  }, [source, openRun, runs]);
  const withModel = runs.filter((r) => r.hasModel);
  const kind = source && 'modelDir' in source ? 'folder' : 'run';
  const runId = source && 'runId' in source ? source.runId : '';

  const defaultOut = dataPath ? `${stem(baseName(dataPath))}-predictions.csv` : 'predictions.csv';
  const browserOut = () => {
    const name = (outName.trim() || defaultOut).replace(/[\\/]+/g, '-');
    const file = /\.csv$/i.test(name) ? name : `${name}.csv`;
    return info ? joinPath(info.platform, info.workspace, 'predictions', file) : null;
  };
  const out = mode === 'electron' ? outPath : browserOut();

  const upload = async (file: File) => {
    const extras = journey.uploads();
    if (!extras) return;
    setUploading({ sent: 0, total: file.size });
    setError(null);
    try {
      setDataPath(
        await extras.upload(file, file.name, (sent, total) => setUploading({ sent, total })),
      );
    } catch (e) {
      setError(
        errorCode(e) === 'upload-too-large'
          ? `The file is too large to upload. ${errorText(e)}`
          : errorText(e),
      );
    } finally {
      setUploading(null);
    }
  };

  const chooseOut = async () => {
    try {
      const p = await journey.api.dialogSaveFile('csv', defaultOut);
      if (p) setOutPath(p);
    } catch (e) {
      setError(errorText(e));
    }
  };

  const chooseModelFolder = async () => {
    try {
      const p = await journey.api.dialogOpenFile('model');
      if (p) journey.setScoreSource({ modelDir: p });
    } catch (e) {
      setError(errorText(e));
    }
  };

  const keepValue = keepArg(keep, keepNames);
  const keepOk = !Array.isArray(keepValue) || keepValue.length > 0;
  const ready = source !== null && dataPath !== null && out !== null && !busy && keepOk;
  const go = async () => {
    if (!source || !dataPath || !out) return;
    setError(null);
    // 'all' is the host's default: sent only when the user chose otherwise.
    const request: ScoreRequestArgs = {
      source,
      dataPath,
      out,
      ...(keepValue === 'all' ? {} : { keep: keepValue }),
    };
    if ((await journey.startScore(request)) === 'output-exists') setConfirmReplace(request);
  };
  const replace = () => {
    const request = confirmReplace;
    setConfirmReplace(null);
    if (request) void journey.startScore({ ...request, replace: true });
  };

  const result = score.phase === 'done' ? score.result : null;
  return (
    <div className="j-score" data-testid="score-panel">
      <section className="j-panel" aria-labelledby="j-score-model">
        <h3 id="j-score-model">1. Model</h3>
        <div className="j-radio-row" role="radiogroup" aria-label="Model to score with">
          <label title="A model trained in this app">
            <input
              type="radio"
              name="j-score-kind"
              checked={kind === 'run'}
              onChange={() =>
                journey.setScoreSource(withModel[0] ? { runId: withModel[0].id } : null)
              }
              data-testid="score-kind-run"
            />{' '}
            A run
          </label>
          <label title="A model folder exported earlier (or by the htlnet command)">
            <input
              type="radio"
              name="j-score-kind"
              checked={kind === 'folder'}
              onChange={() => journey.setScoreSource({ modelDir: '' })}
              data-testid="score-kind-folder"
            />{' '}
            An exported model folder
          </label>
        </div>
        {kind === 'run' ? (
          withModel.length === 0 ? (
            <p className="j-muted">No run has a trained model yet.</p>
          ) : (
            <select
              value={runId}
              onChange={(e) => journey.setScoreSource({ runId: e.currentTarget.value })}
              aria-label="Run to score with"
              title="The run whose trained model scores the file"
              data-testid="score-run"
            >
              <option value="" disabled>
                Choose a run…
              </option>
              {withModel.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.label} ({r.projectName})
                </option>
              ))}
            </select>
          )
        ) : (
          <div>
            {source && 'modelDir' in source && source.modelDir && (
              <p>
                Model: <code data-testid="score-model-dir">{source.modelDir}</code>
              </p>
            )}
            {mode === 'electron' ? (
              <button
                type="button"
                className="btn btn-secondary"
                onClick={() => void chooseModelFolder()}
                title="Choose an exported model folder"
                data-testid="score-choose-model"
              >
                Choose a model folder…
              </button>
            ) : (
              <WorkspaceFiles
                kind="model"
                onPick={(p) => journey.setScoreSource({ modelDir: p })}
                testId="score-models"
                disabled={busy}
              />
            )}
          </div>
        )}
      </section>

      <section className="j-panel" aria-labelledby="j-score-data">
        <h3 id="j-score-data">2. Data to score</h3>
        {dataPath && (
          <p>
            File: <code data-testid="score-data-path">{dataPath}</code>
          </p>
        )}
        <CsvPicker
          onPath={(p) => setDataPath(p)}
          onFile={(f) => void upload(f)}
          disabled={busy || uploading !== null}
          testId="score-picker"
        />
        {uploading && (
          <ProgressBar
            value={uploading.total > 0 ? uploading.sent / uploading.total : null}
            label="Uploading…"
            detail={
              uploading.total > 0
                ? `${formatBytes(uploading.sent)} of ${formatBytes(uploading.total)} · ${formatPercent(uploading.sent / uploading.total, 0)}`
                : undefined
            }
            testId="score-upload-progress"
          />
        )}
      </section>

      <section className="j-panel" aria-labelledby="j-score-out">
        <h3 id="j-score-out">3. Predictions file</h3>
        {mode === 'electron' ? (
          <div className="j-row">
            <code>{outPath ?? 'not chosen yet'}</code>
            <button
              type="button"
              className="btn btn-secondary"
              onClick={() => void chooseOut()}
              title="Choose where the predictions CSV is written"
              data-testid="score-choose-out"
            >
              Choose…
            </button>
          </div>
        ) : (
          <Field label="File name" help="Written to the workspace's predictions folder">
            <input
              type="text"
              value={outName}
              placeholder={defaultOut}
              onChange={(e) => setOutName(e.currentTarget.value)}
              aria-label="Predictions file name"
              title="Written to the workspace's predictions folder"
              data-testid="score-out-name"
            />
          </Field>
        )}
        {out && mode !== 'electron' && <p className="j-muted j-small">Will be written to {out}</p>}
        <div
          className="j-radio-row"
          role="radiogroup"
          aria-label="Keep the input columns"
          data-testid="score-keep"
        >
          <span>Keep the input columns:</span>
          {KEEP_OPTIONS.map((o) => (
            <label key={o.value} title={o.title}>
              <input
                type="radio"
                name="j-score-keep"
                checked={keep === o.value}
                onChange={() => setKeep(o.value)}
                disabled={busy}
                data-testid={`score-keep-${o.value}`}
              />{' '}
              {o.label}
            </label>
          ))}
          {keep === 'some' && (
            <input
              type="text"
              value={keepNames}
              placeholder="user_id, visit_date"
              onChange={(e) => setKeepNames(e.currentTarget.value)}
              aria-label="Input columns to keep, separated by commas"
              title="Input columns to keep, separated by commas"
              disabled={busy}
              data-testid="score-keep-names"
            />
          )}
        </div>
      </section>

      <div className="j-row">
        {busy ? (
          <button
            type="button"
            className="btn btn-danger"
            onClick={() => void journey.cancelScore()}
            title="Stop scoring"
            data-testid="score-cancel"
          >
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="btn btn-primary btn-lg"
            disabled={!ready || (source !== null && 'modelDir' in source && !source.modelDir)}
            onClick={() => void go()}
            title={
              ready
                ? 'Write a CSV of predictions for every row'
                : keepOk
                  ? 'Choose a model, a file and where to write'
                  : 'Name the input columns to keep, or choose all or none'
            }
            data-testid="score-start"
          >
            Score
          </button>
        )}
        <div className="j-slot j-grow" aria-live="polite">
          {busy && (
            // Bytes are counted while the file is read; measuring against the targets reports
            // no amount (its 0 of 1 is a stage, not "0 B of 1 B").
            <ProgressBar
              value={
                score.stage !== 'evaluating' && score.total > 0 ? score.done / score.total : null
              }
              label={score.stage === 'evaluating' ? 'Measuring against the targets…' : 'Scoring…'}
              detail={
                score.stage !== 'evaluating' && score.total > 0
                  ? `${formatBytes(score.done)} of ${formatBytes(score.total)} · ${formatPercent(score.done / score.total, 0)}`
                  : undefined
              }
              testId="score-progress"
            />
          )}
        </div>
      </div>
      {(error || (score.phase === 'failed' && score.error)) && (
        <ErrorBox
          title="Scoring failed."
          message={error ?? score.error ?? ''}
          testId="score-error"
        />
      )}
      {confirmReplace && (
        <ChoiceDialog
          title="Replace the file?"
          testId="score-replace-dialog"
          onCancel={() => setConfirmReplace(null)}
          destructive={{ label: 'Replace', testId: 'score-replace-confirm', onClick: replace }}
          choices={[
            {
              label: 'Cancel',
              testId: 'score-replace-cancel',
              onClick: () => setConfirmReplace(null),
            },
          ]}
        >
          <p>
            <code>{confirmReplace.out}</code> already exists and was not written by HTLNet Studio.
            Replacing it loses what it holds; Cancel keeps it (then choose another file name).
          </p>
        </ChoiceDialog>
      )}
      {result && (
        <section
          className="j-panel j-score-result"
          aria-label="Scoring result"
          data-testid="score-result"
        >
          <p>
            Wrote <strong data-testid="score-rows">{formatCount(result.rows)}</strong> rows to{' '}
            <code data-testid="score-out">{result.out}</code>
          </p>
          <p className="j-muted j-wrap">Columns: {result.columns.join(', ')}</p>
          {result.keptColumns && (
            <p className="j-muted j-wrap" data-testid="score-kept">
              {result.keptColumns.length === 0
                ? 'No input columns kept: rows join back to the scored file by their order.'
                : `Input columns kept before the predictions: ${result.keptColumns.join(', ')}`}
            </p>
          )}
          {result.metrics && <TrainedOnNote score={score} />}
          {result.metrics ? (
            <table className="j-table j-compact" data-testid="score-metrics">
              <caption>Metrics on this file (it has the targets)</caption>
              <thead>
                <tr>
                  <th scope="col">Task</th>
                  <th scope="col">Metrics</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(result.metrics).map(([task, metrics]) => (
                  <tr key={task}>
                    <th scope="row">{humanize(task)}</th>
                    <td>
                      {Object.entries(metrics).map(([m, v]) => (
                        <span
                          key={m}
                          className="j-metric-chip"
                          title={METRICS[m]?.help}
                          data-testid={`score-metric-${task}-${m}`}
                        >
                          {metricLabel(m)} {formatMetric(m, v)}
                        </span>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="j-muted">The file has no target columns, so there are no metrics.</p>
          )}
        </section>
      )}
    </div>
  );
}

/**
 * Scoring the very file a run was trained on: most of its rows were seen in training, so its
 * metrics look better than the model is. Says so, with the share, and where the honest ones are.
 */
function TrainedOnNote({ score }: { score: ScoreState }) {
  const runs = useJourney((s) => s.runs);
  const source = score.request?.source;
  const run = source && 'runId' in source ? runs.find((r) => r.id === source.runId) : undefined;
  if (!run || !score.request || run.dataPath !== score.request.dataPath) return null;
  const rows = run.rows;
  const seen = rows ? rows.train + rows.validation : null;
  const total = rows ? seen! + rows.test : null;
  return (
    <p className="j-warning" role="note" data-testid="score-trained-on">
      This is the file {run.label} was trained on:{' '}
      {seen !== null && total
        ? `${formatPercent(seen / total, 0)} of its rows (${formatCount(seen)} of ${formatCount(total)})`
        : 'most of its rows'}{' '}
      were used in training, so the metrics below look better than the model will do on new rows.
      The run&apos;s test metrics (Results › Runs), measured on rows it never saw, are the honest
      ones.
    </p>
  );
}
