// The sweep the Train tab builds and the ablation it offers agree with the engine: the request
// planSweep makes is expanded by the engine's own gridVariants / listVariants into as many
// variants as the panel says (the paths resolve, the values pass), the ablation's steps are the
// engine's variants, and an unavailable ablation is refused by the engine in the same words.
// Also the neighbouring values a new axis is prefilled with, inside the catalog's bounds.

import { describe, expect, it } from 'vitest';
import { sampleBinding } from '../../src-main/engine/data/sample-layout';
import {
  ablationVariants,
  gridVariants,
  listVariants,
  sweepReference,
} from '../../src-main/engine/experiments';
import { buildTemplate } from '../../src-main/engine/graph/templates';
import { ablationRefusal, ablationSteps } from '../../src-main/shared/ablation';
import { catalogNumber } from '../../src-main/shared/validity/params';
import type { ProjectFile } from '../../src-main/shared/project';
import {
  neighbours,
  newAxis,
  newPresenceAxis,
  planSweep,
  variableSpec,
  type SweepAxis,
} from '../../src-renderer/store/launch/sweep';

const DATA = '/ws/data.csv';
const htlnet = () => buildTemplate('htlnet', sampleBinding());

function axis(project: ProjectFile, id: string, param: string, patch: Partial<SweepAxis> = {}) {
  const block = project.graph.blocks.find((b) => b.id === id)!;
  return { ...newAxis(block, variableSpec(block.type, param)!), ...patch };
}

describe('the sweep the panel builds', () => {
  it('expands in the engine to the variants it counts (grid)', () => {
    const project = htlnet();
    const axes = [
      axis(project, 'optimizer', 'learningRate'),
      axis(project, 'tower-click', 'units'),
      axis(project, 'optimizer', 'adjustment', { picked: ['none', 'htlnet'] }),
      newPresenceAxis('label-embedding'),
    ];
    const plan = planSweep(project, DATA, { axes, mode: 'grid', seeds: 2 });
    expect(plan.error).toBeNull();
    expect([plan.variants, plan.runs]).toEqual([3 * 2 * 2 * 2, 48]);
    const variants = gridVariants(project, plan.request!.grid!);
    expect(variants).toHaveLength(plan.variants);
    // The project's own values are in the grid: the engine takes that variant as the reference.
    expect(sweepReference(project, variants)).toBe(
      'training.learningRate=0.001, tower-click.units=128,64,32, training.adjustment=htlnet, label-embedding.enabled=true',
    );
  });

  it('expands in the engine to the variants it counts (one change at a time)', () => {
    const project = htlnet();
    const axes = [axis(project, 'optimizer', 'batchSize'), newPresenceAxis('fusion')];
    const plan = planSweep(project, DATA, { axes, mode: 'list', seeds: 3 });
    expect([plan.variants, plan.runs]).toEqual([4, 12]);
    const variants = listVariants(project, plan.request!.list!);
    expect(variants.map((v) => v.name)).toEqual([
      'project',
      `training.batchSize=${neighbours(catalogNumber('optimizer', 'batchSize'), 1024)[0]}`,
      `training.batchSize=${neighbours(catalogNumber('optimizer', 'batchSize'), 1024)[2]}`,
      'fusion.enabled=false',
    ]);
    expect(sweepReference(project, variants)).toBe('project');
  });

  it('prefills numbers with neighbours inside the bounds', () => {
    expect(neighbours(catalogNumber('optimizer', 'batchSize'), 256)).toEqual([128, 256, 512]);
    expect(neighbours(catalogNumber('optimizer', 'epochs'), 1)).toEqual([1, 2]);
    expect(neighbours(catalogNumber('optimizer', 'learningRate'), 0.001)).toEqual([
      0.0005, 0.001, 0.002,
    ]);
    expect(neighbours(catalogNumber('optimizer', 'alpha'), 1)).toEqual([0.5, 1]);
    expect(neighbours(catalogNumber('tower', 'dropout'), 0)).toEqual([0, 0.1, 0.2]);
    expect(variableSpec('optimizer', 'seed')).toBeNull();
    expect(variableSpec('task-head', 'task')).toBeNull();
  });
});

describe('the ablation the panel offers', () => {
  it("lists the engine's variants, and is refused in the engine's words", () => {
    const project = htlnet();
    expect(ablationRefusal(project.graph.blocks)).toBeNull();
    expect(['full', ...ablationSteps(project.graph.blocks).map((s) => s.name)]).toEqual(
      ablationVariants(project).map((v) => v.name),
    );
    const mmoe = buildTemplate('mmoe', sampleBinding());
    const refusal = ablationRefusal(mmoe.graph.blocks);
    expect(refusal).toContain('The ablation needs an HTLNet project');
    expect(() => ablationVariants(mmoe)).toThrow(refusal!);
  });
});
