// What a gradient engine is: the part of a training step that differs between the fast
// executor (train/parallel.ts) and tfjs autograd (TfjsEngine in step.ts), and the raw gradients
// it hands back for the step to accumulate, adjust and apply. Types only, so the engines and
// the step import it without importing each other.

import type { Batch } from '../model/model';

/** The gradients one differentiated stream (a task's loss, or the summed loss) produced. */
export interface StreamGrads {
  /** Per consumer edge index: d(loss)/d(edge input) over the full batch, [batch * width]. */
  edges: Map<number, Float32Array>;
  /** Per dense parameter name (only those the stream reaches). */
  dense: Map<string, Float32Array>;
}

export interface RawGradients {
  /** Mean loss per task over the batch. */
  losses: number[];
  /** One stream per task (per-task capture), or a single stream of the summed loss. */
  streams: StreamGrads[];
}

/**
 * Computes raw gradients for a batch: the part that differs between engines. `passes` lists
 * the backward passes to run, each as the tasks whose losses it differentiates.
 */
export interface GradientEngine {
  readonly name: 'fast' | 'tfjs';
  readonly threads?: number;
  gradients(
    batch: Batch,
    seed: number,
    passes: number[][],
    dense: Float32Array[],
  ): RawGradients | Promise<RawGradients>;
  /** Called after the dense weights changed (tfjs: write them into the variables). */
  weightsChanged?(dense: Float32Array[]): void;
  dispose(): void;
}
