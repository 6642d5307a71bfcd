// What the inspector does with what a person types into a parameter field: parse it against the
// catalog's schema and say, in words, what is wrong (the shared validity library's
// parseParamInput, re-exported: one wording with the engine and the Train tab). Numbers,
// booleans and choices are kept in the graph only when valid (a project file with an
// out-of-range number would not reopen); text is always kept (layer lists are then checked by
// the engine as well, and pinned to the block), with the same message shown at once. Also the
// canvas's one-line parameter summary.

import { conditionHolds } from '../../src-main/shared/catalog';
import type { CatalogBlock } from '../../src-main/ipc/api';
import type { ParamValue } from '../../src-main/shared/project';

export { parseParamInput } from '../../src-main/shared/validity/params';

export type ParamSchema = CatalogBlock['params'][number];

/** A parameter's value as the text its field shows. */
export function showParam(value: ParamValue | undefined): string {
  return value === undefined ? '' : String(value);
}

/** Whether a parameter applies for a block's current parameters (its `when` condition). */
export function paramApplies(spec: ParamSchema, params: Record<string, ParamValue>): boolean {
  return conditionHolds(spec.when, params);
}

/** A compact one-line summary of a block's main parameters for its node on the canvas. */
export function paramSummary(block: CatalogBlock, params: Record<string, ParamValue>): string {
  const parts: string[] = [];
  for (const p of block.params) {
    if (!paramApplies(p, params)) continue;
    const v = params[p.name];
    switch (`${block.type}.${p.name}`) {
      case 'tower.units':
      case 'expert-group.units':
        parts.push(
          String(v)
            .split(',')
            .map((s) => s.trim())
            .join('–'),
        );
        break;
      case 'expert-group.experts':
        parts.push(`${String(v)} experts`);
        break;
      case 'shared-embedding.dim':
        parts.push(`d = ${String(v)}`);
        break;
      case 'label-embedding.dim':
        parts.push(`L = ${String(v)}`);
        break;
      case 'task-head.task':
        parts.push(v ? String(v) : 'no task');
        break;
      case 'task-head.kind':
      case 'fusion.mode':
      case 'feature-input.kind':
        parts.push(String(v));
        break;
      case 'optimizer.optimizer':
        parts.push(String(v) === 'adam' ? 'Adam' : String(v).toUpperCase());
        break;
      case 'optimizer.learningRate':
        parts.push(`lr ${String(v)}`);
        break;
      case 'optimizer.adjustment':
        parts.push(String(v));
        break;
    }
  }
  return parts.join(' · ');
}
