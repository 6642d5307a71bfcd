// The PyTorch training package: generated from a project, run with torchrun on two CPU
// processes, compared with the app's own training, imported back as an app model, resumed from
// a checkpoint. Needs a python3 that can `import torch` (Debian: apt-get install python3-torch);
// HTLNET_TORCH_PYTHON names one explicitly. Only the package's layout is checked without it.
// Long on purpose: every check of the package shares the torch probe, the generated sample and
// the process helpers below (one describe per concern: exactness, training, import, resume,
// schedules and weight decay, cross layers).

import { execFile, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTable } from '../../../src-main/engine/data/csv';
import {
  encodeFields,
  smearingFactor,
  transformTarget,
  untransformTarget,
} from '../../../src-main/engine/data/encoders';
import * as tf from '@tensorflow/tfjs-core';
import {
  calibratorPairs,
  tweedieLoss,
  zilnLoss,
  zilnValue,
} from '../../../src-main/engine/model/objective';
import { calibratorLossTensor } from '../../../src-main/engine/train/step';
import { generateSample } from '../../../src-main/engine/data/sample';
import type { Table } from '../../../src-main/engine/data/types';
import { serializeProject } from '../../../src-main/engine/graph/project-file';
import { loadModel } from '../../../src-main/engine/export/saved-model';
import {
  exportTorchJob,
  exportTorchJobFromProject,
  importTorchModel,
} from '../../../src-main/engine/export/torch';
import { adjustmentCoefficients } from '../../../src-main/engine/train/adjust';
import { DenseOptimizer, TableOptimizer } from '../../../src-main/engine/train/optimizer';
import { learningRateAt } from '../../../src-main/engine/train/schedule';
import type { OptimizerSettings } from '../../../src-main/engine/model/plan';
import { auc, regressionMetrics } from '../../../src-main/engine/predict/metrics';
import { predictRows } from '../../../src-main/engine/predict/evaluate';
import { createRng } from '../../../src-main/shared/random';
import { saveRun, trainProject, type TrainedRun } from '../../../src-main/engine/pipeline';
import { withCrossLayer } from '../../helpers/cross';
import { backend, setParams, template } from '../../helpers/engine';

const ROWS = 20_000;
const EPOCHS = 3;
const SOURCES = [
  'checkpoint.py',
  'data.py',
  'dist.py',
  'evaluate.py',
  'export.py',
  'job.py',
  'metrics.py',
  'model.py',
  'ops.py',
  'optim.py',
  'preprocess.py',
  'rng.py',
  'step.py',
  'train.py',
  'trainer.py',
];
/** One twin per block the model computes (blocks/__init__.py's table; torch-blocks.test.ts). */
const BLOCK_SOURCES = [
  '__init__.py',
  'cross_layer.py',
  'esmm_link.py',
  'expert_group.py',
  'fusion.py',
  'gate.py',
  'label_embedding.py',
  'task_head.py',
  'tower.py',
].map((f) => `blocks/${f}`);

