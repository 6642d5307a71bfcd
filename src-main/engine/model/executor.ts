// Runs a compiled program (program.ts) forward and backward on preallocated buffers of the
// wasm heap: every product through XNNPACK (kernels.ts), everything elementwise in plain loops.
// No tensors, no autograd tape and no allocation per step. One executor serves one thread: the
// main thread's, or a worker's in data-parallel training (each over its shard of the batch).
//
// It computes what HtlnetModel.forward and tfjs's gradients of it compute (the tests hold it to
// the straightforward tfjs path within float tolerance): the same blocks in the same order,
// losses as means over the full batch (a shard's gradients are its part of the full-batch
// gradient, so the shards' gradients add up), stop-gradient cuts, and for each backward pass
// only the losses of the tasks it is given.

import {
  ACTIVATION_LINEAR,
  ACTIVATION_RELU,
  transposeInto,
  type HeapBuffer,
  type WasmKernels,
} from './kernels';
import type { DenseLayer, InputPart, Op, Program } from './program';
import { tweedieLoss, zilnLoss, zilnValue } from './objective';

/** Where one embedding table's rows come from for a batch. */
export type TableSource =
  | { kind: 'lookup'; ids: Int32Array; data: Float32Array }
  | { kind: 'linear'; values: Float32Array; data: Float32Array };

export const PROB_EPSILON = 1e-7;

interface VectorState {
  kind: 'vector';
  width: number;
  val: HeapBuffer;
  grad: HeapBuffer;
  touched: boolean;
}
interface BinaryState {
  kind: 'binary';
  logit: Float32Array;
  prob: Float32Array;
  dlogit: Float32Array;
  dprob: Float32Array;
  logitTouched: boolean;
  probTouched: boolean;
}
interface RegressionState {
  kind: 'regression';
  value: Float32Array;
  dvalue: Float32Array;
  /** A ZILN head's outputs and their gradients, [batch, 3] (empty otherwise). */
  parts: Float32Array;
  dparts: Float32Array;
  touched: boolean;
}
type ValueState = VectorState | BinaryState | RegressionState;

/** Buffers of one dense layer. */
interface LayerState {
  spec: DenseLayer;
  /** Pre-activation (only when the activation is not ReLU). */
  z: HeapBuffer | null;
  /** Activation output before dropout. */
  hpre: HeapBuffer;
  /** After dropout (the layer's output); hpre itself without dropout. */
  h: HeapBuffer;
  /**
   * Layers after the first: the transposed input plus a row of ones, [in + 1, rows], so one
   * product gives the weight gradient and (the ones row) the bias gradient.
   */
  xT: HeapBuffer;
  /** The first layer: per input part, its transposed source and where its gradient rows go. */
  parts: { source: () => HeapBuffer; rows: number; out: HeapBuffer }[];
  dz: HeapBuffer;
  /** Gradient of the layer's input. */
  dx: HeapBuffer;
}

interface MlpState {
  layers: LayerState[];
  activation: string;
  dropout: number[];
}

export interface ExecutorOptions {
  /** Most rows one call handles. */
  capacity: number;
  /** Allocate what backward passes need (false for inference only). */
  training: boolean;
  /**
   * Inference only: at most this many floats of first-layer projections (see Projection);
   * 0 or absent: none.
   */
  projectionBudget?: number;
  /** Inference: sum the projections with the SIMD kernel where it loads (default true). */
  simd?: boolean;
}

/**
 * Whether predicting `rows` rows is worth the projections: they cost a product per table row,
 * and save one per predicted row. Every inference path decides by this alone, so the same rows
 * get the same sums (and the same bits) whichever path predicts them.
 */
export function worthProjecting(program: Program, rows: number): boolean {
  const tableRows = program.tableRows.flat().reduce((a, b) => a + b, 0);
  return rows >= 2 * tableRows;
}

/**
 * An exact rewrite of an MLP's first layer for inference. With x = [rest | e_1 .. e_F] (e_f the
 * looked-up row of field f's table) the layer's product is x.W = rest.W_rest + sum_f e_f.W_f,
 * and e_f.W_f is row id_f of P_f = E_f.W_f, computed once per table: the product over the
 * embedding becomes a gather and a sum of F rows.
 */
interface Projection {
  N: number;
  /** Non-embedding parts (e.g. a fusion output), multiplied as usual. */
  rest: InputPart[];
  restWidth: number;
  /** Rows of W1 for the rest parts, in order: [restWidth, N]. */
  restW: HeapBuffer | null;
  restX: HeapBuffer | null;
  /** Row offset of each rest part in W1. */
  restRows: number[];
  fields: { embedding: number; field: number; row: number; P: HeapBuffer | null; rows: number }[];
  z: HeapBuffer;
  /** Indices into `fields` of the looked-up fields (summed by the SIMD kernel) and the others. */
  lookup: number[];
  linear: number[];
  /** For the kernel: the byte offset of each looked-up field's P (int32s)... */
  tables: HeapBuffer;
  /** ...and this call's ids, row by row: [rows, lookup.length] int32s. */
  ids: HeapBuffer;
}

export class Executor {
  readonly program: Program;
  readonly capacity: number;
  private readonly k: WasmKernels;
  private readonly training: boolean;
  /** Dense parameters on the heap, and transposed copies of the matrices used backward. */
  readonly params: HeapBuffer[];
  private readonly paramsT: (HeapBuffer | null)[];
  /** Gradients of the dense parameters (one backward pass). */
  readonly grads: HeapBuffer[];
  readonly gradTouched: boolean[];
  /** Per embedding: its looked-up output [capacity, width]. */
  readonly embeddings: HeapBuffer[];
  /**
   * Per consumer edge: where the gradient arriving at it goes, [rows, width], this call's rows
   * starting at row `edgeRow` (a shard writes its rows of full-batch arrays). Own arrays unless
   * setEdgeTargets() points them elsewhere.
   */
  edgeGrads: Float32Array[];
  private edgeRow = 0;
  readonly edgeTouched: boolean[];
  private readonly values: ValueState[];
  /** Per op: its buffers. */
  private readonly state: unknown[];
  private rows = 0;
  /** The current call's dataset rows and where to read them (projections read ids directly). */
  private rowIndex: Int32Array = new Int32Array(0);
  private batchFrom = 0;
  private sources: TableSource[][] = [];
  /** Per op: its first-layer projection (inference), or null. */
  private readonly projections: (Projection | null)[];
  /** Per embedding: whether some op reads its looked-up output (without, with projections). */
  private readonly embeddingRead: boolean[];
  private readonly embeddingReadProjected: boolean[];
  /** Whether forward passes use the projections (prepareProjections was called last). */
  private projecting = false;
  private readonly simd: boolean;
  private noise: Float32Array[] | null = null;
  private noiseRow = 0;
  /** Loss sums over this call's rows, per task (from the last forward). */
  readonly lossSums: Float64Array;
  private readonly owned: HeapBuffer[] = [];
  /** Per embedding: its output transposed, with a ones row (training). */
  private readonly embT: (HeapBuffer | null)[];
  private readonly embTReady: boolean[] = [];
  /** Per vector value read by a first layer: transposed, with a ones row. */
  private readonly valT: (HeapBuffer | null)[];
  private readonly valTReady: boolean[] = [];

