// Variants as transforms of a project: parameter paths, grids, the HTLNet ablation, seeds, and
// the report built from run results (means, paired comparisons, one sentence per component).

import { describe, expect, it } from 'vitest';
import { sampleBinding } from '../../../src-main/engine/data/sample-layout';
import {
  ablationVariants,
  buildReport,
  gridVariants,
  parseGrid,
  planRuns,
  resolvePath,
  sweepReference,
  withParams,
} from '../../../src-main/engine/experiments';
import { buildTemplate } from '../../../src-main/engine/graph/templates';
import { validateGraph } from '../../../src-main/engine/graph/validate';

const htlnet = () => buildTemplate('htlnet', sampleBinding());
const optimizerOf = (p: ReturnType<typeof htlnet>) =>
  p.graph.blocks.find((b) => b.type === 'optimizer')!;

describe('parameter paths', () => {
  it('sets a block by id, every block of a type, and training settings', () => {
    const base = htlnet();
    const p = withParams(base, {
      'tower-click.units': '64,32',
      'fusion.mode': 'concat',
      'training.learningRate': '0.01',
      'training.stopGradient': 'false',
    });
    expect(p.graph.blocks.find((b) => b.id === 'tower-click')!.params.units).toBe('64,32');
    expect(p.graph.blocks.find((b) => b.id === 'tower-amount')!.params.units).toBe('128,64,32');
    const fusions = p.graph.blocks.filter((b) => b.type === 'fusion');
    expect(fusions.length).toBe(2);
    expect(fusions.every((b) => b.params.mode === 'concat')).toBe(true);
    expect(optimizerOf(p).params.learningRate).toBe(0.01);
    expect(optimizerOf(p).params.stopGradient).toBe(false);
    // The project given is left as it was.
    expect(optimizerOf(base).params.learningRate).toBe(0.001);
  });

  it('removes label embeddings with their links, and the graph stays valid', () => {
    const p = withParams(htlnet(), { 'label-embedding.enabled': false });
    expect(p.graph.blocks.some((b) => b.type === 'label-embedding')).toBe(false);
    expect(p.graph.edges.some((e) => e.source.block.startsWith('leu-'))).toBe(false);
    expect(validateGraph(p).filter((x) => x.severity === 'error')).toEqual([]);
  });

  it('names what is wrong in one line', () => {
    const p = htlnet();
    expect(() => resolvePath(p, 'towr.units')).toThrow(
      /towr.units: no block has the id or type "towr"/,
    );
    expect(() => resolvePath(p, 'tower.width')).toThrow(
      /tower.width: a tower has no parameter "width"; it has units, activation, dropout/,
    );
    expect(() => resolvePath(p, 'learningRate')).toThrow(/not a parameter path/);
    expect(() => withParams(p, { 'training.learningRate': 0 })).toThrow(
      'training.learningRate must be a number greater than 0 and at most 10, got 0.',
    );
    expect(() => withParams(p, { 'tower.units': '64,x' })).toThrow(
      /tower.units must be layer sizes/,
    );
    expect(() => withParams(p, { 'tower.enabled': false })).toThrow(
      /only label embeddings and fusion units/,
    );
  });
});

describe('grids', () => {
  it('reads bare and JSON lists, text with commas quoted', () => {
    expect(parseGrid('training.learningRate=[0.001,0.01]; tower.units=["128,64","64,32"]')).toEqual(
      [
        { path: 'training.learningRate', values: [0.001, 0.01] },
        { path: 'tower.units', values: ['128,64', '64,32'] },
      ],
    );
    expect(parseGrid('fusion.mode=[attention, concat]')[0].values).toEqual(['attention', 'concat']);
    expect(() => parseGrid('training.learningRate=0.1')).toThrow(/must be PARAM=\[v1,v2\]/);
    expect(() => parseGrid('a.b=[1];a.b=[2]')).toThrow(/names a.b twice/);
    expect(() => gridVariants(htlnet(), parseGrid('training.seed=[1,2]'))).toThrow(
      /training.seed: the seed is set per run/,
    );
  });

  it('makes every combination, the first axis slowest, and picks the project as reference', () => {
    const p = htlnet();
    const variants = gridVariants(
      p,
      parseGrid('training.learningRate=[0.01,0.001];training.batchSize=[256,1024]'),
    );
    expect(variants.map((v) => v.name)).toEqual([
      'training.learningRate=0.01, training.batchSize=256',
      'training.learningRate=0.01, training.batchSize=1024',
      'training.learningRate=0.001, training.batchSize=256',
      'training.learningRate=0.001, training.batchSize=1024',
    ]);
    expect(variants[1].params).toEqual({
      'training.learningRate': 0.01,
      'training.batchSize': 1024,
    });
    expect(optimizerOf(variants[2].project).params.batchSize).toBe(256);
    expect(sweepReference(p, variants)).toBe(
      'training.learningRate=0.001, training.batchSize=1024',
    );
    expect(() =>
      gridVariants(
        p,
        parseGrid(
          'training.epochs=[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17];training.batchSize=[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]',
        ),
      ),
    ).toThrow(/272 variants, more than 256/);
  });

  it('plans every variant once per seed, with the seed set', () => {
    const variants = gridVariants(htlnet(), parseGrid('fusion.mode=[attention,concat]'));
    const runs = planRuns(variants, [1, 2]);
    expect(runs.map((r) => `${r.variant}@${r.seed}`)).toEqual([
      'fusion.mode=attention@1',
      'fusion.mode=concat@1',
      'fusion.mode=attention@2',
      'fusion.mode=concat@2',
    ]);
    expect(optimizerOf(runs[3].project).params.seed).toBe(2);
  });
});

