// The Train tab's settings part: epochs, batch size and learning rate (the Optimizer block's
// parameters), the train/validation/test split, and how the best epoch is chosen. Each edit
// replaces the project through onProjectChange (one undo step in the editor). Each optimizer
// number can also be added to the sweep below ("Vary", as in the inspector).

import { useEffect, useState, type KeyboardEvent } from 'react';
import { blockSpec } from '../../../src-main/shared/catalog';
import type { ProjectFile } from '../../../src-main/shared/project';
import { useLaunch, useLaunchStore } from '../../store/launch/launch-store';
import { newAxis, paramPath, variableSpec } from '../../store/launch/sweep';
import { Field } from '../../ui/kit';
import {
  optimizerBlock,
  OPTIMIZER_SETTINGS,
  optimizerValue,
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
    <div className="l-setting">
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
      <VarySetting project={project} setting={setting} disabled={disabled} />
    </div>
  );
}

/** Adds an optimizer number to the sweep (the Train tab's sweep panel), or says it is there. */
function VarySetting({
  project,
  setting,
  disabled,
}: {
  project: ProjectFile;
  setting: OptimizerSetting;
  disabled: boolean;
}) {
  const block = optimizerBlock(project);
  const path = block ? paramPath(block, setting.param) : '';
  const varied = useLaunch((s) => s.axes.some((a) => a.path === path));
  const store = useLaunchStore();
  const spec = variableSpec('optimizer', setting.param);
  if (!block || !spec) return null;
  if (varied) return <span className="j-muted j-small">In the sweep below</span>;
  return (
    <button
      type="button"
      className="btn btn-ghost btn-sm"
      onClick={() => store.getState().vary(newAxis(block, spec))}
      disabled={disabled}
      aria-label={`Vary ${setting.label} in a sweep`}
      title="Add to the sweep below: train the model with several values"
      data-testid={`vary-setting-${setting.param}`}
    >
      Vary
    </button>
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
      {(
        [
          ['Training', 'Share of rows the model learns from', train, setTrain, 'train'],
          [
            'Validation',
            'Share of rows watched after each epoch (early stopping, best epoch)',
            validation,
            setValidation,
            'validation',
          ],
        ] as const
      ).map(([name, help, value, set, id]) => (
        <Field key={id} label={`${name} %`} help={help}>
          <input
            type="number"
            min={1}
            max={98}
            step="any"
            value={value}
            disabled={disabled}
            onChange={(e) => set(e.currentTarget.value)}
            onBlur={commit}
            onKeyDown={onKey}
            aria-label={`${name} share (percent)`}
            aria-invalid={error !== null}
            title={help}
            data-testid={`setting-${id}-pct`}
          />
        </Field>
      ))}
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

/** The settings panel: the optimizer's numbers, the split and how the best epoch is chosen. */
export function TrainSettings({
  project,
  onProjectChange,
  busy,
}: {
  project: ProjectFile;
  onProjectChange: (next: ProjectFile) => void;
  busy: boolean;
}) {
  const hasOptimizer = optimizerBlock(project) !== null;
  return (
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
          The model has no Optimizer block: add one in the Model tab to set epochs, batch size and
          learning rate.
        </p>
      )}
    </section>
  );
}