  constructor(program: Program, kernels: WasmKernels, options: ExecutorOptions) {
    this.program = program;
    this.k = kernels;
    this.capacity = options.capacity;
    this.training = options.training;
    const cap = options.capacity;
    const training = options.training;
    const alloc = (n: number) => {
      const b = kernels.alloc(n);
      this.owned.push(b);
      return b;
    };
    this.params = program.params.map((p) => alloc(p.size));
    this.paramsT = program.params.map(() => null);
    // Dense layers' kernel and bias gradients side by side ([in + 1, out]: the bias is the last
    // row), so the bias gradient comes out of the kernel's product (see LayerState.xT).
    const layerGrads = new Map<number, HeapBuffer>();
    const grads: (HeapBuffer | null)[] = program.params.map(() => null);
    if (training) {
      for (const op of program.ops) {
        const stacks = op.op === 'mlp' ? [op.layers] : op.op === 'experts' ? op.experts : [];
        for (const layers of stacks) {
          for (const l of layers) {
            const both = alloc((l.in + 1) * l.out);
            layerGrads.set(l.kernel, both);
            grads[l.kernel] = kernels.view(both, 0, l.in * l.out);
            grads[l.bias] = kernels.view(both, l.in * l.out, l.out);
            this.owned.push(grads[l.kernel]!, grads[l.bias]!);
          }
        }
      }
    }
    this.grads = training ? program.params.map((p, i) => grads[i] ?? alloc(p.size)) : [];
    this.gradTouched = program.params.map(() => false);
    this.embeddings = program.embeddingWidths.map((w) => alloc(cap * w));
    this.edgeGrads = training
      ? program.consumers.map((c) => new Float32Array(cap * program.embeddingWidths[c.embedding]))
      : [];
    this.edgeTouched = program.consumers.map(() => false);
    this.lossSums = new Float64Array(program.tasks.length);
    this.values = program.values.map((v): ValueState => {
      if (v.kind === 'vector') {
        return {
          kind: 'vector',
          width: v.width,
          val: alloc(cap * v.width),
          grad: training ? alloc(cap * v.width) : (null as unknown as HeapBuffer),
          touched: false,
        };
      }
      if (v.kind === 'binary') {
        return {
          kind: 'binary',
          logit: new Float32Array(cap),
          prob: new Float32Array(cap),
          dlogit: new Float32Array(training ? cap : 0),
          dprob: new Float32Array(training ? cap : 0),
          logitTouched: false,
          probTouched: false,
        };
      }
      const k = v.outputs > 1 ? v.outputs : 0;
      return {
        kind: 'regression',
        value: new Float32Array(cap),
        dvalue: new Float32Array(training ? cap : 0),
        parts: new Float32Array(cap * k),
        dparts: new Float32Array(training ? cap * k : 0),
        touched: false,
      };
    });
    // Transposed sources of first layers ([width + 1, rows], a row of ones last), built once
    // per step on first use: the embeddings' (shared by every tower) and the vector values'.
    this.embT = program.embeddingWidths.map((w) => (training ? alloc((w + 1) * cap) : null));
    this.valT = program.values.map(() => null);
    const sourceOf = (part: InputPart): (() => HeapBuffer) => {
      if (part.kind === 'embedding') return () => this.transposedEmbedding(part.embedding);
      if (!this.valT[part.value]) this.valT[part.value] = alloc((part.width + 1) * cap);
      return () => this.transposedValue(part.value);
    };
    const transposed = (i: number) => {
      if (training && !this.paramsT[i]) this.paramsT[i] = alloc(program.params[i].size);
    };
    const mlp = (
      layers: DenseLayer[],
      activation: string,
      dropout: number[],
      outVal: HeapBuffer | null,
      input: InputPart[],
    ): MlpState => ({
      activation,
      dropout,
      layers: layers.map((spec, i) => {
        transposed(spec.kernel);
        const last = i === layers.length - 1;
        const hasDropout = dropout[i] >= 0;
        const z = activation === 'relu' ? null : alloc(cap * spec.out);
        const h = last && outVal ? outVal : alloc(cap * spec.out);
        const hpre = hasDropout ? alloc(cap * spec.out) : h;
        const parts: LayerState['parts'] = [];
        if (training && i === 0) {
          const both = layerGrads.get(spec.kernel)!;
          let col = 0;
          input.forEach((part, j) => {
            // The last part's product also covers the ones row: the bias gradient.
            const rows = part.width + (j === input.length - 1 ? 1 : 0);
            const out = kernels.view(both, col * spec.out, rows * spec.out);
            this.owned.push(out);
            parts.push({ source: sourceOf(part), rows, out });
            col += part.width;
          });
        }
        return {
          spec,
          z,
          hpre,
          h,
          xT: training && i > 0 ? alloc((spec.in + 1) * cap) : h,
          parts,
          dz: training ? alloc(cap * spec.out) : h,
          dx: training ? alloc(cap * spec.in) : h,
        };
      }),
    });
    const inputBuffer = (parts: InputPart[], width: number) =>
      parts.length === 1 ? null : alloc(cap * width);
    this.state = program.ops.map((op) => {
      switch (op.op) {
        case 'mlp':
          return {
            x: inputBuffer(op.input, op.inWidth),
            mlp: mlp(
              op.layers,
              op.activation,
              op.dropout,
              (this.values[op.out] as VectorState).val,
              op.input,
            ),
          };
        case 'experts':
          return {
            x: inputBuffer(op.input, op.inWidth),
            experts: op.experts.map((layers, e) =>
              mlp(
                layers,
                op.activation,
                layers.map(() => -1),
                (this.values[op.outs[e]] as VectorState).val,
                op.input,
              ),
            ),
            dx: training ? alloc(cap * op.inWidth) : null,
          };
        case 'gate': {
          transposed(op.kernel);
          const E = op.experts.length;
          return {
            x: inputBuffer(op.selector, op.selectorWidth),
            logits: alloc(cap * E),
            weights: new Float32Array(cap * E),
            dlogits: training ? alloc(cap * E) : null,
            xT: training ? alloc(cap * op.selectorWidth) : null,
            dx: training ? alloc(cap * op.selectorWidth) : null,
          };
        }
        case 'head':
          return { x: inputBuffer(op.input, op.inWidth) };
        case 'leu':
          return { ptilde: new Float32Array(cap) };
        case 'fusion':
          return {
            ports: op.ports.map((port) => {
              const n = port.items.length;
              if (!port.attention) return null;
              transposed(port.attention.query);
              transposed(port.attention.key);
              transposed(port.attention.value);
              const rows = cap * n;
              const w = port.width;
              const many = n > 1;
              const qu = many ? alloc(rows * w) : null;
              const ku = many ? alloc(rows * w) : null;
              const vu = alloc(rows * w);
              // Inference: item j's projections in block j (planar), products straight from the
              // item's own buffer, no stacked copy.
              const block = (b: HeapBuffer | null, j: number) =>
                b ? this.k.view(b, j * cap * w, cap * w) : null;
              return {
                u: training ? alloc(rows * w) : null,
                qu,
                ku,
                vu,
                items: training
                  ? null
                  : port.items.map((_, j) => ({
                      q: block(qu, j),
                      k: block(ku, j),
                      v: block(vu, j)!,
                    })),
                weights: new Float32Array(rows),
                uT: training ? alloc(rows * w) : null,
                dqu: training && many ? alloc(rows * w) : null,
                dku: training && many ? alloc(rows * w) : null,
                dvu: training ? alloc(rows * w) : null,
                du: training ? alloc(rows * w) : null,
                du2: training && many ? alloc(rows * w) : null,
              };
            }),
          };
        default:
          return null;
      }
    });

    this.simd = options.simd ?? true;
    // First-layer projections (inference), within the budget, op by op.
    let budget = training ? 0 : (options.projectionBudget ?? 0);
    this.projections = program.ops.map((op) => {
      if (op.op !== 'mlp' || !op.input.some((p) => p.kind === 'embedding')) return null;
      const N = op.layers[0].out;
      const fields: Projection['fields'] = [];
      const rest: InputPart[] = [];
      const restRows: number[] = [];
      let col = 0;
      let floats = 0;
      for (const part of op.input) {
        if (part.kind === 'embedding') {
          const tables = program.tableRows[part.embedding];
          const dim = part.width / tables.length;
          tables.forEach((rows, f) => {
            fields.push({ embedding: part.embedding, field: f, row: col + f * dim, P: null, rows });
            floats += rows * N;
          });
        } else {
          rest.push(part);
          restRows.push(col);
        }
        col += part.width;
      }
      if (floats > budget) return null;
      budget -= floats;
      const restWidth = rest.reduce((n, p) => n + p.width, 0);
      return {
        N,
        rest,
        restWidth,
        restW: restWidth > 0 ? alloc(restWidth * N) : null,
        restX: restWidth > 0 && rest.length > 1 ? alloc(cap * restWidth) : null,
        restRows,
        fields,
        z: alloc(cap * N),
        lookup: [],
        linear: [],
        tables: alloc(fields.length),
        ids: alloc(cap * fields.length),
      };
    });
    const readBy = (projected: boolean) => {
      const read = program.embeddingWidths.map(() => false);
      program.ops.forEach((op, i) => {
        const parts =
          op.op === 'mlp' || op.op === 'experts' || op.op === 'head'
            ? op.input
            : op.op === 'gate'
              ? op.selector
              : [];
        if (projected && op.op === 'mlp' && this.projections[i]) return;
        for (const p of parts) if (p.kind === 'embedding') read[p.embedding] = true;
      });
      return read;
    };
    this.embeddingRead = readBy(false);
    this.embeddingReadProjected = readBy(true);
  }

