// Model folders that survive: each file's size and checksum in the manifest (a damaged file is
// refused by name; older manifests without checksums still load), a swap that never leaves
// the destination missing once recovered (simulated at each step, and kill -9 at random
// points of a child that saves in a loop), and leftovers of dead writers swept.

import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { existsSync, promises as fs, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { parseTableFromBuffer } from '../../../src-main/engine/data/csv';
import { generateSample, sampleBinding } from '../../../src-main/engine/data/sample';
import {
  loadModel,
  recoverModelFolder,
  saveModel,
  type SaveInput,
} from '../../../src-main/engine/export/saved-model';
import { buildTemplate } from '../../../src-main/engine/graph/templates';
import { prepareRun } from '../../../src-main/engine/pipeline';
import { createRng } from '../../../src-main/shared/random';
import { isLegacyLeftover, isOrphan } from '../../../src-main/engine/export/outputs';

let dir: string;
let input: SaveInput;
const DEAD = 999_999_999; // a pid that never runs

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'htlnet-modelfolder-'));
  await initBackend();
  const csv = generateSample({ rows: 400, seed: 1 }).toCsvString();
  const table = await parseTableFromBuffer('s.csv', Buffer.from(csv));
  const project = buildTemplate('htlnet', sampleBinding());
  const run = prepareRun(project, table);
  input = {
    model: run.model,
    project,
    fields: run.fields,
    encoders: run.encoders,
    targetEncoders: run.targetEncoders,
    metrics: {},
    rows: { train: 0, validation: 0, test: 0 },
    epochs: 1,
    bestEpoch: 1,
    backend: 'test',
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function fresh(name: string): Promise<string> {
  const dest = path.join(dir, name);
  await saveModel(dest, input);
  return dest;
}

describe('checksums', () => {
  it('records each file and refuses a byte-flipped or truncated weights.bin by name', async () => {
    const dest = await fresh('flip');
    const manifest = JSON.parse(await fs.readFile(path.join(dest, 'manifest.json'), 'utf8'));
    expect(manifest.files['weights.bin'].sha256).toMatch(/^[0-9a-f]{64}$/);
    const weights = path.join(dest, 'weights.bin');
    const bytes = await fs.readFile(weights);
    bytes[100] ^= 0x40;
    await fs.writeFile(weights, bytes);
    await expect(loadModel(dest)).rejects.toThrow(
      /weights\.bin is damaged: its checksum does not match/,
    );
    await fs.writeFile(weights, bytes.subarray(0, 1000));
    await expect(loadModel(dest)).rejects.toThrow(/weights\.bin is damaged: 1000 bytes, expected/);
  });

  it('loads a model saved before checksums, and still refuses a truncated one clearly', async () => {
    const dest = await fresh('old');
    const file = path.join(dest, 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(file, 'utf8'));
    delete manifest.files;
    await fs.writeFile(file, JSON.stringify(manifest));
    const { model } = await loadModel(dest);
    model.dispose();
    const weights = path.join(dest, 'weights.bin');
    await fs.writeFile(weights, (await fs.readFile(weights)).subarray(0, 64));
    await expect(loadModel(dest)).rejects.toThrow(/weights\.bin is damaged: 64 bytes, expected/);
  });
});

describe('leftovers', () => {
  it('matches only names of its own writers, and only dead ones', () => {
    const alive = (pid: number) => pid === 42;
    expect(isOrphan(`.m.tmp-${DEAD}-0123456789ab`, alive)).toBe(true);
    expect(isOrphan('.m.tmp-42-0123456789ab', alive)).toBe(false); // still writing
    expect(isOrphan(`m.old-${DEAD}-01234567`, alive)).toBe(true);
    for (const user of ['budget.old-2023', 'y.csv.part', 'notes.tmp-1', 'a.old-12-xyz', '.x.tmp-1'])
      expect(isOrphan(user, alive), user).toBe(false);
    expect(isLegacyLeftover('.m.tmp-Ab12Cd', alive)).toBe(true);
    expect(isLegacyLeftover(`m.old-${DEAD}`, alive)).toBe(true);
    expect(isLegacyLeftover('m.old-42', alive)).toBe(false);
  });
});

describe('the swap', () => {
  it('finishes a swap interrupted after the old folder moved away', async () => {
    const dest = await fresh('finish');
    const staged = path.join(dir, `.finish.tmp-${DEAD}-aaaaaaaaaaaa`);
    await fs.cp(dest, staged, { recursive: true });
    await fs.rename(dest, path.join(dir, `finish.old-${DEAD}-bbbbbbbb`));
    expect(await recoverModelFolder(dest)).toBe('finished');
    (await loadModel(dest)).model.dispose();
    expect(readdirSync(dir).filter((n) => n.includes('finish') && n !== 'finish')).toEqual([]);
  });

  it('rolls back when the new folder was not complete, and a load recovers by itself', async () => {
    const dest = await fresh('back');
    const staged = path.join(dir, `.back.tmp-${DEAD}-aaaaaaaaaaaa`);
    await fs.mkdir(staged);
    await fs.writeFile(path.join(staged, 'weights.bin'), 'partial');
    await fs.rename(dest, path.join(dir, `back.old-${DEAD}-bbbbbbbb`));
    (await loadModel(dest)).model.dispose(); // loadModel recovers a missing folder first
    expect(readdirSync(dir).filter((n) => n.includes('back') && n !== 'back')).toEqual([]);
  });

  it('refuses to replace a folder that is not a model, before writing anything', async () => {
    const dest = path.join(dir, 'foreign');
    await fs.mkdir(dest);
    await fs.writeFile(path.join(dest, 'notes.txt'), 'mine');
    await expect(saveModel(dest, input)).rejects.toThrow(/not an HTLNet Studio model folder/);
    expect(readdirSync(dir).filter((n) => n.startsWith('.foreign'))).toEqual([]);
  });

  it('survives kill -9 at random points of repeated saves', async () => {
    const dest = path.join(dir, 'killed');
    const rng = createRng(7);
    const outcomes: string[] = [];
    // The child is the real saveModel, bundled, with the backend's wasm files beside it.
    const bin = path.join(dir, 'bin');
    const script = path.join(bin, 'save-loop.cjs');
    await build({
      entryPoints: [path.join(process.cwd(), 'test', 'helpers', 'save-loop.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['@tensorflow/tfjs-node', 'onnxruntime-node', 'electron'],
      outfile: script,
      logLevel: 'error',
    });
    const wasmOut = path.join(process.cwd(), 'node_modules/@tensorflow/tfjs-backend-wasm/wasm-out');
    for (const f of readdirSync(wasmOut).filter((n) => n.endsWith('.wasm')))
      await fs.copyFile(path.join(wasmOut, f), path.join(bin, f));
    const env = { ...process.env, HTLNET_BACKEND: 'wasm' };
    for (let k = 0; k < 4; k++) {
      const child = spawn(process.execPath, [script, dest], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env,
      });
      let saves = 0;
      const target = 1 + Math.floor(rng.next() * 6);
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          saves += (chunk.toString().match(/saved/g) ?? []).length;
          // Kill at a random point of a later save (the next save is already under way).
          if (saves >= target) {
            setTimeout(() => child.kill('SIGKILL'), Math.floor(rng.next() * 15));
            resolve();
          }
        });
        child.once('exit', (code) =>
          saves >= target ? resolve() : reject(new Error(`child exited ${code}`)),
        );
      });
      await new Promise((r) => child.once('exit', r));
      // Whatever the kill interrupted, the destination is there (after recovery) and loads.
      outcomes.push(await recoverModelFolder(dest));
      (await loadModel(dest)).model.dispose();
      expect(existsSync(path.join(dest, 'manifest.json'))).toBe(true);
    }
    // A later save sweeps whatever the dead writers left.
    await saveModel(dest, input);
    expect(readdirSync(dir).filter((n) => n.includes('killed') && n !== 'killed')).toEqual([]);
    expect(outcomes.length).toBe(4);
  }, 120_000);
});
