// The optimizer's learning-rate schedule and weight decay as experiment parameters: sweeps reach
// every optimizer catalog parameter as training.PARAM, so the new ones are sweepable with no
// code of their own, checked by the catalog; and a project saved before they existed loads and
// plans with the defaults (today's training: constant rate, no warm-up, no decay).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sampleBinding } from '../../../src-main/engine/data/sample-layout';
import { gridVariants, parseGrid, withParams } from '../../../src-main/engine/experiments';
import { parseProject } from '../../../src-main/engine/graph/project-file';
import { buildTemplate } from '../../../src-main/engine/graph/templates';
import { planModel } from '../../../src-main/engine/model/plan';
import { blockSpec } from '../../../src-main/shared/catalog';

const FIXTURE = fileURLToPath(
  new URL('../../fixtures/projects/htlnet-v1.htlnet.json', import.meta.url),
);
const htlnet = () => buildTemplate('htlnet', sampleBinding());

describe('schedules and weight decay as training.PARAM', () => {
  it('a sweep sets each of them, and the plan reads what it set', () => {
    const p = withParams(htlnet(), {
      'training.schedule': 'step',
      'training.warmupEpochs': '0.25',
      'training.decayFactor': '0.3',
      'training.decayEvery': '2',
      'training.cosineFloor': '0.05',
      'training.weightDecay': '0.01',
      'training.embeddingWeightDecay': '0.001',
    });
    expect(planModel(p).optimizer).toMatchObject({
      schedule: 'step',
      warmupEpochs: 0.25,
      decayFactor: 0.3,
      decayEvery: 2,
      cosineFloor: 0.05,
      weightDecay: 0.01,
      embeddingWeightDecay: 0.001,
    });
  });

  it('a grid over the schedule and the decay makes one variant per combination', () => {
    const variants = gridVariants(
      htlnet(),
      parseGrid('training.schedule=[constant,cosine];training.weightDecay=[0,0.05]'),
    );
    expect(variants.map((v) => v.name)).toEqual([
      'training.schedule=constant, training.weightDecay=0',
      'training.schedule=constant, training.weightDecay=0.05',
      'training.schedule=cosine, training.weightDecay=0',
      'training.schedule=cosine, training.weightDecay=0.05',
    ]);
  });

  it('refuses values outside the catalog, naming the path and what is allowed', () => {
    expect(() => withParams(htlnet(), { 'training.schedule': 'linear' })).toThrow(
      'training.schedule must be one of "constant", "step", "cosine", got "linear".',
    );
    expect(() => withParams(htlnet(), { 'training.weightDecay': 2 })).toThrow(
      /^training\.weightDecay must be a number between 0 and 1, got 2\.$/,
    );
    expect(() => withParams(htlnet(), { 'training.decayEvery': 1.5 })).toThrow(
      /^training\.decayEvery must be a whole number/,
    );
    // Each within its bounds, but together they would flip the weights' sign every step.
    const flip = withParams(htlnet(), { 'training.learningRate': 2, 'training.weightDecay': 0.5 });
    expect(() => planModel(flip)).toThrow(
      'Optimizer: learning rate x weight decay is 1; it must stay below 1',
    );
  });
});

describe('a project saved before schedules existed', () => {
  it('loads and plans with the defaults: constant rate, no warm-up, no decay', () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const saved = JSON.parse(text).graph.blocks.find(
      (b: { type: string }) => b.type === 'optimizer',
    );
    expect(Object.keys(saved.params)).not.toContain('schedule');
    const plan = planModel(parseProject(text, 'htlnet-v1.htlnet.json'));
    expect(plan.optimizer).toMatchObject({
      schedule: 'constant',
      warmupEpochs: 0,
      weightDecay: 0,
      embeddingWeightDecay: 0,
      learningRate: 0.001,
    });
    // The defaults the plan filled in are the catalog's.
    const defaults = Object.fromEntries(
      blockSpec('optimizer').params.map((p) => [p.name, p.default]),
    );
    expect(plan.optimizer.decayFactor).toBe(defaults.decayFactor);
    expect(plan.optimizer.decayEvery).toBe(defaults.decayEvery);
    expect(plan.optimizer.cosineFloor).toBe(defaults.cosineFloor);
  });

  it('a saved file with a schedule outside the catalog is refused, naming the block and field', () => {
    const doc = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    const block = doc.graph.blocks.find((b: { type: string }) => b.type === 'optimizer');
    block.params.schedule = 'linear';
    expect(() => parseProject(JSON.stringify(doc), 'old.htlnet.json')).toThrow(
      /old\.htlnet\.json.*block "optimizer".*parameter "schedule": must be one of "constant", "step", "cosine", got "linear"/,
    );
  });
});
