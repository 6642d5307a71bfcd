// The Train tab: settings (epochs, batch size, learning rate, the split), Train (after
// data:check, whose problems pin to blocks) and Stop, live progress with ETA and samples/s, the
// per-task loss and metric charts, the gradient panel, and how the run ended.

import { useEffect, useState, type KeyboardEvent } from 'react';
import type { Problem } from '../../../src-main/shared/problems';
import { blockSpec } from '../../../src-main/shared/catalog';
import type { ProjectFile } from '../../../src-main/shared/project';
import { useJourneyConnection } from '../connection';
import { SampleCard } from '../data/SourceStep';
import {
  baseName,
  formatCount,
  formatDuration,
  formatMetric,
  HEADLINE_METRIC,
  humanize,
  metricLabel,
  STATUS_TEXT,
} from '../format';
import { batchesDone, etaSeconds, progressFraction, type LiveTraining } from '../live';
import {
  isTraining,
  openRunDetail,
  startTraining,
  stopTraining,
  useJourney,
  type TrainingState,
} from '../store';
import { EmptyState, ErrorBox, Field, ProgressBar, type JourneyProps } from '../ui';
import { GradientPanel, TaskCharts } from './LiveCharts';
import { ReadingNote } from '../charts';
import { READINGS } from '../readings';
import {
  optimizerBlock,
  optimizerValue,
  OPTIMIZER_SETTINGS,
  parseFractions,
  parseSetting,
  withFractions,
  withOptimizerParam,
  withSplit,
  type OptimizerSetting,
} from './settings';

function NumberSetting({
  setting,
  project,
  onProjectChange,
  disabled,
}: {
  setting: OptimizerSetting;
  project: ProjectFile;
  onProjectChange: (p: ProjectFile) => void;
  disabled: boolean;
}) {
  const value = optimizerValue(project, setting);
  const [text, setText] = useState(String(value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the draft follows undo/redo
    setText(String(value));
    setError(null);
  }, [value]);
  const commit = () => {
    const parsed = parseSetting(setting, text);
    if ('error' in parsed) {
      setError(parsed.error);
      return;
    }
    setError(null);
    const next = withOptimizerParam(project, setting.param, parsed.value);
    if (next !== project) onProjectChange(next);
  };
  return (
    <Field label={setting.label} help={setting.help}>
      <input
        type="number"
        inputMode={setting.integer ? 'numeric' : 'decimal'}
        min={setting.min}
        max={setting.max}
        step={setting.integer ? 1 : 'any'}
        value={text}
        disabled={disabled || !optimizerBlock(project)}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
        aria-label={setting.label}
        aria-invalid={error !== null}
        title={setting.help}
        data-testid={`setting-${setting.param}`}
      />
      <span className="j-field-error">{error}</span>
    </Field>
  );
}