/** HTLNET_TORCH_PYTHON, else the first python3 that can import torch and numpy; or null. */
function torchPython(): string | null {
  const chosen = process.env.HTLNET_TORCH_PYTHON;
  for (const python of chosen ? [chosen] : ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import torch, numpy'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  return null;
}

const python = torchPython();
const withTorch = python
  ? 'with torch'
  : 'with torch (SKIPPED: no python3 can import torch; apt-get install python3-torch or set HTLNET_TORCH_PYTHON)';

interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string): Promise<Exec> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd, maxBuffer: 64 << 20, env: { ...process.env, OMP_NUM_THREADS: '1' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** torchrun with two CPU processes. `--redirects 9:0 --tee 9:0` works around Debian's torch 1.13
 * on Python 3.11, whose torchrun fails on the default "0" (IntFlag iteration skips 0 there). */
async function torchrun(pkg: string, args: string[]): Promise<Exec> {
  const port = await freePort();
  return run(
    python!,
    [
      '-m',
      'torch.distributed.run',
      '--nproc_per_node=2',
      '--master_addr=127.0.0.1',
      `--master_port=${port}`,
      '--redirects=9:0',
      '--tee=9:0',
      'train.py',
      ...args,
    ],
    pkg,
  );
}

const readJson = async (file: string) => JSON.parse(await fs.readFile(file, 'utf8'));

let dir: string;
let projectFile: string;
let csv: string;
let table: Table;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-torch-'));
  projectFile = path.join(dir, 'htlnet.htlnet.json');
  await fs.writeFile(projectFile, serializeProject(template('htlnet', { epochs: EPOCHS })));
  csv = path.join(dir, 'sample.csv');
  await generateSample({ rows: ROWS, seed: 7 }).writeCsv(csv);
  table = await readTable(csv);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('the PyTorch training package', () => {
  it('has one file per concern, a README and the compiled plan', async () => {
    const pkg = path.join(dir, 'layout');
    const result = await exportTorchJob({ project: projectFile, out: pkg });
    expect(result.out).toBe(path.resolve(pkg));
    expect(result.files).toEqual(
      [...SOURCES, ...BLOCK_SOURCES, 'README.md', 'project.json'].sort(),
    );
    const written = await fs.readdir(pkg, { recursive: true });
    expect(written.filter((f) => f !== 'blocks').sort()).toEqual(
      result.files.map((f) => path.join(...f.split('/'))).sort(),
    );

    const readme = await fs.readFile(path.join(pkg, 'README.md'), 'utf8');
    for (const file of [...SOURCES, 'blocks/']) {
      expect(readme).toContain(`\`${file}\``);
    }
    for (const file of [...SOURCES, ...BLOCK_SOURCES]) {
      // Every module says what it is for.
      expect(await fs.readFile(path.join(pkg, file), 'utf8')).toMatch(/^"""\S/);
    }
    expect(readme).toContain('torchrun');

    const job = await readJson(path.join(pkg, 'project.json'));
    expect(job.format).toBe('htlnet-studio-torch-job');
    expect(job.project.name).toBe('HTLNet');
    expect(job.plan.tasks.map((t: { name: string }) => t.name)).toEqual([
      'click',
      'purchase',
      'amount',
    ]);
    expect(job.plan.singlePassCapture).toBe(true);
    expect(job.plan.optimizer).toMatchObject({ adjustment: 'htlnet', epochs: EPOCHS, seed: 42 });
    expect(
      job.plan.blocks.find((b: { type: string }) => b.type === 'label-embedding').params,
    ).toMatchObject({ gumbel: true, temperature: 1 });

    // A previous package is overwritten; any other non-empty folder is refused.
    await exportTorchJobFromProject({ project: template('mmoe'), out: pkg });
    expect((await readJson(path.join(pkg, 'project.json'))).project.name).toBe('MMoE');
    await expect(exportTorchJob({ project: projectFile, out: dir })).rejects.toThrow(
      /not empty and holds no training package/,
    );
  });

  it('refuses a project whose graph does not compile', async () => {
    const project = template('htlnet');
    project.graph.blocks = project.graph.blocks.filter((b) => b.type !== 'optimizer');
    await expect(
      exportTorchJobFromProject({ project, out: path.join(dir, 'broken') }),
    ).rejects.toThrow(/not valid|no optimizer/);
  });
});

describe.skipIf(!python)(`the PyTorch training package ${withTorch}`, () => {
  let pkg: string;
  let app: TrainedRun;
  const out = () => path.join(dir, 'run');

  beforeAll(async () => {
    await backend();
    pkg = (await exportTorchJob({ project: projectFile, out: path.join(dir, 'pkg') })).out;
    // The app's own training and the package's, at the same time.
    const [trained, torch] = await Promise.all([
      trainProject({ project: template('htlnet', { epochs: EPOCHS }), table }),
      torchrun(pkg, ['--data', csv, '--out', out()]),
    ]);
    app = trained;
    if (torch.code !== 0) throw new Error(`torchrun failed:\n${torch.stdout}\n${torch.stderr}`);
  }, 900_000);

  afterAll(() => app?.model.dispose());

  it('computes its Python parts exactly as the app: random numbers, adjustment, metrics', async () => {
    const rng = createRng(7);
    const draws = Array.from({ length: 5 }, () => rng.next());
    const labels = Array.from({ length: 300 }, (_, i) => (i * 7919) % 3 === 0);
    const scores = labels.map((_, i) => Math.round(((i * 104729) % 97) / 9) / 10); // many ties
    const actual = scores.map((s, i) => (labels[i] ? s * 40 + (i % 5) : 0));
    const cases = [0, 1, 2, 3].map((i) => ({
      dots: [-3 + i, 2 - 2 * i, 5],
      norms2: [4, 9 * (i + 1), 5],
    }));
    const modes = ['none', 'pcgrad', 'metabalance', 'htlnet'] as const;
    const script = `
import json, sys
from rng import Rng
from optim import adjustment_coefficients
from metrics import auc, regression_metrics
import numpy as np
from types import SimpleNamespace as S
q = json.load(sys.stdin)
print(json.dumps({
  "draws": Rng(7).uniform(5).tolist(),
  "coef": [[adjustment_coefficients(c["dots"], c["norms2"], 2, S(adjustment=m, alpha=0.7, gamma=0.3, clip=4), [True, True, True]).tolist()
            for c in q["cases"]] for m in q["modes"]],
  "auc": auc(np.array(q["labels"], float), np.array(q["scores"], float)),
  "regression": regression_metrics(np.array(q["actual"], float), np.array(q["scores"], float)),
}))`;
    const result = spawnSync(python!, ['-c', script], {
      cwd: pkg,
      input: JSON.stringify({ cases, modes, labels: labels.map(Number), scores, actual }),
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    const py = JSON.parse(result.stdout);
    expect(py.draws).toEqual(draws);
    modes.forEach((mode, m) =>
      cases.forEach((c, i) => {
        const settings = { mode, alpha: 0.7, gamma: 0.3, clip: 4 };
        const ts = adjustmentCoefficients(c.dots, c.norms2, 2, settings).coef;
        Array.from(ts).forEach((x, t) => expect(py.coef[m][i][t]).toBeCloseTo(x, 12));
      }),
    );
    expect(py.auc).toBeCloseTo(auc(labels.map(Number), scores), 12);
    const reg = regressionMetrics(actual, scores);
    for (const [k, v] of Object.entries(reg)) expect(py.regression[k]).toBeCloseTo(v, 10);
  });

  it('computes every regression objective as the app: losses, gradients, ZILN means, scaling', async () => {
    // Rows with zeros and amounts, head outputs spread over both signs.
    const n = 40;
    const y = Array.from({ length: n }, (_, i) =>
      i % 3 === 0 ? 0 : Math.exp(((i * 37) % 11) / 4 - 1),
    );
    const parts = Array.from({ length: n }, (_, i) => [
      ((i * 13) % 9) / 3 - 1.5,
      ((i * 7) % 5) / 2 - 1,
      ((i * 11) % 7) / 3 - 1,
    ]);
    const v = parts.map((p) => p[1]);
    const script = `
import json, sys
import numpy as np, torch
from types import SimpleNamespace as S
from ops import ziln_value
from step import loss_sums
from preprocess import transform_target, untransform_target, smearing_factor
q = json.load(sys.stdin)
y = torch.tensor(q["y"], dtype=torch.float64)
z = torch.tensor(q["parts"], dtype=torch.float64, requires_grad=True)
v = torch.tensor(q["v"], dtype=torch.float64, requires_grad=True)
ziln = S(type="regression", objective="ziln", tweedie_power=1.5)
tw = S(type="regression", objective="tweedie", tweedie_power=1.3)
lz = loss_sums([{"parts": z, "value": ziln_value(z)}], [y], [ziln])[0]
lz.backward()
lt = loss_sums([{"value": v}], [y], [tw])[0]
lt.backward()
enc = {"type": "regression", "transform": "log1p-zscore", "mean": 0.4, "std": 1.3, "nonNegative": True, "objective": "mse"}
print(json.dumps({
  "ziln": lz.item(), "zilnGrad": z.grad.tolist(), "zilnValue": ziln_value(z).tolist(),
  "tweedie": lt.item(), "tweedieGrad": v.grad.tolist(),
  "smearing": smearing_factor(np.array(q["v"]), np.array(q["y"]), enc),
  "raw": untransform_target(np.array(q["v"]), dict(enc, smearing=1.7)).tolist(),
  "scaled": transform_target(np.array(q["y"]), {"type": "regression", "transform": "none", "mean": 0.8, "std": 1, "objective": "ziln"}).tolist(),
}))`;
    const result = spawnSync(python!, ['-c', script], {
      cwd: pkg,
      input: JSON.stringify({ y, parts, v }),
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    const py = JSON.parse(result.stdout);
    const g = new Float64Array(3);
    let zl = 0;
    let tl = 0;
    for (let i = 0; i < n; i++) {
      const [a, b, c] = parts[i];
      zl += zilnLoss(a, b, c, y[i], g);
      g.forEach((x, k) => expect(py.zilnGrad[i][k]).toBeCloseTo(x, 9));
      expect(py.zilnValue[i]).toBeCloseTo(zilnValue(a, b, c), 12);
      tl += tweedieLoss(v[i], y[i], 1.3, g);
      expect(py.tweedieGrad[i]).toBeCloseTo(g[0], 9);
    }
    expect(py.ziln).toBeCloseTo(zl, 9);
    expect(py.tweedie).toBeCloseTo(tl, 9);
    const enc = {
      task: 'amount',
      column: 'amount',
      type: 'regression' as const,
      transform: 'log1p-zscore' as const,
      mean: 0.4,
      std: 1.3,
      nonNegative: true,
      objective: 'mse' as const,
    };
    expect(py.smearing).toBeCloseTo(smearingFactor(v, y, enc), 12);
    Array.from(untransformTarget(v, { ...enc, smearing: 1.7 })).forEach((x, i) =>
      expect(py.raw[i]).toBeCloseTo(x, 10),
    );
    const scaled = transformTarget(y, {
      ...enc,
      transform: 'none',
      mean: 0.8,
      std: 1,
      objective: 'ziln',
    });
    Array.from(scaled).forEach((x, i) => expect(py.scaled[i]).toBeCloseTo(x, 5));
  });

  it('computes the AITM calibrator as the app: its value and gradient', async () => {
    // Tasks binary, regression, binary, binary: the pairs are (0, 2) and (2, 3).
    const n = 24;
    const probs = [0, 1, 2, 3].map((t) =>
      Array.from({ length: n }, (_, i) => (((i + 1) * (7 + 4 * t)) % 19) / 20 + 0.02),
    );
    const weight = 0.6;
    const script = `
import json, sys
import torch
from types import SimpleNamespace as S
from step import calibrator_sums
q = json.load(sys.stdin)
ps = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in q["probs"]]
tasks = [S(type=t) for t in ["binary", "regression", "binary", "binary"]]
sums = calibrator_sums([{"prob": p} for p in ps], tasks, q["weight"])
total = sum(s for s in sums if s is not None)
total.backward()
off = calibrator_sums([{"prob": p} for p in ps], tasks, 0.0)
print(json.dumps({"carried": [s is not None for s in sums], "total": total.item(),
  "grads": [p.grad.tolist() if p.grad is not None else [0.0] * len(p) for p in ps], "off": [s is None for s in off]}))`;
    const result = spawnSync(python!, ['-c', script], {
      cwd: pkg,
      input: JSON.stringify({ probs, weight }),
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    const py = JSON.parse(result.stdout);
    expect(calibratorPairs(['binary', 'regression', 'binary', 'binary'])).toEqual([
      [0, 2],
      [2, 3],
    ]);
    expect(py.carried).toEqual([false, false, true, true]);
    expect(py.off).toEqual([true, true, true, true]);
    let total = 0;
    const grads = probs.map(() => new Array<number>(n).fill(0));
    for (const [a, b] of [
      [0, 2],
      [2, 3],
    ]) {
      const pa = tf.tensor1d(probs[a]);
      const pb = tf.tensor1d(probs[b]);
      // The app's term is a batch mean; Python's is a sum, divided by the batch size in step.py.
      total += calibratorLossTensor(pa, pb, weight).dataSync()[0] * n;
      tf.dispose([pa, pb]);
      for (let i = 0; i < n; i++) {
        if (probs[b][i] > probs[a][i]) {
          grads[b][i] += weight;
          grads[a][i] -= weight;
        }
      }
    }
    expect(total).toBeGreaterThan(0);
    expect(py.total).toBeCloseTo(total, 4);
    grads.forEach((g, t) => g.forEach((x, i) => expect(py.grads[t][i]).toBeCloseTo(x, 9)));
  });

  it('updates embedding tables with lazy and dense Adam as the app does', async () => {
    const script = `
import json, torch
from types import SimpleNamespace as S
from optim import Optimizer
out = {}
for mode in ("lazy", "dense"):
    table = torch.zeros(3, 2)
    opt = Optimizer(S(optimizer="adam", learning_rate=0.1, table_adam=mode, epochs=1, schedule="constant",
                      warmup_epochs=0, weight_decay=0, embedding_weight_decay=0), [], [table])
    steps = []
    for row in (0, 1):
        g = torch.zeros(3, 2)
        g[row] = torch.tensor([1.0, -2.0])
        touched = torch.zeros(3, dtype=torch.bool)
        touched[row] = True
        opt.step([], [g], [touched])
        steps.append(table.flatten().tolist())
    out[mode] = steps
print(json.dumps(out))`;
    const result = spawnSync(python!, ['-c', script], { cwd: pkg, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const py = JSON.parse(result.stdout);
    for (const mode of ['lazy', 'dense'] as const) {
      const table = {
        name: 't',
        column: 'c',
        kind: 'lookup' as const,
        rows: 3,
        dim: 2,
        data: new Float32Array(6),
      };
      const opt = new TableOptimizer({
        optimizer: 'adam',
        learningRate: 0.1,
        tableAdam: mode,
      } as OptimizerSettings);
      for (const [i, row] of [0, 1].entries()) {
        opt.beginStep();
        opt.updateRows(table, Int32Array.of(row), 1, Float32Array.of(1, -2));
        Array.from(table.data).forEach((x, j) => expect(py[mode][i][j]).toBeCloseTo(x, 6));
      }
    }
  });

  it('trains on two processes like the app: same encoders, test AUC within 0.02', async () => {
    const metrics = await readJson(path.join(out(), 'metrics.json'));
    const exported = await readJson(path.join(out(), 'export', 'export.json'));
    expect(metrics.rows).toEqual({ train: 16_000, validation: 2_000, test: 2_000 });
    expect(metrics.backend).toMatch(/^pytorch .*CPU, 2 processes, gloo/);
    expect(metrics.history).toHaveLength(app.outcome.history.length);
    expect(metrics.bestEpoch).toBe(app.outcome.bestEpoch);
    // Vocabularies and bucket edges are the app's exactly; target statistics up to rounding.
    expect(exported.encoders).toEqual(app.encoders);
    exported.targetEncoders.forEach((e: Record<string, unknown>, t: number) => {
      const mine = app.targetEncoders[t];
      // The mean corrections are fitted on each side's own predictions: same keys, close values.
      const fitted = { mean: 0, std: 0, smearing: 0, calibration: 0 };
      expect({ ...e, ...fitted }).toEqual({ ...mine, ...fitted });
      expect('calibration' in e).toBe('calibration' in mine);
      if (typeof e.calibration === 'number')
        expect(Math.abs(e.calibration - mine.calibration!)).toBeLessThan(0.2);
      expect(e.mean).toBeCloseTo(mine.mean, 12);
      expect(e.std).toBeCloseTo(mine.std, 12);
    });
    const appMetrics = app.test.metrics as unknown as Record<string, Record<string, number>>;
    const summary: string[] = [];
    for (const task of ['click', 'purchase']) {
      const diff = Math.abs(metrics.tasks[task].auc - appMetrics[task].auc);
      summary.push(
        `${task} AUC app ${appMetrics[task].auc.toFixed(4)} torch ${metrics.tasks[task].auc.toFixed(4)}`,
      );
      expect(diff).toBeLessThan(0.02);
    }
    summary.push(
      `amount NRMSE app ${appMetrics.amount.nrmse.toFixed(4)} torch ${metrics.tasks.amount.nrmse.toFixed(4)}`,
    );
    console.log(summary.join('; '));
    expect(Math.abs(metrics.tasks.amount.nrmse - appMetrics.amount.nrmse)).toBeLessThan(0.05);
  });

  it('imports as an app model whose predictions are the PyTorch model’s', async () => {
    const modelDir = path.join(dir, 'imported');
    const result = await importTorchModel({ dir: path.join(out(), 'export'), out: modelDir });
    expect(result.out).toBe(path.resolve(modelDir));
    expect(result.files).toEqual(['manifest.json', 'model.json', 'weights.bin']);
    expect(result.manifest.tasks.map((t) => t.name)).toEqual(['click', 'purchase', 'amount']);
    expect(result.manifest.backend).toMatch(/^pytorch/);
    const metrics = await readJson(path.join(out(), 'metrics.json'));
    expect(result.manifest.metrics).toEqual(metrics.tasks);

    const { model, manifest } = await loadModel(modelDir);
    try {
      const lines = (await fs.readFile(path.join(out(), 'export', 'predictions.csv'), 'utf8'))
        .trim()
        .split('\n');
      expect(lines[0]).toBe('row,click_probability,purchase_probability,amount_prediction');
      const rows = lines.slice(1).map((l) => l.split(',').map(Number));
      expect(rows).toHaveLength(1000);
      const data = {
        rows: table.rows,
        fields: encodeFields(table, manifest.encoders),
        targets: [],
      };
      const index = Int32Array.from(rows, (r) => r[0]);
      const ours = predictRows(model, data, index, manifest.targetEncoders);
      let worst = 0;
      rows.forEach((r, i) => {
        for (let t = 0; t < 3; t++) {
          const scale = t === 2 ? Math.max(1, Math.abs(r[t + 1])) : 1; // amounts: relative
          worst = Math.max(worst, Math.abs(ours.raw[t][i] - r[t + 1]) / scale);
        }
      });
      console.log(`largest difference between the app's and PyTorch's predictions: ${worst}`);
      expect(worst).toBeLessThan(1e-4);
    } finally {
      model.dispose();
    }
    // Importing the run folder itself works too, and a model folder is no export.
    await importTorchModel({ dir: out(), out: path.join(dir, 'imported-2') });
    const saved = path.join(dir, 'app-model');
    await saveRun(saved, app);
    await expect(importTorchModel({ dir: saved, out: path.join(dir, 'x') })).rejects.toThrow(
      /holds no PyTorch export/,
    );
  });

  it('resumes from its checkpoint where it stopped, on one process', async () => {
    const resumed = path.join(dir, 'resumed');
    const first = await run(
      python!,
      ['train.py', '--data', csv, '--out', resumed, '--epochs', '2'],
      pkg,
    );
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const second = await run(
      python!,
      ['train.py', '--data', csv, '--out', resumed, '--epochs', String(EPOCHS), '--resume'],
      pkg,
    );
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('resuming after epoch 2');
    expect(second.stdout).toContain('training 1 epoch(s)');
    const a = await readJson(path.join(resumed, 'metrics.json'));
    const b = await readJson(path.join(out(), 'metrics.json'));
    expect(a.history.map((h: { epoch: number }) => h.epoch)).toEqual([1, 2, 3]);
    // One process and two train on the same batches: the same run up to float rounding.
    for (const task of ['click', 'purchase']) {
      expect(a.tasks[task].auc).toBeCloseTo(b.tasks[task].auc, 2);
    }
    // A checkpoint of another run is refused.
    const other = await run(
      python!,
      ['train.py', '--data', csv, '--out', resumed, '--seed', '5', '--resume'],
      pkg,
    );
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/belongs to another run \(seed: 42 there, 5 now\)/);
  }, 600_000); // two trainings in Python, beside another test file on a 2-core machine

  it('names the file, line and column of bad data, and the file that needs pyarrow', async () => {
    const lines = (await fs.readFile(csv, 'utf8')).split('\n').slice(0, 200);
    const header = lines[0].split(',');
    const bad = lines[4].split(',');
    bad[header.indexOf('click')] = 'maybe';
    lines[4] = bad.join(',');
    const badCsv = path.join(dir, 'bad.csv');
    await fs.writeFile(badCsv, lines.join('\n') + '\n');
    const r = await run(
      python!,
      ['train.py', '--data', badCsv, '--out', path.join(dir, 'bad')],
      pkg,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${badCsv}, line 5, column "click": binary target must be 0/1, true/false or yes/no, found "maybe".`,
    );

    const parquet = path.join(dir, 'part-0.parquet');
    await fs.writeFile(parquet, 'PAR1');
    const hasPyarrow =
      spawnSync(python!, ['-c', 'import pyarrow'], { stdio: 'ignore' }).status === 0;
    if (hasPyarrow) return; // then it would read the file (and fail on its content)
    const p = await run(
      python!,
      ['train.py', '--data', parquet, '--out', path.join(dir, 'pq')],
      pkg,
    );
    expect(p.code).toBe(1);
    expect(p.stderr).toContain(`${parquet}: reading Parquet needs the pyarrow package`);
  }, 600_000); // three Python starts with torch
});

// Learning-rate schedules and weight decay: the package's learning_rate_at and optimizer against
// the app's learningRateAt and optimizers, step by step, and carried by the job config.
describe.skipIf(!python)(`schedules and weight decay in the PyTorch package ${withTorch}`, () => {
  const TUNED = {
    epochs: 3,
    learningRate: 0.05,
    schedule: 'cosine',
    warmupEpochs: 0.5,
    cosineFloor: 0.1,
    weightDecay: 0.2,
    embeddingWeightDecay: 0.05,
  };

  it('carries them in the job and updates weights as the app does, step by step, resumed too', async () => {
    const pkg = path.join(dir, 'schedule-pkg');
    await exportTorchJobFromProject({ project: template('htlnet', TUNED), out: pkg });
    type Case = Omit<OptimizerSettings, 'adjustment' | 'selection'>;
    const base = {
      ...TUNED,
      optimizer: 'adam',
      tableAdam: 'lazy',
      schedule: 'cosine',
      decayFactor: 0.5,
      decayEvery: 1,
    } as Case;
    const cases: Case[] = [
      base,
      { ...base, tableAdam: 'dense', schedule: 'step', decayFactor: 0.3, warmupEpochs: 0 },
      { ...base, optimizer: 'sgd', schedule: 'constant', warmupEpochs: 1.5 },
    ];
    const STEPS = 6;
    const PER_EPOCH = 2;
    // A 2 x 3 weight matrix, a bias of 3, a 4 x 2 table; the gradients and touched rows of each step.
    const w0 = [0.5, -0.3, 0.8, -1, 0.2, 0.4];
    const b0 = [0.1, -0.2, 0.3];
    const t0 = [0.2, -0.1, 0.05, 0.3, -0.4, 0.25, 0.1, -0.2];
    const steps = Array.from({ length: STEPS }, (_, k) => ({
      w: w0.map((_, j) => Math.sin(k + j)),
      b: b0.map((_, j) => Math.cos(k * 2 + j)),
      rows: [k % 4, (k + 2) % 4].sort((x, y) => x - y),
      t: [Math.sin(k), Math.cos(k), -Math.sin(2 * k), 0.5],
    }));
    const script = `
import json, sys, torch
from types import SimpleNamespace as S
from job import Job
from optim import Optimizer, learning_rate_at
q = json.load(sys.stdin)
s = Job.load("project.json").settings
out = {"job": [s.schedule, s.warmup_epochs, s.cosine_floor, s.weight_decay, s.embedding_weight_decay],
       "rates": [], "weights": []}
names = dict(optimizer="optimizer", tableAdam="table_adam", learningRate="learning_rate", epochs="epochs",
             schedule="schedule", warmupEpochs="warmup_epochs", decayFactor="decay_factor",
             decayEvery="decay_every", cosineFloor="cosine_floor", weightDecay="weight_decay",
             embeddingWeightDecay="embedding_weight_decay")
for c in q["cases"]:
    st = S(**{names[k]: v for k, v in c.items() if k in names})
    out["rates"].append([learning_rate_at(st, k, q["perEpoch"]) for k in range(q["steps"] + 4)])
    w = torch.tensor(q["w0"]).view(2, 3)
    b = torch.tensor(q["b0"])
    t = torch.tensor(q["t0"]).view(4, 2)
    opt = Optimizer(st, [w, b], [t], q["perEpoch"])
    for step in q["grads"]:
        g = torch.zeros(4, 2)
        touched = torch.zeros(4, dtype=torch.bool)
        for i, r in enumerate(step["rows"]):
            g[r] = torch.tensor(step["t"][2 * i : 2 * i + 2])
            touched[r] = True
        opt.step([torch.tensor(step["w"]).view(2, 3), torch.tensor(step["b"])], [g], [touched])
    out["weights"].append([w.flatten().tolist(), b.tolist(), t.flatten().tolist()])
    # Resumed half-way from the optimizer's state (as --resume does): the same weights, bit for bit.
    w2, b2, t2 = torch.tensor(q["w0"]).view(2, 3), torch.tensor(q["b0"]), torch.tensor(q["t0"]).view(4, 2)
    opt = Optimizer(st, [w2, b2], [t2], q["perEpoch"])
    for k, step in enumerate(q["grads"]):
        if k == 3:
            state = opt.state_dict()
            opt = Optimizer(st, [w2, b2], [t2], q["perEpoch"])
            opt.load_state_dict(state)
        g = torch.zeros(4, 2)
        touched = torch.zeros(4, dtype=torch.bool)
        for i, r in enumerate(step["rows"]):
            g[r] = torch.tensor(step["t"][2 * i : 2 * i + 2])
            touched[r] = True
        opt.step([torch.tensor(step["w"]).view(2, 3), torch.tensor(step["b"])], [g], [touched])
    out.setdefault("resumedSame", []).append(bool(torch.equal(w, w2) and torch.equal(b, b2) and torch.equal(t, t2)))
print(json.dumps(out))`;
    const result = spawnSync(python!, ['-c', script], {
      cwd: pkg,
      input: JSON.stringify({ cases, steps: STEPS, perEpoch: PER_EPOCH, w0, b0, t0, grads: steps }),
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    const py = JSON.parse(result.stdout);
    expect(py.job).toEqual(['cosine', 0.5, 0.1, 0.2, 0.05]);
    expect(py.resumedSame).toEqual([true, true, true]);
    const length = { epochs: 3, stepsPerEpoch: PER_EPOCH };
    cases.forEach((c, i) => {
      const settings = c as OptimizerSettings;
      py.rates[i].forEach((r: number, k: number) =>
        expect(r).toBeCloseTo(learningRateAt(settings, k, length), 14),
      );
      const w = Float32Array.from(w0);
      const b = Float32Array.from(b0);
      const table = {
        name: 't',
        column: 'c',
        kind: 'lookup' as const,
        rows: 4,
        dim: 2,
        data: Float32Array.from(t0),
      };
      const dense = new DenseOptimizer(settings, [6, 3], [true, false]);
      const tables = new TableOptimizer(settings);
      steps.forEach((g, k) => {
        const lr = learningRateAt(settings, k, length);
        dense.apply([w, b], [Float32Array.from(g.w), Float32Array.from(g.b)], lr);
        tables.beginStep(lr);
        tables.updateRows(table, Int32Array.from(g.rows), 2, Float32Array.from(g.t));
      });
      const [pw, pb, pt] = py.weights[i] as number[][];
      Array.from(w).forEach((x, j) => expect(pw[j]).toBeCloseTo(x, 5));
      Array.from(b).forEach((x, j) => expect(pb[j]).toBeCloseTo(x, 5));
      Array.from(table.data).forEach((x, j) => expect(pt[j]).toBeCloseTo(x, 5));
    });
  }, 120_000);

  it('trains with warm-up, cosine and both decays like the app: test AUC within 0.02', async () => {
    await backend();
    const tuned = {
      epochs: 2,
      learningRate: 0.003,
      schedule: 'cosine',
      warmupEpochs: 0.5,
      cosineFloor: 0.1,
      weightDecay: 0.05,
      embeddingWeightDecay: 0.005,
    };
    const project = template('htlnet', tuned);
    const pkg = path.join(dir, 'schedule-train-pkg');
    await exportTorchJobFromProject({ project, out: pkg });
    const runDir = path.join(dir, 'schedule-run');
    const [trained, torch] = await Promise.all([
      trainProject({ project, table }),
      run(python!, ['train.py', '--data', csv, '--out', runDir], pkg),
    ]);
    try {
      if (torch.code !== 0) throw new Error(`train.py failed:\n${torch.stderr}`);
      const metrics = await readJson(path.join(runDir, 'metrics.json'));
      expect(metrics.history).toHaveLength(trained.outcome.history.length);
      const ours = trained.test.metrics as unknown as Record<string, Record<string, number>>;
      const summary: string[] = [];
      for (const task of ['click', 'purchase']) {
        summary.push(
          `${task} AUC app ${ours[task].auc.toFixed(4)} torch ${metrics.tasks[task].auc.toFixed(4)}`,
        );
        expect(Math.abs(metrics.tasks[task].auc - ours[task].auc)).toBeLessThan(0.02);
      }
      console.log(`warm-up + cosine + weight decay: ${summary.join('; ')}`);
      expect(Math.abs(metrics.tasks.amount.nrmse - ours.amount.nrmse)).toBeLessThan(0.05);
    } finally {
      trained.model.dispose();
    }
  }, 600_000); // one training in Python, one in the app
});

describe.skipIf(!python)(`the DCN-v2 cross layer in the PyTorch package ${withTorch}`, () => {
  it('trains a model with full- and low-rank cross layers whose predictions the app reproduces', async () => {
    await backend();
    const project = withCrossLayer(template('htlnet', { epochs: 1, batchSize: 256 }), {
      layers: 2,
      rank: 0,
    });
    withCrossLayer(project, { layers: 1, rank: 3 }, 'cross-low');
    setParams(project, 'shared-embedding', { dim: 4 });
    const pkg = path.join(dir, 'cross-pkg');
    await exportTorchJobFromProject({ project, out: pkg });
    const data = path.join(dir, 'cross.csv');
    await generateSample({ rows: 3000, seed: 11 }).writeCsv(data);
    const runDir = path.join(dir, 'cross-run');
    const trained = await run(python!, ['train.py', '--data', data, '--out', runDir], pkg);
    if (trained.code !== 0) throw new Error(`train.py failed:\n${trained.stderr}`);

    const modelDir = path.join(dir, 'cross-imported');
    await importTorchModel({ dir: path.join(runDir, 'export'), out: modelDir });
    const { model, manifest } = await loadModel(modelDir);
    try {
      // The PyTorch package names and shapes the cross layers' weights as the app does.
      expect(model.denseNames.filter((n) => n.startsWith('cross'))).toEqual([
        'cross-low/layer0/u',
        'cross-low/layer0/v',
        'cross-low/layer0/bias',
        'cross/layer0/kernel',
        'cross/layer0/bias',
        'cross/layer1/kernel',
        'cross/layer1/bias',
      ]);
      expect(model.dense.get('cross-low/layer0/u')!.shape).toEqual([
        model.dense.get('cross/layer0/kernel')!.shape[0],
        3,
      ]);
      const lines = (await fs.readFile(path.join(runDir, 'export', 'predictions.csv'), 'utf8'))
        .trim()
        .split('\n');
      const rows = lines.slice(1).map((l) => l.split(',').map(Number));
      expect(rows.length).toBeGreaterThan(100);
      const crossTable = await readTable(data);
      const encoded = {
        rows: crossTable.rows,
        fields: encodeFields(crossTable, manifest.encoders),
        targets: [],
      };
      const ours = predictRows(
        model,
        encoded,
        Int32Array.from(rows, (r) => r[0]),
        manifest.targetEncoders,
      );
      let worst = 0;
      rows.forEach((r, i) => {
        for (let t = 0; t < 3; t++) {
          const scale = t === 2 ? Math.max(1, Math.abs(r[t + 1])) : 1;
          worst = Math.max(worst, Math.abs(ours.raw[t][i] - r[t + 1]) / scale);
        }
      });
      console.log(`cross layers: largest difference between app and PyTorch predictions ${worst}`);
      expect(worst).toBeLessThan(1e-4);
    } finally {
      model.dispose();
    }
  }, 600_000);
});
