// From a project and a parsed CSV to a trained, evaluated model: the one call the CLI, the
// desktop app's training worker and the benchmark make.

import type { ProjectFile } from '../shared/project';
import { initBackend, type BackendInfo } from './backend';
import { checkTrainingFits } from './resources';
import { saveModel, type ModelManifest } from './export/saved-model';
import { prepareDataset } from './data/dataset';
import { splitRows, splitSizes } from './data/split';
import type {
  EncodedDataset,
  FieldEncoder,
  FieldSpec,
  Split,
  Table,
  TargetEncoder,
} from './data/types';
import { HtlnetModel } from './model/model';
import { datasetFields, planModel, type ModelPlan } from './model/plan';
import {
  evaluateRowsAsync,
  taskCurves,
  type Evaluation,
  type TaskCurves,
} from './predict/evaluate';
import { trainModel, type TrainOptions, type TrainOutcome } from './train/trainer';

export interface TrainRequest extends TrainOptions {
  project: ProjectFile;
  table: Table;
}

export interface TrainedRun {
  project: ProjectFile;
  plan: ModelPlan;
  model: HtlnetModel;
  fields: FieldSpec[];
  encoders: FieldEncoder[];
  targetEncoders: TargetEncoder[];
  split: Split;
  data: EncodedDataset;
  outcome: TrainOutcome;
  /** The test split's metrics and losses, with the best epoch's weights. */
  test: Omit<Evaluation, 'predictions'>;
  curves: Record<string, TaskCurves>;
  backend: BackendInfo;
}

/** Encodes the data for a project (fitting encoders on the training split) and compiles its model. */
export function prepareRun(project: ProjectFile, table: Table) {
  const plan = planModel(project);
  const fields = datasetFields(plan);
  const split = splitRows(
    table.rows,
    project.training.split,
    project.training.fractions,
    plan.optimizer.seed,
    table,
  );
  const prepared = prepareDataset(
    table,
    project.data,
    fields,
    plan.tasks.map((t) => ({
      transform: t.transform,
      objective: t.objective,
      tweediePower: t.tweediePower,
      meanCorrection: t.meanCorrection,
    })),
    split,
  );
  const model = new HtlnetModel(plan, prepared.encoders);
  return { plan, fields, split, model, ...prepared };
}

export async function trainProject(request: TrainRequest): Promise<TrainedRun> {
  const backend = await initBackend();
  const { project, table, ...options } = request;
  checkTrainingFits(project, table); // refuses, saying what to reduce, before allocating
  const run = prepareRun(project, table);
  const outcome = await trainModel(run.model, run.data, run.split, run.targetEncoders, options);
  const evaluation = await evaluateRowsAsync(
    run.model,
    run.data,
    run.split.test,
    run.targetEncoders,
  );
  const curves = taskCurves(
    run.model,
    run.data,
    run.split.test,
    evaluation.predictions,
    run.plan.optimizer.seed,
  );
  return {
    project,
    plan: run.plan,
    model: run.model,
    fields: run.fields,
    encoders: run.encoders,
    targetEncoders: run.targetEncoders,
    split: run.split,
    data: run.data,
    outcome,
    test: { metrics: evaluation.metrics, losses: evaluation.losses },
    curves,
    backend,
  };
}

/** Saves a trained run as a model folder (see export/saved-model.ts). */
export function saveRun(dir: string, run: TrainedRun): Promise<ModelManifest> {
  return saveModel(dir, {
    model: run.model,
    project: run.project,
    fields: run.fields,
    encoders: run.encoders,
    targetEncoders: run.targetEncoders,
    metrics: run.test.metrics,
    rows: splitSizes(run.split),
    epochs: run.outcome.epochs,
    bestEpoch: run.outcome.bestEpoch,
    backend: run.backend.name,
  });
}
