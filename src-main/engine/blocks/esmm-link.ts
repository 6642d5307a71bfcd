// ESMM product link: chains two binary tasks, the later one's probability becoming
// prior x conditional (ESMM). No parameters; its logit is only known through the probability
// (ops.ts logitOf), so a task ending in a link has no exact logit. Its checks: the prior is an
// earlier task in chain order; a prediction is the conditional of one link only.

import { esmmLink as spec } from '../../shared/blocks/esmm-link';
import { blockName, predictionTaskIndex } from '../graph/graph';
import { defineBlock } from './define';
import type * as tfc from '@tensorflow/tfjs-core';

export const esmmLink = defineBlock({
  spec,
  outputDims: () => [1],
  check: ({ project, index, block, sources, error, listWords, taskWords }) => {
    const prior = sources('prior')[0];
    const conditional = sources('conditional')[0];
    if (prior && conditional) {
      const p = predictionTaskIndex(project, index, prior);
      const c = predictionTaskIndex(project, index, conditional);
      if (p >= 0 && c >= 0 && p >= c) {
        error(
          'esmm-prior-order',
          `${blockName(block)} takes ${taskWords(p)} as the prior of ${taskWords(c)}: the prior must be an earlier task in chain order.`,
          [block.id, prior.id, conditional.id],
        );
      }
    }
    if (!conditional) return;
    // Every link chaining the same prediction, in graph order; the first one reports them.
    const links = index.blocks.filter(
      (b) => b.type === block.type && index.sources(b.id, 'conditional')[0]?.id === conditional.id,
    );
    if (links.length < 2 || links[0] !== block) return;
    error(
      'esmm-ambiguous',
      `${blockName(conditional)} is the conditional of ${links.length} ESMM links (${listWords(links.map(blockName))}); a prediction can be chained only once.`,
      [conditional.id, ...links.map((l) => l.id)],
    );
  },
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
