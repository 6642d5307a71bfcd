// The registry of op kinds: program.ts's Op kind -> its module. Its type lists every kind of
// the Op union, so a new kind does not compile until its module is registered here.

import type { DenseLayer, InputPart } from '../../program';
import type { ExecutorState } from '../state';
import {
  bindKind,
  type AllocContext,
  type BoundOp,
  type OpKind,
  type OpName,
  type OpOf,
} from '../op';
import { crossOp } from './cross';
import { esmmOp } from './esmm';
import { expertsOp } from './experts';
import { fusionOp } from './fusion';
import { gateOp } from './gate';
import { headOp } from './head';
import { leuOp } from './leu';
import { mlpOp } from './mlp';

/** A kind's module with its state type closed over (the registry holds kinds of every state). */
interface Entry<K extends OpName> {
  bind(op: OpOf<K>, s: ExecutorState, ctx: AllocContext): BoundOp;
  inputs(op: OpOf<K>): InputPart[];
  denseStacks(op: OpOf<K>): DenseLayer[][];
}
type Registry = { [K in OpName]: Entry<K> };

function entry<K extends OpName, S>(kind: OpKind<K, S>): Entry<K> {
  return {
    bind: (op, s, ctx) => bindKind(kind, op, s, ctx),
    inputs: (op) => kind.inputs(op),
    denseStacks: (op) => kind.denseStacks(op),
  };
}

const OPS: Registry = {
  mlp: entry(mlpOp),
  experts: entry(expertsOp),
  gate: entry(gateOp),
  head: entry(headOp),
  esmm: entry(esmmOp),
  leu: entry(leuOp),
  fusion: entry(fusionOp),
  cross: entry(crossOp),
};

/**
 * Allocates one op's state (through its kind's module) and binds it; call as
 * bindOp(op.op, op, s, ctx).
 */
export function bindOp<K extends OpName>(
  kind: K,
  op: OpOf<K>,
  s: ExecutorState,
  ctx: AllocContext,
): BoundOp {
  const e: Entry<K> = OPS[kind];
  return e.bind(op, s, ctx);
}

/** The input parts an op reads; call as opInputs(op.op, op). */
export function opInputs<K extends OpName>(kind: K, op: OpOf<K>): InputPart[] {
  const e: Entry<K> = OPS[kind];
  return e.inputs(op);
}

/** An op's dense stacks (gradients side by side); call as opDenseStacks(op.op, op). */
export function opDenseStacks<K extends OpName>(kind: K, op: OpOf<K>): DenseLayer[][] {
  const e: Entry<K> = OPS[kind];
  return e.denseStacks(op);
}
