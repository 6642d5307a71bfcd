// One parameter of the sweep being built, with the values to try: typed for numbers (commas)
// and layer lists (semicolons), ticked for choices, switches and a unit's presence; the first
// thing wrong with them is said at once, in the shared validity library's words. Shown under
// the parameter in the inspector (features/editor/VaryParam.tsx) and in the Train tab's sweep
// panel (features/train/SweepPanel.tsx).

import './axis-editor.css';
import { useId } from 'react';
import type { ProjectFile } from '../../src-main/shared/project';
import { useLaunchStore } from '../store/launch/launch-store';
import { axisOptions, axisValues, type SweepAxis } from '../store/launch/sweep';

export function AxisEditor({
  axis,
  project,
  showTitle = true,
  autoFocus = false,
  onRemove,
}: {
  axis: SweepAxis;
  project: ProjectFile;
  /** The inspector shows the axis under its own field: no title there. */
  showTitle?: boolean;
  /** Takes the keyboard focus when shown (just added with Vary). */
  autoFocus?: boolean;
  /** After Remove (the inspector puts the focus back on its Vary button). */
  onRemove?: () => void;
}) {
  const launch = useLaunchStore().getState();
  const id = useId();
  const result = axisValues(project, axis);
  const error = 'error' in result ? result.error : null;
  const errorId = `${id}-error`;
  const typed = axis.kind === 'number' || axis.kind === 'layers';
  return (
    <div className="l-axis" data-testid={`sweep-axis-${axis.path}`}>
      {showTitle && (
        <div className="l-axis-head">
          <strong title={axis.path}>{axis.title}</strong>
          <code className="j-muted">{axis.path}</code>
        </div>
      )}
      {typed ? (
        <label className="l-axis-values" htmlFor={`${id}-values`}>
          <span className="j-field-label">
            Values to try{' '}
            {axis.kind === 'number'
              ? '(separated by commas)'
              : '(layer lists separated by semicolons)'}
          </span>
          <input
            id={`${id}-values`}
            type="text"
            value={axis.text}
            spellCheck={false}
            inputMode={axis.kind === 'number' ? 'decimal' : 'text'}
            autoFocus={autoFocus}
            onChange={(e) => launch.updateAxis(axis.path, { text: e.currentTarget.value })}
            aria-label={`${axis.title}: values to try`}
            aria-invalid={error !== null}
            aria-describedby={error ? errorId : undefined}
            data-testid={`sweep-values-${axis.path}`}
          />
        </label>
      ) : (
        <fieldset className="l-picks" aria-describedby={error ? errorId : undefined}>
          <legend className="j-field-label">Values to try</legend>
          {axisOptions(axis).map((o, i) => (
            <label key={o.value} className="l-pick">
              <input
                type="checkbox"
                autoFocus={autoFocus && i === 0}
                checked={axis.picked.includes(o.value)}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  launch.updateAxis(axis.path, {
                    picked: on
                      ? [...axis.picked.filter((v) => v !== o.value), o.value]
                      : axis.picked.filter((v) => v !== o.value),
                  });
                }}
                aria-label={`${axis.title}: try ${o.title}`}
                data-testid={`sweep-pick-${axis.path}-${o.value}`}
              />
              {o.title}
            </label>
          ))}
        </fieldset>
      )}
      <div className="l-axis-foot">
        <span
          className="j-field-error"
          id={errorId}
          role={error ? 'alert' : undefined}
          data-testid={`sweep-error-${axis.path}`}
        >
          {error}
        </span>
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={() => {
            launch.removeAxis(axis.path);
            onRemove?.();
          }}
          aria-label={`Remove ${axis.title} from the sweep`}
          title="Remove this parameter from the sweep"
          data-testid={`sweep-remove-${axis.path}`}
        >
          Remove
        </button>
      </div>
    </div>
  );
}