  /** Whether the executor has first-layer projections (within its budget). */
  get projectable(): boolean {
    return this.projections.some((p) => p !== null);
  }

  /** Forward passes multiply the first layers again (until prepareProjections). */
  stopProjecting(): void {
    this.projecting = false;
  }

  /**
   * Inference with projections: computes P_f = E_f . W_f for every projected field from the
   * current tables and dense parameters (call after setParams, and again when either changes).
   */
  prepareProjections(sources: TableSource[][]): void {
    const k = this.k;
    this.program.ops.forEach((op, i) => {
      const proj = this.projections[i];
      if (!proj || op.op !== 'mlp') return;
      const W = this.params[op.layers[0].kernel];
      const N = proj.N;
      if (proj.restW) {
        let r = 0;
        proj.rest.forEach((part, j) => {
          const from = proj.restRows[j] * N;
          proj.restW!.view.set(W.view.subarray(from, from + part.width * N), r * N);
          r += part.width;
        });
        k.fresh(proj.restW);
      }
      for (const fp of proj.fields) {
        const src = sources[fp.embedding][fp.field];
        const dim =
          this.program.embeddingWidths[fp.embedding] / this.program.tableRows[fp.embedding].length;
        const rows = src.kind === 'lookup' ? fp.rows : 2;
        if (!fp.P) {
          fp.P = k.alloc(rows * N);
          this.owned.push(fp.P);
        }
        const e = k.alloc(rows * dim);
        const w = k.alloc(dim * N);
        e.view.set(src.data.subarray(0, rows * dim));
        w.view.set(W.view.subarray(fp.row * N, (fp.row + dim) * N));
        k.matmul(e, rows, dim, w, N, fp.P);
        k.free(e);
        k.free(w);
      }
      proj.lookup = [];
      proj.linear = [];
      proj.fields.forEach((fp, f) => {
        const kind = sources[fp.embedding][fp.field].kind;
        (kind === 'lookup' ? proj.lookup : proj.linear).push(f);
      });
      const tables = k.wasm.HEAP32;
      proj.lookup.forEach((f, j) => {
        tables[(proj.tables.offset >> 2) + j] = proj.fields[f].P!.offset;
      });
    });
    this.projecting = this.projectable;
  }
  /** Directs the edge gradients of the next backward passes to `targets`, from row `row`. */
  setEdgeTargets(targets: Float32Array[], row: number): void {
    this.edgeGrads = targets;
    this.edgeRow = row;
  }

  /** Frees every heap buffer. */
  dispose(): void {
    for (const b of this.owned) this.k.free(b);
    this.owned.length = 0;
  }

  /**
   * Loads the dense parameters (in program.params order) and prepares the transposed copies.
   * Drops XNNPACK's operators packed for the previous values.
   */
  setParams(values: ArrayLike<number>[] | ((i: number) => ArrayLike<number>)): void {
    const get = typeof values === 'function' ? values : (i: number) => values[i];
    this.k.refresh();
    this.program.params.forEach((p, i) => {
      const src = get(i);
      const dst = this.params[i];
      dst.view.set(src);
      this.k.fresh(dst);
      const t = this.paramsT[i];
      if (t) {
        transposeInto(dst.view, 0, p.shape[0], p.shape[1], t.view, 0);
        this.k.fresh(t);
      }
    });
  }

  /** Looks up the embeddings of `rows[from, to)` (one table source per field, per embedding). */
  lookup(
    sources: TableSource[][],
    dims: number[],
    rows: Int32Array,
    from: number,
    to: number,
  ): void {
    const B = to - from;
    if (B > this.capacity)
      throw new Error(`Batch of ${B} rows exceeds the executor's ${this.capacity}`);
    this.rows = B;
    this.rowIndex = rows;
    this.batchFrom = from;
    this.sources = sources;
    this.k.refresh();
    sources.forEach((fields, k) => {
      const read = this.projecting ? this.embeddingReadProjected : this.embeddingRead;
      if (!read[k] && !this.training) return;
      const out = this.embeddings[k].view;
      const dim = dims[k];
      const width = fields.length * dim;
      fields.forEach((src, f) => {
        const table = src.data;
        const col = f * dim;
        if (src.kind === 'lookup') {
          const ids = src.ids;
          if (dim === 16) {
            for (let b = 0; b < B; b++) {
              const s = ids[rows[from + b]] * 16;
              const d = b * width + col;
              out[d] = table[s];
              out[d + 1] = table[s + 1];
              out[d + 2] = table[s + 2];
              out[d + 3] = table[s + 3];
              out[d + 4] = table[s + 4];
              out[d + 5] = table[s + 5];
              out[d + 6] = table[s + 6];
              out[d + 7] = table[s + 7];
              out[d + 8] = table[s + 8];
              out[d + 9] = table[s + 9];
              out[d + 10] = table[s + 10];
              out[d + 11] = table[s + 11];
              out[d + 12] = table[s + 12];
              out[d + 13] = table[s + 13];
              out[d + 14] = table[s + 14];
              out[d + 15] = table[s + 15];
            }
          } else {
            for (let b = 0; b < B; b++) {
              const s = ids[rows[from + b]] * dim;
              const d = b * width + col;
              for (let j = 0; j < dim; j++) out[d + j] = table[s + j];
            }
          }
        } else {
          const values = src.values;
          for (let b = 0; b < B; b++) {
            const x = values[rows[from + b]];
            const d = b * width + col;
            for (let j = 0; j < dim; j++) out[d + j] = x * table[j] + table[dim + j];
          }
        }
      });
    });
  }

  /** Number of rows of the current call (set by lookup). */
  get batchRows(): number {
    return this.rows;
  }

  /**
   * The forward pass over the rows looked up last. `noise` holds the full batch's random
   * arrays (program.noise order) and `noiseRow` where this call's rows start in them; null at
   * inference. `targets` (per task, this call's rows) give the loss sums.
   */
  forward(noise: Float32Array[] | null, noiseRow: number, targets: Float32Array[] | null): void {
    this.noise = noise;
    this.noiseRow = noiseRow;
    this.embTReady.length = 0;
    this.valTReady.length = 0;
    const { ops } = this.program;
    for (let i = 0; i < ops.length; i++) this.forwardOp(ops[i], this.state[i]);
    if (targets) this.losses(targets);
  }

  /** Per task: its prediction for the rows of the last forward (probability, or the value). */
  output(task: number): Float32Array {
    const t = this.program.tasks[task];
    const v = this.values[t.value];
    return v.kind === 'binary' ? v.prob : (v as RegressionState).value;
  }

