// The PyTorch reference of `npm run bench -- --vs-torch`: the encoded training rows and the
// model's shape written for bench/torch/htlnet_ref.py (the same embedding tables, towers,
// label embedding and optimizer settings, and the Shared-Bottom template's shape), a python with
// torch (Debian's python3-torch with OpenBLAS, installed with apt-get when missing), and one
// training run of the reference, read back as its last JSON line.

import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { layerUnits } from '../src-main/engine/blocks/dense-stack';
import { transformTarget } from '../src-main/engine/data/encoders';
import type { prepareRun } from '../src-main/engine/pipeline';
import { blockParams, type BlockType } from '../src-main/shared/catalog';
import type { Block } from '../src-main/shared/project';
import { lastJsonLine, log } from './script';

/** Writes the encoded training rows and the model's shape for the torch reference; returns the meta file. */
export async function dumpForTorch(
  run: ReturnType<typeof prepareRun>,
  dir: string,
  name: string,
  seed: number,
  sharedBottom: ReturnType<typeof prepareRun>,
): Promise<string> {
  const { model, data, split, plan } = run;
  if (model.embeddings.length !== 1) throw new Error('the torch reference expects one embedding');
  const emb = model.embeddings[0];
  const n = split.train.length;
  const F = emb.tables.length;
  const ids = new Int32Array(n * F);
  emb.tables.forEach((_, f) => {
    const field = data.fields[emb.datasetField[f]];
    if (field.kind !== 'lookup') throw new Error('the torch reference expects lookup fields');
    for (let i = 0; i < n; i++) ids[i * F + f] = field.ids[split.train[i]];
  });
  const T = plan.tasks.length;
  const targets = new Float32Array(n * T);
  plan.tasks.forEach((_, t) => {
    const y = transformTarget(data.targets[t], run.targetEncoders[t]);
    for (let i = 0; i < n; i++) targets[i * T + t] = y[split.train[i]];
  });
  const idsFile = path.join(dir, `${name}.ids.bin`);
  const targetsFile = path.join(dir, `${name}.targets.bin`);
  await fs.writeFile(idsFile, Buffer.from(ids.buffer));
  await fs.writeFile(targetsFile, Buffer.from(targets.buffer));
  const first = <T extends BlockType>(type: T) =>
    blockParams(
      type,
      plan.order.find((b) => b.type === type)!,
    );
  const o = plan.optimizer;
  const meta = {
    rows: n,
    seed,
    tableRows: emb.tables.map((t) => t.rows),
    embeddingDim: emb.dim,
    towerUnits: layerUnits(first('tower')),
    leuDim: first('label-embedding').dim,
    temperature: first('label-embedding').temperature,
    tasks: plan.tasks.map((t) => ({ name: t.name, type: t.type, lossWeight: t.lossWeight })),
    core: plan.core,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    adjustment: { mode: o.adjustment, alpha: o.alpha, gamma: o.gamma, clip: o.clip },
    idsFile,
    targetsFile,
    sharedBottom: sharedBottomShape(sharedBottom),
  };
  const metaFile = path.join(dir, `${name}.meta.json`);
  await fs.writeFile(metaFile, JSON.stringify(meta));
  return metaFile;
}

/** The Shared-Bottom template's shape, for the torch reference (same embedding tables). */
function sharedBottomShape(run: ReturnType<typeof prepareRun>) {
  const { plan, model } = run;
  if (model.embeddings.length !== 1) throw new Error('the torch reference expects one embedding');
  const towers = plan.order.filter((b) => b.type === 'tower');
  const units = (tower: Block) => layerUnits(blockParams('tower', tower));
  const bottom = towers.find((b) => b.id === 'shared-bottom');
  const task = towers.find((b) => b.id !== 'shared-bottom');
  if (!bottom || !task) throw new Error('the Shared-Bottom template has no bottom or task tower');
  return {
    embeddingDim: model.embeddings[0].dim,
    tableRows: model.embeddings[0].tables.map((t) => t.rows),
    bottomUnits: units(bottom),
    towerUnits: units(task),
  };
}

/** A python with torch, installing Debian's python3-torch and OpenBLAS when missing. */
export function torchPython(): string | null {
  const candidates = ['/usr/bin/python3', 'python3'];
  const hasTorch = (py: string) =>
    spawnSync(py, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
  const openblas = () =>
    spawnSync('dpkg', ['-s', 'libopenblas0-pthread'], { stdio: 'ignore' }).status === 0;
  let python = candidates.find((p) => (p.startsWith('/') ? existsSync(p) : true) && hasTorch(p));
  if (!python || !openblas()) {
    log('installing python3-torch and libopenblas0-pthread with apt-get (for the torch reference)');
    const apt = (args: string[]) =>
      spawnSync('apt-get', args, {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    apt(['update']);
    apt([
      'install',
      '-y',
      '--no-install-recommends',
      'python3-torch',
      'python3-numpy',
      'libopenblas0-pthread',
    ]);
    python = candidates.find((p) => (p.startsWith('/') ? existsSync(p) : true) && hasTorch(p));
  }
  return python ?? null;
}

/** Trains the PyTorch reference (bench/torch/htlnet_ref.py) on a dump; its result line. */
export function runTorch(
  python: string,
  meta: string,
  threads: number,
  epochs: number,
  model: 'htlnet' | 'shared-bottom' = 'htlnet',
): Promise<Record<string, unknown>> {
  const script = path.resolve('bench/torch/htlnet_ref.py');
  const args = ['--meta', meta, '--threads', String(threads), '--epochs', String(epochs)];
  return lastJsonLine(python, [script, ...args, '--model', model], 'torch reference');
}
