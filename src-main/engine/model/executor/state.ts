// What every op of the executor shares: the heap buffers of the dense parameters, their
// gradients and transposed copies, the looked-up embeddings, the program's values (typed by
// kind: vector, binary, regression) and the current call's rows. Built once per executor, in
// a fixed order (the same heap layout and tensor ids whatever the ops are), then read and
// written by the ops (ops/*.ts) through the typed accessors here: an op resolves the values it
// reads and writes once, when it allocates its own state, and never casts them back.

import type { HeapBuffer, WasmKernels } from '../kernels';
import type { InputPart, Program } from '../program';
import { transposeWithOnes } from './activations';
import type { Projection } from './projections';

/** Where one embedding table's rows come from for a batch. */
export type TableSource =
  | { kind: 'lookup'; ids: Int32Array; data: Float32Array }
  | { kind: 'linear'; values: Float32Array; data: Float32Array };

export const PROB_EPSILON = 1e-7;

/** A [batch, width] value: a tower's, gate's, fusion's or label embedding's output. */
export interface VectorState {
  kind: 'vector';
  index: number;
  width: number;
  val: HeapBuffer;
  /** Its gradient (training; null for inference). */
  grad: HeapBuffer | null;
  touched: boolean;
}
/** A binary prediction: logit and probability, and their gradients (training). */
export interface BinaryState {
  kind: 'binary';
  index: number;
  logit: Float32Array;
  prob: Float32Array;
  dlogit: Float32Array;
  dprob: Float32Array;
  logitTouched: boolean;
  probTouched: boolean;
}
/** A regression prediction and its gradient. */
export interface RegressionState {
  kind: 'regression';
  index: number;
  value: Float32Array;
  dvalue: Float32Array;
  /** A ZILN head's outputs and their gradients, [batch, 3] (empty otherwise). */
  parts: Float32Array;
  dparts: Float32Array;
  touched: boolean;
}
export type ValueState = VectorState | BinaryState | RegressionState;

export interface ExecutorOptions {
  /** Most rows one call handles. */
  capacity: number;
  /** Allocate what backward passes need (false for inference only). */
  training: boolean;
  /**
   * Inference only: at most this many floats of first-layer projections (see projections.ts);
   * 0 or absent: none.
   */
  projectionBudget?: number;
  /** Inference: sum the projections with the SIMD kernel where it loads (default true). */
  simd?: boolean;
}

/** A training-only part of an op's state: throws when the executor was built for inference. */
export function trainingPart<T>(part: T | null): T {
  if (part === null) throw new Error('Backward pass on an executor built for inference');
  return part;
}

export class ExecutorState {
  readonly program: Program;
  readonly k: WasmKernels;
  readonly capacity: number;
  readonly training: boolean;
  /** Every heap buffer allocated for this executor (freed by dispose). */
  readonly owned: HeapBuffer[] = [];
  /** Dense parameters on the heap, and transposed copies of the matrices used backward. */
  readonly params: HeapBuffer[];
  readonly paramsT: (HeapBuffer | null)[];
  /** Gradients of the dense parameters (one backward pass). */
  readonly grads: HeapBuffer[];
  readonly gradTouched: boolean[];
  /**
   * Dense layers' kernel and bias gradients side by side ([in + 1, out]: the bias is the last
   * row), so the bias gradient comes out of the kernel's product (see dense.ts).
   */
  readonly layerGrads = new Map<number, HeapBuffer>();
  /** Per embedding: its looked-up output [capacity, width]. */
  readonly embeddings: HeapBuffer[];
  /**
   * Per consumer edge: where the gradient arriving at it goes, [rows, width], this call's rows
   * starting at row `edgeRow` (a shard writes its rows of full-batch arrays).
   */
  edgeGrads: Float32Array[];
  edgeRow = 0;
  readonly edgeTouched: boolean[];
  readonly values: ValueState[];
  /** Per embedding: its output transposed, with a ones row (training). */
  readonly embT: (HeapBuffer | null)[];
  embTReady: boolean[] = [];
  /** Per vector value read by a first layer: transposed, with a ones row. */
  readonly valT: (HeapBuffer | null)[];
  valTReady: boolean[] = [];
  /** Loss sums over this call's rows, per task (from the last forward). */
  readonly lossSums: Float64Array;
  /** One row's loss gradient (objective.ts writes it here). */
  readonly lossGrad = new Float64Array(3);