  /**
   * One backward pass of sum_t weights[t] * loss_t, each loss a mean over `fullBatch` rows.
   * Fills `grads` / `gradTouched` and `edgeGrads` / `edgeTouched`.
   */
  backward(weights: ArrayLike<number>, targets: Float32Array[], fullBatch: number): void {
    const B = this.rows;
    this.gradTouched.fill(false);
    this.edgeTouched.fill(false);
    for (const v of this.values) {
      if (v.kind === 'vector') v.touched = false;
      else if (v.kind === 'binary') v.logitTouched = v.probTouched = false;
      else v.touched = false;
    }
    this.program.tasks.forEach((task, t) => {
      const w = weights[t];
      if (!w) return;
      const v = this.values[task.value];
      const y = targets[t];
      const scale = w / fullBatch;
      if (v.kind === 'regression') {
        const d = this.touchRegression(v, B);
        if (task.objective === 'ziln') {
          const g = this.lossGrad;
          const parts = v.parts;
          const dp = v.dparts;
          for (let b = 0; b < B; b++) {
            const o = b * 3;
            zilnLoss(parts[o], parts[o + 1], parts[o + 2], y[b], g);
            dp[o] += scale * g[0];
            dp[o + 1] += scale * g[1];
            dp[o + 2] += scale * g[2];
          }
        } else if (task.objective === 'tweedie') {
          const g = this.lossGrad;
          for (let b = 0; b < B; b++) {
            tweedieLoss(v.value[b], y[b], task.tweediePower, g);
            d[b] += scale * g[0];
          }
        } else {
          for (let b = 0; b < B; b++) d[b] += 2 * scale * (v.value[b] - y[b]);
        }
      } else if (v.kind === 'binary') {
        if (task.logit) {
          const d = this.touchLogit(v, B);
          for (let b = 0; b < B; b++) d[b] += scale * (sigmoid(v.logit[b]) - y[b]);
        } else {
          const d = this.touchProb(v, B);
          for (let b = 0; b < B; b++) {
            const p = v.prob[b];
            if (p < PROB_EPSILON || p > 1 - PROB_EPSILON) continue;
            d[b] += scale * (-y[b] / p + (1 - y[b]) / (1 - p));
          }
        }
      }
    });
    // The calibrator: d/dp_b = w/N * [p_b > p_a], d/dp_a = -w/N * [p_b > p_a] (the head's
    // backward takes dp through the sigmoid: d/dlogit = dp * p (1 - p)).
    const cal = this.program.calibrator;
    if (cal.weight > 0) {
      const scale = cal.weight / fullBatch;
      for (const [a, b] of cal.pairs) {
        if (!weights[b]) continue;
        const va = this.values[this.program.tasks[a].value] as BinaryState;
        const vb = this.values[this.program.tasks[b].value] as BinaryState;
        const da = this.touchProb(va, B);
        const db = this.touchProb(vb, B);
        for (let r = 0; r < B; r++) {
          if (vb.prob[r] > va.prob[r]) {
            db[r] += scale;
            da[r] -= scale;
          }
        }
      }
    }
    const { ops } = this.program;
    for (let i = ops.length - 1; i >= 0; i--) this.backwardOp(ops[i], this.state[i]);
  }

  // ---- losses -------------------------------------------------------------------------------

  private losses(targets: Float32Array[]): void {
    const B = this.rows;
    this.program.tasks.forEach((task, t) => {
      const v = this.values[task.value];
      const y = targets[t];
      let sum = 0;
      if (v.kind === 'regression') {
        if (task.objective === 'ziln') {
          const parts = v.parts;
          for (let b = 0; b < B; b++)
            sum += zilnLoss(parts[b * 3], parts[b * 3 + 1], parts[b * 3 + 2], y[b], null);
        } else if (task.objective === 'tweedie') {
          for (let b = 0; b < B; b++) sum += tweedieLoss(v.value[b], y[b], task.tweediePower, null);
        } else {
          for (let b = 0; b < B; b++) sum += (v.value[b] - y[b]) ** 2;
        }
      } else if (v.kind === 'binary') {
        if (task.logit) {
          for (let b = 0; b < B; b++) {
            const z = v.logit[b];
            sum += Math.max(z, 0) - z * y[b] + Math.log1p(Math.exp(-Math.abs(z)));
          }
        } else {
          for (let b = 0; b < B; b++) {
            const p = Math.min(1 - PROB_EPSILON, Math.max(PROB_EPSILON, v.prob[b]));
            sum -= y[b] * Math.log(p) + (1 - y[b]) * Math.log(1 - p);
          }
        }
      }
      this.lossSums[t] = sum;
    });
  }

  // ---- gradient accumulators ----------------------------------------------------------------

  private touchVector(v: VectorState, B: number): Float32Array {
    if (!v.touched) {
      v.touched = true;
      v.grad.view.fill(0, 0, B * v.width);
    }
    return v.grad.view;
  }
  private touchLogit(v: BinaryState, B: number): Float32Array {
    if (!v.logitTouched) {
      v.logitTouched = true;
      v.dlogit.fill(0, 0, B);
    }
    return v.dlogit;
  }
  private touchProb(v: BinaryState, B: number): Float32Array {
    if (!v.probTouched) {
      v.probTouched = true;
      v.dprob.fill(0, 0, B);
    }
    return v.dprob;
  }
  private touchRegression(v: RegressionState, B: number): Float32Array {
    if (!v.touched) {
      v.touched = true;
      v.dvalue.fill(0, 0, B);
      v.dparts.fill(0, 0, B * 3);
    }
    return v.dvalue;
  }
  /** One row's loss gradient (objective.ts writes it here). */
  private readonly lossGrad = new Float64Array(3);
  private touchGrad(i: number): Float32Array {
    const g = this.grads[i].view;
    if (!this.gradTouched[i]) {
      this.gradTouched[i] = true;
      g.fill(0);
    }
    return g;
  }

  // ---- inputs -------------------------------------------------------------------------------

  /** Where an op's input is (after forward materialised it). */
  private inputBuffer(parts: InputPart[], own: HeapBuffer | null): HeapBuffer {
    if (parts.length !== 1) return own!;
    const p = parts[0];
    return p.kind === 'embedding'
      ? this.embeddings[p.embedding]
      : (this.values[p.value] as VectorState).val;
  }

  /** The buffer holding an op's concatenated input (the single part itself when there is one). */
  private input(parts: InputPart[], width: number, own: HeapBuffer | null): HeapBuffer {
    if (parts.length === 1) {
      const p = parts[0];
      return p.kind === 'embedding'
        ? this.embeddings[p.embedding]
        : (this.values[p.value] as VectorState).val;
    }
    const B = this.rows;
    const heap = this.k.wasm.HEAPF32;
    const dst = own!.offset >> 2;
    let col = 0;
    for (const p of parts) {
      const src =
        (p.kind === 'embedding'
          ? this.embeddings[p.embedding]
          : (this.values[p.value] as VectorState).val
        ).offset >> 2;
      const w = p.width;
      // Everything lives on the heap: native copies, row by row.
      for (let b = 0; b < B; b++) {
        const s = src + b * w;
        heap.copyWithin(dst + b * width + col, s, s + w);
      }
      col += w;
    }
    return own!;
  }

  /**
   * Adds an input's gradient dx [B, width] into the parts that take gradient (copies it where
   * a part receives its first gradient of the pass).
   */
  private inputGrad(parts: InputPart[], width: number, dx: Float32Array): void {
    const B = this.rows;
    let col = 0;
    for (const p of parts) {
      const w = p.width;
      if (p.grad) {
        let dst: Float32Array;
        let row0 = 0;
        let first: boolean;
        if (p.kind === 'embedding') {
          dst = this.edgeGrads[p.consumer];
          row0 = this.edgeRow;
          first = !this.edgeTouched[p.consumer];
          this.edgeTouched[p.consumer] = true;
        } else {
          const v = this.values[p.value] as VectorState;
          first = !v.touched;
          v.touched = true;
          dst = v.grad.view;
        }
        if (first) {
          for (let b = 0; b < B; b++) {
            const s = b * width + col;
            dst.set(dx.subarray(s, s + w), (row0 + b) * w);
          }
        } else {
          for (let b = 0; b < B; b++) {
            const s = b * width + col;
            const d = (row0 + b) * w;
            for (let j = 0; j < w; j++) dst[d + j] += dx[s + j];
          }
        }
      }
      col += w;
    }
  }

  private inputWantsGrad(parts: InputPart[]): boolean {
    return parts.some((p) => p.grad);
  }

  // ---- forward ------------------------------------------------------------------------------

