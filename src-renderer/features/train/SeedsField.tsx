// A number of seeds, typed: a whole number from 1 to 100 (the host's limit per experiment),
// named when it is not (the value handed on is then NaN, so nothing starts with it). Used for the Train button's "repeat with N seeds", the
// sweep's seeds per variant and the ablation's seeds.

import { useEffect, useState } from 'react';
import './launch.css';
import { MAX_SEEDS } from '../../../src-main/shared/experiments/paths';
import { Field } from '../../ui/kit';

/** The seeds typed, or why they are refused. */
function parseSeeds(label: string, text: string): { value: number } | { error: string } {
  const t = text.trim();
  const n = Number(t);
  if (t === '' || !Number.isInteger(n) || n < 1 || n > MAX_SEEDS)
    return { error: `${label}: a whole number from 1 to ${MAX_SEEDS}.` };
  return { value: n };
}

export function SeedsField({
  label,
  value,
  onChange,
  testId,
  help = 'Each seed trains once with its own random start and split; their spread is the noise.',
  disabled,
}: {
  label: string;
  value: number;
  onChange(n: number): void;
  testId: string;
  help?: string;
  disabled?: boolean;
}) {
  const [text, setText] = useState(String(value));
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the draft follows the store
    setText((t) => {
      const r = parseSeeds(label, t);
      return !Number.isInteger(value) || ('value' in r && r.value === value) ? t : String(value);
    });
  }, [value, label]);
  const parsed = parseSeeds(label, text);
  const error = 'error' in parsed ? parsed.error : null;
  return (
    <div className="l-seeds">
      <Field label={label} help={help}>
        <input
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_SEEDS}
          step={1}
          value={text}
          disabled={disabled}
          onChange={(e) => {
            const next = e.currentTarget.value;
            setText(next);
            const r = parseSeeds(label, next);
            // NaN while the text is not a valid number: nothing starts until it is.
            onChange('value' in r ? r.value : Number.NaN);
          }}
          aria-label={label}
          aria-invalid={error !== null}
          title={help}
          data-testid={testId}
        />
        <span className="j-field-error" role={error ? 'alert' : undefined}>
          {error}
        </span>
      </Field>
    </div>
  );
}
