// Resources checked before work: an estimate of the memory a training run needs (parameters,
// gradients and Adam state, activations per row times the batch, embedding tables, the data's
// columns), compared with what the compute backend can hold (a 4 GB WebAssembly heap) and the
// machine's memory. A model or data set that will not fit is refused before anything is
// allocated, with a message saying what to reduce, instead of crashing mid-run with
// "memory access out of bounds". What each block adds is its module's memory hook
// (engine/blocks/<block>.ts); this file sums them and weighs the total.

import os from 'node:os';
import { isBlockType } from '../shared/catalog';
import type { ProjectFile } from '../shared/project';
import { blockModule } from './blocks';
import type { MemoryContext, MemoryUse } from './blocks/define';
import { UserError } from './errors';
import { fieldSpecs, GraphIndex } from './graph/graph';
import { outputDims, widthOf } from './graph/shapes';

/** Bytes the WebAssembly backend may use (its heap is at most 4 GB; some is the runtime's). */
const WASM_BUDGET_BYTES = 3.75 * 1024 ** 3;
/**
 * Floats held per row of a batch for each float of activation width counted below: forward
 * values, their gradients, per-task gradient captures and the executor's scratch. Measured:
 * the default HTLNet (3,558 floats per row counted) takes 1.6 GB at batch 65,536 and 3.3 GB at
 * 131,072 (x1.77); 262,144 ran out of the 4 GB heap.
 */
const ACTIVATION_FACTOR = 1.9;

/** What the estimate needs of the data: a parsed table or the app's preview of it. */
/**
 * Memory each input field costs whatever the batch (the executor's per-field buffers and
 * bookkeeping, outside the backend's heap). Measured: 5,003 columns took 4.2 GB beyond what
 * the batch explains (4.6 GB at batch 128, 5.7 GB at 512).
 */
const PER_FIELD_BYTES = 0.85 * 1024 ** 2;

export interface DataShape {
  rows: number;
  columns: readonly { name: string; distinct: number }[];
}

export interface MemoryEstimate {
  /** Dense parameters (towers, experts, gates, fusion units, heads). */
  denseParameters: number;
  /** Embedding table rows x dims. */
  tableParameters: number;
  /** Activation floats per row of a batch. */
  activationPerRow: number;
  batch: number;
  /** What the backend's heap must hold: dense parameters, gradients, Adam state, activations. */
  backendBytes: number;
  /** Everything: the backend's share, the tables with their Adam state, the data. */
  totalBytes: number;
  /** The largest one: where the memory goes. */
  largest: 'parameters' | 'activations' | 'tables' | 'data';
}

const num = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback;
const dim = (d: unknown): number => (typeof d === 'number' ? d : 0);

/** Dense parameters of an MLP in -> units[0] -> ... (weights and biases), and its widths. */
function mlp(input: number, units: readonly number[]): { params: number; widths: number } {
  let params = 0;
  let widths = 0;
  let w = input;
  for (const u of units) {
    params += w * u + u;
    widths += u;
    w = u;
  }
  return { params, widths };
}

export function estimateTraining(project: ProjectFile, table: DataShape | null): MemoryEstimate {
  const index = new GraphIndex(project.graph);
  const dims = outputDims(project, index);
  const widthOfBlock = (id: string) => dim(widthOf(dims.get(id)));
  const fields = fieldSpecs(project);
  const tasks = Math.max(1, project.data.tasks.length);
  const distinct = new Map(table?.columns.map((c) => [c.name, c.distinct]) ?? []);
  let dense = 0;
  let tables = 0;
  let perRow = 0;
  let batch = 1024;
  for (const block of project.graph.blocks) {
    if (!isBlockType(block.type)) continue;
    const p = index.params(block);
    // The batch is the optimizer's training setting, not memory of a block's own.
    if (block.type === 'optimizer') batch = num(p.batchSize, 1024);
    const memory = blockModule(block.type).memory;
    if (!memory) continue;
    const context: MemoryContext = {
      block,
      params: p,
      number: (name, fallback) => num(p[name], fallback),
      width: widthOfBlock(block.id),
      inputWidth: (port) =>
        index.sources(block.id, port).reduce((n, s) => n + widthOfBlock(s.id), 0),
      connections: (port) => index.incoming(block.id, port).length,
      consumers: index.outgoing(block.id).length,
      fields: fields.get(block.id) ?? [],
      distinct: (column) => distinct.get(column),
      tasks,
      mlp,
    };
    const use: MemoryUse = memory(context);
    dense += use.dense ?? 0;
    tables += use.tables ?? 0;
    perRow += use.perRow ?? 0;
  }
  // The trainer's buffers are sized by the batch, even when the data has fewer rows.
  const activation = batch * perRow * ACTIVATION_FACTOR * 4;
  // value + gradient + two Adam moments + one gradient per task for the adjustment
  const parameters = dense * (4 + tasks) * 4;
  const tableBytes = tables * 4 * 4; // value, gradient rows, two Adam moments
  // The parsed columns (a number and a code per cell) and the encoded fields (one per cell).
  let fieldCount = 0;
  for (const specs of fields.values()) fieldCount += specs.length;
  const dataBytes =
    (table ? table.rows * (table.columns.length * 12 + fieldCount * 4) : 0) +
    fieldCount * PER_FIELD_BYTES;
  const backendBytes = parameters + activation;
  const totalBytes = backendBytes + tableBytes + dataBytes;
  const parts = { parameters, activations: activation, tables: tableBytes, data: dataBytes };
  const largest = (Object.entries(parts) as [MemoryEstimate['largest'], number][]).sort(
    (a, b) => b[1] - a[1],
  )[0][0];
  return {
    denseParameters: dense,
    tableParameters: tables,
    activationPerRow: perRow,
    batch,
    backendBytes,
    totalBytes,
    largest,
  };
}

