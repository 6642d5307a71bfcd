// Parameter values typed from the catalog (shared/catalog.ts ParamsOf, blockParams) and the
// declarations the entries share (shared/blocks/spec.ts). The type checks below are checked by
// `npm run typecheck` (test/ is in tsconfig): a `@ts-expect-error` whose error went away, or
// a derived type that no longer matches, fails it.

import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  blockParams,
  blockSpec,
  CATALOG,
  withDefaults,
  type ParamsOf,
} from '../../src-main/shared/catalog';
import type { Block } from '../../src-main/shared/project';

const block = (type: Block['type'], params: Block['params'] = {}): Block => ({
  id: 'b',
  type,
  params,
  position: { x: 0, y: 0 },
});

describe('parameter types derived from the catalog', () => {
  it("types a block's parameters by kind, with a choice's options as a union", () => {
    expectTypeOf<ParamsOf<'tower'>>().toEqualTypeOf<{
      readonly units: string;
      readonly activation: 'relu' | 'gelu' | 'tanh' | 'sigmoid' | 'linear';
      readonly dropout: number;
    }>();
    expectTypeOf<ParamsOf<'fusion'>['mode']>().toEqualTypeOf<'attention' | 'concat'>();
    expectTypeOf<ParamsOf<'label-embedding'>['gumbel']>().toEqualTypeOf<boolean>();
    expectTypeOf<ParamsOf<'task-head'>['objective']>().toEqualTypeOf<'mse' | 'ziln' | 'tweedie'>();
    expectTypeOf<keyof ParamsOf<'esmm-link'>>().toEqualTypeOf<never>();
    const head = blockParams('task-head', block('task-head'));
    // @ts-expect-error a parameter the task head does not have
    void head.lossweight;
    // @ts-expect-error a kind the task head does not offer
    void (head.kind === 'classification');
  });

  it('reads a block through blockParams: defaults filled, the type checked', () => {
    const tower = blockParams('tower', block('tower', { units: '32,16' }));
    expect(tower).toEqual({ units: '32,16', activation: 'relu', dropout: 0 });
    for (const spec of CATALOG) {
      expect(blockParams(spec.type, block(spec.type))).toEqual(withDefaults(spec.type));
    }
    expect(() => blockParams('tower', block('gate'))).toThrow(
      'A gate block has no tower parameters',
    );
  });

  it('keeps the shared declarations word for word', () => {
    const units = (type: 'tower' | 'expert-group') =>
      blockSpec(type).params.find((p) => p.name === 'units');
    expect(units('tower')).toEqual({
      name: 'units',
      title: 'Layer sizes',
      description: 'Hidden layer sizes, comma-separated.',
      kind: 'text',
      default: '128,64,32',
      format: 'int-list',
    });
    expect(units('expert-group')).toMatchObject({
      description: 'Hidden layer sizes of each expert, comma-separated.',
      default: '64',
    });
    for (const type of ['tower', 'cross-layer', 'expert-group', 'task-head'] as const) {
      expect(blockSpec(type).inputs).toEqual([
        {
          name: 'in',
          title: 'input',
          type: 'vector',
          required: true,
          multiple: true,
          description: expect.stringMatching(/^(Vectors to concatenate|Representation)/),
        },
      ]);
    }
  });
});
