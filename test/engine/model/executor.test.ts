// The executor's op modules (src-main/engine/model/executor/ops) beyond what fast-path.test.ts
// holds them to: an inference executor (planar attention, the two-item attention pass, the
// one-item copy) gives the bits of a training executor's forward pass (the stacked path), for
// every template; and an inference executor refuses a backward pass with a clear message.
import { beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../../src-main/engine/model/executor';
import { prepareRun } from '../../../src-main/engine/pipeline';
import { tableSources } from '../../../src-main/engine/train/shard';
import { fastSetup } from '../../../src-main/engine/train/step';
import { backend, sampleTable, setParams, template } from '../../helpers/engine';

beforeAll(async () => {
  await backend();
});

const KINDS = ['htlnet', 'dnn', 'shared-bottom', 'mmoe', 'ple', 'esmm', 'aitm'] as const;

async function small(kind: (typeof KINDS)[number]) {
  const p = template(kind, { batchSize: 64 });
  setParams(p, 'shared-embedding', { dim: 4 });
  setParams(p, 'tower', { units: '8,4' });
  setParams(p, 'label-embedding', { dim: 4 });
  setParams(p, 'expert-group', { units: '6', experts: 2 });
  const run = prepareRun(p, await sampleTable(400));
  const fast = fastSetup(run.model);
  if (!fast) throw new Error(`${kind}: no compiled program`);
  return { run, fast };
}

type Setup = Awaited<ReturnType<typeof small>>;

/** One forward pass over the test rows; the predictions per task. */
function forward({ run, fast }: Setup, training: boolean): Float32Array[] {
  const rows = run.split.test;
  const ex = new Executor(fast.program, fast.kernels, { capacity: rows.length, training });
  try {
    ex.setParams((i) => run.model.dense.get(fast.program.params[i].name)!.dataSync());
    const sources = tableSources(run.model, run.data);
    const dims = run.model.embeddings.map((e) => e.dim);
    ex.lookup(sources, dims, rows, 0, rows.length);
    ex.forward(null, 0, null);
    return run.plan.tasks.map((_, t) => ex.output(t).slice(0, rows.length));
  } finally {
    ex.dispose();
  }
}

describe('the executor op by op', () => {
  for (const kind of KINDS) {
    it(`inference gives the bits of the training forward pass: ${kind}`, async () => {
      const setup = await small(kind);
      const inference = forward(setup, false);
      const training = forward(setup, true);
      expect(inference.length).toBe(setup.run.plan.tasks.length);
      inference.forEach((col, t) => {
        expect(col.every(Number.isFinite)).toBe(true);
        expect(col).toEqual(training[t]);
      });
    });
  }

  it('an inference executor refuses a backward pass, saying why', async () => {
    const { run, fast } = await small('htlnet');
    const ex = new Executor(fast.program, fast.kernels, { capacity: 8, training: false });
    try {
      const targets = run.plan.tasks.map(() => new Float32Array(8));
      expect(() => ex.backward([1, 1, 1], targets, 8)).toThrow(/built for inference/);
    } finally {
      ex.dispose();
    }
  });
});