  private forwardOp(op: Op, st: unknown): void {
    const B = this.rows;
    switch (op.op) {
      case 'mlp': {
        const s = st as { x: HeapBuffer | null; mlp: MlpState };
        const proj = this.projecting ? this.projections[this.program.ops.indexOf(op)] : null;
        if (proj) {
          this.projectedFirstLayer(proj, s.mlp, B);
          this.mlpForward(s.mlp, s.mlp.layers[0].h, B, 1);
          break;
        }
        const x = this.input(op.input, op.inWidth, s.x);
        this.mlpForward(s.mlp, x, B);
        break;
      }
      case 'experts': {
        const s = st as { x: HeapBuffer | null; experts: MlpState[] };
        const x = this.input(op.input, op.inWidth, s.x);
        for (const m of s.experts) this.mlpForward(m, x, B);
        break;
      }
      case 'gate': {
        const s = st as { x: HeapBuffer | null; logits: HeapBuffer; weights: Float32Array };
        const x = this.input(op.selector, op.selectorWidth, s.x);
        const E = op.experts.length;
        this.k.matmul(
          x,
          B,
          op.selectorWidth,
          this.params[op.kernel],
          E,
          s.logits,
          this.params[op.bias],
        );
        softmaxRows(s.logits.view, s.weights, B, E);
        const out = (this.values[op.out] as VectorState).val.view;
        const w = op.width;
        out.fill(0, 0, B * w);
        for (let e = 0; e < E; e++) {
          const ex = (this.values[op.experts[e]] as VectorState).val.view;
          for (let b = 0; b < B; b++) {
            const a = s.weights[b * E + e];
            const o = b * w;
            for (let j = 0; j < w; j++) out[o + j] += a * ex[o + j];
          }
        }
        break;
      }
      case 'head': {
        const s = st as { x: HeapBuffer | null };
        const x = this.input(op.input, op.inWidth, s.x).view;
        const w = this.params[op.kernel].view;
        const bias = this.params[op.bias].view[0];
        const K = op.inWidth;
        const v = this.values[op.out];
        if (op.outputs === 3) {
          const r = v as RegressionState;
          const bias3 = this.params[op.bias].view;
          const parts = r.parts;
          for (let b = 0; b < B; b++) {
            let s0 = 0;
            let s1 = 0;
            let s2 = 0;
            const o = b * K;
            for (let j = 0; j < K; j++) {
              const xj = x[o + j];
              s0 += xj * w[j * 3];
              s1 += xj * w[j * 3 + 1];
              s2 += xj * w[j * 3 + 2];
            }
            parts[b * 3] = s0 + bias3[0];
            parts[b * 3 + 1] = s1 + bias3[1];
            parts[b * 3 + 2] = s2 + bias3[2];
            r.value[b] = zilnValue(parts[b * 3], parts[b * 3 + 1], parts[b * 3 + 2]);
          }
          break;
        }
        const out = v.kind === 'binary' ? v.logit : (v as RegressionState).value;
        for (let b = 0; b < B; b++) {
          let sum = 0;
          const o = b * K;
          for (let j = 0; j < K; j++) sum += x[o + j] * w[j];
          out[b] = sum + bias;
        }
        if (v.kind === 'binary') for (let b = 0; b < B; b++) v.prob[b] = sigmoid(v.logit[b]);
        break;
      }
      case 'esmm': {
        const prior = this.values[op.prior] as BinaryState;
        const cond = this.values[op.conditional] as BinaryState;
        const v = this.values[op.out] as BinaryState;
        for (let b = 0; b < B; b++) {
          const p = prior.prob[b] * cond.prob[b];
          v.prob[b] = p;
          const c = Math.min(1 - PROB_EPSILON, Math.max(PROB_EPSILON, p));
          v.logit[b] = Math.log(c) - Math.log(1 - c);
        }
        break;
      }
      case 'leu': {
        const s = st as { ptilde: Float32Array };
        const src = this.values[op.source] as BinaryState;
        const table = this.params[op.table].view;
        const L = op.dim;
        const noise = op.noise >= 0 && this.noise ? this.noise[op.noise] : null;
        const out = (this.values[op.out] as VectorState).val.view;
        const r0 = this.noiseRow;
        for (let b = 0; b < B; b++) {
          const z = noise ? src.logit[b] + noise[r0 + b] : src.logit[b];
          const p = sigmoid(z / op.temperature);
          s.ptilde[b] = p;
          const o = b * L;
          for (let j = 0; j < L; j++) out[o + j] = p * table[L + j] + (1 - p) * table[j];
        }
        break;
      }
      case 'fusion': {
        const s = st as { ports: (FusionPortState | null)[] };
        const out = (this.values[op.out] as VectorState).val;
        const W = op.width;
        let col = 0;
        op.ports.forEach((port, pi) => {
          const n = port.items.length;
          const w = port.width;
          const ps = s.ports[pi];
          if (!port.attention || !ps) {
            const o = out.view;
            let c = col;
            for (const item of port.items) {
              const src = this.values[item] as VectorState;
              const iw = src.width;
              const sv = src.val.view;
              for (let b = 0; b < B; b++) {
                const d = b * W + c;
                const q = b * iw;
                for (let j = 0; j < iw; j++) o[d + j] = sv[q + j];
              }
              c += iw;
            }
            col += w;
            return;
          }
          if (ps.items) {
            this.fusionPortInference(port, ps, ps.items, out.view, W, col, B);
            col += w;
            return;
          }
          const rows = B * n;
          // U: row b * n + j holds item j of row b (tf.stack(set, 1) then reshape).
          const u = ps.u!.view;
          port.items.forEach((item, j) => {
            const sv = (this.values[item] as VectorState).val.view;
            for (let b = 0; b < B; b++) {
              const d = (b * n + j) * w;
              const q = b * w;
              for (let c = 0; c < w; c++) u[d + c] = sv[q + c];
            }
          });
          const a = port.attention;
          this.k.matmul(ps.u!, rows, w, this.params[a.value], w, ps.vu);
          if (n > 1) {
            this.k.matmul(ps.u!, rows, w, this.params[a.query], w, ps.qu!);
            this.k.matmul(ps.u!, rows, w, this.params[a.key], w, ps.ku!);
            const qu = ps.qu!.view;
            const ku = ps.ku!.view;
            const scale = Math.sqrt(w);
            for (let r = 0; r < rows; r++) {
              let dot = 0;
              const o = r * w;
              for (let c = 0; c < w; c++) dot += qu[o + c] * ku[o + c];
              ps.weights[r] = dot / scale;
            }
            softmaxRows(ps.weights, ps.weights, B, n);
          } else {
            ps.weights.fill(1, 0, rows);
          }
          const vu = ps.vu.view;
          const o = out.view;
          for (let b = 0; b < B; b++) {
            const d = b * W + col;
            for (let c = 0; c < w; c++) o[d + c] = 0;
            for (let j = 0; j < n; j++) {
              const a2 = ps.weights[b * n + j];
              const q = (b * n + j) * w;
              for (let c = 0; c < w; c++) o[d + c] += a2 * vu[q + c];
            }
          }
          col += w;
        });
        break;
      }
    }
  }

  /**
   * One attention port of a fusion, inference: per item j, q_j, k_j and v_j from the item's
   * own buffer; per row, the softmax over j of q_j.k_j / sqrt(w) weighs the v_j into out's
   * columns [col, col + w). The same sums as the stacked training path, in the same order.
   */
  private fusionPortInference(
    port: Extract<Op, { op: 'fusion' }>['ports'][number],
    ps: FusionPortState,
    items: NonNullable<FusionPortState['items']>,
    o: Float32Array,
    W: number,
    col: number,
    B: number,
  ): void {
    const a = port.attention!;
    const n = items.length;
    const w = port.width;
    const vals = port.items.map((item) => (this.values[item] as VectorState).val);
    items.forEach((it, j) => this.k.matmul(vals[j], B, w, this.params[a.value], w, it.v));
    if (n === 1) {
      const v = items[0].v.view;
      for (let b = 0; b < B; b++) o.set(v.subarray(b * w, b * w + w), b * W + col);
      return;
    }
    items.forEach((it, j) => {
      this.k.matmul(vals[j], B, w, this.params[a.query], w, it.q!);
      this.k.matmul(vals[j], B, w, this.params[a.key], w, it.k!);
    });
    const scale = Math.sqrt(w);
    const weights = ps.weights;
    const qs = items.map((it) => it.q!.view);
    const ks = items.map((it) => it.k!.view);
    const vs = items.map((it) => it.v.view);
    for (let j = 0; j < n; j++) {
      const q = qs[j];
      const k = ks[j];
      for (let b = 0; b < B; b++) {
        let dot = 0;
        const r = b * w;
        for (let c = 0; c < w; c++) dot += q[r + c] * k[r + c];
        weights[b * n + j] = dot / scale;
      }
    }
    softmaxRows(weights, weights, B, n);
    for (let b = 0; b < B; b++) {
      const d = b * W + col;
      const r = b * w;
      const a0 = weights[b * n];
      const v0 = vs[0];
      for (let c = 0; c < w; c++) o[d + c] = a0 * v0[r + c];
      for (let j = 1; j < n; j++) {
        const aj = weights[b * n + j];
        const v = vs[j];
        for (let c = 0; c < w; c++) o[d + c] += aj * v[r + c];
      }
    }
  }

