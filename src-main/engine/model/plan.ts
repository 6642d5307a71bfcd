// The compile plan: what a validated project means for the model, worked out once. Which
// block computes what, in which order; each task's final prediction; which tasks' losses reach
// each block's parameters through gradient-carrying edges; which parameters are shared by all
// tasks (the ones the gradient adjustment acts on); the optimizer settings.

import type { Block, Edge, ProjectFile, TaskBinding } from '../../shared/project';
import { coreTaskIndex } from '../../shared/project';
import {
  blockParams,
  withDefaults,
  type GradientAdjustment,
  type Objective,
  type Selection,
  type TargetTransform,
} from '../../shared/catalog';
import type { FieldSpec } from '../data/types';
import { fieldSpecs, headsByTask, topologicalOrder, validateGraph } from '../graph/validate';
import { UserError } from '../errors';
import { blockModule, isStopGradientPort } from '../blocks';

export interface OptimizerSettings {
  optimizer: 'adam' | 'sgd';
  /** Adam on embedding tables: only the rows a batch touched ('lazy') or every row ('dense'). */
  tableAdam: 'lazy' | 'dense';
  learningRate: number;
  /** The learning-rate schedule after the warm-up (train/schedule.ts, learningRateAt). */
  schedule: 'constant' | 'step' | 'cosine';
  /** Epochs of linear warm-up (fractional; 0: none). */
  warmupEpochs: number;
  /** Step decay: the factor, applied every `decayEvery` epochs. */
  decayFactor: number;
  decayEvery: number;
  /** Cosine decay: the final learning rate as a fraction of learningRate. */
  cosineFloor: number;
  /** Decoupled weight decay of the dense weight matrices (not biases; 0: off). */
  weightDecay: number;
  /** Decoupled weight decay of the embedding tables (0: off). */
  embeddingWeightDecay: number;
  batchSize: number;
  epochs: number;
  adjustment: GradientAdjustment;
  alpha: number;
  gamma: number;
  clip: number;
  stopGradient: boolean;
  /** AITM's behavioural expectation calibrator weight (0: off), see calibratorPairs. */
  calibrator: number;
  patience: number;
  /** What the best epoch is chosen by (train/trainer.ts, earlyStoppingScore). */
  selection: Selection;
  seed: number;
}

export interface TaskPlan {
  index: number;
  name: string;
  column: string;
  type: TaskBinding['type'];
  headId: string;
  /** The block whose output is the task's prediction: the head, or the ESMM link chaining it. */
  finalId: string;
  lossWeight: number;
  transform: TargetTransform;
  /** Regression: the head's objective ('mse' for binary tasks, unused). */
  objective: Objective;
  /** Tweedie only: the variance power. */
  tweediePower: number;
  /** 'mse' with log1p: fit a smearing factor on the validation split after training. */
  meanCorrection: boolean;
}

interface EmbeddingPlan {
  blockId: string;
  dim: number;
  fields: FieldSpec[];
}

/** An edge leaving a shared embedding: each gets its own copy of the embedding output, so the
 * gradient arriving at it can be read separately (per-task gradient capture). */
interface ConsumerPlan {
  edgeId: string;
  embedding: number;
  /** Tasks whose loss gradient flows back through this edge. */
  tasks: number[];
}

export interface ModelPlan {
  project: ProjectFile;
  order: Block[];
  blocks: Map<string, Block>;
  params: Map<string, Record<string, string | number | boolean>>;
  incoming: Map<string, Edge[]>;
  tasks: TaskPlan[];
  core: number;
  embeddings: EmbeddingPlan[];
  consumers: ConsumerPlan[];
  /** Tasks whose loss reaches each block (through edges that carry gradient). */
  reach: Map<string, Set<number>>;
  /** Blocks with parameters that every weighted task's loss reaches (besides embeddings). */
  sharedDense: Set<string>;
  /** Embeddings (by index) whose tables every weighted task's loss reaches. */
  sharedEmbeddings: Set<number>;
  /** One backward pass yields every task's gradient on the shared parameters. */
  singlePassCapture: boolean;
  optimizer: OptimizerSettings;
}

