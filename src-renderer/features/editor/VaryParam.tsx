// The inspector's "Vary" affordance (issue 17): beside each parameter a sweep can vary (numbers,
// choices, switches, layer lists; the optimizer's as training settings, its seed excepted) and
// for a label embedding or fusion unit its presence (with / without). Pressing it adds the
// parameter to the sweep being built, prefilled with sensible values, and shows the values to
// try right there; the Train tab's sweep panel lists them all and starts the sweep.

import type { Block } from '../../../src-main/shared/project';
import { useAppStore } from '../../store/context';
import { AxisEditor } from '../../ui/AxisEditor';
import { useLaunch, useLaunchStore } from '../../store/launch/launch-store';
import {
  newAxis,
  newPresenceAxis,
  paramPath,
  presencePath,
  REMOVABLE,
  variableSpec,
  type SweepAxis,
} from '../../store/launch/sweep';

function VaryButton({
  title,
  onClick,
  testId,
}: {
  title: string;
  onClick(): void;
  testId: string;
}) {
  return (
    <button
      type="button"
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
function Varied({ axis }: { axis: SweepAxis }) {
  const project = useAppStore((s) => s.project);
  return (
    <div className="l-varied" role="group" aria-label={`${axis.title} in the sweep`}>
      <p className="field-help">In the sweep (Train tab):</p>
      <AxisEditor axis={axis} project={project} showTitle={false} />
    </div>
  );
}

/** Under a block's parameter field: "Vary", or the values to try once it is in the sweep. */
export function VaryParam({ block, param }: { block: Block; param: string }) {
  const path = paramPath(block, param);
  const axis = useLaunch((s) => s.axes.find((a) => a.path === path));
  const store = useLaunchStore();
  const spec = variableSpec(block.type, param);
  if (!spec) return null;
  if (axis) return <Varied axis={axis} />;
  return (
    <VaryButton
      title={spec.title}
      onClick={() => store.getState().vary(newAxis(block, spec))}
      testId={`vary-${param}`}
    />
  );
}

/** For a label embedding or fusion unit: train with and without every unit of its kind. */
export function VaryPresence({ block }: { block: Block }) {
  const path = presencePath(block.type);
  const axis = useLaunch((s) => s.axes.find((a) => a.path === path));
  const store = useLaunchStore();
  if (!REMOVABLE.includes(block.type)) return null;
  return (
    <section className="l-presence" aria-label="Presence in a sweep">
      <h3>With and without</h3>
      {axis ? (
        <Varied axis={axis} />
      ) : (
        <>
          <p className="field-help">
            Compare the model with and without its{' '}
            {block.type === 'fusion' ? 'fusion units' : 'label embedding units'}.
          </p>
          <VaryButton
            title="the presence of these units"
            onClick={() => store.getState().vary(newPresenceAxis(block.type))}
            testId="vary-presence"
          />
        </>
      )}
    </section>
  );
}