  /**
   * The first layer of an MLP through its projections (inference): z = rest.W_rest + bias +
   * sum_f P_f[id_f], then the activation. The looked-up fields are summed by the SIMD kernel
   * (simd.ts), row by row, with relu fused when nothing is added after them; numeric fields and
   * a module without the kernel take the scalar loops.
   */
  private projectedFirstLayer(proj: Projection, m: MlpState, B: number): void {
    const layer = m.layers[0];
    const N = proj.N;
    const bias = this.params[layer.spec.bias];
    const kernel = this.simd && proj.lookup.length > 0 ? this.k.project : null;
    // The kernel applies relu on rows of whole 16-byte steps only.
    const fused =
      kernel !== null && m.activation === 'relu' && proj.linear.length === 0 && N % 4 === 0;
    const target = fused ? layer.hpre : proj.z;
    if (proj.restW) {
      const x = this.input(proj.rest, proj.restWidth, proj.restX);
      this.k.matmul(x, B, proj.restWidth, proj.restW, N, target, bias);
    } else if (!kernel) {
      const z = target.view;
      const b0 = bias.view.subarray(0, N);
      for (let b = 0; b < B; b++) z.set(b0, b * N);
    }
    const rows = this.rowIndex;
    const from = this.batchFrom;
    if (kernel) {
      const F = proj.lookup.length;
      const ids = this.k.wasm.HEAP32;
      const at = proj.ids.offset >> 2;
      proj.lookup.forEach((f, j) => {
        const fp = proj.fields[f];
        const src = (this.sources[fp.embedding][fp.field] as { ids: Int32Array }).ids;
        for (let b = 0; b < B; b++) ids[at + b * F + j] = src[rows[from + b]];
      });
      const tables = proj.tables.offset;
      kernel.project(
        target.offset,
        N,
        B,
        F,
        tables,
        proj.ids.offset,
        proj.restW ? 0 : bias.offset,
        fused,
      );
    }
    const z = target.view;
    for (const fp of proj.fields) {
      const src = this.sources[fp.embedding][fp.field];
      const P = fp.P!.view;
      if (src.kind === 'lookup') {
        if (kernel) continue;
        const ids = src.ids;
        for (let b = 0; b < B; b++) {
          const p = ids[rows[from + b]] * N;
          const o = b * N;
          for (let j = 0; j < N; j++) z[o + j] += P[p + j];
        }
      } else {
        const values = src.values;
        for (let b = 0; b < B; b++) {
          const x = values[rows[from + b]];
          const o = b * N;
          for (let j = 0; j < N; j++) z[o + j] += x * P[j] + P[N + j];
        }
      }
    }
    if (!fused) activate(m.activation, z, layer.hpre.view, B * N);
    if (layer.h !== layer.hpre) layer.h.view.set(layer.hpre.view.subarray(0, B * N));
  }

  private mlpForward(m: MlpState, input: HeapBuffer, B: number, first = 0): void {
    let x = input;
    m.layers.forEach((layer, i) => {
      if (i < first) return;
      const { spec } = layer;
      if (m.activation === 'relu') {
        this.k.matmul(
          x,
          B,
          spec.in,
          this.params[spec.kernel],
          spec.out,
          layer.hpre,
          this.params[spec.bias],
          ACTIVATION_RELU,
        );
      } else {
        this.k.matmul(
          x,
          B,
          spec.in,
          this.params[spec.kernel],
          spec.out,
          layer.z!,
          this.params[spec.bias],
          ACTIVATION_LINEAR,
        );
        activate(m.activation, layer.z!.view, layer.hpre.view, B * spec.out);
      }
      const mask = m.dropout[i];
      if (mask >= 0 && this.noise) {
        const noise = this.noise[mask];
        const n = B * spec.out;
        const o = this.noiseRow * spec.out;
        const hp = layer.hpre.view;
        const h = layer.h.view;
        for (let j = 0; j < n; j++) h[j] = hp[j] * noise[o + j];
      } else if (layer.h !== layer.hpre) {
        layer.h.view.set(layer.hpre.view.subarray(0, B * spec.out));
      }
      x = layer.h;
    });
  }

  // ---- backward -----------------------------------------------------------------------------

  /** A ZILN head's backward pass: its three outputs' gradients dparts [B, 3]. */
  private zilnHeadBackward(
    op: Extract<Op, { op: 'head' }>,
    st: { x: HeapBuffer | null },
    dparts: Float32Array,
    B: number,
  ): void {
    const x = this.inputBuffer(op.input, st.x).view;
    const K = op.inWidth;
    const gw = this.touchGrad(op.kernel);
    const gb = this.touchGrad(op.bias);
    for (let b = 0; b < B; b++) {
      const g0 = dparts[b * 3];
      const g1 = dparts[b * 3 + 1];
      const g2 = dparts[b * 3 + 2];
      gb[0] += g0;
      gb[1] += g1;
      gb[2] += g2;
      const o = b * K;
      for (let j = 0; j < K; j++) {
        const xj = x[o + j];
        gw[j * 3] += xj * g0;
        gw[j * 3 + 1] += xj * g1;
        gw[j * 3 + 2] += xj * g2;
      }
    }
    if (!this.inputWantsGrad(op.input)) return;
    const w = this.params[op.kernel].view;
    const dx = this.scratch(B * K);
    for (let b = 0; b < B; b++) {
      const g0 = dparts[b * 3];
      const g1 = dparts[b * 3 + 1];
      const g2 = dparts[b * 3 + 2];
      const o = b * K;
      for (let j = 0; j < K; j++) dx[o + j] = g0 * w[j * 3] + g1 * w[j * 3 + 1] + g2 * w[j * 3 + 2];
    }
    this.inputGrad(op.input, K, dx);
  }