export function planModel(project: ProjectFile): ModelPlan {
  const errors = validateGraph(project).filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    const more =
      errors.length > 1
        ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})`
        : '';
    throw new UserError(`The model graph is not valid: ${errors[0].message}${more}`, {
      block: errors[0].blocks[0],
    });
  }
  const { graph, data } = project;
  const blocks = new Map(graph.blocks.map((b) => [b.id, b]));
  const params = new Map(graph.blocks.map((b) => [b.id, withDefaults(b.type, b.params)]));
  const incoming = new Map<string, Edge[]>();
  for (const e of graph.edges) {
    const key = `${e.target.block}:${e.target.port}`;
    const list = incoming.get(key) ?? [];
    list.push(e);
    incoming.set(key, list);
  }
  const order = topologicalOrder(graph);

  const optimizerBlock = graph.blocks.find((b) => b.type === 'optimizer');
  if (!optimizerBlock) throw new UserError('The graph has no optimizer block.');
  // The project was validated against the catalog: its values are typed from it.
  const o = blockParams('optimizer', optimizerBlock);
  const optimizer: OptimizerSettings = {
    optimizer: o.optimizer,
    tableAdam: o.tableAdam,
    learningRate: o.learningRate,
    schedule: o.schedule,
    warmupEpochs: o.warmupEpochs,
    decayFactor: o.decayFactor,
    decayEvery: o.decayEvery,
    cosineFloor: o.cosineFloor,
    weightDecay: o.weightDecay,
    embeddingWeightDecay: o.embeddingWeightDecay,
    batchSize: o.batchSize,
    epochs: o.epochs,
    adjustment: o.adjustment,
    alpha: o.alpha,
    gamma: o.gamma,
    clip: o.clip,
    stopGradient: o.stopGradient,
    calibrator: Math.max(0, o.calibrator) || 0,
    patience: o.patience,
    selection: o.selection,
    seed: o.seed,
  };
  // Decoupled decay multiplies a weight by 1 - lr x decay each step: at 1 or more it would zero
  // or flip every weight, which no catalog bound alone rules out (both limits are generous).
  for (const field of ['weightDecay', 'embeddingWeightDecay'] as const) {
    const product = optimizer.learningRate * optimizer[field];
    if (product >= 1) {
      throw new UserError(
        `Optimizer: learning rate x ${field === 'weightDecay' ? 'weight decay' : 'embedding weight decay'} is ${product}; it must stay below 1 (each step multiplies the weights by 1 minus it). Lower the decay or the learning rate.`,
        { block: optimizerBlock.id, field },
      );
    }
  }

  // Tasks in chain order, each with its head and its final prediction block.
  const heads = headsByTask(project);
  const tasks: TaskPlan[] = data.tasks.map((t, index) => {
    const head = heads.get(t.name);
    if (!head) throw new UserError(`Task "${t.name}" has no task head.`);
    const hp = blockParams('task-head', head);
    let finalId = head.id;
    // Follow ESMM links that take this prediction as their conditional (the link is the one
    // block that re-predicts a task, as graph.ts predictionTaskIndex says).
    for (;;) {
      const link = graph.edges.find(
        (e) =>
          e.source.block === finalId &&
          blocks.get(e.target.block)?.type === 'esmm-link' &&
          e.target.port === 'conditional',
      );
      if (!link) break;
      finalId = link.target.block;
    }
    return {
      index,
      name: t.name,
      column: t.column,
      type: t.type,
      headId: head.id,
      finalId,
      lossWeight: hp.lossWeight,
      transform: t.type === 'regression' ? hp.transform : 'none',
      objective: t.type === 'regression' ? hp.objective : 'mse',
      tweediePower: hp.tweediePower,
      meanCorrection: t.type === 'regression' && hp.meanCorrection,
    };
  });

  // Gradient reach: walk back from each task's final prediction along edges that carry gradient.
  const reach = new Map<string, Set<number>>();
  for (const b of graph.blocks) reach.set(b.id, new Set());
  const cut = (e: Edge): boolean =>
    optimizer.stopGradient && isStopGradientPort(blocks.get(e.target.block)!.type, e.target.port);
  for (const task of tasks) {
    if (task.lossWeight === 0) continue;
    const stack = [task.finalId];
    while (stack.length > 0) {
      const id = stack.pop()!;
      const set = reach.get(id)!;
      if (set.has(task.index)) continue;
      set.add(task.index);
      for (const e of graph.edges) if (e.target.block === id && !cut(e)) stack.push(e.source.block);
    }
  }

  const specs = fieldSpecs(project);
  // Embedding tables are the plan's own kind of parameter (sparse rows, not dense blocks).
  const embeddings: EmbeddingPlan[] = graph.blocks
    .filter((b) => b.type === 'shared-embedding')
    .map((b) => ({
      blockId: b.id,
      dim: blockParams('shared-embedding', b).dim,
      fields: specs.get(b.id) ?? [],
    }));
  const embeddingIndex = new Map(embeddings.map((e, i) => [e.blockId, i]));
  const consumers: ConsumerPlan[] = graph.edges
    .filter((e) => embeddingIndex.has(e.source.block))
    .map((e) => ({
      edgeId: e.id,
      embedding: embeddingIndex.get(e.source.block)!,
      tasks: cut(e) ? [] : [...reach.get(e.target.block)!].sort((a, b) => a - b),
    }));

  const weighted = tasks.filter((t) => t.lossWeight > 0).map((t) => t.index);
  const sharedDense = new Set<string>();
  if (weighted.length >= 2) {
    for (const b of graph.blocks) {
      if (!blockModule(b.type).hasParams) continue;
      const r = reach.get(b.id)!;
      if (weighted.every((t) => r.has(t))) sharedDense.add(b.id);
    }
  }
  const sharedEmbeddings = new Set<number>();
  if (weighted.length >= 2) {
    embeddings.forEach((_, k) => {
      const reached = new Set(consumers.filter((c) => c.embedding === k).flatMap((c) => c.tasks));
      if (weighted.every((t) => reached.has(t))) sharedEmbeddings.add(k);
    });
  }
  const singlePassCapture = sharedDense.size === 0 && consumers.every((c) => c.tasks.length <= 1);

  return {
    project,
    order,
    blocks,
    params,
    incoming,
    tasks,
    core: coreTaskIndex(data.tasks),
    embeddings,
    consumers,
    reach,
    sharedDense,
    sharedEmbeddings,
    singlePassCapture,
    optimizer,
  };
}

/** Every distinct field the model's embeddings read, in first-use order (the dataset's fields). */
export function datasetFields(plan: ModelPlan): FieldSpec[] {
  const out: FieldSpec[] = [];
  const seen = new Set<string>();
  for (const e of plan.embeddings) {
    for (const f of e.fields) {
      const key = fieldKey(f);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(f);
      }
    }
  }
  return out;
}

export function fieldKey(f: FieldSpec): string {
  return `${f.column}|${f.encoding}|${f.encoding === 'buckets' ? f.buckets : ''}`;
}
