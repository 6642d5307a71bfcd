import { sampleBinding } from '../../../src-main/engine/data/sample-layout';
import { describe, expect, it } from 'vitest';
import { inferShapes, sumWidths } from '../../../src-main/engine/graph/shapes';
import { buildTemplate } from '../../../src-main/engine/graph/templates';
import { formatShape, type BlockShapes, type Shape } from '../../../src-main/shared/problems';
import { binding, block, chain, extend } from './sketch';

const dims = (s: Shape) => s.dims;
/** The widths of an input port's connections, concatenated. */
const concatenated = (b: BlockShapes, port: string) =>
  sumWidths(b.inputs[port].map((s) => s.dims[s.dims.length - 1]));

describe('inferShapes', () => {
  it('gives the HTLNet template for the 20-field sample binding its widths', () => {
    const shapes = inferShapes(buildTemplate('htlnet', sampleBinding()));
    expect(dims(shapes.features.outputs.features)).toEqual(['batch', 20]);
    expect(dims(shapes.embedding.outputs.embedding)).toEqual(['batch', 320]);
    expect(dims(shapes['tower-click'].outputs.out)).toEqual(['batch', 32]);
    expect(shapes['tower-click'].inputs.in.map(dims)).toEqual([['batch', 320]]);
    expect(dims(shapes['leu-click'].outputs.label)).toEqual(['batch', 16]);
    // Task 2 fuses one rep (32) and one label embedding (16); task 3 fuses two of each.
    expect(dims(shapes['fusion-purchase'].outputs.out)).toEqual(['batch', 48]);
    expect(shapes['fusion-amount'].inputs.reps.map(dims)).toEqual([
      ['batch', 32],
      ['batch', 32],
    ]);
    expect(shapes['fusion-amount'].inputs.labels.map(dims)).toEqual([
      ['batch', 16],
      ['batch', 16],
    ]);
    expect(dims(shapes['fusion-amount'].outputs.out)).toEqual(['batch', 48]);
    // Tower 3 reads [fusion, embedding]: 48 + 320.
    expect(shapes['tower-amount'].inputs.in.map(dims)).toEqual([
      ['batch', 48],
      ['batch', 320],
    ]);
    expect(concatenated(shapes['tower-amount'], 'in')).toBe(368);
    for (const task of ['click', 'purchase', 'amount']) {
      expect(dims(shapes[`head-${task}`].outputs.prediction)).toEqual(['batch', 1]);
    }
    expect(shapes.optimizer).toEqual({ inputs: {}, outputs: {} });
    expect(formatShape(shapes.embedding.outputs.embedding)).toBe('[batch, 320]');
  });

  it('uses readable symbols when no features are bound', () => {
    const b = sampleBinding();
    b.features = [];
    const shapes = inferShapes(buildTemplate('htlnet', b));
    expect(dims(shapes.features.outputs.features)).toEqual(['batch', 'fields']);
    expect(dims(shapes.embedding.outputs.embedding)).toEqual(['batch', 'fields×16']);
    expect(dims(shapes['tower-click'].outputs.out)).toEqual(['batch', 32]);
    expect(concatenated(shapes['tower-amount'], 'in')).toBe('fields×16+48');
  });

  it('adds all fused inputs in concatenation mode', () => {
    const p = buildTemplate('htlnet', sampleBinding());
    block(p, 'fusion-amount').params.mode = 'concat';
    block(p, 'leu-purchase').params.dim = 8;
    const shapes = inferShapes(p);
    expect(dims(shapes['fusion-amount'].outputs.out)).toEqual(['batch', 32 + 32 + 16 + 8]);
    expect(concatenated(shapes['tower-amount'], 'in')).toBe(88 + 320);
  });

  it('gives attention fusion the width of one rep plus one label embedding, or of the set connected', () => {
    const p = chain();
    block(p, 'leu-click').params.dim = 8;
    expect(dims(inferShapes(p)['fusion-purchase'].outputs.out)).toEqual(['batch', 40]);
    p.graph.edges = p.graph.edges.filter((e) => e.target.port !== 'labels');
    expect(dims(inferShapes(p)['fusion-purchase'].outputs.out)).toEqual(['batch', 32]);
  });

  it('stacks experts and gives a gate the expert width', () => {
    const mmoe = inferShapes(buildTemplate('mmoe', sampleBinding()));
    expect(dims(mmoe['shared-experts'].outputs.experts)).toEqual(['batch', 4, 32]);
    expect(mmoe['gate-click'].inputs.selector.map(dims)).toEqual([['batch', 320]]);
    expect(dims(mmoe['gate-click'].outputs.out)).toEqual(['batch', 32]);
    const ple = inferShapes(buildTemplate('ple', sampleBinding()));
    expect(ple['gate-amount'].inputs.experts.map(dims)).toEqual([
      ['batch', 2, 32],
      ['batch', 2, 32],
    ]);
    expect(dims(ple['gate-amount'].outputs.out)).toEqual(['batch', 32]);
  });

  it('gives ESMM links a prediction shape', () => {
    const shapes = inferShapes(buildTemplate('esmm', sampleBinding()));
    expect(shapes['esmm-purchase'].inputs.prior.map(dims)).toEqual([['batch', 1]]);
    expect(dims(shapes['esmm-purchase'].outputs.prediction)).toEqual(['batch', 1]);
  });

  it('counts the fields of a feature input and an embedding from the binding', () => {
    const p = chain();
    block(p, 'features').params.kind = 'categorical';
    extend(
      p,
      [['more', 'feature-input', { columns: 'item,price' }]],
      ['more.features -> embedding.features'],
    );
    block(p, 'embedding').params.dim = 8;
    const shapes = inferShapes(p);
    expect(shapes.embedding.inputs.features.map(dims)).toEqual([
      ['batch', 2],
      ['batch', 2],
    ]);
    // user, item, price: item is one field although both inputs provide it.
    expect(dims(shapes.embedding.outputs.embedding)).toEqual(['batch', 24]);
  });

  it('marks what cannot be known, and lists no shapes for unconnected inputs', () => {
    const p = chain();
    block(p, 'tower-click').params.units = '64,,32';
    p.graph.edges = p.graph.edges.filter((e) => e.target.block !== 'head-purchase');
    const shapes = inferShapes(p);
    expect(dims(shapes['tower-click'].outputs.out)).toEqual(['batch', '?']);
    expect(dims(shapes['fusion-purchase'].outputs.out)).toEqual(['batch', '?']);
    expect(shapes['head-purchase'].inputs.in).toEqual([]);
    expect(sumWidths([32, '?'])).toBe('?');
  });

  it('does not loop on a cycle', () => {
    const p = extend(chain(), [], ['tower-purchase.out -> tower-click.in']);
    const shapes = inferShapes(p);
    expect(Object.keys(shapes)).toHaveLength(p.graph.blocks.length);
    expect(dims(shapes['tower-purchase'].outputs.out)).toEqual(['batch', 32]);
  });

  it('takes the numeric kind of a feature input from the binding', () => {
    const p = chain();
    p.data = binding(
      ['click:binary', 'purchase:binary'],
      ['a:numeric', 'b:numeric', 'c:categorical'],
    );
    block(p, 'features').params.kind = 'numeric';
    expect(dims(inferShapes(p).embedding.outputs.embedding)).toEqual(['batch', 32]);
  });
});
