"""The training loop, as the app's (src-main/engine/train/trainer.ts): the training rows shuffled
every epoch by the seeded generator, global batches of the optimizer block's size, validation
after each epoch, early stopping on the validation score (mean AUC of the binary tasks, else
minus the mean loss) with patience, keeping the best epoch's weights, and a stop when a loss
stops being finite. A checkpoint is written after every epoch. The learning-rate schedule is
planned over the epochs and batches per epoch of this invocation (optim.py learning_rate_at).

Every process walks the same global batches; each trains on the rows of a batch it holds.
"""

import math
import time

import numpy as np
import torch

from evaluate import early_stopping_score, evaluate, pooled_target_means
from model import draw_noise
from rng import Rng, shuffle_in_place
from step import TrainStep

BATCH_SEED_RANGE = 2**31


class Outcome:
    def __init__(self, reason, message, epochs, best_epoch, samples_per_second, history):
        self.reason = reason  # "completed" | "early-stopping" | "diverged"
        self.message = message
        self.epochs = epochs
        self.best_epoch = best_epoch
        self.samples_per_second = samples_per_second
        self.history = history


def snapshot(embeddings, network) -> dict:
    """A CPU copy of every weight, by name: dense parameters, then embedding tables."""
    out = {n: p.detach().cpu().clone() for n, p in zip(network.names, network.params)}
    out.update(embeddings.weights())
    return out


@torch.no_grad()
def restore(embeddings, network, weights: dict) -> None:
    embeddings.load(weights)
    for n, p in zip(network.names, network.params):
        p.copy_(weights[n].to(p.device))


def initial_state(job, split) -> dict:
    """The state of a run before its first epoch (what a checkpoint stores after each)."""
    return {
        "epoch": 0,
        "order": torch.from_numpy(split.train.copy()),
        "rng": Rng(job.settings.seed ^ 0x5EED).state,
        "best": None,
        "history": [],
        "reason": None,
        "trainSeconds": 0.0,
        "trainSamples": 0,
    }


