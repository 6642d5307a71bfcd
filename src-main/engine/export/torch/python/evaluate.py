"""Inference over a part of the split and its metrics, as the app's (src-main/engine/predict/evaluate.ts):
every process predicts its rows, the predictions are gathered in the app's row order, and the
metrics are computed from all of them (on every process, so all take the same decisions)."""

import math

import numpy as np
import torch

from metrics import binary_metrics, logloss, regression_metrics
from preprocess import (
    log_mean_output,
    mean_calibration,
    smearing_factor,
    total_calibration,
    transform_target,
    untransform_target,
)
from step import tweedie_loss

EVAL_BATCH = 8192


@torch.no_grad()
def predict(job, embeddings, network, rows, local: np.ndarray) -> np.ndarray:
    """[tasks, rows] float32: probabilities (binary) or predictions on the transformed scale."""
    out = np.zeros((len(job.tasks), len(local)), dtype=np.float32)
    for start in range(0, len(local), EVAL_BATCH):
        batch = rows.batch(local[start : start + EVAL_BATCH])
        outputs = [embeddings.lookup(k, ids, xs) for k, (ids, xs) in enumerate(batch.inputs)]
        edges = [outputs[c.embedding] for c in job.consumers]
        for t, (o, task) in enumerate(zip(network(edges), job.tasks)):
            value = o["prob"] if task.type == "binary" else o["value"]
            out[t, start : start + len(value)] = value.cpu().numpy()
    return out


class Evaluation:
    def __init__(self, metrics: dict, losses: dict, index: np.ndarray, raw: np.ndarray):
        self.metrics = metrics  # per task name
        self.losses = losses  # per task name: cross-entropy, or squared error on the transformed scale
        self.index = index  # global row numbers, in the part's order
        self.raw = raw  # [tasks, rows]: probabilities, or predictions on the raw scale


def pooled_target_means(run) -> np.ndarray:
    """Each task's mean target over the training and validation rows of every process (as the
    app's pooledTargetMeans): what the mean correction calibrates the validation predictions to."""
    local = np.flatnonzero(np.isin(run.split.part[run.shard.index], (0, 1)))
    sums = np.array([float(y[local].astype(np.float64).sum()) for y in run.targets])
    parts = run.cluster.gather((sums, len(local)))
    n = sum(p[1] for p in parts)
    return sum(p[0] for p in parts) / n if n > 0 else np.full(len(run.targets), math.nan)


def evaluate(run, part: int, fit_mean_correction: bool = False, target_means=None) -> Evaluation:
    """Metrics of one part of the split (0 train, 1 validation, 2 test) over every process's rows.
    With fit_mean_correction (validation), first fits the smearing factor and the calibration of
    every regression task that asks for them and stores them in its target encoder (as the app's
    fitMeanCorrections): the calibration brings the mean prediction to target_means[t] when given,
    else to the actual mean of these rows."""
    job, shard, split = run.job, run.shard, run.split
    local = np.flatnonzero(split.part[shard.index] == part)
    predicted = predict(job, run.embeddings, run.network, run.rows, local)
    actual = np.stack([y[local] for y in run.targets])
    index = shard.index[local]
    parts = run.cluster.gather((split.position[index], index, predicted, actual))
    order = np.argsort(np.concatenate([p[0] for p in parts]))
    index = np.concatenate([p[1] for p in parts])[order]
    predicted = np.concatenate([p[2] for p in parts], axis=1)[:, order]
    actual = np.concatenate([p[3] for p in parts], axis=1)[:, order]
    metrics, losses, raw = {}, {}, []
    for t, (task, enc) in enumerate(zip(job.tasks, run.target_encoders)):
        if task.type == "binary":
            p = predicted[t].astype(np.float64)
            metrics[task.name] = binary_metrics(actual[t], p)
            losses[task.name] = logloss(actual[t], p)
        else:
            if fit_mean_correction and enc.get("meanCorrection"):
                smearing = smearing_factor(predicted[t], actual[t], enc)
                if smearing != 1 or "smearing" in enc:
                    enc["smearing"] = smearing
                uncalibrated = untransform_target(predicted[t], dict(enc, calibration=1.0))
                enc["calibration"] = (
                    mean_calibration(uncalibrated, float(target_means[t]))
                    if target_means is not None
                    else total_calibration(uncalibrated, actual[t])
                )
            p = untransform_target(predicted[t], enc)
            metrics[task.name] = regression_metrics(actual[t], p)
            y = transform_target(actual[t], enc).astype(np.float64)
            v = predicted[t].astype(np.float64)
            if enc.get("objective") == "tweedie":
                rows = tweedie_loss(torch.from_numpy(v), torch.from_numpy(y), enc["tweediePower"]).numpy()
            elif log_mean_output(enc):
                rows = (np.exp(v) - y) ** 2  # ZILN: squared error of the mean (scaled target)
            else:
                rows = (v - y) ** 2
            losses[task.name] = float(rows.sum() / max(1, len(y)))
        raw.append(p)
    return Evaluation(metrics, losses, index, np.stack(raw))


def _task_score(task, metrics: dict) -> float:
    """Binary: 2 AUC - 1; regression: 1 - NRMSE (higher is better)."""
    m = metrics.get(task.name)
    if m is None:
        return float("nan")
    return 2 * m["auc"] - 1 if task.type == "binary" else 1 - m["nrmse"]


def early_stopping_score(job, evaluation: Evaluation) -> float:
    """As the app's earlyStoppingScore (src-main/engine/train/trainer.ts), by settings.selection:
    all (the loss-weighted mean of the tasks' scores), core (the core task's score), core-loss
    (minus its validation loss) or binary-auc (the mean validation AUC of the binary tasks; without
    any, minus the mean loss)."""
    selection = job.settings.selection
    core = job.tasks[job.core]
    losses = [evaluation.losses[t.name] for t in job.tasks]
    mean_loss = -float(sum(losses) / len(losses))
    if selection == "core-loss":
        return -float(evaluation.losses[core.name])
    if selection == "core":
        s = _task_score(core, evaluation.metrics)
        return float(s) if np.isfinite(s) else -float(evaluation.losses[core.name])
    if selection == "all":
        total, weights = 0.0, 0.0
        for t in job.tasks:
            s = _task_score(t, evaluation.metrics)
            if t.loss_weight > 0 and np.isfinite(s):
                total += t.loss_weight * s
                weights += t.loss_weight
        return total / weights if weights > 0 else mean_loss
    aucs = [evaluation.metrics[t.name]["auc"] for t in job.tasks if t.type == "binary"]
    aucs = [a for a in aucs if np.isfinite(a)]
    if aucs:
        return float(sum(aucs) / len(aucs))
    return mean_loss
