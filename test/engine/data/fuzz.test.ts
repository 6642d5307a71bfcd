// Mutation fuzzing, bounded and seeded: byte flips and insertions in a valid CSV, and damaged
// project files. Every outcome is a clean refusal (a UserError in one line) or a success (the
// file reads, binds and trains), never a crash, an internal error or a hang.

import { describe, expect, it } from 'vitest';
import { parseTableFromBuffer } from '../../../src-main/engine/data/csv';
import { defaultBinding } from '../../../src-main/engine/data/binding';
import { createRng, type Rng } from '../../../src-main/shared/random';
import { generateSample } from '../../../src-main/engine/data/sample';
import { parseTargets } from '../../../src-main/engine/data/targets';
import { UserError } from '../../../src-main/engine/errors';
import { readProject, serializeProject } from '../../../src-main/engine/graph/project-file';
import { inferShapes } from '../../../src-main/engine/graph/shapes';
import { buildTemplate } from '../../../src-main/engine/graph/templates';
import { validateGraph } from '../../../src-main/engine/graph/validate';
import { planModel } from '../../../src-main/engine/model/plan';
import { trainProject } from '../../../src-main/engine/pipeline';
import { checkTrainingFits } from '../../../src-main/engine/resources';
import { sampleBinding } from '../../../src-main/engine/data/sample-layout';

const TASKS = [
  { name: 'click', type: 'binary' as const },
  { name: 'purchase', type: 'binary' as const },
  { name: 'amount', type: 'regression' as const },
];
/** Bytes that matter to a CSV reader. */
const SPECIAL = [0x22, 0x2c, 0x3b, 0x09, 0x0d, 0x0a, 0x00, 0xff, 0xc3, 0x2d, 0x2e, 0x65, 0x20];

function mutate(base: Buffer, rng: Rng): Buffer {
  const bytes = [...base];
  const edits = 1 + Math.floor(rng.next() * 4);
  for (let k = 0; k < edits; k++) {
    const at = Math.floor(rng.next() * bytes.length);
    const pick = rng.next();
    const byte =
      rng.next() < 0.6
        ? SPECIAL[Math.floor(rng.next() * SPECIAL.length)]
        : Math.floor(rng.next() * 256);
    if (pick < 0.4)
      bytes[at] = byte; // flip
    else if (pick < 0.8)
      bytes.splice(at, 0, byte); // insert
    else bytes.splice(at, 1 + Math.floor(rng.next() * 8)); // delete a few
  }
  return Buffer.from(bytes);
}

/** A clean refusal: our error, one line. Anything else fails the test with the input. */
function expectClean(error: unknown, what: string): void {
  if (!(error instanceof UserError)) {
    throw new Error(`${what}: not a clean refusal: ${(error as Error)?.stack ?? String(error)}`);
  }
  expect(error.message, what).not.toMatch(/\n/);
  expect(error.message, what).not.toMatch(/undefined|found "NaN"|\[object/);
}

describe('CSV mutation fuzzing', () => {
  const base = Buffer.from(generateSample({ rows: 240, seed: 5 }).toCsvString());

  it('reads or refuses 300 mutants cleanly, and binds their targets or refuses', async () => {
    const rng = createRng(2026);
    let read = 0;
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      const bytes = mutate(base, rng);
      const what = `mutant ${i}`;
      try {
        const table = await parseTableFromBuffer('m.csv', bytes);
        const binding = defaultBinding(table, TASKS);
        parseTargets(table, binding.tasks);
        read++;
      } catch (error) {
        refused++;
        expectClean(error, what);
      }
    }
    expect(read + refused).toBe(300);
    expect(read).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it('trains every mutant that reads, or refuses it cleanly', async () => {
    const rng = createRng(77);
    let trained = 0;
    for (let i = 0; i < 6; i++) {
      const bytes = mutate(base, rng);
      try {
        const table = await parseTableFromBuffer('m.csv', bytes);
        const binding = defaultBinding(table, TASKS);
        const project = buildTemplate('dnn', binding);
        for (const b of project.graph.blocks) {
          if (b.type === 'optimizer') Object.assign(b.params, { epochs: 1, batchSize: 64 });
          if (b.type === 'tower') b.params.units = '8';
        }
        const run = await trainProject({ project, table });
        run.model.dispose();
        trained++;
      } catch (error) {
        expectClean(error, `mutant ${i}`);
      }
    }
    expect(trained).toBeGreaterThan(0);
  }, 120_000);
});

describe('project file fuzzing', () => {
  const project = buildTemplate('htlnet', sampleBinding());
  const text = serializeProject(project);

  /** Structural damage: a value replaced by one of the wrong type or size. */
  function damage(json: unknown, rng: Rng): unknown {
    const nasty = [null, -1, 0, 1e308, 'x', '', [], {}, true, '128,,64', '65536,65536', 2 ** 31];
    const walk = (v: unknown): unknown => {
      if (Array.isArray(v)) {
        const out = v.map(walk);
        if (out.length > 0 && rng.next() < 0.05) out.splice(Math.floor(rng.next() * out.length), 1);
        return out;
      }
      if (v && typeof v === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) {
          const r = rng.next();
          if (r < 0.03) continue; // drop a key
          out[k] = r < 0.08 ? nasty[Math.floor(rng.next() * nasty.length)] : walk(x);
        }
        return out;
      }
      return v;
    };
    return walk(json);
  }

  it('opens or refuses 300 damaged projects cleanly; what opens validates and plans', () => {
    const rng = createRng(11);
    let opened = 0;
    for (let i = 0; i < 300; i++) {
      const mutant =
        i % 2 === 0
          ? mutate(Buffer.from(text), rng).toString('utf8')
          : JSON.stringify(damage(JSON.parse(text), rng));
      try {
        const loaded = readProject(mutant, 'p.htlnet.json');
        opened++;
        const problems = validateGraph(loaded.project);
        inferShapes(loaded.project);
        if (!problems.some((p) => p.severity === 'error')) {
          planModel(loaded.project);
          checkTrainingFits(loaded.project, null);
        }
      } catch (error) {
        expectClean(error, `project mutant ${i}`);
      }
    }
    expect(opened).toBeGreaterThan(0);
  });
});
