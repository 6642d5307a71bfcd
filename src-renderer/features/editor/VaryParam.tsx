// The inspector's "Vary" affordance (issue 17): beside each parameter a sweep can vary (numbers,
// choices, switches, layer lists; the optimizer's as training settings, its seed excepted) and
// for a label embedding or fusion unit its presence (with / without). Pressing it adds the
// parameter to the sweep being built, prefilled with sensible values, and shows the values to
// try right there; the Train tab's sweep panel lists them all and starts the sweep.

import { useState } from 'react';
import type { Block } from '../../../src-main/shared/project';
import { useAppStore } from '../../store/context';
import { AxisEditor } from '../../ui/AxisEditor';
import { REMOVABLE } from '../../../src-main/shared/experiments/paths';
import { useLaunch, useLaunchStore } from '../../store/launch/launch-store';
import {
  newAxis,
  newPresenceAxis,
  paramPath,
  presencePath,
  variableSpec,
  type SweepAxis,
} from '../../store/launch/sweep';

/**
 * Where the keyboard focus goes after the user's own Vary or Remove (the control they pressed
 * disappears): into the values to try, or back to Vary. Nothing moves it otherwise (selecting a
 * block whose parameter is in the sweep leaves the focus where it was).
 */
function useFocusAfter() {
  const [focus, setFocus] = useState<'editor' | 'button' | null>(null);
  return {
    editor: focus === 'editor',
    button: focus === 'button',
    added: () => setFocus('editor'),
    removed: () => setFocus('button'),
  };
}

function VaryButton({
  title,
  onClick,
  testId,
  autoFocus,
}: {
  title: string;
  onClick(): void;
  testId: string;
  autoFocus: boolean;
}) {
  return (
    <button
      type="button"
      autoFocus={autoFocus}
      className="btn btn-ghost btn-sm l-vary"
      onClick={onClick}
      aria-label={`Vary ${title} in a sweep`}
      title="Add to the sweep being built (Train tab): train the model with several values"
      data-testid={testId}
    >
      Vary
    </button>
  );
}

/** Mounted only while the parameter is in the sweep: the project is read (and followed) then. */
function Varied({ axis, focus }: { axis: SweepAxis; focus: ReturnType<typeof useFocusAfter> }) {
  const project = useAppStore((s) => s.project);
  return (
    <div className="l-varied" role="group" aria-label={`${axis.title} in the sweep`}>
      <p className="field-help">In the sweep (Train tab):</p>
      <AxisEditor
        axis={axis}
        project={project}
        showTitle={false}
        autoFocus={focus.editor}
        onRemove={focus.removed}
      />
    </div>
  );
}

/** Under a block's parameter field: "Vary", or the values to try once it is in the sweep. */
export function VaryParam({ block, param }: { block: Block; param: string }) {
  const path = paramPath(block, param);
  const axis = useLaunch((s) => s.axes.find((a) => a.path === path));
  const store = useLaunchStore();
  const focus = useFocusAfter();
  const spec = variableSpec(block.type, param);
  if (!spec) return null;
  if (axis) return <Varied axis={axis} focus={focus} />;
  return (
    <VaryButton
      title={spec.title}
      onClick={() => {
        store.getState().vary(newAxis(block, spec));
        focus.added();
      }}
      testId={`vary-${param}`}
      autoFocus={focus.button}
    />
  );
}

/** For a label embedding or fusion unit: train with and without every unit of its kind. */
export function VaryPresence({ block }: { block: Block }) {
  const path = presencePath(block.type);
  const axis = useLaunch((s) => s.axes.find((a) => a.path === path));
  const store = useLaunchStore();
  const focus = useFocusAfter();
  if (!REMOVABLE.includes(block.type)) return null;
  return (
    <section className="l-presence" aria-label="Presence in a sweep">
      <h3>With and without</h3>
      {axis ? (
        <Varied axis={axis} focus={focus} />
      ) : (
        <>
          <p className="field-help">
            Compare the model with and without its{' '}
            {block.type === 'fusion' ? 'fusion units' : 'label embedding units'}.
          </p>
          <VaryButton
            title="the presence of these units"
            onClick={() => {
              store.getState().vary(newPresenceAxis(block.type));
              focus.added();
            }}
            testId="vary-presence"
            autoFocus={focus.button}
          />
        </>
      )}
    </section>
  );
}
