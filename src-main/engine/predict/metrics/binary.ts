// Metrics of a binary task: AUC (ties count half, from one sort of the scores) and LogLoss
// (probabilities clipped to [LOGLOSS_EPS, 1 - LOGLOSS_EPS]). The conventions are in index.ts.

import { hasNaN, isPositive, sameLength, sortAscending, type Sorted, type Values } from './sort';

/** Probabilities are clipped to [LOGLOSS_EPS, 1 - LOGLOSS_EPS] before taking logs. */
const LOGLOSS_EPS = 1e-7;

export interface BinaryMetrics {
  auc: number;
  logloss: number;
}

function aucFromSorted(labels: Values, { order, sorted }: Sorted): number {
  const n = order.length;
  let pos = 0;
  for (let i = 0; i < n; i++) if (isPositive(labels[i])) pos++;
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  // Walk groups of tied scores ascending: a positive beats every negative below its group and
  // ties with (counts 1/2 for) every negative inside it.
  let negBelow = 0;
  let wins = 0;
  let i = 0;
  while (i < n) {
    const v = sorted[i];
    let p = 0;
    let j = i;
    do {
      if (isPositive(labels[order[j]])) p++;
      j++;
    } while (j < n && sorted[j] === v);
    const q = j - i - p;
    wins += p * (negBelow + 0.5 * q);
    negBelow += q;
    i = j;
  }
  return wins / (pos * neg);
}

/**
 * ROC AUC: the probability that a random positive scores above a random negative, a tied
 * positive/negative pair counting 1/2 (the average-rank / Mann-Whitney definition).
 * NaN when only one class is present, on empty input, or on NaN input.
 */
export function auc(labels: Values, scores: Values): number {
  sameLength(labels, scores, 'auc');
  if (hasNaN(labels) || hasNaN(scores)) return NaN;
  return aucFromSorted(labels, sortAscending(scores));
}

/**
 * Mean binary cross-entropy, natural log, probabilities clipped to [1e-7, 1 - 1e-7]:
 * mean of -(y ln p + (1 - y) ln(1 - p)). NaN on empty input.
 */
export function logLoss(labels: Values, probs: Values): number {
  const n = sameLength(labels, probs, 'logLoss');
  if (n === 0) return NaN;
  const hi = 1 - LOGLOSS_EPS;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let p = probs[i];
    if (p < LOGLOSS_EPS) p = LOGLOSS_EPS;
    else if (p > hi) p = hi;
    const y = labels[i];
    if (y === 1) sum -= Math.log(p);
    else if (y === 0) sum -= Math.log(1 - p);
    else sum -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
  }
  return sum / n;
}

/** AUC and LogLoss of one binary task. */
export function binaryMetrics(labels: Values, probs: Values): BinaryMetrics {
  return { auc: auc(labels, probs), logloss: logLoss(labels, probs) };
}