describe('the ablation', () => {
  it("has the paper's variants, each one change of the full model", () => {
    const variants = ablationVariants(htlnet());
    expect(variants.map((v) => v.name)).toEqual([
      'full',
      'without LEU',
      'without IFU',
      'without gradient adjustment',
      'projection only',
      'magnitude only',
    ]);
    const byName = new Map(variants.map((v) => [v.name, v.project]));
    expect(byName.get('without LEU')!.graph.blocks.some((b) => b.type === 'label-embedding')).toBe(
      false,
    );
    expect(
      byName
        .get('without IFU')!
        .graph.blocks.filter((b) => b.type === 'fusion')
        .every((b) => b.params.mode === 'concat'),
    ).toBe(true);
    expect(optimizerOf(byName.get('without gradient adjustment')!).params.adjustment).toBe('none');
    expect(optimizerOf(byName.get('projection only')!).params.adjustment).toBe('pcgrad');
    expect(optimizerOf(byName.get('magnitude only')!).params.adjustment).toBe('metabalance');
    for (const v of variants)
      expect(validateGraph(v.project).filter((x) => x.severity === 'error')).toEqual([]);
  });

  it('refuses a project with nothing to ablate', () => {
    expect(() => ablationVariants(buildTemplate('mmoe', sampleBinding()))).toThrow(
      /needs an HTLNet project/,
    );
  });
});

describe('the report', () => {
  const metrics = (auc: number, nrmse: number) => ({ click: { auc }, amount: { nrmse } });
  it('gives mean ± sd per variant and paired comparisons with words', () => {
    const report = buildReport({
      variants: [
        { name: 'full', params: {}, component: null },
        {
          name: 'without LEU',
          params: { 'label-embedding.enabled': false },
          component: 'the label embedding unit',
        },
      ],
      reference: 'full',
      results: [
        { variant: 'full', seed: 1, metrics: metrics(0.7, 0.9) },
        { variant: 'full', seed: 2, metrics: metrics(0.71, 0.91) },
        { variant: 'full', seed: 3, metrics: metrics(0.69, 0.92) },
        { variant: 'without LEU', seed: 1, metrics: metrics(0.69, 0.9) },
        { variant: 'without LEU', seed: 2, metrics: metrics(0.7, 0.93) },
        { variant: 'without LEU', seed: 3, metrics: metrics(0.68, 0.89) },
        { variant: 'without LEU', seed: 4, metrics: null },
      ],
    });
    expect(report.reference).toBe('full');
    expect(report.variants[0].seeds).toBe(3);
    expect(report.variants[1].seeds).toBe(3);
    expect(report.variants[0].tasks.click.auc.mean).toBeCloseTo(0.7, 12);
    expect(report.variants[0].tasks.click.auc.sd).toBeCloseTo(0.01, 12);
    const auc = report.comparisons.find((c) => c.task === 'click' && c.metric === 'auc')!;
    // Differences exactly -0.01 on every seed: sd 0, so the interval is the point.
    expect(auc.diff).toBeCloseTo(-0.01, 12);
    expect(auc.low).toBeCloseTo(-0.01, 12);
    expect(auc.high).toBeCloseTo(-0.01, 12);
    expect(auc.verdict).toBe('likely real');
    const nrmse = report.comparisons.find((c) => c.metric === 'nrmse')!;
    // Differences 0, +0.02, -0.03: mean -0.00333 and an interval around 0.
    expect(nrmse.diff).toBeCloseTo(-0.01 / 3, 12);
    expect(nrmse.verdict).toBe('within noise');
    const leu = report.summaries.find((s) => s.metric === 'auc')!;
    expect(leu.effect).toBeCloseTo(0.01, 12);
    expect(leu.text).toMatch(
      /^the label embedding unit helps click AUC by \+0\.0100 ± 0\.0000 on this data \(likely real\)$/,
    );
    // Full minus without: +0.0033, shown to the interval's one significant digit.
    expect(report.summaries.find((s) => s.metric === 'nrmse')!.text).toBe(
      'the label embedding unit makes no visible difference to amount NRMSE (0.00 ± 0.06 on this data, within noise)',
    );
  });
});
