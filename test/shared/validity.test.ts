// The shared validity library (src-main/shared/validity/): parameter limits read from the
// catalog, one wording for a stored value (engine) and a typed one (inspector, Train tab),
// and the Train tab's settings built from the optimizer's catalog entry.

import { describe, expect, it } from 'vitest';
import { blockSpec, MAX_BATCH_SIZE, type NumberParam } from '../../src-main/shared/catalog';
import {
  catalogNumber,
  checkParamValue,
  parseNumberInput,
  parseParamInput,
} from '../../src-main/shared/validity/params';
import { OPTIMIZER_SETTINGS, parseSetting } from '../../src-renderer/features/train/settings';

const setting = (param: string) => OPTIMIZER_SETTINGS.find((s) => s.param === param)!;

describe('limits read from the catalog', () => {
  it("gives the optimizer's number parameters and refuses what is not one", () => {
    expect(catalogNumber('optimizer', 'batchSize')).toMatchObject({ min: 1, max: MAX_BATCH_SIZE });
    expect(() => catalogNumber('optimizer', 'optimizer')).toThrow('no number "optimizer"');
  });

  it("builds the Train tab's settings from the optimizer's catalog entry", () => {
    const params = blockSpec('optimizer').params;
    for (const s of OPTIMIZER_SETTINGS) {
      const spec = params.find((p) => p.name === s.param) as NumberParam;
      expect([s.label, s.min, s.max, s.integer, s.fallback]).toEqual([
        spec.title,
        spec.min,
        spec.max,
        spec.integer === true,
        spec.default,
      ]);
    }
  });
});

describe('what is typed', () => {
  it('refuses values out of the catalog bounds in the Train tab, in the inspector wording', () => {
    expect(parseSetting(setting('epochs'), ' 12 ')).toEqual({ value: 12 });
    expect(parseSetting(setting('epochs'), '0')).toEqual({
      error: 'Epochs: must be between 1 and 10000.',
    });
    expect(parseSetting(setting('batchSize'), '2.5')).toEqual({
      error: `Batch size: must be a whole number between 1 and ${MAX_BATCH_SIZE}.`,
    });
    expect(parseSetting(setting('learningRate'), '0')).toEqual({
      error: 'Learning rate: must be greater than 0 and at most 10.',
    });
    expect(parseSetting(setting('learningRate'), 'fast')).toEqual({
      error: 'Learning rate: "fast" is not a number; enter a number greater than 0 and at most 10.',
    });
    expect(parseSetting(setting('epochs'), '')).toEqual({
      error: 'Epochs: enter a whole number between 1 and 10000.',
    });
  });

  it('words one-sided bounds for a field and for a stored value', () => {
    const spec: NumberParam = { ...catalogNumber('optimizer', 'epochs'), max: undefined };
    expect(parseNumberInput(spec, '0')).toEqual({ ok: false, message: 'Must be at least 1.' });
    expect(checkParamValue(spec, 0)).toEqual({
      kind: 'range',
      message: 'must be a whole number of at least 1, got 0',
    });
  });

  it('reads layer lists with the catalog parser and its largest layer', () => {
    const units = blockSpec('tower').params.find((p) => p.name === 'units')!;
    expect(parseParamInput(units, ' 8192 , 1')).toEqual({ ok: true, value: ' 8192 , 1' });
    expect(parseParamInput(units, '8193')).toMatchObject({ ok: false, value: '8193' });
    expect(parseParamInput(units, '8193').message).toContain('from 1 to 8192');
    expect(checkParamValue(units, '8193')?.kind).toBe('format');
    expect(checkParamValue(units, '8193', false)).toBeNull();
  });
});
