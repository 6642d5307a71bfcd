// Parameter values against their catalog entry, in one place and one wording for the engine,
// the inspector and the Train tab. Two uses: a stored value (checkParamValue: the project-file
// reader refuses values of the wrong type or out of bounds, validateGraph reports the same as
// problems, plus malformed layer lists) and what a person types into a field (parseParamInput,
// parseNumberInput). Limits are never written here: they are read from the catalog entry
// (catalogNumber gives the Train tab the optimizer's). No Node or DOM imports.

import {
  blockSpec,
  MAX_LAYER_UNITS,
  parseIntList,
  type NumberParam,
  type ParamSpec,
} from '../catalog';
import type { BlockType, ParamValue } from '../project';

export interface ParamIssue {
  /**
   * - type: not a value of the parameter's kind (or not one of a choice's options)
   * - range: a number outside its bounds, or not whole where it must be
   * - format: text that does not follow its format (a layer-size list)
   */
  kind: 'type' | 'range' | 'format';
  /** Completes "parameter "x": …", e.g. 'must be a number between 0 and 0.9, got 1.5'. */
  message: string;
}

/** How a value reads in a message: strings quoted, everything else as JSON. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The bounds of a number parameter in words, e.g. "between 0 and 0.9" or "greater than 0";
 * `of` for after a noun ("a number of at least 1").
 */
function boundsText(spec: NumberParam, of = false): string {
  const { min, max, exclusiveMin } = spec;
  const at = of ? 'of at' : 'at';
  if (min !== undefined && max !== undefined) {
    return exclusiveMin ? `greater than ${min} and at most ${max}` : `between ${min} and ${max}`;
  }
  if (min !== undefined) return exclusiveMin ? `greater than ${min}` : `${at} least ${min}`;
  if (max !== undefined) return `${at} most ${max}`;
  return '';
}

/** Whether a number lies within a number parameter's bounds. */
function inBounds(spec: NumberParam, value: number): boolean {
  const low = spec.min !== undefined && (spec.exclusiveMin ? value <= spec.min : value < spec.min);
  const high = spec.max !== undefined && value > spec.max;
  return !low && !high;
}

/** A number parameter of a catalog block (the Train tab's limits); throws when there is none. */
export function catalogNumber(type: BlockType, name: string): NumberParam {
  const spec = blockSpec(type).params.find((p) => p.name === name);
  if (spec?.kind !== 'number') throw new Error(`Catalog block "${type}" has no number "${name}".`);
  return spec;
}

/** The first thing wrong with a parameter value, or null. Layer lists are checked only when `formats`. */
export function checkParamValue(
  spec: ParamSpec,
  value: unknown,
  formats = true,
): ParamIssue | null {
  switch (spec.kind) {
    case 'number': {
      const what = `${spec.integer ? 'a whole number' : 'a number'} ${boundsText(spec, true)}`;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return { kind: 'type', message: `must be ${what.trim()}, got ${showValue(value)}` };
      }
      if (!inBounds(spec, value) || (spec.integer && !Number.isInteger(value))) {
        return { kind: 'range', message: `must be ${what.trim()}, got ${showValue(value)}` };
      }
      return null;
    }
    case 'boolean':
      return typeof value === 'boolean'
        ? null
        : { kind: 'type', message: `must be true or false, got ${showValue(value)}` };
    case 'choice': {
      if (typeof value === 'string' && spec.options.some((o) => o.value === value)) return null;
      const options = spec.options.map((o) => `"${o.value}"`).join(', ');
      return { kind: 'type', message: `must be one of ${options}, got ${showValue(value)}` };
    }
    case 'text': {
      if (typeof value !== 'string') {
        return { kind: 'type', message: `must be text, got ${showValue(value)}` };
      }
      if (formats && spec.format === 'int-list') {
        const list = parseIntList(value);
        if (list === null) {
          return {
            kind: 'format',
            message: `must be layer sizes separated by commas, each a whole number from 1 to ${MAX_LAYER_UNITS} (e.g. "128,64,32"), got ${showValue(value)}`,
          };
        }
        if (list.length === 0) {
          return {
            kind: 'format',
            message: 'must list at least one layer size (e.g. "128,64,32")',
          };
        }
      }
      return null;
    }
  }
}

// ---- what a person types ----------------------------------------------------------------------

export type FieldResult =
  | { ok: true; value: ParamValue; message?: undefined }
  | { ok: false; message: string; value?: ParamValue };

/** A number typed into a field, checked against its catalog entry: the number, or why not. */
export function parseNumberInput(
  spec: NumberParam,
  input: string,
): { ok: true; value: number } | { ok: false; message: string } {
  const text = input.trim();
  const what = spec.integer ? 'a whole number' : 'a number';
  const range = boundsText(spec);
  if (text === '') return { ok: false, message: `Enter ${what}${range ? ` ${range}` : ''}.` };
  const value = Number(text);
  if (!Number.isFinite(value)) {
    return { ok: false, message: `"${text}" is not a number; enter ${what} ${range}.`.trim() };
  }
  if (spec.integer && !Number.isInteger(value)) {
    return { ok: false, message: `Must be a whole number${range ? ` ${range}` : ''}.` };
  }
  if (!inBounds(spec, value)) return { ok: false, message: `Must be ${range}.` };
  return { ok: true, value };
}

/**
 * What is typed into a parameter's field (text from a text box, a boolean from a checkbox).
 * Text is always kept (a malformed layer list comes back with its message and its value).
 */
export function parseParamInput(spec: ParamSpec, input: string | boolean): FieldResult {
  switch (spec.kind) {
    case 'number':
      return parseNumberInput(spec, String(input));
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
        const sizes = parseIntList(value);
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
