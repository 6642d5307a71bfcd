// ONNX export: for every template (and a variant using the other block options), a briefly
// trained model is exported, run with onnxruntime-node on 10,000 rows encoded from raw CSV
// text with the preprocessing spec alone, and compared with the engine's predictTable.
// Tolerances: binary outputs (probabilities) absolute 1e-5; regression outputs (raw target
// scale) relative 1e-5 with an absolute floor of 1e-5 (|onnx - engine| <= 1e-5 * max(|engine|, 1)).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTableFromBuffer } from '../../../src-main/engine/data/csv';
import { encodeFields } from '../../../src-main/engine/data/encoders';
import { generateSample } from '../../../src-main/engine/data/sample';
import type { Table } from '../../../src-main/engine/data/types';
import { UserError } from '../../../src-main/engine/errors';
import {
  decodeModel,
  encodeRawRows,
  exportOnnx,
  ONNX_IR_VERSION,
  ONNX_OPSET,
  PREPROCESSING_METADATA_KEY,
  type OnnxExportResult,
  type PreprocessingSpec,
} from '../../../src-main/engine/export/onnx';
import { predictTable } from '../../../src-main/engine/export/predict';
import { loadModel, type ModelManifest } from '../../../src-main/engine/export/saved-model';
import { TEMPLATE_KINDS } from '../../../src-main/engine/graph/templates';
import { saveRun, trainProject } from '../../../src-main/engine/pipeline';
import type { ProjectFile } from '../../../src-main/shared/project';
import { withCrossLayer } from '../../helpers/cross';
import { backend, sampleTable, setParams, template } from '../../helpers/engine';

const TRAIN_ROWS = 3000;
const SCORE_ROWS = 10_000;
const BINARY_ABS = 1e-5;
const REGRESSION_REL = 1e-5;
const REGRESSION_FLOOR = 1;

let dir: string;
let trainTable: Table;
/** The scoring rows: raw CSV text (header + lines) and the engine's parse of it. */
let scoreCsv: string;
let scoreTable: Table;

beforeAll(async () => {
  await backend();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-onnx-'));
  trainTable = await sampleTable(TRAIN_ROWS, 7);
  scoreCsv = generateSample({ rows: SCORE_ROWS, seed: 1234 }).toCsvString();
  scoreTable = await parseTableFromBuffer('score.csv', Buffer.from(scoreCsv));
});

afterAll(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

/** Raw rows of a CSV without quotes: objects of the fields' text by column. */
function rawRows(csv: string): Record<string, string>[] {
  const [head, ...lines] = csv.trim().split('\n');
  const columns = head.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(columns.map((c, i) => [c, cells[i]]));
  });
}

const fast = { epochs: 1, batchSize: 256, patience: 0 };

interface Exported {
  result: OnnxExportResult;
  spec: PreprocessingSpec;
  manifest: ModelManifest;
  modelDir: string;
}

async function trainAndExport(name: string, project: ProjectFile): Promise<Exported> {
  const run = await trainProject({ project, table: trainTable });
  const modelDir = path.join(dir, name);
  await saveRun(modelDir, run);
  run.model.dispose();
  const result = await exportOnnx(modelDir, path.join(dir, `${name}.onnx`));
  const spec = JSON.parse(await fs.readFile(result.preprocessing, 'utf8')) as PreprocessingSpec;
  const manifest = JSON.parse(
    await fs.readFile(path.join(modelDir, 'manifest.json'), 'utf8'),
  ) as ModelManifest;
  return { result, spec, manifest, modelDir };
}

async function session(file: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1 });
}

/** Runs the ONNX model on raw rows encoded with the spec. */
async function runOnnx(
  e: Exported,
  rows: Record<string, string>[],
): Promise<Record<string, Float32Array>> {
  const encoded = encodeRawRows(e.spec, rows);
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of e.spec.inputs) {
    const data = encoded[input.name];
    feeds[input.name] =
      data instanceof BigInt64Array
        ? new ort.Tensor('int64', data, [rows.length])
        : new ort.Tensor('float32', data, [rows.length]);
  }
  const s = await session(e.result.out);
  try {
    const out = await s.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await s.release();
  }
}

interface Difference {
  task: string;
  type: string;
  maxAbs: number;
  maxRel: number;
  /** max |d| / allowed: <= 1 passes. */
  worst: number;
}