function SplitSettings({
  project,
  onProjectChange,
  disabled,
}: {
  project: ProjectFile;
  onProjectChange: (p: ProjectFile) => void;
  disabled: boolean;
}) {
  const fractions = project.training.fractions;
  const pct = (f: number) => String(Number((f * 100).toFixed(1)));
  const [train, setTrain] = useState(pct(fractions[0]));
  const [validation, setValidation] = useState(pct(fractions[1]));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the draft follows undo/redo
    setTrain(pct(fractions[0]));
    setValidation(pct(fractions[1]));
    setError(null);
  }, [fractions]);
  const parsed = parseFractions(train, validation);
  const testPct =
    'fractions' in parsed
      ? pct(parsed.fractions[2])
      : String(100 - Number(train) - Number(validation));
  const commit = () => {
    if ('error' in parsed) {
      setError(parsed.error);
      return;
    }
    setError(null);
    const next = withFractions(project, parsed.fractions);
    if (next !== project) onProjectChange(next);
  };
  const split = project.training.split;
  const timeColumns = [...project.data.features.map((f) => f.column), ...project.data.excluded];
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter') commit();
  };
  return (
    <>
      <Field
        label="Split"
        help="Random: rows are shuffled (seeded) into training, validation and test. By time: the oldest rows train, the newest test."
      >
        <select
          value={split.kind === 'time' ? `time:${split.column}` : 'random'}
          disabled={disabled}
          onChange={(e) => {
            const v = e.currentTarget.value;
            onProjectChange(
              withSplit(
                project,
                v === 'random' ? { kind: 'random' } : { kind: 'time', column: v.slice(5) },
              ),
            );
          }}
          aria-label="Split"
          title="How rows are divided into training, validation and test"
          data-testid="setting-split"
        >
          <option value="random">random (seeded)</option>
          {timeColumns.map((c) => (
            <option key={c} value={`time:${c}`}>
              by time: {c}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Training %" help="Share of rows the model learns from">
        <input
          type="number"
          min={1}
          max={98}
          step="any"
          value={train}
          disabled={disabled}
          onChange={(e) => setTrain(e.currentTarget.value)}
          onBlur={commit}
          onKeyDown={onKey}
          aria-label="Training share (percent)"
          aria-invalid={error !== null}
          title="Share of rows the model learns from"
          data-testid="setting-train-pct"
        />
      </Field>
      <Field
        label="Validation %"
        help="Share of rows watched after each epoch (early stopping, best epoch)"
      >
        <input
          type="number"
          min={1}
          max={98}
          step="any"
          value={validation}
          disabled={disabled}
          onChange={(e) => setValidation(e.currentTarget.value)}
          onBlur={commit}
          onKeyDown={onKey}
          aria-label="Validation share (percent)"
          aria-invalid={error !== null}
          title="Share of rows watched after each epoch (early stopping, best epoch)"
          data-testid="setting-validation-pct"
        />
      </Field>
      <Field label="Test %" help="The rest: rows only used for the final metrics">
        <output
          className="j-output"
          data-testid="setting-test-pct"
          aria-label="Test share (percent)"
        >
          {testPct}
        </output>
        <span className="j-field-error">{error}</span>
      </Field>
    </>
  );
}

/** What the best epoch (and early stopping) is chosen by: the optimizer's "Best epoch by". */
function SelectionNote({ project }: { project: ProjectFile }) {
  const spec = blockSpec('optimizer').params.find((p) => p.name === 'selection');
  const value = optimizerBlock(project)?.params.selection ?? spec?.default;
  const option = spec?.kind === 'choice' ? spec.options.find((o) => o.value === value) : undefined;
  if (!option) return null;
  return (
    <p className="j-muted j-field-wide" data-testid="setting-selection" title={spec?.description}>
      Best epoch chosen by: {option.title} (Optimizer block, “Best epoch by”).
    </p>
  );
}

function ProblemList({
  problems,
  onShowBlocks,
}: {
  problems: Problem[];
  onShowBlocks?: (ids: string[]) => void;
}) {
  if (problems.length === 0) return null;
  return (
    <ul className="j-issues" data-testid="check-problems" aria-label="Problems found">
      {problems.map((p, i) => (
        <li
          key={i}
          className={`j-issue j-issue-${p.severity}`}
          data-testid="check-problem"
          data-code={p.code}
        >
          <span>{p.message}</span>
          {p.blocks.length > 0 && onShowBlocks && (
            <button
              type="button"
              className="j-btn j-btn-quiet j-btn-small"
              onClick={() => onShowBlocks(p.blocks)}
              title="Show the blocks concerned in the model editor"
              aria-label="Show in the model"
            >
              Show in model
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

function phaseLabel(training: TrainingState): string {
  const live = training.live;
  switch (training.phase) {
    case 'checking':
      return 'Checking the project against the data…';
    case 'starting':
      return 'Starting…';
    case 'reading':
      return `Reading ${baseName(training.dataPath)}…`;
    case 'training':
      if (training.stopping) return 'Stopping after this batch…';
      return live.epoch > 0
        ? `Epoch ${live.epoch} of ${live.epochs} · batch ${live.batch} of ${live.batchesPerEpoch}`
        : 'Preparing the model…';
    case 'evaluating':
      return 'Evaluating on the test split…';
    case 'saving':
      return 'Saving the model…';
    case 'done':
      return training.result ? (STATUS_TEXT[training.result.status] ?? 'Done') : 'Done';
    case 'failed':
      return 'Failed';
    case 'blocked':
      return 'Fix the problems below, then train again.';
  }
}

function progressValue(training: TrainingState): number | null {
  switch (training.phase) {
    case 'reading':
      return training.reading && training.reading.total > 0
        ? training.reading.done / training.reading.total
        : null;
    case 'training':
      return training.live.epoch > 0 ? progressFraction(training.live) : null;
    case 'evaluating':
    case 'saving':
    case 'done':
      return 1;
    default:
      return null;
  }
}

function progressDetail(live: LiveTraining, phase: TrainingState['phase']): string {
  if (phase !== 'training' || live.epoch === 0) return '';
  const parts: string[] = [];
  if (live.samplesPerSecond) parts.push(`${formatCount(live.samplesPerSecond)} samples/s`);
  // The first batches include warm-up: an estimate from them would promise far too long.
  const eta = batchesDone(live) >= 3 || live.history.length > 0 ? etaSeconds(live) : null;
  parts.push(eta !== null ? `about ${formatDuration(eta)} left` : 'estimating time left…');
  return parts.join(' · ');
}

function RunOutcome({
  training,
  onOpenResults,
}: {
  training: TrainingState;
  onOpenResults?: () => void;
}) {
  const run = training.result;
  if (!run) return null;
  const failed = run.status === 'diverged' || run.status === 'failed';
  return (
    <div
      className={failed ? 'j-outcome j-outcome-failed' : 'j-outcome'}
      data-testid="train-outcome"
      data-status={run.status}
    >
      <div>
        <strong>{STATUS_TEXT[run.status] ?? run.status}.</strong> {run.message}
        {run.bestEpoch > 0 && (
          <span className="j-muted">
            {' '}
            Best epoch {run.bestEpoch} of {run.epochs}
            {run.samplesPerSecond ? ` · ${formatCount(run.samplesPerSecond)} samples/s` : ''}.
          </span>
        )}
      </div>
      {run.test && (
        <ul className="j-outcome-metrics" aria-label="Test metrics">
          {run.tasks.map((t) => {
            const m = HEADLINE_METRIC[t.type];
            return (
              <li key={t.name} data-testid={`outcome-metric-${t.name}`}>
                {humanize(t.name)} <span className="j-muted">test {metricLabel(m)}</span>{' '}
                <strong>{formatMetric(m, run.test?.[t.name]?.[m])}</strong>
              </li>
            );
          })}
        </ul>
      )}
      {onOpenResults && (
        <button
          type="button"
          className="j-btn j-btn-primary"
          onClick={onOpenResults}
          title="See this run's curves, compare it, export or score with it"
          data-testid="open-results"
        >
          Open results
        </button>
      )}
    </div>
  );
}

export function TrainScreen(props: JourneyProps) {
  useJourneyConnection();
  const { project, onProjectChange, onNavigate, onShowBlocks } = props;
  const training = useJourney((s) => s.training);
  const [label, setLabel] = useState('');
  const busy = isTraining(training);
  // The project's own data file: never a file read for another project or only previewed.
  const dataPath = project.data.source ?? null;
  const hasTasks = project.data.tasks.length > 0;
  const hasOptimizer = optimizerBlock(project) !== null;

  const ready = hasTasks && dataPath !== null;
  if (!ready && !training) {
    return (
      <section className="j-screen" aria-labelledby="j-train-title" data-testid="train-screen">
        <header className="j-screen-head">
          <h2 id="j-train-title">Train</h2>
        </header>
        <EmptyState title="No data to train on yet" testId="train-empty">
          <p>
            {hasTasks
              ? `${project.name || 'This project'} has no data file yet: choose a CSV in Data (its columns and targets are kept with the project), or try the built-in sample.`
              : 'Import a CSV and choose its targets first, or try the built-in sample.'}
          </p>
          <button
            type="button"
            className="j-btn j-btn-primary"
            onClick={() => onNavigate?.('data')}
            disabled={!onNavigate}
            title="Go to the Data tab"
            data-testid="go-data"
          >
            Go to Data
          </button>
        </EmptyState>
        <SampleCard {...props} />
      </section>
    );
  }

  const live = training?.live ?? null;
  const tasks = live && live.tasks.length > 0 ? live.tasks : project.data.tasks;
  const openResults = () => {
    if (training?.result) openRunDetail(training.result.id);
    onNavigate?.('results');
  };

  return (
    <section className="j-screen" aria-labelledby="j-train-title" data-testid="train-screen">
      <header className="j-screen-head">
        <h2 id="j-train-title">Train</h2>
        {ready ? (
          <span className="j-muted">
            {project.name} on <strong title={dataPath}>{baseName(dataPath)}</strong> ·{' '}
            {project.data.tasks.map((t) => t.name).join(' → ')}
          </span>
        ) : (
          training && (
            <span className="j-muted">
              {training.label || 'A run'}
              {training.dataPath && (
                <>
                  {' '}
                  on <strong title={training.dataPath}>{baseName(training.dataPath)}</strong>
                </>
              )}
            </span>
          )
        )}
      </header>

      {ready && (
        <section
          className="j-panel j-settings"
          aria-label="Training settings"
          data-testid="train-settings"
        >
          {OPTIMIZER_SETTINGS.map((s) => (
            <NumberSetting
              key={s.param}
              setting={s}
              project={project}
              onProjectChange={onProjectChange}
              disabled={busy}
            />
          ))}
          <SplitSettings project={project} onProjectChange={onProjectChange} disabled={busy} />
          <SelectionNote project={project} />
          {!hasOptimizer && (
            <p className="j-warning j-field-wide">
              The model has no Optimizer block: add one in the Model tab to set epochs, batch size
              and learning rate.
            </p>
          )}
        </section>
      )}

      <div className="j-train-bar">
        {ready && (
          <Field
            label="Run name"
            help="Shown in the runs table; defaults to the project's name and time"
          >
            <input
              type="text"
              value={label}
              placeholder={`Optional, e.g. ${project.name}, ${optimizerValue(project, OPTIMIZER_SETTINGS[0])} epochs`}
              onChange={(e) => setLabel(e.currentTarget.value)}
              disabled={busy}
              aria-label="Run name"
              title="Shown in the runs table; defaults to the project's name and time"
              data-testid="run-label"
            />
          </Field>
        )}
        {busy ? (
          <button
            type="button"
            className="j-btn j-btn-danger j-btn-large"
            onClick={() => void stopTraining()}
            disabled={training?.stopping}
            title="Stop after the current batch; the best weights so far are kept and evaluated"
            aria-label="Stop training"
            data-testid="train-stop"
          >
            {training?.stopping ? 'Stopping…' : 'Stop'}
          </button>
        ) : !ready || dataPath === null ? (
          <button
            type="button"
            className="j-btn j-btn-primary"
            onClick={() => onNavigate?.('data')}
            disabled={!onNavigate}
            title="Import a CSV and choose its targets to train this project"
            data-testid="go-data"
          >
            Choose data to train
          </button>
        ) : (
          <button
            type="button"
            className="j-btn j-btn-primary j-btn-large"
            onClick={() => void startTraining(project, dataPath, label)}
            title="Check the project against the data, then train it"
            aria-label="Train"
            data-testid="train-start"
          >
            Train
          </button>
        )}
      </div>

      {/* One place for how the run is going and how it ended, so nothing below moves. */}
      <div className="j-slot j-train-status" aria-live="polite">
        {!training ? (
          <p className="j-muted">
            Settings are saved with the project. Training runs in the background: you can switch
            tabs.
          </p>
        ) : training.error ? (
          <ErrorBox
            title={
              training.result?.status === 'diverged'
                ? 'Training diverged.'
                : training.phase === 'failed'
                  ? 'Training failed.'
                  : 'Training stopped.'
            }
            message={training.error}
            testId="train-error"
          />
        ) : training.phase === 'done' ? (
          <RunOutcome training={training} onOpenResults={onNavigate ? openResults : undefined} />
        ) : training.phase === 'blocked' ? (
          // Refused: nothing is running, so nothing moves.
          <p className="j-blocked" role="status" data-testid="train-blocked">
            {phaseLabel(training)}
          </p>
        ) : (
          <ProgressBar
            // Reading the file and training are two bars: a new one starts empty instead of
            // sliding back from full.
            key={training.phase === 'reading' || training.phase === 'checking' ? 'read' : 'train'}
            value={progressValue(training)}
            label={phaseLabel(training)}
            detail={progressDetail(training.live, training.phase)}
            testId="train-progress"
          />
        )}
      </div>
      {training?.error && training.result?.hasModel && onNavigate && (
        <button
          type="button"
          className="j-btn j-align-start"
          onClick={openResults}
          title="The run kept the weights of its best epoch before it stopped"
          data-testid="open-results"
        >
          See what it learned before it stopped
        </button>
      )}
      {training && <ProblemList problems={training.problems} onShowBlocks={onShowBlocks} />}

      {live && live.tasks.length > 0 ? (
        <>
          <div className="j-task-grid" data-testid="live-charts">
            {tasks.map((t, i) => (
              <TaskCharts key={t.name} live={live} task={t} index={i} />
            ))}
          </div>
          <GradientPanel live={live} />
          <EpochTable live={live} />
        </>
      ) : (
        <EmptyState title="Live charts appear here" testId="live-empty">
          <p className="j-muted">
            Loss and{' '}
            {tasks.map((t) => `${metricLabel(HEADLINE_METRIC[t.type])} of ${t.name}`).join(', ')}{' '}
            per epoch, and how the tasks&apos; gradients agree, as the model trains.
          </p>
        </EmptyState>
      )}
    </section>
  );
}

function EpochTable({ live }: { live: LiveTraining }) {
  if (live.history.length === 0) return null;
  return (
    <section className="j-panel" aria-label="Epochs">
      <h3>Epochs</h3>
      <div className="j-table-scroll">
        <table className="j-table j-compact" data-testid="epoch-table">
          <thead>
            <tr>
              <th scope="col">Epoch</th>
              {live.tasks.map((t) => (
                <th
                  key={t.name}
                  scope="col"
                  className="j-num"
                  title={`Validation ${metricLabel(HEADLINE_METRIC[t.type])} of ${t.name}`}
                >
                  {t.name} {metricLabel(HEADLINE_METRIC[t.type])}
                </th>
              ))}
              <th scope="col" className="j-num" title="Training samples per second">
                samples/s
              </th>
              <th scope="col" className="j-num" title="Time of the epoch, validation included">
                time
              </th>
            </tr>
          </thead>
          <tbody>
            {live.history.map((h) => (
              <tr key={h.epoch} className={h.epoch === live.bestEpoch ? 'j-best-row' : undefined}>
                <th scope="row">
                  {h.epoch}
                  {h.epoch === live.bestEpoch && (
                    <span
                      className="j-best-badge"
                      title="The best epoch so far over all tasks: its weights are kept"
                    >
                      kept
                    </span>
                  )}
                </th>
                {live.tasks.map((t) => {
                  const m = HEADLINE_METRIC[t.type];
                  return (
                    <td key={t.name} className="j-num">
                      {formatMetric(m, h.validation[t.name]?.[m])}
                    </td>
                  );
                })}
                <td className="j-num">{formatCount(h.samplesPerSecond)}</td>
                <td className="j-num">{formatDuration(h.seconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ReadingNote reading={READINGS.epochs()} testId="epoch-reading" />
    </section>
  );
}