  private backwardOp(op: Op, st: unknown): void {
    const B = this.rows;
    switch (op.op) {
      case 'mlp': {
        const v = this.values[op.out] as VectorState;
        if (!v.touched) return;
        const s = st as { x: HeapBuffer | null; mlp: MlpState };
        const input = this.inputBuffer(op.input, s.x);
        const needInput = this.inputWantsGrad(op.input);
        const dx = this.mlpBackward(s.mlp, input, v.grad, B, needInput);
        if (dx) this.inputGrad(op.input, op.inWidth, dx.view);
        break;
      }
      case 'experts': {
        const s = st as { x: HeapBuffer | null; experts: MlpState[]; dx: HeapBuffer };
        const input = this.inputBuffer(op.input, s.x);
        const needInput = this.inputWantsGrad(op.input);
        let any = false;
        const n = B * op.inWidth;
        s.experts.forEach((m, e) => {
          const v = this.values[op.outs[e]] as VectorState;
          if (!v.touched) return;
          const dx = this.mlpBackward(m, input, v.grad, B, needInput);
          if (!dx) return;
          const acc = s.dx.view;
          const d = dx.view;
          if (!any) for (let j = 0; j < n; j++) acc[j] = d[j];
          else for (let j = 0; j < n; j++) acc[j] += d[j];
          any = true;
        });
        if (any) this.inputGrad(op.input, op.inWidth, s.dx.view);
        break;
      }
      case 'gate': {
        const v = this.values[op.out] as VectorState;
        if (!v.touched) return;
        const s = st as {
          x: HeapBuffer | null;
          logits: HeapBuffer;
          weights: Float32Array;
          dlogits: HeapBuffer;
          xT: HeapBuffer;
          dx: HeapBuffer;
        };
        const E = op.experts.length;
        const w = op.width;
        const dout = v.grad.view;
        const dl = s.dlogits.view;
        // d weights and the experts' gradients.
        for (let e = 0; e < E; e++) {
          const ev = this.values[op.experts[e]] as VectorState;
          const ex = ev.val.view;
          const dex = this.touchVector(ev, B);
          for (let b = 0; b < B; b++) {
            const a = s.weights[b * E + e];
            const o = b * w;
            let dot = 0;
            for (let j = 0; j < w; j++) {
              dot += dout[o + j] * ex[o + j];
              dex[o + j] += a * dout[o + j];
            }
            dl[b * E + e] = dot;
          }
        }
        softmaxBackwardRows(s.weights, dl, B, E);
        const gb = this.touchGrad(op.bias);
        for (let b = 0; b < B; b++) for (let e = 0; e < E; e++) gb[e] += dl[b * E + e];
        const x = this.inputBuffer(op.selector, s.x);
        const S = op.selectorWidth;
        transposeInto(x.view, 0, B, S, s.xT.view, 0);
        this.k.fresh(s.dlogits);
        this.touchGrad(op.kernel);
        this.k.matmul(s.xT, S, B, s.dlogits, E, this.grads[op.kernel]);
        if (this.inputWantsGrad(op.selector)) {
          this.k.matmul(s.dlogits, B, E, this.paramsT[op.kernel]!, S, s.dx);
          this.inputGrad(op.selector, S, s.dx.view);
        }
        break;
      }
      case 'head': {
        const v = this.values[op.out];
        let d: Float32Array;
        if (v.kind === 'binary') {
          if (!v.logitTouched && !v.probTouched) return;
          d = this.touchLogit(v, B);
          if (v.probTouched) {
            for (let b = 0; b < B; b++) {
              const p = v.prob[b];
              d[b] += v.dprob[b] * p * (1 - p);
            }
          }
        } else {
          const r = v as RegressionState;
          if (!r.touched) return;
          d = r.dvalue;
          if (op.outputs === 3) {
            this.zilnHeadBackward(op, st as { x: HeapBuffer | null }, r.dparts, B);
            break;
          }
        }
        const s = st as { x: HeapBuffer | null };
        const x = this.inputBuffer(op.input, s.x).view;
        const K = op.inWidth;
        const gw = this.touchGrad(op.kernel);
        const gb = this.touchGrad(op.bias);
        let db = 0;
        for (let b = 0; b < B; b++) {
          const g = d[b];
          db += g;
          const o = b * K;
          for (let j = 0; j < K; j++) gw[j] += x[o + j] * g;
        }
        gb[0] += db;
        if (this.inputWantsGrad(op.input)) {
          const w = this.params[op.kernel].view;
          const dx = this.scratch(B * K);
          for (let b = 0; b < B; b++) {
            const g = d[b];
            const o = b * K;
            for (let j = 0; j < K; j++) dx[o + j] = g * w[j];
          }
          this.inputGrad(op.input, K, dx);
        }
        break;
      }
      case 'esmm': {
        const v = this.values[op.out] as BinaryState;
        if (!v.logitTouched && !v.probTouched) return;
        const d = this.touchProb(v, B);
        if (v.logitTouched) {
          for (let b = 0; b < B; b++) {
            const p = v.prob[b];
            if (p < PROB_EPSILON || p > 1 - PROB_EPSILON) continue;
            d[b] += v.dlogit[b] * (1 / p + 1 / (1 - p));
          }
        }
        const prior = this.values[op.prior] as BinaryState;
        const cond = this.values[op.conditional] as BinaryState;
        const dp = this.touchProb(prior, B);
        const dc = this.touchProb(cond, B);
        for (let b = 0; b < B; b++) {
          dp[b] += d[b] * cond.prob[b];
          dc[b] += d[b] * prior.prob[b];
        }
        break;
      }
      case 'leu': {
        const v = this.values[op.out] as VectorState;
        if (!v.touched) return;
        const s = st as { ptilde: Float32Array };
        const L = op.dim;
        const dle = v.grad.view;
        const g = this.touchGrad(op.table);
        const table = this.params[op.table].view;
        const src = this.values[op.source] as BinaryState;
        const dz = op.cut ? null : this.touchLogit(src, B);
        const tau = op.temperature;
        for (let b = 0; b < B; b++) {
          const p = s.ptilde[b];
          const o = b * L;
          let dp = 0;
          for (let j = 0; j < L; j++) {
            const d = dle[o + j];
            g[j] += (1 - p) * d;
            g[L + j] += p * d;
            dp += d * (table[L + j] - table[j]);
          }
          if (dz) dz[b] += (dp * p * (1 - p)) / tau;
        }
        break;
      }
      case 'fusion': {
        const v = this.values[op.out] as VectorState;
        if (!v.touched) return;
        const s = st as { ports: (FusionPortState | null)[] };
        const W = op.width;
        let col = 0;
        op.ports.forEach((port, pi) => {
          const n = port.items.length;
          const w = port.width;
          const ps = s.ports[pi];
          const dout = v.grad.view;
          if (!port.attention || !ps) {
            let c = col;
            for (const item of port.items) {
              const iv = this.values[item] as VectorState;
              const iw = iv.width;
              if (!port.cut) {
                const dst = this.touchVector(iv, B);
                for (let b = 0; b < B; b++) {
                  const q = b * W + c;
                  const d = b * iw;
                  for (let j = 0; j < iw; j++) dst[d + j] += dout[q + j];
                }
              }
              c += iw;
            }
            col += w;
            return;
          }
          const rows = B * n;
          const a = port.attention;
          const dvu = ps.dvu!.view;
          const vu = ps.vu.view;
          const many = n > 1;
          if (many) {
            const dw = this.scratch(rows);
            for (let b = 0; b < B; b++) {
              const q = b * W + col;
              for (let j = 0; j < n; j++) {
                const r = b * n + j;
                const wt = ps.weights[r];
                const o = r * w;
                let dot = 0;
                for (let c = 0; c < w; c++) {
                  const g = dout[q + c];
                  dvu[o + c] = wt * g;
                  dot += g * vu[o + c];
                }
                dw[r] = dot;
              }
            }
            softmaxBackwardRows(ps.weights, dw, B, n);
            const scale = Math.sqrt(w);
            const qu = ps.qu!.view;
            const ku = ps.ku!.view;
            const dqu = ps.dqu!.view;
            const dku = ps.dku!.view;
            for (let r = 0; r < rows; r++) {
              const ds = dw[r] / scale;
              const o = r * w;
              for (let c = 0; c < w; c++) {
                dqu[o + c] = ds * ku[o + c];
                dku[o + c] = ds * qu[o + c];
              }
            }
          } else {
            for (let b = 0; b < B; b++) {
              const q = b * W + col;
              const o = b * w;
              for (let c = 0; c < w; c++) dvu[o + c] = dout[q + c];
            }
          }
          transposeInto(ps.u!.view, 0, rows, w, ps.uT!.view, 0);
          this.k.fresh(ps.dvu!);
          this.touchGrad(a.value);
          this.k.matmul(ps.uT!, w, rows, ps.dvu!, w, this.grads[a.value]);
          this.touchGrad(a.query);
          this.touchGrad(a.key);
          if (many) {
            this.k.fresh(ps.dqu!);
            this.k.fresh(ps.dku!);
            this.k.matmul(ps.uT!, w, rows, ps.dqu!, w, this.grads[a.query]);
            this.k.matmul(ps.uT!, w, rows, ps.dku!, w, this.grads[a.key]);
          }
          if (!port.cut) {
            this.k.matmul(ps.dvu!, rows, w, this.paramsT[a.value]!, w, ps.du!);
            if (many) {
              this.k.matmul(ps.dqu!, rows, w, this.paramsT[a.query]!, w, ps.du2!);
              addInto(ps.du!.view, ps.du2!.view, rows * w);
              this.k.matmul(ps.dku!, rows, w, this.paramsT[a.key]!, w, ps.du2!);
              addInto(ps.du!.view, ps.du2!.view, rows * w);
            }
            const du = ps.du!.view;
            port.items.forEach((item, j) => {
              const iv = this.values[item] as VectorState;
              const dst = this.touchVector(iv, B);
              for (let b = 0; b < B; b++) {
                const q = (b * n + j) * w;
                const d = b * w;
                for (let c = 0; c < w; c++) dst[d + c] += du[q + c];
              }
            });
          }
          col += w;
        });
        break;
      }
    }
  }