/** Compares the ONNX outputs with predictTable on the same rows. */
async function compare(
  e: Exported,
  table: Table,
  rows: Record<string, string>[],
): Promise<Difference[]> {
  const { model, manifest } = await loadModel(e.modelDir);
  const engine = await predictTable(model, manifest, table);
  model.dispose();
  const onnx = await runOnnx(e, rows);
  return e.spec.outputs.map((output, t) => {
    const got = onnx[output.name];
    const want = engine.raw[t];
    expect(got.length).toBe(want.length);
    let maxAbs = 0;
    let maxRel = 0;
    let worst = 0;
    for (let i = 0; i < want.length; i++) {
      const d = Math.abs(got[i] - want[i]);
      expect(Number.isFinite(got[i])).toBe(true);
      maxAbs = Math.max(maxAbs, d);
      maxRel = Math.max(maxRel, d / Math.max(Math.abs(want[i]), 1e-12));
      const allowed =
        output.type === 'binary'
          ? BINARY_ABS
          : REGRESSION_REL * Math.max(Math.abs(want[i]), REGRESSION_FLOOR);
      worst = Math.max(worst, d / allowed);
    }
    return { task: output.task, type: output.type, maxAbs, maxRel, worst };
  });
}

function report(name: string, diffs: Difference[]): void {
  const parts = diffs.map(
    (d) =>
      `${d.task} (${d.type}) max abs ${d.maxAbs.toExponential(2)}, max rel ${d.maxRel.toExponential(2)}`,
  );
  process.stdout.write(`onnx vs predictTable, ${name}: ${parts.join('; ')}\n`);
}

const exported = new Map<string, Exported>();

describe('ONNX export matches predictTable on 10,000 rows', () => {
  for (const { kind } of TEMPLATE_KINDS) {
    it(`template ${kind}`, async () => {
      const e = await trainAndExport(kind, template(kind, fast));
      exported.set(kind, e);
      const diffs = await compare(e, scoreTable, rawRows(scoreCsv));
      report(kind, diffs);
      expect(diffs.map((d) => d.task)).toEqual(['click', 'purchase', 'amount']);
      for (const d of diffs) expect(d.worst, `${kind} ${d.task}`).toBeLessThanOrEqual(1);
    });
  }

  it('a variant with the other block options (linear numeric fields, GELU/tanh/sigmoid, dropout, concat fusion, z-score target, temperature)', async () => {
    const project = template('htlnet', fast);
    setParams(project, 'feature-input', { numericEncoding: 'linear' });
    setParams(project, 'tower', { activation: 'gelu', dropout: 0.3 });
    setParams(project, 'fusion', { mode: 'concat' });
    setParams(project, 'label-embedding', { temperature: 0.5 });
    setParams(project, 'task-head', { objective: 'mse', transform: 'zscore' });
    project.graph.blocks.find((b) => b.id === 'tower-purchase')!.params.activation = 'tanh';
    project.graph.blocks.find((b) => b.id === 'tower-amount')!.params.activation = 'sigmoid';
    const e = await trainAndExport('variant', project);
    exported.set('variant', e);
    expect(e.spec.inputs.some((i) => i.encoding === 'signed-log1p-standardised')).toBe(true);
    const diffs = await compare(e, scoreTable, rawRows(scoreCsv));
    report('htlnet variant', diffs);
    for (const d of diffs) expect(d.worst, `variant ${d.task}`).toBeLessThanOrEqual(1);
  });

  // The templates' heads use the default objective (Tweedie, with the mean correction); the
  // others here.
  for (const [name, head] of [
    ['log1p squared error with mean correction', { objective: 'mse', meanCorrection: true }],
    ['zero-inflated lognormal', { objective: 'ziln' }],
    [
      'Tweedie without correction',
      { objective: 'tweedie', tweediePower: 1.3, meanCorrection: false },
    ],
  ] as const) {
    it(`the ${name} objective`, async () => {
      const project = template('htlnet', fast);
      setParams(project, 'task-head', head);
      const e = await trainAndExport(`objective-${head.objective}`, project);
      const amount = e.manifest.targetEncoders[2];
      expect(amount.objective).toBe(head.objective);
      if (head.objective === 'mse') {
        // A factor was fitted (and is what the graph applies).
        expect(amount.smearing).toBeGreaterThan(1);
        expect(e.spec.outputs[2].targetTransform!.smearing).toBe(amount.smearing);
      }
      const diffs = await compare(e, scoreTable, rawRows(scoreCsv));
      report(name, diffs);
      for (const d of diffs) expect(d.worst, `${name} ${d.task}`).toBeLessThanOrEqual(1);
    });
  }

  it('DCN-v2 cross layers, full rank and low rank (embedding -> low rank -> full rank -> towers)', async () => {
    const project = withCrossLayer(template('htlnet', fast), { layers: 2, rank: 0 }, 'cross');
    withCrossLayer(project, { layers: 1, rank: 4 }, 'cross-low');
    const e = await trainAndExport('cross', project);
    const diffs = await compare(e, scoreTable, rawRows(scoreCsv));
    report('cross layers', diffs);
    for (const d of diffs) expect(d.worst, `cross ${d.task}`).toBeLessThanOrEqual(1);
  });

  it('MMoE and PLE experts with tanh and an ESMM chain feeding a label embedding', async () => {
    const project = template('ple', fast);
    setParams(project, 'expert-group', { activation: 'tanh', experts: 3 });
    const e = await trainAndExport('ple-tanh', project);
    const diffs = await compare(e, scoreTable, rawRows(scoreCsv));
    report('ple tanh experts', diffs);
    for (const d of diffs) expect(d.worst, `ple-tanh ${d.task}`).toBeLessThanOrEqual(1);

    // ESMM: purchase = click * conditional; its logit (logitOf) feeds a label embedding that
    // a fusion unit passes to the amount tower.
    const esmm = template('esmm', fast);
    esmm.graph.blocks.push(
      {
        id: 'leu-purchase',
        type: 'label-embedding',
        params: { dim: 8, temperature: 1, gumbel: true },
        position: { x: 0, y: 0 },
      },
      {
        id: 'fusion-amount',
        type: 'fusion',
        params: { mode: 'attention' },
        position: { x: 0, y: 0 },
      },
    );
    const edge = (source: string, sp: string, target: string, tp: string) => ({
      id: `${source}.${sp}->${target}.${tp}`,
      source: { block: source, port: sp },
      target: { block: target, port: tp },
    });
    esmm.graph.edges.push(
      edge('esmm-purchase', 'prediction', 'leu-purchase', 'prediction'),
      edge('leu-purchase', 'label', 'fusion-amount', 'labels'),
      edge('fusion-amount', 'out', 'tower-amount', 'in'),
    );
    const e2 = await trainAndExport('esmm-leu', esmm);
    const diffs2 = await compare(e2, scoreTable, rawRows(scoreCsv));
    report('esmm + label embedding', diffs2);
    for (const d of diffs2) expect(d.worst, `esmm-leu ${d.task}`).toBeLessThanOrEqual(1);
  });
});

