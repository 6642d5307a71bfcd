import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../src-main/engine/export/saved-model';
import {
  evaluateCsv,
  predictCsv,
  predictTable,
  scoreCsv,
} from '../../../src-main/engine/export/predict';
import { parseTableFromBuffer } from '../../../src-main/engine/data/csv';
import { generateSample } from '../../../src-main/engine/data/sample';
import { saveRun, trainProject } from '../../../src-main/engine/pipeline';
import { evaluateRows } from '../../../src-main/engine/predict/evaluate';
import {
  earlyStoppingScore,
  pooledTargetMeans,
  selectionText,
  type TrainEvent,
} from '../../../src-main/engine/train/trainer';
import type { TaskMetrics } from '../../../src-main/engine/predict/evaluate';
import { backend, sampleTable, setParams, template } from '../../helpers/engine';

beforeAll(async () => {
  await backend();
});

const fast = { batchSize: 256, epochs: 2, patience: 0 };

describe('training HTLNet on the built-in sample', () => {
  it('learns the funnel structure and reports progress events', async () => {
    const table = await sampleTable(6000);
    const events: TrainEvent[] = [];
    const run = await trainProject({
      project: template('htlnet', { ...fast, epochs: 3 }),
      table,
      onEvent: (e) => events.push(e),
    });
    const m = run.test.metrics as unknown as Record<string, Record<string, number>>;
    expect(m.click.auc).toBeGreaterThan(0.62);
    expect(m.purchase.auc).toBeGreaterThan(0.62);
    expect(m.amount.nrmse).toBeGreaterThan(0);
    expect(m.amount.nrmse).toBeLessThan(1.2);
    expect(Number.isFinite(m.amount.gini)).toBe(true);
    expect(events[0].type).toBe('start');
    const batch = events.find((e) => e.type === 'batch') as Extract<TrainEvent, { type: 'batch' }>;
    expect(Object.keys(batch.loss)).toEqual(['click', 'purchase', 'amount']);
    expect(batch.samplesPerSecond).toBeGreaterThan(0);
    expect(batch.gradients!.amount.cosine).toBeCloseTo(1, 5);
    expect(batch.gradients!.click.norm).toBeGreaterThan(0);
    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs).toHaveLength(3);
    expect(run.outcome.reason).toBe('completed');
    run.model.dispose();
  });

  it('reports the gradient conflict of models that share dense blocks every few batches', async () => {
    const table = await sampleTable(2000);
    const batches: Extract<TrainEvent, { type: 'batch' }>[] = [];
    const epochs: Extract<TrainEvent, { type: 'epoch' }>[] = [];
    await trainProject({
      project: template('mmoe', { batchSize: 64, epochs: 1 }),
      table,
      diagnosticsEvery: 5,
      onEvent: (e) => (e.type === 'batch' ? batches.push(e) : e.type === 'epoch' && epochs.push(e)),
    });
    const measured = batches.filter((b) => b.gradients !== null).map((b) => b.batch);
    expect(measured.slice(0, 3)).toEqual([1, 6, 11]);
    expect(epochs[0].gradients!.click.norm).toBeGreaterThan(0);
    expect(epochs[0].gradients!.amount.cosine).toBeCloseTo(1, 5);
  });

  it('is reproducible: the same seed gives the same metrics', async () => {
    const table = await sampleTable(2000);
    const a = await trainProject({ project: template('htlnet', fast), table });
    const b = await trainProject({ project: template('htlnet', fast), table });
    expect(b.test.metrics).toEqual(a.test.metrics);
    const c = await trainProject({ project: template('htlnet', { ...fast, seed: 43 }), table });
    expect(c.test.metrics).not.toEqual(a.test.metrics);
    for (const r of [a, b, c]) r.model.dispose();
  });

  it('stops early after `patience` epochs without improvement and restores the best epoch', async () => {
    const table = await sampleTable(2000);
    // A learning rate far below float32 resolution: the weights never change, so epoch 1 stays best.
    const run = await trainProject({
      project: template('htlnet', { batchSize: 256, epochs: 10, patience: 2, learningRate: 1e-15 }),
      table,
    });
    expect(run.outcome.reason).toBe('early-stopping');
    expect(run.outcome.epochs).toBe(3);
    expect(run.outcome.bestEpoch).toBe(1);
    run.model.dispose();
  });

  it('keeps the best epoch weights: validation metrics after training equal the best epoch', async () => {
    const table = await sampleTable(2000);
    const events: Extract<TrainEvent, { type: 'epoch' }>[] = [];
    const run = await trainProject({
      project: template('htlnet', { ...fast, epochs: 3 }),
      table,
      onEvent: (e) => e.type === 'epoch' && events.push(e),
    });
    const best = events[run.outcome.bestEpoch - 1];
    const now = evaluateRows(run.model, run.data, run.split.validation, run.targetEncoders);
    expect(now.metrics).toEqual(best.validation);
    run.model.dispose();
  });

  it('can be cancelled and keeps the best epoch so far', async () => {
    const table = await sampleTable(2000);
    const controller = new AbortController();
    const run = await trainProject({
      project: template('htlnet', { batchSize: 128, epochs: 5 }),
      table,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'batch' && e.epoch === 2 && e.batch === 2) controller.abort();
      },
    });
    expect(run.outcome.reason).toBe('cancelled');
    expect(run.outcome.bestEpoch).toBe(1);
    expect(run.outcome.message).toMatch(/Stopped by the user during epoch 2/);
    run.model.dispose();
  });

  it('stops a diverging run with a message and keeps finite weights', async () => {
    const table = await sampleTable(2000);
    const project = template('htlnet', {
      batchSize: 128,
      epochs: 5,
      optimizer: 'sgd',
      learningRate: 10,
      adjustment: 'none',
    });
    setParams(project, 'task-head', { transform: 'none' });
    const run = await trainProject({ project, table });
    expect(run.outcome.reason).toBe('diverged');
    expect(run.outcome.message).toMatch(
      /diverged at epoch \d+, batch \d+: the loss of task "\w+" became (NaN|Infinity)/,
    );
    for (const v of run.model.dense.values())
      expect(v.dataSync().every((x) => Number.isFinite(x))).toBe(true);
    run.model.dispose();
  });
});