  /**
   * Backward through an MLP: dh is the gradient of its output. Returns the gradient of its
   * input (the first layer's dx), or null when not needed.
   */
  private mlpBackward(
    m: MlpState,
    input: HeapBuffer,
    dh: HeapBuffer,
    B: number,
    needInput: boolean,
  ): HeapBuffer | null {
    let dH = dh;
    for (let i = m.layers.length - 1; i >= 0; i--) {
      const layer = m.layers[i];
      const { spec } = layer;
      const N = spec.out;
      const K = spec.in;
      const n = B * N;
      const dz = layer.dz.view;
      const g = dH.view;
      const mask = m.dropout[i];
      const hp = layer.hpre.view;
      const noise = mask >= 0 && this.noise ? this.noise[mask] : null;
      const o = this.noiseRow * N;
      switch (m.activation) {
        case 'relu':
          if (noise) {
            for (let j = 0; j < n; j++) dz[j] = g[j] * noise[o + j];
            reluMask(dz, hp, n);
          } else {
            dz.set(g.subarray(0, n));
            reluMask(dz, hp, n);
          }
          break;
        case 'linear':
          if (noise) for (let j = 0; j < n; j++) dz[j] = g[j] * noise[o + j];
          else for (let j = 0; j < n; j++) dz[j] = g[j];
          break;
        case 'tanh':
          for (let j = 0; j < n; j++) {
            const gj = noise ? g[j] * noise[o + j] : g[j];
            dz[j] = gj * (1 - hp[j] * hp[j]);
          }
          break;
        case 'sigmoid':
          for (let j = 0; j < n; j++) {
            const gj = noise ? g[j] * noise[o + j] : g[j];
            dz[j] = gj * hp[j] * (1 - hp[j]);
          }
          break;
        case 'gelu': {
          const z = layer.z!.view;
          for (let j = 0; j < n; j++) {
            const gj = noise ? g[j] * noise[o + j] : g[j];
            dz[j] = gj * geluDerivative(z[j]);
          }
          break;
        }
      }
      // Weight and bias gradients: [x^T; 1] . dz, one product per input part (the first layer
      // reads its parts' transposed sources: the embedding's is shared by every tower).
      this.gradTouched[spec.kernel] = true;
      this.gradTouched[spec.bias] = true;
      this.k.fresh(layer.dz);
      if (i === 0) {
        for (const part of layer.parts)
          this.k.matmul(part.source(), part.rows, B, layer.dz, N, part.out);
      } else {
        transposeWithOnes(m.layers[i - 1].h.view, B, K, layer.xT.view);
        this.k.matmul(layer.xT, K + 1, B, layer.dz, N, this.grads[spec.kernel].view_of!);
      }
      void input;
      if (i > 0 || needInput) {
        this.k.matmul(layer.dz, B, N, this.paramsT[spec.kernel]!, K, layer.dx);
        dH = layer.dx;
      } else {
        return null;
      }
    }
    return dH;
  }

  /** The embedding's output, transposed, with a ones row: [width + 1, rows]. */
  private transposedEmbedding(k: number): HeapBuffer {
    const t = this.embT[k]!;
    if (!this.embTReady[k]) {
      this.embTReady[k] = true;
      const w = this.program.embeddingWidths[k];
      transposeWithOnes(this.embeddings[k].view, this.rows, w, t.view);
    }
    return t;
  }

  /** A vector value, transposed, with a ones row: [width + 1, rows]. */
  private transposedValue(v: number): HeapBuffer {
    const t = this.valT[v]!;
    if (!this.valTReady[v]) {
      this.valTReady[v] = true;
      const s = this.values[v] as VectorState;
      transposeWithOnes(s.val.view, this.rows, s.width, t.view);
    }
    return t;
  }

  private scratchBuffer = new Float32Array(0);
  private scratch(n: number): Float32Array {
    if (this.scratchBuffer.length < n) this.scratchBuffer = new Float32Array(n);
    return this.scratchBuffer;
  }
}

interface FusionPortState {
  /** Training: the items stacked, row b * n + j holding item j of row b. */
  u: HeapBuffer | null;
  /** Inference: per item, its blocks of qu, ku and vu. */
  items: { q: HeapBuffer | null; k: HeapBuffer | null; v: HeapBuffer }[] | null;
  qu: HeapBuffer | null;
  ku: HeapBuffer | null;
  vu: HeapBuffer;
  weights: Float32Array;
  uT: HeapBuffer | null;
  dqu: HeapBuffer | null;
  dku: HeapBuffer | null;
  dvu: HeapBuffer | null;
  du: HeapBuffer | null;
  du2: HeapBuffer | null;
}

/**
 * dz[j] = 0 where h[j] (a ReLU output, so >= 0) is not positive; branch-free on the float
 * bits (a data-dependent branch here mispredicts half the time).
 */
function reluMask(dz: Float32Array, h: Float32Array, n: number): void {
  const hb = new Int32Array(h.buffer, h.byteOffset, n);
  const db = new Int32Array(dz.buffer, dz.byteOffset, n);
  for (let j = 0; j < n; j++) {
    const x = hb[j];
    // all ones when x > 0 (as a float: positive, not +-0), else 0
    db[j] &= (-x >> 31) & ~(x >> 31);
  }
}

/** dst = [src^T; ones]: src is [rows, cols], dst [cols + 1, rows]. */
function transposeWithOnes(src: Float32Array, rows: number, cols: number, dst: Float32Array): void {
  transposeInto(src, 0, rows, cols, dst, 0);
  dst.fill(1, cols * rows, (cols + 1) * rows);
}

function addInto(dst: Float32Array, src: Float32Array, n: number): void {
  for (let j = 0; j < n; j++) dst[j] += src[j];
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

const GELU_C = Math.sqrt(2 / Math.PI);

function activate(activation: string, z: Float32Array, h: Float32Array, n: number): void {
  switch (activation) {
    case 'linear':
      for (let j = 0; j < n; j++) h[j] = z[j];
      break;
    case 'tanh':
      for (let j = 0; j < n; j++) h[j] = Math.tanh(z[j]);
      break;
    case 'sigmoid':
      for (let j = 0; j < n; j++) h[j] = sigmoid(z[j]);
      break;
    case 'gelu':
      for (let j = 0; j < n; j++) {
        const x = z[j];
        h[j] = 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
      }
      break;
    case 'relu':
      for (let j = 0; j < n; j++) h[j] = z[j] > 0 ? z[j] : 0;
      break;
  }
}

function geluDerivative(x: number): number {
  const t = Math.tanh(GELU_C * (x + 0.044715 * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x);
}

/** Row-wise softmax of [rows, n] (in may equal out). */
function softmaxRows(input: Float32Array, out: Float32Array, rows: number, n: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let max = -Infinity;
    for (let j = 0; j < n; j++) if (input[o + j] > max) max = input[o + j];
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(input[o + j] - max);
      out[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < n; j++) out[o + j] /= sum;
  }
}

/** In place: d <- y * (d - sum(d * y)) per row (the softmax backward), y the softmax output. */
function softmaxBackwardRows(y: Float32Array, d: Float32Array, rows: number, n: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let dot = 0;
    for (let j = 0; j < n; j++) dot += d[o + j] * y[o + j];
    for (let j = 0; j < n; j++) d[o + j] = y[o + j] * (d[o + j] - dot);
  }
}
