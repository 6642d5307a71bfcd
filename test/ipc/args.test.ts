// The IPC argument checks (src-main/ipc/args.ts, valibot schemas): each refusal is one
// ArgumentError naming the channel and the argument, the nested ones by their path.

import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  checkExplainRequest,
  checkFileKind,
  checkInteger,
  checkRecoverySnapshot,
  checkString,
} from '../../src-main/ipc/args';

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ArgumentError);
    return (e as Error).message;
  }
  throw new Error('expected an ArgumentError');
};

describe('argument checks', () => {
  it('checks strings: type, emptiness and length', () => {
    expect(checkString('a', 'c:x', 'path')).toBe('a');
    expect(checkString('', 'c:x', 'text', { allowEmpty: true })).toBe('');
    expect(refusal(() => checkString(5, 'c:x', 'path'))).toBe('c:x: path must be a string; got 5.');
    expect(refusal(() => checkString('', 'c:x', 'path'))).toBe('c:x: path is empty.');
    expect(refusal(() => checkString('abc', 'c:x', 'name', { maxLength: 2 }))).toBe(
      'c:x: name is longer than 2 characters.',
    );
  });

  it('checks file kinds, whole numbers and snapshots', () => {
    expect(checkFileKind('csv', 'c:x')).toBe('csv');
    expect(refusal(() => checkFileKind('exe', 'c:x'))).toBe(
      'c:x: the file kind must be one of project, csv, model; got "exe".',
    );
    expect(refusal(() => checkInteger(2.5, 'c:x', 'rows', 1, 9))).toBe(
      'c:x: rows must be a whole number from 1 to 9; got 2.5.',
    );
    expect(refusal(() => checkRecoverySnapshot([], 'c:x'))).toBe(
      'c:x: the snapshot must be an object; got a list.',
    );
    expect(refusal(() => checkRecoverySnapshot({ path: 1, name: 'n' }, 'c:x'))).toBe(
      'c:x: snapshot.path must be a string; got 1.',
    );
    expect(refusal(() => checkRecoverySnapshot({ path: null, name: 'n' }, 'c:x'))).toMatch(
      /^c:x: The project is not an HTLNet Studio project/,
    );
  });

  it('checks an explain request, naming nested arguments by path', () => {
    const ok = checkExplainRequest(
      { source: { runId: 'r1', extra: 1 }, rows: 100, parts: ['rows'], dataPath: 'd.csv' },
      'c:x',
    );
    expect(ok).toEqual({ source: { runId: 'r1' }, rows: 100, parts: ['rows'], dataPath: 'd.csv' });
    expect(checkExplainRequest({ source: { modelDir: 3 } }, 'c:x')).toEqual({
      source: { modelDir: 3 },
      dataPath: undefined,
    });
    const bad = (request: unknown) => refusal(() => checkExplainRequest(request, 'c:x'));
    expect(bad(null)).toBe('c:x: request must be an object; got null.');
    expect(bad({})).toBe('c:x: source must be an object; got undefined.');
    expect(bad({ source: { runId: '' } })).toBe('c:x: source.runId is empty.');
    expect(bad({ source: {}, subset: 'train' })).toBe(
      'c:x: subset must be test, validation or all; got "train".',
    );
    expect(bad({ source: {}, explainRows: [1, -1] })).toBe(
      'c:x: explainRows[1] must be a whole number from 0 to 2000000000; got -1.',
    );
    expect(bad({ source: {}, explainRows: new Array(21).fill(0) })).toBe(
      'c:x: explainRows holds more than 20 items.',
    );
    expect(bad({ source: {}, parts: ['rows', 'shap'] })).toBe(
      'c:x: parts must be among importance, rows, pdp, funnel; got "shap".',
    );
    expect(bad({ source: {}, groups: [{ name: 'g', columns: ['a', 7] }] })).toBe(
      'c:x: groups[0].columns[1] must be a string; got 7.',
    );
    expect(bad({ source: {}, regressionMetric: 'mae' })).toBe(
      'c:x: regressionMetric must be gini-drop or rmse-rise; got "mae".',
    );
  });
});
