// The core-target objectives of a regression head (HTLNET.md, "Core-target objectives"), in
// plain numbers for the executor; model.ts builds the same with tfjs ops, the ONNX lowering and
// the PyTorch package each once more. Every path computes:
//
//  mse      value v on the training scale; loss (v - y)^2.
//  ziln     three outputs per row: q (logit of y > 0), m (mean of log y), s (raw spread);
//           sigma = SIGMA_MIN + SIGMA_SPAN sigmoid(s) (bounded: the spread is learned on rows with
//           y > 0 only, and an unbounded one extrapolates on the others, where exp(sigma^2 / 2)
//           then blows the mean up);
//           loss = softplus(q) - q [y > 0] + [y > 0] (log sigma + (log y - m)^2 / (2 sigma^2))
//           (the lognormal negative log-likelihood without the terms that do not depend on the
//           model); value v = log sigmoid(q) + m + sigma^2 / 2 = log E[y].
//  tweedie  value v = log of the mean; with power p,
//           loss = -y exp((1 - p) v) / (1 - p) + exp((2 - p) v) / (2 - p) (the deviance up to
//           terms that do not depend on the model).
// y is on the training scale (targets of ziln and tweedie divided by a fitted scale, see
// data/encoders.ts), so the raw prediction is exp(v) times that scale.

import type { Block } from '../../shared/project';
import { LEGACY_OBJECTIVE, type Objective, type ParamsOf } from '../../shared/catalog';
import type { ProjectFile } from '../../shared/project';

/** Smallest and largest lognormal spread (log scale): log sigma stays finite, the mean bounded. */
export const SIGMA_MIN = 1e-3;
const SIGMA_MAX = 3;
export const SIGMA_SPAN = SIGMA_MAX - SIGMA_MIN;
/** A ZILN head's spread output starts here (sigma about 0.6, a typical spread of log spend). */
export const ZILN_SPREAD_BIAS = -1.4;
/** Log-mean values are clamped here before exp (a far-off start must not overflow). */
export const LOG_MEAN_LIMIT = 30;

/** Outputs of a task head: 3 for ZILN (q, m, s), else 1. */
export function headOutputs(params: Pick<ParamsOf<'task-head'>, 'kind' | 'objective'>): number {
  return params.kind === 'regression' && params.objective === 'ziln' ? 3 : 1;
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** ZILN: the value (log of the mean) from the three outputs. */
export function zilnValue(q: number, m: number, s: number): number {
  const sigma = SIGMA_MIN + SIGMA_SPAN * sigmoid(s);
  return -softplus(-q) + m + 0.5 * sigma * sigma;
}

/** ZILN: one row's loss, and its gradient with respect to q, m and s written into `grad`. */
export function zilnLoss(
  q: number,
  m: number,
  s: number,
  y: number,
  grad: Float64Array | null,
): number {
  const pos = y > 0 ? 1 : 0;
  const gs = sigmoid(s);
  const sigma = SIGMA_MIN + SIGMA_SPAN * gs;
  let loss = softplus(q) - q * pos;
  let dm = 0;
  let dsigma = 0;
  if (pos) {
    const r = Math.log(y) - m;
    const inv2 = 1 / (sigma * sigma);
    loss += Math.log(sigma) + 0.5 * r * r * inv2;
    dm = -r * inv2;
    dsigma = 1 / sigma - (r * r * inv2) / sigma;
  }
  if (grad) {
    grad[0] = sigmoid(q) - pos;
    grad[1] = dm;
    grad[2] = dsigma * SIGMA_SPAN * gs * (1 - gs);
  }
  return loss;
}

/** Tweedie: one row's loss and its derivative with respect to v (written into grad[0]). */
export function tweedieLoss(v: number, y: number, p: number, grad: Float64Array | null): number {
  const c = Math.min(LOG_MEAN_LIMIT, Math.max(-LOG_MEAN_LIMIT, v));
  const a = Math.exp((1 - p) * c);
  const b = Math.exp((2 - p) * c);
  if (grad) grad[0] = v === c ? -y * a + b : 0;
  return (-y * a) / (1 - p) + b / (2 - p);
}

/**
 * A project saved before heads had objectives: every regression head without one keeps the
 * squared error it was trained with, and no mean correction (the saved model has no factor).
 * Returns a copy; other projects come back unchanged.
 */
export function withLegacyObjectives(project: ProjectFile): ProjectFile {
  // Binary heads ignore these parameters; giving them too changes nothing.
  const legacy = (b: Block) => b.type === 'task-head' && b.params.objective === undefined;
  if (!project.graph.blocks.some(legacy)) return project;
  return {
    ...project,
    graph: {
      ...project.graph,
      blocks: project.graph.blocks.map((b) =>
        legacy(b)
          ? {
              ...b,
              params: {
                ...b.params,
                objective: LEGACY_OBJECTIVE satisfies Objective,
                meanCorrection: false,
              },
            }
          : b,
      ),
    },
  };
}

/**
 * AITM's behavioural expectation calibrator (Xi et al., KDD 2021): for consecutive binary tasks
 * a -> b in chain order, weight * mean over the batch of max(p_b - p_a, 0). Returned as the
 * pairs [a, b]; a training pass that holds task b carries the pair's term.
 */
export function calibratorPairs(types: readonly ('binary' | 'regression')[]): [number, number][] {
  const pairs: [number, number][] = [];
  let previous = -1;
  types.forEach((type, t) => {
    if (type !== 'binary') return;
    if (previous >= 0) pairs.push([previous, t]);
    previous = t;
  });
  return pairs;
}
