// The registry of op kinds: program.ts's Op kind -> its module. Its type lists every kind of
// the Op union, so a new kind does not compile until its module is registered here.

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

type Binder<K extends OpName> = (op: OpOf<K>, s: ExecutorState, ctx: AllocContext) => BoundOp;
type Registry = { [K in OpName]: Binder<K> };

/** Binds a kind's module: alloc now, forward and backward later on the bound state. */
function binder<K extends OpName, S>(kind: OpKind<K, S>): Binder<K> {
  return (op, s, ctx) => bindKind(kind, op, s, ctx);
}

export const OPS: Registry = {
  mlp: binder(mlpOp),
  experts: binder(expertsOp),
  gate: binder(gateOp),
  head: binder(headOp),
  esmm: binder(esmmOp),
  leu: binder(leuOp),
  fusion: binder(fusionOp),
  cross: binder(crossOp),
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
  const bind: Binder<K> = OPS[kind];
  return bind(op, s, ctx);
}
