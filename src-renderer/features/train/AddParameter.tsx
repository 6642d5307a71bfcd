// "Add a parameter" in the Train tab's sweep panel: the same parameters the inspector's Vary
// offers (each block's numbers, choices, switches and layer lists that apply to it, the
// Optimizer block's as training settings, a label embedding or fusion unit's presence), picked
// from one list grouped by block, for whoever would rather not leave the Train tab or use the
// canvas. The parameter joins the sweep prefilled as Vary prefills it.

import { useId } from 'react';
import { blockSpec, conditionHolds } from '../../../src-main/shared/catalog';
import type { ProjectFile } from '../../../src-main/shared/project';
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

interface Choice {
  key: string;
  title: string;
  axis: () => SweepAxis;
}

/** The parameters of a project a sweep can vary and does not yet, by block. */
function addableParameters(
  project: ProjectFile,
  taken: readonly string[],
): { key: string; group: string; choices: Choice[] }[] {
  const groups: { key: string; group: string; choices: Choice[] }[] = [];
  const presence = new Set<string>();
  for (const block of project.graph.blocks) {
    const spec = blockSpec(block.type);
    const name = block.label?.trim() || spec.title;
    const choices: Choice[] = [];
    for (const p of spec.params) {
      const variable = variableSpec(block.type, p.name);
      const path = paramPath(block, p.name);
      if (!variable || !conditionHolds(p.when, block.params) || taken.includes(path)) continue;
      choices.push({ key: path, title: p.title, axis: () => newAxis(block, variable) });
    }
    const present = presencePath(block.type);
    if (REMOVABLE.includes(block.type) && !taken.includes(present) && !presence.has(present)) {
      presence.add(present);
      choices.push({
        key: present,
        title: `with and without every ${spec.title.toLowerCase()}`,
        axis: () => newPresenceAxis(block.type),
      });
    }
    if (choices.length > 0)
      groups.push({
        key: block.id,
        group: block.type === 'optimizer' ? `${name} (training settings)` : name,
        choices,
      });
  }
  return groups;
}

export function AddParameter({ project }: { project: ProjectFile }) {
  const taken = useLaunch((s) => s.axes.map((a) => a.path).join('\n'));
  const store = useLaunchStore();
  const id = useId();
  const groups = addableParameters(project, taken.split('\n'));
  if (groups.length === 0) return null;
  return (
    <div className="l-add">
      <label htmlFor={id} className="j-field-label">
        Add a parameter
      </label>
      <select
        id={id}
        value=""
        onChange={(e) => {
          const key = e.currentTarget.value;
          const choice = groups.flatMap((g) => g.choices).find((c) => c.key === key);
          if (choice) store.getState().vary(choice.axis());
        }}
        title="Add a parameter to the sweep (the same as Vary beside it in the inspector)"
        data-testid="sweep-add"
      >
        <option value="">Choose a parameter to vary…</option>
        {groups.map((g) => (
          <optgroup key={g.key} label={g.group}>
            {g.choices.map((c) => (
              <option key={c.key} value={c.key}>
                {c.title}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </div>
  );
}
