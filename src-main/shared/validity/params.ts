// Checks of one parameter value against its catalog entry. Shared by the project-file loader
// (which refuses values of the wrong type or out of bounds) and validateGraph (which reports
// the same as problems in the editor, plus malformed layer lists).

import { MAX_LAYER_UNITS, parseIntList, type ParamSpec } from '../catalog';

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

/** The bounds of a number parameter in words, e.g. "between 0 and 0.9" or "greater than 0". */
function boundsText(spec: Extract<ParamSpec, { kind: 'number' }>): string {
  const { min, max, exclusiveMin } = spec;
  if (min !== undefined && max !== undefined) {
    return exclusiveMin ? `greater than ${min} and at most ${max}` : `between ${min} and ${max}`;
  }
  if (min !== undefined) return exclusiveMin ? `greater than ${min}` : `of at least ${min}`;
  if (max !== undefined) return `of at most ${max}`;
  return '';
}

/** The first thing wrong with a parameter value, or null. Layer lists are checked only when `formats`. */
export function checkParamValue(
  spec: ParamSpec,
  value: unknown,
  formats = true,
): ParamIssue | null {
  switch (spec.kind) {
    case 'number': {
      const what = `${spec.integer ? 'a whole number' : 'a number'} ${boundsText(spec)}`.trim();
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return { kind: 'type', message: `must be ${what}, got ${showValue(value)}` };
      }
      const low =
        spec.min !== undefined && (spec.exclusiveMin ? value <= spec.min : value < spec.min);
      const high = spec.max !== undefined && value > spec.max;
      if (low || high || (spec.integer && !Number.isInteger(value))) {
        return { kind: 'range', message: `must be ${what}, got ${showValue(value)}` };
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
