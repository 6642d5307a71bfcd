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
//
// The folder: state.ts (the buffers and values every op shares), op.ts (the interface of an
// op kind) and ops/ (one module per kind, and the registry), dense.ts (dense stacks),
// projections.ts (inference's first-layer rewrite), activations.ts, losses.ts. This file
// builds them in a fixed order and runs the ops; it has no knowledge of any op kind.

import { transposeInto, type WasmKernels } from '../kernels';
import type { Program } from '../program';
import { lossGradients, lossSums } from './losses';
import type { BoundOp } from './op';
import { bindOp } from './ops';
import { buildProjections, embeddingsRead, prepareProjections } from './projections';
import { ExecutorState, type ExecutorOptions, type TableSource } from './state';

export { worthProjecting } from './projections';
export { PROB_EPSILON, type ExecutorOptions, type TableSource } from './state';

export class Executor {
  readonly program: Program;
  readonly capacity: number;
  private readonly s: ExecutorState;
  /** Dense parameters on the heap (program.params order). */
  readonly params: ExecutorState['params'];
  /** Gradients of the dense parameters (one backward pass), and which it touched. */
  readonly grads: ExecutorState['grads'];
  readonly gradTouched: boolean[];
  /** Per embedding: its looked-up output [capacity, width]. */
  readonly embeddings: ExecutorState['embeddings'];
  /** Per consumer edge: whether the last backward pass sent it gradient. */
  readonly edgeTouched: boolean[];
  /** Loss sums over this call's rows, per task (from the last forward). */
  readonly lossSums: Float64Array;
  /** Per op, in program order: its kind's forward and backward over its own state. */
  private readonly ops: BoundOp[];
  /** Per embedding: whether some op reads its looked-up output (without, with projections). */
  private readonly embeddingRead: boolean[];
  private readonly embeddingReadProjected: boolean[];

  constructor(program: Program, kernels: WasmKernels, options: ExecutorOptions) {
    const s = new ExecutorState(program, kernels, options);
    this.s = s;
    this.program = program;
    this.capacity = options.capacity;
    this.params = s.params;
    this.grads = s.grads;
    this.gradTouched = s.gradTouched;
    this.embeddings = s.embeddings;
    this.edgeTouched = s.edgeTouched;
    this.lossSums = s.lossSums;
    this.ops = program.ops.map((op, index) => bindOp(op.op, op, s, { index }));
    // First-layer projections (inference), within the budget, op by op.
    s.projections = buildProjections(s, s.training ? 0 : (options.projectionBudget ?? 0));
    this.embeddingRead = embeddingsRead(program, s.projections, false);
    this.embeddingReadProjected = embeddingsRead(program, s.projections, true);
  }

  /**
   * Per consumer edge: where the gradient arriving at it goes, [rows, width], this call's rows
   * starting at the row given to setEdgeTargets (a shard writes its rows of full-batch
   * arrays). Own arrays unless setEdgeTargets() points them elsewhere.
   */
  get edgeGrads(): Float32Array[] {
    return this.s.edgeGrads;
  }

  /** Whether the executor has first-layer projections (within its budget). */
  get projectable(): boolean {
    return this.s.projections.some((p) => p !== null);
  }

  /** Forward passes multiply the first layers again (until prepareProjections). */
  stopProjecting(): void {
    this.s.projecting = false;
  }

  /**
   * Inference with projections: computes P_f = E_f . W_f for every projected field from the
   * current tables and dense parameters (call after setParams, and again when either changes).
   */
  prepareProjections(sources: TableSource[][]): void {
    prepareProjections(this.s, this.s.projections, sources);
    this.s.projecting = this.projectable;
  }

  /** Directs the edge gradients of the next backward passes to `targets`, from row `row`. */
  setEdgeTargets(targets: Float32Array[], row: number): void {
    this.s.edgeGrads = targets;
    this.s.edgeRow = row;
  }

  /** Frees every heap buffer. */
  dispose(): void {
    for (const b of this.s.owned) this.s.k.free(b);
    this.s.owned.length = 0;
  }

  /**
   * Loads the dense parameters (in program.params order) and prepares the transposed copies.
   * Drops XNNPACK's operators packed for the previous values.
   */
  setParams(values: ArrayLike<number>[] | ((i: number) => ArrayLike<number>)): void {
    const get = typeof values === 'function' ? values : (i: number) => values[i];
    const { k } = this.s;
    k.refresh();
    this.program.params.forEach((p, i) => {
      const src = get(i);
      const dst = this.s.params[i];
      dst.view.set(src);
      k.fresh(dst);
      const t = this.s.paramsT[i];
      if (t) {
        transposeInto(dst.view, 0, p.shape[0], p.shape[1], t.view, 0);
        k.fresh(t);
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
    const s = this.s;
    const B = to - from;
    if (B > this.capacity)
      throw new Error(`Batch of ${B} rows exceeds the executor's ${this.capacity}`);
    s.call++;
    s.rows = B;
    s.rowIndex = rows;
    s.batchFrom = from;
    s.sources = sources;
    s.k.refresh();
    sources.forEach((fields, k) => {
      const read = s.projecting ? this.embeddingReadProjected : this.embeddingRead;
      if (!read[k] && !s.training) return;
      const out = s.embeddings[k].view;
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
    return this.s.rows;
  }

  /**
   * The forward pass over the rows looked up last. `noise` holds the full batch's random
   * arrays (program.noise order) and `noiseRow` where this call's rows start in them; null at
   * inference. `targets` (per task, this call's rows) give the loss sums.
   */
  forward(noise: Float32Array[] | null, noiseRow: number, targets: Float32Array[] | null): void {
    const s = this.s;
    s.noise = noise;
    s.noiseRow = noiseRow;
    s.embTReady.length = 0;
    s.valTReady.length = 0;
    const ops = this.ops;
    for (let i = 0; i < ops.length; i++) ops[i].forward(s);
    if (targets) lossSums(s, targets);
  }

  /** Per task: its prediction for the rows of the last forward (probability, or the value). */
  output(task: number): Float32Array {
    const v = this.s.prediction(this.program.tasks[task].value);
    return v.kind === 'binary' ? v.prob : v.value;
  }

  /**
   * One backward pass of sum_t weights[t] * loss_t, each loss a mean over `fullBatch` rows.
   * Fills `grads` / `gradTouched` and `edgeGrads` / `edgeTouched`.
   */
  backward(weights: ArrayLike<number>, targets: Float32Array[], fullBatch: number): void {
    const s = this.s;
    if (!s.training) throw new Error('Backward pass on an executor built for inference');
    s.gradTouched.fill(false);
    s.edgeTouched.fill(false);
    for (const v of s.values) {
      if (v.kind === 'binary') v.logitTouched = v.probTouched = false;
      else v.touched = false;
    }
    lossGradients(s, weights, targets, fullBatch);
    const ops = this.ops;
    for (let i = ops.length - 1; i >= 0; i--) ops[i].backward(s);
  }
}