  // The current call.
  /** Counts lookup() calls: what a call computed once for several ops is stamped with. */
  call = 0;
  rows = 0;
  /** The call's dataset rows and where to read them (projections read ids directly). */
  rowIndex: Int32Array = new Int32Array(0);
  batchFrom = 0;
  sources: TableSource[][] = [];
  noise: Float32Array[] | null = null;
  noiseRow = 0;
  /** Per op: its first-layer projection (inference, projections.ts), or null. */
  projections: (Projection | null)[] = [];
  /** Whether forward passes use the projections (prepareProjections was called last). */
  projecting = false;
  /** Inference: sum the projections with the SIMD kernel where it loads. */
  readonly simd: boolean;

  constructor(program: Program, kernels: WasmKernels, options: ExecutorOptions) {
    this.program = program;
    this.k = kernels;
    this.capacity = options.capacity;
    const training = (this.training = options.training);
    const cap = options.capacity;
    this.simd = options.simd ?? true;
    this.params = program.params.map((p) => this.alloc(p.size));
    this.paramsT = program.params.map(() => null);
    const grads: (HeapBuffer | null)[] = program.params.map(() => null);
    if (training) {
      for (const op of program.ops) {
        const stacks = op.op === 'mlp' ? [op.layers] : op.op === 'experts' ? op.experts : [];
        for (const layers of stacks) {
          for (const l of layers) {
            const both = this.alloc((l.in + 1) * l.out);
            this.layerGrads.set(l.kernel, both);
            grads[l.kernel] = this.view(both, 0, l.in * l.out);
            grads[l.bias] = this.view(both, l.in * l.out, l.out);
          }
        }
      }
    }
    this.grads = training ? program.params.map((p, i) => grads[i] ?? this.alloc(p.size)) : [];
    this.gradTouched = program.params.map(() => false);
    this.embeddings = program.embeddingWidths.map((w) => this.alloc(cap * w));
    this.edgeGrads = training
      ? program.consumers.map((c) => new Float32Array(cap * program.embeddingWidths[c.embedding]))
      : [];
    this.edgeTouched = program.consumers.map(() => false);
    this.lossSums = new Float64Array(program.tasks.length);
    this.values = program.values.map((v, index): ValueState => {
      if (v.kind === 'vector') {
        return {
          kind: 'vector',
          index,
          width: v.width,
          val: this.alloc(cap * v.width),
          grad: training ? this.alloc(cap * v.width) : null,
          touched: false,
        };
      }
      if (v.kind === 'binary') {
        return {
          kind: 'binary',
          index,
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
        index,
        value: new Float32Array(cap),
        dvalue: new Float32Array(training ? cap : 0),
        parts: new Float32Array(cap * k),
        dparts: new Float32Array(training ? cap * k : 0),
        touched: false,
      };
    });
    // Transposed sources of first layers ([width + 1, rows], a row of ones last), built once
    // per step on first use: the embeddings' (shared by every tower) and the vector values'.
    this.embT = program.embeddingWidths.map((w) => (training ? this.alloc((w + 1) * cap) : null));
    this.valT = program.values.map(() => null);
  }

  // ---- buffers ------------------------------------------------------------------------------

  /** A zeroed heap buffer of n floats, owned by this executor. */
  alloc(n: number): HeapBuffer {
    const b = this.k.alloc(n);
    this.owned.push(b);
    return b;
  }

  /** A view of `length` floats of `parent` from float `start`, owned by this executor. */
  view(parent: HeapBuffer, start: number, length: number): HeapBuffer {
    const b = this.k.view(parent, start, length);
    this.owned.push(b);
    return b;
  }

  /** Training: the transposed copy of dense parameter i (allocated on first request). */
  transposedParam(i: number): HeapBuffer | null {
    if (this.training && !this.paramsT[i])
      this.paramsT[i] = this.alloc(this.program.params[i].size);
    return this.paramsT[i];
  }

  private scratchBuffer = new Float32Array(0);
  /** A shared scratch array of at least n floats (its contents do not survive another call). */
  scratch(n: number): Float32Array {
    if (this.scratchBuffer.length < n) this.scratchBuffer = new Float32Array(n);
    return this.scratchBuffer;
  }

  // ---- values by kind -----------------------------------------------------------------------

  vector(i: number): VectorState {
    const v = this.values[i];
    if (v.kind !== 'vector') throw new Error(`Executor: value ${i} is ${v.kind}, not a vector`);
    return v;
  }
  binary(i: number): BinaryState {
    const v = this.values[i];
    if (v.kind !== 'binary') throw new Error(`Executor: value ${i} is ${v.kind}, not binary`);
    return v;
  }
  prediction(i: number): BinaryState | RegressionState {
    const v = this.values[i];
    if (v.kind === 'vector') throw new Error(`Executor: value ${i} is a vector, not a prediction`);
    return v;
  }

  // ---- gradient accumulators ----------------------------------------------------------------

  /** A vector value's gradient buffer (training). */
  gradOf(v: VectorState): HeapBuffer {
    return trainingPart(v.grad);
  }
  /** A vector value's gradient, zeroed on the pass's first touch. */
  touchVector(v: VectorState, B: number): Float32Array {
    const g = this.gradOf(v).view;
    if (!v.touched) {
      v.touched = true;
      g.fill(0, 0, B * v.width);
    }
    return g;
  }
  touchLogit(v: BinaryState, B: number): Float32Array {
    if (!v.logitTouched) {
      v.logitTouched = true;
      v.dlogit.fill(0, 0, B);
    }
    return v.dlogit;
  }
  touchProb(v: BinaryState, B: number): Float32Array {
    if (!v.probTouched) {
      v.probTouched = true;
      v.dprob.fill(0, 0, B);
    }
    return v.dprob;
  }
  touchRegression(v: RegressionState, B: number): Float32Array {
    if (!v.touched) {
      v.touched = true;
      v.dvalue.fill(0, 0, B);
      v.dparts.fill(0, 0, B * 3);
    }
    return v.dvalue;
  }
  /** Dense parameter i's gradient, zeroed on the pass's first touch. */
  touchGrad(i: number): Float32Array {
    const g = this.grads[i].view;
    if (!this.gradTouched[i]) {
      this.gradTouched[i] = true;
      g.fill(0);
    }
    return g;
  }

  // ---- inputs -------------------------------------------------------------------------------

  /** Where an op's input is (after forward materialised it). */
  inputBuffer(parts: InputPart[], own: HeapBuffer | null): HeapBuffer {
    if (parts.length !== 1) return ownInput(own);
    const p = parts[0];
    return p.kind === 'embedding' ? this.embeddings[p.embedding] : this.vector(p.value).val;
  }

  /** The buffer holding an op's concatenated input (the single part itself when there is one). */
  input(parts: InputPart[], width: number, own: HeapBuffer | null): HeapBuffer {
    if (parts.length === 1) {
      const p = parts[0];
      return p.kind === 'embedding' ? this.embeddings[p.embedding] : this.vector(p.value).val;
    }
    const dstBuffer = ownInput(own);
    const B = this.rows;
    const heap = this.k.wasm.HEAPF32;
    const dst = dstBuffer.offset >> 2;
    let col = 0;
    for (const p of parts) {
      const src =
        (p.kind === 'embedding' ? this.embeddings[p.embedding] : this.vector(p.value).val).offset >>
        2;
      const w = p.width;
      // Everything lives on the heap: native copies, row by row.
      for (let b = 0; b < B; b++) {
        const s = src + b * w;
        heap.copyWithin(dst + b * width + col, s, s + w);
      }
      col += w;
    }
    return dstBuffer;
  }

  /**
   * Adds an input's gradient dx [B, width] into the parts that take gradient (copies it where
   * a part receives its first gradient of the pass).
   */
  inputGrad(parts: InputPart[], width: number, dx: Float32Array): void {
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
          const v = this.vector(p.value);
          first = !v.touched;
          v.touched = true;
          dst = this.gradOf(v).view;
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

  inputWantsGrad(parts: InputPart[]): boolean {
    return parts.some((p) => p.grad);
  }

  /** An op's own buffer for its concatenated input: null when the input has one part. */
  inputBufferFor(parts: InputPart[], width: number): HeapBuffer | null {
    return parts.length === 1 ? null : this.alloc(this.capacity * width);
  }

  // ---- transposed first-layer sources (training) --------------------------------------------

  /** A thunk giving an input part's transposed source with a ones row (allocating a value's). */
  transposedSource(part: InputPart): () => HeapBuffer {
    if (part.kind === 'embedding') return () => this.transposedEmbedding(part.embedding);
    if (!this.valT[part.value])
      this.valT[part.value] = this.alloc((part.width + 1) * this.capacity);
    return () => this.transposedValue(part.value);
  }

  /** The embedding's output, transposed, with a ones row: [width + 1, rows]. */
  transposedEmbedding(e: number): HeapBuffer {
    const t = trainingPart(this.embT[e]);
    if (!this.embTReady[e]) {
      this.embTReady[e] = true;
      const w = this.program.embeddingWidths[e];
      transposeWithOnes(this.embeddings[e].view, this.rows, w, t.view);
    }
    return t;
  }

  /** A vector value, transposed, with a ones row: [width + 1, rows]. */
  transposedValue(v: number): HeapBuffer {
    const t = trainingPart(this.valT[v]);
    if (!this.valTReady[v]) {
      this.valTReady[v] = true;
      const s = this.vector(v);
      transposeWithOnes(s.val.view, this.rows, s.width, t.view);
    }
    return t;
  }
}

function ownInput(own: HeapBuffer | null): HeapBuffer {
  if (!own) throw new Error('Executor: an input of several parts has no buffer');
  return own;
}
