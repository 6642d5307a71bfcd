// What the inspector does with what a person types into a parameter field: parse it against the
// catalog's schema and say, in words, what is wrong. Numbers, booleans and choices are kept in
// the graph only when valid (a project file with an out-of-range number would not reopen);
// text is always kept (layer lists are then checked by the engine as well, and pinned to the
// block), with the same message shown at once.

import { conditionHolds } from '../../src-main/shared/catalog';
import type { CatalogBlock } from '../../src-main/ipc/api';
import type { ParamValue } from '../../src-main/shared/project';
import { MAX_LAYER_UNITS } from '../../src-main/shared/catalog';

export type ParamSchema = CatalogBlock['params'][number];

export type FieldResult =
  | { ok: true; value: ParamValue; message?: undefined }
  | { ok: false; message: string; value?: ParamValue };

function bounds(spec: Extract<ParamSchema, { kind: 'number' }>): string {
  const { min, max, exclusiveMin } = spec;
  if (min !== undefined && max !== undefined) {
    return exclusiveMin ? `greater than ${min} and at most ${max}` : `between ${min} and ${max}`;
  }
  if (min !== undefined) return exclusiveMin ? `greater than ${min}` : `at least ${min}`;
  if (max !== undefined) return `at most ${max}`;
  return '';
}

/** Parses a layer-size list ("128,64,32"); null when malformed. */
export function parseLayerSizes(text: string): number[] | null {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 1 && parts[0] === '') return [];
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p)) return null;
    const n = Number(p);
    if (n < 1 || n > MAX_LAYER_UNITS) return null;
    out.push(n);
  }
  return out;
}

/** Parses a field's input (text from a text box, a boolean from a checkbox). */
export function parseParamInput(spec: ParamSchema, input: string | boolean): FieldResult {
  switch (spec.kind) {
    case 'number': {
      const text = String(input).trim();
      const what = spec.integer ? 'a whole number' : 'a number';
      const range = bounds(spec);
      if (text === '') return { ok: false, message: `Enter ${what}${range ? ` ${range}` : ''}.` };
      const value = Number(text);
      if (!Number.isFinite(value)) {
        return { ok: false, message: `"${text}" is not a number; enter ${what} ${range}.`.trim() };
      }
      if (spec.integer && !Number.isInteger(value)) {
        return { ok: false, message: `Must be a whole number${range ? ` ${range}` : ''}.` };
      }
      const low =
        spec.min !== undefined && (spec.exclusiveMin ? value <= spec.min : value < spec.min);
      const high = spec.max !== undefined && value > spec.max;
      if (low || high) return { ok: false, message: `Must be ${range}.` };
      return { ok: true, value };
    }
    case 'boolean':
      return typeof input === 'boolean'
        ? { ok: true, value: input }
        : { ok: false, message: 'Must be on or off.' };
    case 'choice': {
      const value = String(input);
      return spec.options.some((o) => o.value === value)
        ? { ok: true, value }
        : { ok: false, message: `Choose one of ${spec.options.map((o) => o.title).join(', ')}.` };
    }
    case 'text': {
      const value = String(input);
      if (spec.format === 'int-list') {
        const sizes = parseLayerSizes(value);
        if (sizes === null) {
          return {
            ok: false,
            value,
            message: `Layer sizes are whole numbers from 1 to ${MAX_LAYER_UNITS} separated by commas, e.g. 128,64,32.`,
          };
        }
        if (sizes.length === 0) {
          return { ok: false, value, message: 'List at least one layer size, e.g. 128,64,32.' };
        }
      }
      return { ok: true, value };
    }
  }
}

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