const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;

/** The largest batch whose activations fit beside the parameters (a power of two, >= 1). */
function batchThatFits(e: MemoryEstimate, budget: number): number {
  const parameters = e.backendBytes - e.batch * e.activationPerRow * ACTIVATION_FACTOR * 4;
  const room = budget - parameters;
  if (room <= 0) return 0;
  const rows = Math.floor(room / (e.activationPerRow * ACTIVATION_FACTOR * 4));
  return rows >= 1 ? 2 ** Math.floor(Math.log2(rows)) : 0;
}

/**
 * Refuses a training run that will not fit, saying what to reduce. `machineBytes` defaults to
 * the machine's memory (tests pass a number).
 */
export function checkTrainingFits(
  project: ProjectFile,
  table: DataShape | null,
  machineBytes = os.totalmem(),
): MemoryEstimate {
  const e = estimateTraining(project, table);
  const machine = machineBytes * 0.8;
  const activations = e.batch * e.activationPerRow * ACTIVATION_FACTOR * 4;
  const outside = e.totalBytes - e.backendBytes; // tables, data, per-field buffers
  const batchAdvice = (fits: number) =>
    fits >= 1
      ? `reduce the batch size to ${fits.toLocaleString('en-US')} or less (optimizer block)`
      : null;
  const unitsAdvice = `reduce the tower / expert units (${(e.denseParameters / 1e6).toFixed(0)} million parameters now), the cross layers, the embedding size or the number of feature columns`;
  if (e.backendBytes > WASM_BUDGET_BYTES) {
    const advice =
      activations >= e.backendBytes / 2
        ? (batchAdvice(batchThatFits(e, Math.min(WASM_BUDGET_BYTES, machine - outside))) ??
          unitsAdvice)
        : unitsAdvice;
    throw new UserError(
      `This model needs about ${gb(e.backendBytes)} in the compute backend to train, which holds at most ${gb(WASM_BUDGET_BYTES)}: ${advice}.`,
    );
  }
  if (e.totalBytes > machine) {
    let advice: string;
    if (e.largest === 'tables') {
      advice = `reduce the embedding size or exclude high-cardinality categorical columns (${(e.tableParameters / 1e6).toFixed(0)} million table entries now)`;
    } else if (e.largest === 'data') {
      advice = 'use fewer rows or columns of the data';
    } else if (e.largest === 'activations') {
      advice = batchAdvice(batchThatFits(e, machine - outside)) ?? unitsAdvice;
    } else advice = unitsAdvice;
    throw new UserError(
      `This model needs about ${gb(e.totalBytes)} of memory to train, more than the ${gb(machine)} this machine can give: ${advice}.`,
    );
  }
  return e;
}

/**
 * A clear message for the backend running out of memory anyway (the estimate is an estimate):
 * WebAssembly's "memory access out of bounds" or an allocation failure; null for other errors.
 */
export function outOfMemoryMessage(error: unknown): string | null {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (
    !/memory access out of bounds|out of memory|Array buffer allocation failed|Invalid typed array length|Cannot enlarge memory/i.test(
      text,
    )
  ) {
    return null;
  }
  return 'The compute backend ran out of memory: reduce the batch size (optimizer block), the tower / expert units, the embedding size or the number of columns, then train again.';
}