describe('every template trains on the sample', () => {
  for (const kind of ['htlnet', 'dnn', 'shared-bottom', 'mmoe', 'ple', 'esmm', 'aitm'] as const) {
    it(kind, async () => {
      const table = await sampleTable(5000);
      const run = await trainProject({
        project: template(kind, { batchSize: 128, epochs: 2, learningRate: 0.003 }),
        table,
      });
      const m = run.test.metrics as unknown as Record<string, Record<string, number>>;
      expect(Object.keys(m)).toEqual(['click', 'purchase', 'amount']);
      expect(m.click.auc).toBeGreaterThan(0.55);
      for (const task of ['click', 'purchase']) {
        expect(m[task].auc).toBeGreaterThan(0);
        expect(m[task].logloss).toBeGreaterThan(0);
      }
      for (const k of ['rmse', 'mae', 'nrmse', 'nmae', 'gini', 'spearman'])
        expect(Number.isFinite(m.amount[k])).toBe(true);
      run.model.dispose();
    });
  }
});

describe('the core task: objectives, mean correction, model selection', () => {
  it('fits the mean correction on validation: log1p predictions then sum like the amounts', async () => {
    const table = await sampleTable(4000);
    const train = async (meanCorrection: boolean) => {
      const project = template('htlnet', { ...fast, epochs: 3 });
      setParams(project, 'task-head', {
        objective: 'mse',
        transform: 'log1p-zscore',
        meanCorrection,
      });
      const run = await trainProject({ project, table });
      run.model.dispose();
      return run;
    };
    const plain = await train(false);
    const corrected = await train(true);
    expect(plain.targetEncoders[2].smearing).toBeUndefined();
    // Duan's factor: exp(residual) averaged; residuals of a mostly-zero amount are far from 0.
    expect(corrected.targetEncoders[2].smearing).toBeGreaterThan(1.5);
    const ratio = (r: typeof plain) => (r.test.metrics.amount as { totalRatio: number }).totalRatio;
    // expm1 of a log-scale mean undershoots the total badly; the correction recovers much of it.
    expect(ratio(plain)).toBeLessThan(0.4);
    expect(ratio(corrected)).toBeGreaterThan(2 * ratio(plain));
    // Ranking is untouched by a monotone correction.
    expect((corrected.test.metrics.amount as { gini: number }).gini).toBeCloseTo(
      (plain.test.metrics.amount as { gini: number }).gini,
      2,
    );
  });

  it("calibrates the kept model's validation mean to the train + validation mean", async () => {
    // Default HTLNet head: Tweedie with mean correction. The mean prediction on the validation
    // rows (which the model did not train on) is brought to the actual mean over the training
    // and validation rows together, a steadier target for a heavy-tailed amount than the
    // validation rows' own mean.
    const table = await sampleTable(4000);
    const run = await trainProject({ project: template('htlnet', { ...fast, epochs: 2 }), table });
    expect(run.targetEncoders[2].meanCorrection).toBe(true);
    const rows = run.split.validation;
    const e = evaluateRows(run.model, run.data, rows, run.targetEncoders);
    let predicted = 0;
    let actual = 0;
    for (let i = 0; i < rows.length; i++) {
      predicted += e.predictions.raw[2][i];
      actual += run.data.targets[2][rows[i]];
    }
    const pooled = pooledTargetMeans(run.data, run.split)[2];
    expect(predicted / rows.length / pooled).toBeCloseTo(1, 5);
    // The validation rows' own mean is another number (else the test could not tell).
    expect(Math.abs(actual / rows.length / pooled - 1)).toBeGreaterThan(1e-3);
    run.model.dispose();
  });

  it('scores epochs by the chosen selection', () => {
    const tasks = [
      { name: 'click', type: 'binary' as const, lossWeight: 1 },
      { name: 'amount', type: 'regression' as const, lossWeight: 1 },
    ];
    const metrics = {
      click: { auc: 0.8, logloss: 0.3 },
      amount: { nrmse: 0.9 } as unknown as TaskMetrics,
    };
    const losses = { click: 0.3, amount: 0.7 };
    expect(earlyStoppingScore(tasks, metrics, losses, 'binary-auc', 1)).toBeCloseTo(0.8, 12);
    expect(earlyStoppingScore(tasks, metrics, losses, 'core', 1)).toBeCloseTo(0.1, 12);
    expect(earlyStoppingScore(tasks, metrics, losses, 'core-loss', 1)).toBeCloseTo(-0.7, 12);
    // (2 x 0.8 - 1 + 1 - 0.9) / 2
    expect(earlyStoppingScore(tasks, metrics, losses, 'all', 1)).toBeCloseTo(0.35, 12);
    expect(selectionText('all', 'amount')).toMatch(/all tasks/);
  });

  it('loads a model saved before objectives as squared error without correction', async () => {
    const table = await sampleTable(2000);
    const project = template('htlnet', fast);
    setParams(project, 'task-head', { objective: 'mse', meanCorrection: false });
    const run = await trainProject({ project, table });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-legacy-'));
    const manifest = await saveRun(dir, run);
    // What an older app wrote: no objective on the heads or the target encoders.
    const old = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'));
    for (const b of old.project.graph.blocks)
      if (b.type === 'task-head') {
        delete b.params.objective;
        delete b.params.meanCorrection;
        delete b.params.tweediePower;
      }
    for (const e of old.targetEncoders) delete e.objective;
    await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(old));
    const loaded = await loadModel(dir);
    expect(loaded.model.plan.tasks[2].objective).toBe('mse');
    const before = await predictTable(run.model, manifest, table);
    const after = await predictTable(loaded.model, loaded.manifest, table);
    after.raw.forEach((col, t) => expect(Array.from(col)).toEqual(Array.from(before.raw[t])));
    run.model.dispose();
    loaded.model.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });
});