describe('the exported file', () => {
  it('is opset 17 / IR 8 with inputs named after the features and outputs after the tasks', async () => {
    const e = exported.get('htlnet')!;
    const bytes = await fs.readFile(e.result.out);
    // ModelProto field 1 (ir_version), varint: 0x08 then the version.
    expect([bytes[0], bytes[1]]).toEqual([0x08, ONNX_IR_VERSION]);
    const proto = decodeModel(bytes);
    expect(ONNX_OPSET).toBeGreaterThanOrEqual(13);
    expect(proto.irVersion).toBe(8);
    expect(proto.opsetImport).toEqual([{ version: 17 }]);
    expect(e.result.opset).toBe(17);
    expect(e.result.irVersion).toBe(8);

    const features = e.manifest.fields.map((f) => f.column);
    expect(proto.graph.input.map((i) => i.name)).toEqual(features);
    expect(proto.graph.output.map((o) => o.name)).toEqual(['click', 'purchase', 'amount']);
    for (const input of proto.graph.input) {
      const enc = e.manifest.encoders.find((x) => x.column === input.name)!;
      expect(input.type.tensorType.elemType).toBe(enc.kind === 'linear' ? 1 : 7);
      expect(input.type.tensorType.shape.dim).toEqual([{ dimParam: 'N' }]);
    }
    for (const output of proto.graph.output) {
      expect(output.type.tensorType.elemType).toBe(1);
      expect(output.type.tensorType.shape.dim).toEqual([{ dimParam: 'N' }]);
    }
    const meta = proto.metadataProps!.find((m) => m.key === PREPROCESSING_METADATA_KEY)!;
    expect(JSON.parse(meta.value).inputs).toEqual(e.spec.inputs);

    const s = await session(e.result.out);
    expect(s.inputNames).toEqual(features);
    expect(s.outputNames).toEqual(['click', 'purchase', 'amount']);
    await s.release();

    expect(e.result.inputs.map((i) => i.name)).toEqual(features);
    expect(e.result.outputs.map((o) => [o.name, o.type])).toEqual([
      ['click', 'binary'],
      ['purchase', 'binary'],
      ['amount', 'regression'],
    ]);
    expect(e.result.preprocessing).toBe(path.join(dir, 'htlnet.preprocessing.json'));
    expect(e.spec.model).toBe('htlnet.onnx');
    expect(e.spec.onnx).toEqual({ opset: 17, irVersion: 8, batchDimension: 'N' });
  });

  it('accepts a batch of any size, including one row', async () => {
    const e = exported.get('mmoe')!;
    const rows = rawRows(scoreCsv).slice(0, 1);
    const out = await runOnnx(e, rows);
    expect(Object.keys(out)).toEqual(['click', 'purchase', 'amount']);
    expect(out.click).toHaveLength(1);
  });
});

