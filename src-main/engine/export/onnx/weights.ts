// The trained weights as plain arrays, read once from a compiled model: the one place the
// exporter touches HtlnetModel's storage (dense tfjs variables, flat embedding tables).

import type { HtlnetModel } from '../../model/model';

interface DenseWeight {
  shape: number[];
  data: Float32Array;
}

interface TableWeight {
  /** 'lookup': rows x dim, one row per index; 'linear': 2 x dim, row 0 the weight, row 1 the bias. */
  kind: 'lookup' | 'linear';
  rows: number;
  dim: number;
  data: Float32Array;
}

export interface ExportWeights {
  /** A dense parameter by its model key ("tower-click/dense0/kernel"). */
  dense(key: string): DenseWeight;
  /** Embedding `embedding`'s table for its field `field` (the plan's order). */
  table(embedding: number, field: number): TableWeight;
}

export function readWeights(model: HtlnetModel): ExportWeights {
  const dense = new Map<string, DenseWeight>();
  for (const [key, v] of model.dense) {
    dense.set(key, { shape: [...v.shape], data: Float32Array.from(v.dataSync() as Float32Array) });
  }
  return {
    dense(key) {
      const w = dense.get(key);
      if (!w) throw new Error(`The model has no parameter "${key}"`);
      return w;
    },
    table(embedding, field) {
      const t = model.embeddings[embedding]?.tables[field];
      if (!t) throw new Error(`The model has no embedding table ${embedding}/${field}`);
      return { kind: t.kind, rows: t.rows, dim: t.dim, data: t.data };
    },
  };
}
