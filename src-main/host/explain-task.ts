// The app's explain job (run in the job's worker thread like training and scoring): loads the
// model and the data, explains, and keeps the explanation with the run (run folder,
// explanation.json), merged with what was kept before: a row explained later joins the rows
// explained earlier, a part not recomputed stays as it was.

import { initBackend } from '../engine/backend';
import { readTable } from '../engine/data/csv';
import { explainModel } from '../engine/explain';
import { loadModel } from '../engine/export/saved-model';
import type { ExplainRequestArgs } from '../ipc/api';
import { EXPLAIN_PARTS, type Explanation } from '../shared/explain';
import { readJsonOrNull, writeFileAtomic } from './fs-atomic';

/** Rows kept with a run at most (the newest first). */
export const KEPT_ROWS = 50;

export interface ExplainTaskInput {
  type: 'explain';
  modelDir: string;
  dataPath: string;
  options: Omit<ExplainRequestArgs, 'source' | 'dataPath'>;
  /** The run's explanation.json, or null for a model folder outside the app's runs. */
  saveTo: string | null;
}

export type ExplainTaskMessage =
  | { type: 'progress'; stage: string; done: number; total: number }
  | { type: 'explain-result'; explanation: Explanation };

/** `fresh` over `kept`: parts computed now replace the kept ones; rows join (newest first). */
export function mergeExplanations(kept: Explanation | null, fresh: Explanation): Explanation {
  const rowsOnly =
    fresh.importance === null && fresh.partialDependence.length === 0 && fresh.funnel === null;
  if (kept && rowsOnly) {
    // Rows of another file (a scored file) join the run's explanation, which stays as it was.
    const rows = [
      ...fresh.rows,
      ...(kept.rows ?? []).filter(
        (r) => !fresh.rows.some((f) => f.row === r.row && f.file === r.file),
      ),
    ].slice(0, KEPT_ROWS);
    return { ...kept, rows };
  }
  if (
    !kept ||
    kept.data?.path !== fresh.data.path ||
    kept.data?.subset !== fresh.data.subset ||
    kept.data?.rows !== fresh.data.rows
  )
    return fresh;
  const rows = [
    ...fresh.rows,
    ...(kept.rows ?? []).filter(
      (r) => !fresh.rows.some((f) => f.row === r.row && f.file === r.file),
    ),
  ].slice(0, KEPT_ROWS);
  return {
    ...fresh,
    importance: fresh.importance ?? kept.importance ?? null,
    rows,
    partialDependence:
      fresh.partialDependence.length > 0 ? fresh.partialDependence : (kept.partialDependence ?? []),
    funnel: fresh.funnel ?? kept.funnel ?? null,
  };
}

export async function explainTask(
  input: ExplainTaskInput,
  post: (m: ExplainTaskMessage) => void,
  signal: AbortSignal,
): Promise<void> {
  await initBackend();
  const { model, manifest } = await loadModel(input.modelDir);
  try {
    const table = await readTable(input.dataPath, {
      signal,
      onProgress: (done, total) => post({ type: 'progress', stage: 'reading', done, total }),
    });
    const parts = input.options.parts ?? [...EXPLAIN_PARTS];
    const explanation = await explainModel(model, manifest, table, {
      ...input.options,
      parts,
      signal,
      onProgress: (stage, done, total) => post({ type: 'progress', stage, done, total }),
    });
    let result = explanation;
    if (input.saveTo) {
      const kept = (await readJsonOrNull(input.saveTo)) as Explanation | null;
      // A partial request (e.g. one more row) keeps the other parts the run already has.
      result =
        parts.length < EXPLAIN_PARTS.length ? mergeExplanations(kept, explanation) : explanation;
      await writeFileAtomic(input.saveTo, JSON.stringify(result));
    }
    post({ type: 'explain-result', explanation: result });
  } finally {
    model.dispose();
  }
}