describe('the preprocessing spec', () => {
  // Missing values in every spelling, unseen categories, numbers written in other ways.
  const header = generateSample({ rows: 1, seed: 1 }).header;
  const base = rawRows(generateSample({ rows: 40, seed: 99 }).toCsvString());
  const edits: Record<string, string>[] = [
    { user_segment: '', hour: '07', price: '' },
    { user_segment: 'NA', hour: '7.0', price: 'NA' },
    { user_segment: 'segment_999', hour: '+7', price: '1e1' },
    { user_segment: 'null', hour: '7e0', price: '.5' },
    { user_segment: 'None', hour: 'NaN', price: '-3' },
    { user_segment: '?', hour: 'n/a', price: '1000000' },
    { user_segment: 'segment_1', hour: '99', price: '0' },
    { brand: 'brand_unseen', day: '', cart_items: '-0', discount: '' },
    { region: 'N/A', weekday: 'null', past_purchases: '3.0', item_rating: '' },
  ];
  const rows = base.map((r, i) => ({ ...r, ...(edits[i] ?? {}) }));
  const csv = [header.join(','), ...rows.map((r) => header.map((c) => r[c]).join(','))].join('\n');

  it('encodes raw rows to exactly the indices and values of the manifest encoders', async () => {
    const table = await parseTableFromBuffer('edge.csv', Buffer.from(csv));
    for (const name of ['htlnet', 'variant']) {
      const e = exported.get(name)!;
      const encoded = encodeRawRows(e.spec, rows);
      const reference = encodeFields(table, e.manifest.encoders);
      expect(e.spec.inputs.map((i) => i.column)).toEqual(reference.map((f) => f.column));
      e.spec.inputs.forEach((input, k) => {
        const want = reference[k];
        const got = encoded[input.name];
        const expected =
          want.kind === 'lookup' ? BigInt64Array.from(want.ids, (v) => BigInt(v)) : want.values;
        expect(got, `${name}: ${input.name}`).toEqual(expected);
      });
    }
    // The spec describes every encoder kind the engine has.
    const variant = exported.get('variant')!.spec;
    const htlnet = exported.get('htlnet')!.spec;
    const kinds = new Set([...variant.inputs, ...htlnet.inputs].map((i) => i.encoding));
    expect([...kinds].sort()).toEqual(['buckets', 'signed-log1p-standardised', 'vocabulary']);
    const hour = htlnet.inputs.find((i) => i.name === 'hour')!;
    expect(hour.encoding === 'vocabulary' && hour.keys).toBe('number');
    const segment = htlnet.inputs.find((i) => i.name === 'user_segment')!;
    expect(segment.encoding === 'vocabulary' && segment.keys).toBe('text');
    expect(htlnet.rawValues.missingTokens).toEqual(['', 'na', 'n/a', 'null', 'nan', '?', 'none']);
    expect(htlnet.outputs.map((o) => [o.name, o.type, o.dtype])).toEqual([
      ['click', 'binary', 'float32'],
      ['purchase', 'binary', 'float32'],
      ['amount', 'regression', 'float32'],
    ]);
  });

  it('gives ONNX predictions equal to predictTable on those rows', async () => {
    const table = await parseTableFromBuffer('edge.csv', Buffer.from(csv));
    for (const name of ['htlnet', 'variant']) {
      const diffs = await compare(exported.get(name)!, table, rows);
      for (const d of diffs) expect(d.worst, `${name} ${d.task}`).toBeLessThanOrEqual(1);
    }
  });
});

describe('errors', () => {
  it('names a folder that is not a saved model', async () => {
    const empty = path.join(dir, 'not-a-model');
    await fs.mkdir(empty, { recursive: true });
    await expect(exportOnnx(empty, path.join(dir, 'x.onnx'))).rejects.toThrow(UserError);
    await expect(exportOnnx(empty, path.join(dir, 'x.onnx'))).rejects.toThrow(
      /not-a-model is not a saved HTLNet Studio model: manifest\.json is missing/,
    );
    await expect(fs.stat(path.join(dir, 'x.onnx'))).rejects.toThrow();
  });

  it('refuses an output path that is a folder', async () => {
    const e = exported.get('dnn')!;
    await expect(exportOnnx(e.modelDir, dir)).rejects.toThrow(/is a folder/);
  });
});
