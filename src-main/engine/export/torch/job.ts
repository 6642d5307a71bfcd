// The job of a PyTorch training package (its project.json): the project itself and the plan
// the engine compiles from it (blocks in evaluation order with every parameter filled in, what
// feeds each port, tasks, fields, embeddings and the edges leaving them, gradient reach, shared
// parameters, optimizer settings, split). The Python code interprets that plan, so the graph's
// semantics are worked out in one place (model/plan.ts).

import type { ProjectFile } from '../../../shared/project';
import { datasetFields, fieldKey, planModel } from '../../model/plan';
import { APP_VERSION } from '../../version';

export const TORCH_JOB_FORMAT = 'htlnet-studio-torch-job';
const TORCH_JOB_VERSION = 1;

/** The job document (project.json): the project and its compiled plan. */
export function buildTorchJob(project: ProjectFile) {
  const plan = planModel(project);
  const fields = datasetFields(plan);
  const fieldIndex = new Map(fields.map((f, i) => [fieldKey(f), i]));
  const inputs: Record<string, Record<string, { source: string; edge: string }[]>> = {};
  for (const edges of plan.incoming.values()) {
    for (const e of edges) {
      const ports = (inputs[e.target.block] ??= {});
      (ports[e.target.port] ??= []).push({ source: e.source.block, edge: e.id });
    }
  }
  return {
    format: TORCH_JOB_FORMAT,
    version: TORCH_JOB_VERSION,
    generatedBy: `HTLNet Studio ${APP_VERSION}`,
    project,
    plan: {
      blocks: plan.order.map((b) => ({ id: b.id, type: b.type, params: plan.params.get(b.id)! })),
      inputs,
      tasks: plan.tasks.map((t) => ({
        index: t.index,
        name: t.name,
        column: t.column,
        type: t.type,
        head: t.headId,
        final: t.finalId,
        lossWeight: t.lossWeight,
        transform: t.transform,
        objective: t.objective,
        tweediePower: t.tweediePower,
        meanCorrection: t.meanCorrection,
      })),
      core: plan.core,
      fields,
      embeddings: plan.embeddings.map((e) => ({
        block: e.blockId,
        dim: e.dim,
        fields: e.fields.map((f) => fieldIndex.get(fieldKey(f))!),
      })),
      consumers: plan.consumers.map((c) => ({
        edge: c.edgeId,
        embedding: c.embedding,
        tasks: c.tasks,
      })),
      reach: Object.fromEntries(
        [...plan.reach].map(([block, tasks]) => [block, [...tasks].sort((a, b) => a - b)]),
      ),
      sharedDense: [...plan.sharedDense],
      sharedEmbeddings: [...plan.sharedEmbeddings],
      singlePassCapture: plan.singlePassCapture,
      optimizer: plan.optimizer,
      split: project.training.split,
      fractions: project.training.fractions,
    },
  };
}
