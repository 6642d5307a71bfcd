// Shared embedding: one table of d-dim vectors per input field, concatenated field-major.
// Its tables are not dense parameters: the model keeps them as flat arrays looked up and
// updated sparsely (model.ts lookup, the ONNX lowering's embeddingOutput), so only its shape
// lives here.

import { sharedEmbedding as spec } from '../../shared/blocks/shared-embedding';
import { UNKNOWN } from '../graph/dims';
import { defineBlock } from './define';

export const sharedEmbedding = defineBlock({
  spec,
  // Its tables, and its output once per consumer and per task (gradient capture).
  memory: ({ number, fields, distinct, consumers, tasks }) => {
    const d = number('dim', 16);
    let tables = 0;
    for (const f of fields) {
      const rows =
        f.encoding === 'vocab'
          ? (distinct(f.column) ?? 1000) + 1
          : f.encoding === 'buckets'
            ? f.buckets + 2
            : 2;
      tables += rows * d;
    }
    return { tables, perRow: fields.length * d * (1 + Math.max(1, consumers) + tasks) };
  },
  outputDims: ({ params, block, fields, noBinding, index }) => {
    const dim = typeof params.dim === 'number' ? params.dim : UNKNOWN;
    const count = fields.get(block.id)?.length ?? 0;
    const connected = index.incoming(block.id, 'features').length > 0;
    if (noBinding || !connected || dim === UNKNOWN) return [`fields×${String(dim)}`];
    return [count * dim];
  },
});
