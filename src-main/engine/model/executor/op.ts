// The shape of one executor op kind (ops/<kind>.ts): `alloc` builds the op's own typed state
// once (its buffers, and the values it reads and writes, resolved by kind), `forward` and
// `backward` run it on the current call's rows. The registry (ops/index.ts) maps each kind of
// program.ts's Op to its module; `bindOp` pairs one op of a program with its state so the
// executor runs a flat list of closures, with no switch over kinds and no untyped state.
//
// Adding an op kind: add it to program.ts's Op union, write ops/<kind>.ts exporting an
// `OpKind<'<kind>', YourState>`, and list it in ops/index.ts (the registry's type requires it).

import type { Op } from '../program';
import type { ExecutorState } from './state';

export type OpName = Op['op'];
export type OpOf<K extends OpName> = Extract<Op, { op: K }>;

/** What an op's alloc may use besides the shared state: its position in the program. */
export interface AllocContext {
  /** The op's index in program.ops. */
  index: number;
}

export interface OpKind<K extends OpName, S> {
  /** Allocates the op's buffers (heap and plain arrays) for the executor's capacity. */
  alloc(op: OpOf<K>, s: ExecutorState, ctx: AllocContext): S;
  /** Computes the op's output values from its inputs over s.rows rows. */
  forward(op: OpOf<K>, state: S, s: ExecutorState): void;
  /**
   * Adds the gradients of the op's inputs and parameters, given its outputs' gradients (an
   * op whose outputs received none this pass does nothing).
   */
  backward(op: OpOf<K>, state: S, s: ExecutorState): void;
}

/** One op of a program with its state: what the executor calls per pass. */
export interface BoundOp {
  forward(s: ExecutorState): void;
  backward(s: ExecutorState): void;
}

/** Allocates the op's state and closes over it. */
export function bindKind<K extends OpName, S>(
  kind: OpKind<K, S>,
  op: OpOf<K>,
  s: ExecutorState,
  ctx: AllocContext,
): BoundOp {
  const state = kind.alloc(op, s, ctx);
  return {
    forward: (x) => kind.forward(op, state, x),
    backward: (x) => kind.backward(op, state, x),
  };
}
