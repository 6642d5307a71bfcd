// `npx tsx bench/runs.ts`: does the run store stay fast with hundreds of runs? Writes N
// synthetic runs (default 300; each a run.json of realistic size: 10 epochs of history, ROC,
// calibration, Lorenz and a 2,000-point scatter per task, and a model folder) into a temp
// folder, then times: listing the way the store did before summaries (every run.json read
// and parsed, one after another), the first listing (summaries made from run.json, once), the
// first listing of a new session (summaries read), later listings (from memory), filtering
// one group of 30, pruning that group, and deleting one run. Results go to
// bench/results/runs-*.json and stdout. Options: --runs N, --model-kb K (default 200), --out DIR;
// --help lists them.

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunDetail } from '../src-main/ipc/api';
import { newRunId, RunStore } from '../src-main/host/runs';
import { gitRevision } from './revision';
import { outOption, runScript, scriptOptions, writeResult } from './script';

const SCRIPT = {
  name: 'bench:runs',
  usage: 'npx tsx bench/runs.ts [options]',
  about:
    'Writes synthetic runs into a temporary run store and times listing, filtering, pruning and\ndeleting them; writes <out>/runs-<date>-<revision>.json.',
};

function syntheticRun(i: number, group: string | null, model: boolean): RunDetail {
  const id = newRunId(new Date(Date.UTC(2026, 0, 1) + i * 60_000));
  const n = 2000;
  const series = (k: number) => Array.from({ length: k }, (_, j) => j / k + (i % 7) * 1e-4);
  const binary = {
    roc: { fpr: series(500), tpr: series(500) },
    calibration: { meanPredicted: series(10), fractionPositive: series(10), count: series(10) },
  };
  return {
    id,
    label: `synthetic ${i}`,
    projectName: 'HTLNet',
    dataPath: '/data/sample.csv',
    status: 'completed',
    message: 'Completed 10 epochs.',
    startedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    finishedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000 + 30_000).toISOString(),
    epochs: 10,
    bestEpoch: 9,
    rows: { train: 80000, validation: 10000, test: 10000 },
    samplesPerSecond: 50000,
    test: { click: { auc: 0.8, logloss: 0.3 }, amount: { nrmse: 0.9, gini: 0.8 } },
    tasks: [
      { name: 'click', type: 'binary' },
      { name: 'amount', type: 'regression' },
    ],
    hasModel: model,
    group: group ? { id: group, name: group, variant: `v${i % 5}`, seed: i % 3 } : null,
    project: {} as RunDetail['project'],
    history: Array.from({ length: 10 }, (_, e) => ({
      epoch: e + 1,
      trainLoss: { click: 0.3, amount: 0.9 },
      validationLoss: { click: 0.3, amount: 0.9 },
      validation: { click: { auc: 0.8, logloss: 0.3 }, amount: { nrmse: 0.9 } },
      gradients: { click: { norm: 1, cosine: 0.1 } },
      samplesPerSecond: 50000,
      seconds: 3,
    })),
    curves: {
      click: binary,
      amount: {
        lorenz: { population: series(100), captured: series(100) },
        scatter: { actual: series(n), predicted: series(n) },
        deciles: { meanPredicted: series(10), meanActual: series(10), count: series(10) },
      },
    },
  };
}

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

async function main(): Promise<void> {
  const options = scriptOptions(SCRIPT, {
    runs: { kind: 'number', default: 300, help: 'synthetic runs written' },
    'model-kb': { kind: 'number', default: 200, value: 'K', help: "each run's model size in KB" },
    out: outOption,
  });
  const count = options.runs;
  const modelBytes = options['model-kb'] * 1024;
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-bench-runs-'));
  try {
    const store = new RunStore(root);
    const ids: string[] = [];
    let runJsonBytes = 0;
    for (let i = 0; i < count; i++) {
      const detail = syntheticRun(i, i % 10 === 0 ? 'g-big' : null, true);
      ids.push(detail.id);
      await fs.mkdir(store.modelDir(detail.id), { recursive: true });
      await fs.writeFile(
        path.join(store.modelDir(detail.id), 'weights.bin'),
        Buffer.alloc(modelBytes),
      );
      await fs.writeFile(path.join(store.dir(detail.id), 'run.json'), JSON.stringify(detail));
      runJsonBytes += Buffer.byteLength(JSON.stringify(detail));
    }
    // Before: every run.json read and parsed in turn (what list() did).
    const [, before] = await time(async () => {
      const out = [];
      for (const id of ids) {
        const d = JSON.parse(
          await fs.readFile(path.join(store.dir(id), 'run.json'), 'utf8'),
        ) as RunDetail;
        const { project: _p, history: _h, curves: _c, ...s } = d;
        out.push(s);
      }
      return out;
    });
    const [first, firstList] = await time(() => store.list());
    const [, warmList] = await time(() => store.list());
    // A new session: the summaries are on disk, none in memory.
    const [, sessionList] = await time(() => new RunStore(root).list());
    const [group, groupList] = await time(() => store.list(new Set(), { group: 'g-big' }));
    const [pruned, pruneGroup] = await time(() => store.prune({ group: 'g-big' }));
    const [, deleteOne] = await time(() => store.delete(ids[1]));
    const [after, afterList] = await time(() => store.list());
    const revision = gitRevision();
    const result = {
      date: new Date().toISOString(),
      revision,
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, load: os.loadavg() },
      runs: count,
      meanRunJsonBytes: Math.round(runJsonBytes / count),
      meanDiskBytes: Math.round(first.reduce((a, r) => a + (r.diskBytes ?? 0), 0) / first.length),
      ms: {
        listBefore: before,
        listFirst: firstList,
        listNewSession: sessionList,
        list: warmList,
        filterGroup: groupList,
        pruneGroup,
        deleteOne,
        listAfter: afterList,
      },
      groupRuns: group.length,
      pruned: pruned.deleted.length,
      freedBytes: pruned.freedBytes,
      left: after.length,
    };
    await writeResult(options.out, 'runs', result, result);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

runScript(SCRIPT, main);