describe('saved models', () => {
  it('save, load back, and give identical predictions; predict streams a CSV', async () => {
    const table = await sampleTable(2000);
    const run = await trainProject({ project: template('htlnet', fast), table });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-test-'));
    const modelDir = path.join(dir, 'model');
    const manifest = await saveRun(modelDir, run);
    expect((await fs.readdir(modelDir)).sort()).toEqual([
      'manifest.json',
      'model.json',
      'weights.bin',
    ]);
    const modelJson = JSON.parse(await fs.readFile(path.join(modelDir, 'model.json'), 'utf8'));
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(manifest.encoders.length).toBe(run.fields.length);

    const loaded = await loadModel(modelDir);
    const before = await predictTable(run.model, manifest, table);
    const after = await predictTable(loaded.model, loaded.manifest, table);
    after.raw.forEach((col, t) => expect(Array.from(col)).toEqual(Array.from(before.raw[t])));

    // Raw rows without targets: score a CSV of new data.
    const fresh = generateSample({ rows: 50, seed: 99 }).toCsvString();
    const input = path.join(dir, 'new.csv');
    await fs.writeFile(input, fresh);
    const out = path.join(dir, 'predictions.csv');
    const result = await predictCsv(loaded.model, loaded.manifest, input, out);
    expect(result.rows).toBe(50);
    const lines = (await fs.readFile(out, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('click_probability,purchase_probability,amount_prediction');
    expect(lines).toHaveLength(51);
    const first = lines[1].split(',').map(Number);
    const direct = await predictTable(
      loaded.model,
      loaded.manifest,
      await parseTableFromBuffer('new.csv', Buffer.from(fresh)),
    );
    expect(first[0]).toBeCloseTo(direct.raw[0][0], 6);
    expect(first[2]).toBeGreaterThanOrEqual(0);

    // A file with the targets: one read and one prediction give the same file as predictCsv
    // and the same metrics as evaluateCsv (which read and predict it again).
    const labelled = path.join(dir, 'labelled.csv');
    await fs.writeFile(labelled, fresh);
    const stages: string[] = [];
    const scoredOut = path.join(dir, 'scored.csv');
    const scored = await scoreCsv(loaded.model, loaded.manifest, labelled, scoredOut, {
      keep: 'all',
      onEvaluate: () => stages.push('evaluating'),
    });
    const predictedOut = path.join(dir, 'predicted.csv');
    await predictCsv(loaded.model, loaded.manifest, labelled, predictedOut, { keep: 'all' });
    expect(await fs.readFile(scoredOut, 'utf8')).toBe(await fs.readFile(predictedOut, 'utf8'));
    const evaluated = await evaluateCsv(loaded.model, loaded.manifest, labelled);
    expect(scored.metrics).toEqual(evaluated.metrics);
    expect(stages).toEqual(['evaluating']);
    // Without the targets, or with a target that is not usable: no metrics, predictions stand.
    const noTargets = fresh
      .trim()
      .split('\n')
      .map((l) => l.split(',').slice(0, -1).join(','))
      .join('\n');
    await fs.writeFile(labelled, noTargets + '\n');
    const bare = await scoreCsv(loaded.model, loaded.manifest, labelled, scoredOut, {
      onEvaluate: () => stages.push('evaluating'),
    });
    expect([bare.rows, bare.metrics, stages.length]).toEqual([50, null, 1]);
    const broken = fresh.trim().split('\n');
    broken[3] = broken[3].replace(/,[^,]*$/, ',');
    await fs.writeFile(labelled, broken.join('\n') + '\n');
    const unusable = await scoreCsv(loaded.model, loaded.manifest, labelled, scoredOut, {
      onEvaluate: () => stages.push('evaluating'),
    });
    expect([unusable.rows, unusable.metrics, stages.length]).toEqual([50, null, 2]);

    // Overwriting a model folder is fine; overwriting anything else is refused.
    await saveRun(modelDir, run);
    await fs.writeFile(path.join(dir, 'notes.txt'), 'mine');
    await expect(saveRun(dir, run)).rejects.toThrow(/not an HTLNet Studio model folder/);
    expect(await fs.readFile(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    await expect(loadModel(dir)).rejects.toThrow(/manifest.json is missing/);
    run.model.dispose();
    loaded.model.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });
});
