// The DCN-v2 cross layer (engine/blocks/cross-layer.ts) on the app's own paths: catalog and
// shapes, the fast executor's forward and hand-written backward against tfjs autograd on the
// block's reference forward, and fast inference against the tfjs forward pass. Full-rank and
// low-rank, in a single-task-per-tower DNN and in HTLNet (the cross layer's weights shared by
// every task, so the gradient adjustment acts on them). ONNX and PyTorch parity are in
// test/engine/export.
import { beforeAll, describe, expect, it } from 'vitest';
import { transformTarget } from '../../../src-main/engine/data/encoders';
import { inferShapes } from '../../../src-main/engine/graph/shapes';
import { validateGraph } from '../../../src-main/engine/graph/validate';
import { prepareRun } from '../../../src-main/engine/pipeline';
import { predictRows } from '../../../src-main/engine/predict/evaluate';
import { TrainStep, type StepGradients } from '../../../src-main/engine/train/step';
import { catalogForWire } from '../../../src-main/ipc/catalog-wire';
import { blockSpec, isBlockType } from '../../../src-main/shared/catalog';
import type { ProjectFile } from '../../../src-main/shared/project';
import { withCrossLayer } from '../../helpers/cross';
import { backend, sampleTable, setParams, template } from '../../helpers/engine';

beforeAll(async () => {
  await backend();
});

const BATCH = 64;

function small(kind: 'dnn' | 'htlnet', cross: { layers: number; rank: number }): ProjectFile {
  const p = withCrossLayer(template(kind, { batchSize: BATCH }), cross);
  setParams(p, 'shared-embedding', { dim: 3 });
  setParams(p, 'tower', { units: '6,4' });
  setParams(p, 'label-embedding', { dim: 3 });
  return p;
}

async function setup(project: ProjectFile, rows = 500) {
  const run = prepareRun(project, await sampleTable(rows));
  const targets = run.plan.tasks.map((_, t) =>
    transformTarget(run.data.targets[t], run.targetEncoders[t]),
  );
  const batchRows = run.split.train.slice(0, BATCH);
  return { ...run, targets, batch: { size: batchRows.length, rows: batchRows } };
}

/** max |a - b| / max |b| per dense parameter, over every parameter of the cross layer. */
function crossDifference(a: StepGradients, b: StepGradients): number {
  let worst = 0;
  let seen = 0;
  for (const [name, gb] of b.dense) {
    if (!name.startsWith('cross/')) continue;
    seen++;
    const ga = a.dense.get(name)!;
    expect(ga.length).toBe(gb.length);
    let scale = 1e-6;
    for (const v of gb) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < gb.length; i++) worst = Math.max(worst, Math.abs(ga[i] - gb[i]) / scale);
  }
  expect(seen).toBeGreaterThan(0);
  return worst;
}

describe('the cross layer in the catalog and the editor', () => {
  it('is a block type the palette lists, with layers and rank parameters', () => {
    expect(isBlockType('cross-layer')).toBe(true);
    const wire = catalogForWire().find((b) => b.type === 'cross-layer')!;
    expect(wire.title).toBe('Cross layer');
    expect(wire.params.map((p) => p.name)).toEqual(['layers', 'rank']);
    expect(blockSpec('cross-layer').inputs[0].type).toBe('vector');
  });

  it('makes a valid graph between the embedding and the towers', () => {
    const p = withCrossLayer(template('htlnet'), { layers: 2, rank: 4 });
    expect(validateGraph(p).filter((x) => x.severity === 'error')).toEqual([]);
    // The catalog's limits hold for it like for any block.
    p.graph.blocks.find((b) => b.id === 'cross')!.params.layers = 0;
    expect(validateGraph(p).some((x) => x.severity === 'error' && x.blocks.includes('cross'))).toBe(
      true,
    );
  });

  it('keeps the width of its input (the concatenated embedding)', () => {
    const p = withCrossLayer(template('dnn'), { layers: 2, rank: 0 });
    const shapes = inferShapes(p);
    const width = shapes.cross.inputs.in[0].dims[1];
    expect(typeof width).toBe('number');
    expect(shapes.cross.outputs.out.dims).toEqual(['batch', width]);
  });
});

describe('the executor computes the cross layer as tfjs autograd does', () => {
  for (const kind of ['dnn', 'htlnet'] as const) {
    for (const cross of [
      { layers: 2, rank: 0 },
      { layers: 3, rank: 2 },
    ]) {
      it(`${kind}, ${cross.layers} layers, rank ${cross.rank}`, async () => {
        const run = await setup(small(kind, cross));
        const names = run.model.denseNames.filter((n) => n.startsWith('cross/'));
        expect(names.length).toBe(cross.layers * (cross.rank > 0 ? 3 : 2));
        const fast = new TrainStep(run.model, run.data, run.targets, { engine: 'fast' });
        const tfjs = new TrainStep(run.model, run.data, run.targets, { engine: 'tfjs' });
        expect(fast.engineName).toBe('fast');
        for (const perTaskPasses of [false, true]) {
          const a = await fast.gradients(run.batch, 77, { perTaskPasses });
          const b = await tfjs.gradients(run.batch, 77, { perTaskPasses });
          a.losses.forEach((l, t) => expect(l).toBeCloseTo(b.losses[t], 4));
          expect(crossDifference(a, b)).toBeLessThan(1e-4);
          // The embedding rows' gradients come back through the cross layer too.
          a.tables.forEach((fields, k) =>
            fields.forEach((ta, f) => {
              const tb = b.tables[k][f];
              let scale = 1e-6;
              for (let i = 0; i < tb.grad.length; i++)
                scale = Math.max(scale, Math.abs(tb.grad[i]));
              for (let i = 0; i < tb.grad.length; i++)
                expect(Math.abs(ta.grad[i] - tb.grad[i]) / scale).toBeLessThan(1e-4);
            }),
          );
        }
        // A step later, fast inference predicts what the tfjs forward pass predicts.
        fast.apply(await fast.gradients(run.batch, 3));
        fast.syncModel();
        const rows = run.split.test;
        const ref = predictRows(run.model, run.data, rows, run.targetEncoders, 64, {
          engine: 'tfjs',
        });
        const got = predictRows(run.model, run.data, rows, run.targetEncoders, 64);
        ref.raw.forEach((col, t) => {
          for (let i = 0; i < col.length; i++)
            expect(Math.abs(col[i] - got.raw[t][i]) / (1 + Math.abs(col[i]))).toBeLessThan(1e-5);
        });
        fast.dispose();
      });
    }
  }
});