def train(run, state: dict, save_checkpoint, log) -> Outcome:
    """run: the job and its parts (see train.py); state: initial_state() or a checkpoint's."""
    job, cluster, settings = run.job, run.cluster, run.job.settings
    tasks = job.tasks
    order = state["order"].numpy().copy()
    batch_size = min(settings.batch_size, len(order))
    batches = math.ceil(len(order) / batch_size)
    # The schedule runs over the planned epochs; the optimizer's step count (in the checkpoint)
    # is the global step, so a resumed run goes on at the right rate.
    run.optimizer.steps_per_epoch = batches
    rng = Rng(0)
    rng.state = state["rng"]
    step = TrainStep(job, run.embeddings, run.network, run.model, run.optimizer, cluster)
    local_of = np.full(run.shard.total, -1, dtype=np.int64)
    local_of[run.shard.index] = np.arange(run.shard.rows)
    history, best = state["history"], state["best"]
    initial = snapshot(run.embeddings, run.network) if best is None else None
    correcting = any(e.get("meanCorrection") for e in run.target_encoders)
    target_means = pooled_target_means(run) if correcting else None
    train_seconds, train_samples = state["trainSeconds"], state["trainSamples"]
    reason = state["reason"]
    message = ""
    epoch = state["epoch"]
    if reason is None and epoch < settings.epochs:
        log(f"training {settings.epochs - epoch} epoch(s): {batches} batches of {batch_size} rows each")
    while reason is None and epoch < settings.epochs:
        epoch += 1
        started = time.perf_counter()
        epoch_seconds = 0.0
        shuffle_in_place(order, rng)
        loss_sums = np.zeros(len(tasks))
        for b in range(batches):
            rows = order[b * batch_size : (b + 1) * batch_size]
            seed = rng.int(BATCH_SEED_RANGE)
            t0 = time.perf_counter()
            local = local_of[rows]
            mine = np.flatnonzero(local >= 0)
            noise = {
                k: torch.from_numpy(v[mine]).to(cluster.device)
                for k, v in draw_noise(job, Rng(seed), len(rows)).items()
            }
            losses = step.run(run.rows.batch(local[mine]), len(rows), noise)
            epoch_seconds += time.perf_counter() - t0
            train_samples += len(rows)
            bad = np.flatnonzero(~np.isfinite(losses))
            if len(bad):
                t = bad[0]
                reason = "diverged"
                kept = (
                    f"Kept the weights of epoch {best['epoch']}."
                    if best
                    else "No epoch had finished: the model is back at its initial weights."
                )
                message = (
                    f'Training diverged at epoch {epoch}, batch {b + 1}: the loss of task "{tasks[t].name}" '
                    f"became {losses[t]}. {kept} Try a lower learning rate or a stronger target transform."
                )
                break
            loss_sums += losses * len(rows)
        train_seconds += epoch_seconds
        if reason == "diverged":
            break

        validation = evaluate(run, 1, fit_mean_correction=True, target_means=target_means)
        score = early_stopping_score(job, validation)
        if best is None or score > best["score"]:
            best = {
                "score": score,
                "epoch": epoch,
                "weights": snapshot(run.embeddings, run.network),
                "corrections": [(e.get("smearing"), e.get("calibration")) for e in run.target_encoders],
            }
        history.append(
            {
                "epoch": epoch,
                "trainLoss": {t.name: float(s / len(order)) for t, s in zip(tasks, loss_sums)},
                "validationLoss": validation.losses,
                "validation": validation.metrics,
                "samplesPerSecond": len(order) / max(epoch_seconds, 1e-9),
                "score": score,
                "bestEpoch": best["epoch"],
                "seconds": time.perf_counter() - started,
            }
        )
        log(_epoch_line(job, history[-1], settings.epochs))
        if settings.patience > 0 and epoch - best["epoch"] >= settings.patience:
            reason = "early-stopping"
            message = (
                f"Stopped early after epoch {epoch}: no validation improvement for {settings.patience} "
                f"epoch{'' if settings.patience == 1 else 's'}; kept epoch {best['epoch']}."
            )
        save_checkpoint(
            {
                "epoch": epoch,
                "order": torch.from_numpy(order.copy()),
                "rng": rng.state,
                "best": best,
                "history": history,
                "reason": reason,
                "trainSeconds": train_seconds,
                "trainSamples": train_samples,
                "weights": snapshot(run.embeddings, run.network),
                "optimizer": run.optimizer.state_dict(),
            }
        )
    if best is not None:
        restore(run.embeddings, run.network, best["weights"])
        for enc, (smearing, calibration) in zip(run.target_encoders, best.get("corrections", [])):
            if smearing is not None:
                enc["smearing"] = smearing
            if calibration is not None:
                enc["calibration"] = calibration
    elif initial is not None:
        restore(run.embeddings, run.network, initial)
    reason = reason or "completed"
    if reason == "completed":
        message = f"Trained {epoch} epoch{'' if epoch == 1 else 's'}; kept epoch {best['epoch'] if best else epoch}."
    elif not message:
        message = f"The run had already stopped ({reason}) after epoch {epoch}; kept epoch {best['epoch']}."
    speed = train_samples / max(train_seconds, 1e-9)
    return Outcome(reason, message, len(history), best["epoch"] if best else 0, speed, history)


def _epoch_line(job, h: dict, epochs: int) -> str:
    parts = []
    for t in job.tasks:
        m = h["validation"][t.name]
        shown = f"AUC {m['auc']:.4f}" if t.type == "binary" else f"NRMSE {m['nrmse']:.4f}"
        parts.append(f"{t.name} loss {h['trainLoss'][t.name]:.4f} / {shown}")
    return (
        f"epoch {h['epoch']}/{epochs}: " + ", ".join(parts)
        + f" (train loss / validation); {h['samplesPerSecond']:.0f} samples/s, {h['seconds']:.1f} s"
    )
