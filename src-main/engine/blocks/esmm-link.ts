// ESMM product link: chains two binary tasks, the later one's probability becoming
// prior x conditional (ESMM). No parameters; its logit is only known through the probability
// (ops.ts logitOf), so a task ending in a link has no exact logit.

import { esmmLink as spec } from '../../shared/blocks/esmm-link';
import { defineBlock } from './define';
import type * as tfc from '@tensorflow/tfjs-core';

export const esmmLink = defineBlock({
  spec,
  outputDims: () => [1],
  forward: ({ tf, ops, inputs }) => {
    const prior = inputs('prior')[0];
    const conditional = inputs('conditional')[0];
    if (prior.kind !== 'binary' || conditional.kind !== 'binary')
      throw new Error('ESMM link needs binary inputs');
    const prob = tf.mul(prior.prob, conditional.prob) as tfc.Tensor1D;
    return { kind: 'binary', prob, logit: ops.logitOf(prob) };
  },
  lower: (ctx) => {
    const prior = ctx.sources('prior')[0];
    const conditional = ctx.sources('conditional')[0];
    if (typeof prior !== 'number' || typeof conditional !== 'number')
      return { reason: 'an ESMM link without inputs' };
    if (ctx.valueKind(prior).kind !== 'binary' || ctx.valueKind(conditional).kind !== 'binary')
      return { reason: 'an ESMM link over non-binary inputs' };
    const v = ctx.newValue(
      { kind: 'binary', exactLogit: false },
      ctx.wantsGrad(prior) || ctx.wantsGrad(conditional),
    );
    ctx.emit({ op: 'esmm', prior, conditional, out: v });
    return { out: v };
  },
  onnx: ({ g, block, inputs, logitOf }) => {
    const id = block.id;
    const prior = inputs('prior')[0];
    const conditional = inputs('conditional')[0];
    if (prior?.kind !== 'binary' || conditional?.kind !== 'binary')
      throw new Error('ESMM link needs binary inputs');
    const prob = g.node('Mul', [prior.prob(), conditional.prob()], `${id}/prob`);
    let logit: string | null = null;
    return { kind: 'binary', prob: () => prob, logit: () => (logit ??= logitOf(prob, id)) };
  },
});
