"""The gradient adjustment on the shared parameters and the optimizer, as the app's
(src-main/engine/train/adjust.ts and optimizer.ts).

Adjustment. With G_c the core task's gradient and G_t each other task's, over all shared
parameters flattened together, for each t != core:
  1. direction: if G_t . G_c < 0, G_t <- G_t - alpha (G_t . G_c / |G_c|^2) G_c
  2. magnitude: w = clip(|G_c| / |G_t|, 1/C, C) with |G_t| before step 1,
                G_t <- gamma w G_t + (1 - gamma) G_t
and the shared update is G_s = G_c + sum_t G_t. Both steps only add multiples of G_t and G_c,
so G_s = sum_t coef_t G_t: adjustment_coefficients() computes the coefficients from the dot
products with the core gradient and the squared norms. "pcgrad" is step 1 alone,
"metabalance" step 2 alone, "htlnet" both, "none" the plain sum.

Optimizer. Adam (beta1 0.9, beta2 0.999, epsilon 1e-8, bias-corrected) or SGD. Dense parameters
are updated every step; embedding table rows only when the batch touched them (lazy Adam: the
moments of untouched rows stay as they are).

Learning-rate schedule (src-main/engine/train/schedule.ts, learningRateAt): the rate of update
`step` (0-based, over the whole run), with W = round(warmup_epochs x batches per epoch) warm-up
steps and S = epochs x batches per epoch planned steps: lr x (step + 1) / W during the warm-up,
times 1 (constant), decay_factor^floor(step / (decay_every x batches per epoch)) (step), or
floor + (1 - floor) (1 + cos(pi p)) / 2 with p = (step - W) / (S - W) in [0, 1] (cosine). The
step count is in the checkpoint, so a resumed run goes on at the right rate.

Weight decay, decoupled (AdamW): before its update a decayed weight is multiplied by
1 - lr x decay (lr: the step's rate). Dense weight matrices (2 dimensions or more) use
weight_decay, biases none; embedding tables embedding_weight_decay on the rows the update moves
(lazy Adam and SGD: the touched rows; dense Adam: every row).
"""

import math

import numpy as np
import torch

ADAM_BETA1 = 0.9
ADAM_BETA2 = 0.999
ADAM_EPSILON = 1e-8


def learning_rate_at(settings, step: int, steps_per_epoch: int) -> float:
    """The learning rate of update `step` (0: the run's first), as the app's learningRateAt."""
    lr = settings.learning_rate
    total = settings.epochs * steps_per_epoch
    warmup = 0
    if settings.warmup_epochs > 0:  # rounded half up, at most the whole run
        warmup = min(total, math.floor(settings.warmup_epochs * steps_per_epoch + 0.5))
    if settings.schedule == "constant" and warmup == 0:
        return lr
    ramp = (step + 1) / warmup if step < warmup else 1
    decay = 1.0
    if settings.schedule == "step":
        decay = math.pow(settings.decay_factor, math.floor(step / (settings.decay_every * steps_per_epoch)))
    elif settings.schedule == "cosine":
        span = total - warmup
        p = min(1, max(0, (step - warmup) / span)) if span > 0 else 0
        floor = settings.cosine_floor
        decay = floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * p))
    return lr * ramp * decay


def adjustment_coefficients(dots, norms2, core: int, settings, active: list) -> np.ndarray:
    """dots[t] = G_t . G_c (dots[core] = |G_c|^2), norms2[t] = |G_t|^2; `active`: tasks that
    take part (a task with loss weight 0 has no gradient). Returns coef with G_s = sum coef_t G_t."""
    n = len(norms2)
    coef = np.zeros(n)
    core_norm2 = norms2[core]
    core_norm = math.sqrt(core_norm2)
    direction = settings.adjustment in ("pcgrad", "htlnet")
    magnitude = settings.adjustment in ("metabalance", "htlnet")
    if active[core]:
        coef[core] = 1
    for t in range(n):
        if t == core or not active[t]:
            continue
        norm = math.sqrt(norms2[t])
        a, b = 1.0, 0.0  # G_t' = a G_t + b G_c
        if direction and dots[t] < 0 and core_norm2 > 0:
            b = -settings.alpha * dots[t] / core_norm2
        if magnitude:
            c = settings.clip
            ratio = core_norm / norm if norm > 0 else c
            w = min(c, max(1 / c, ratio))
            scale = settings.gamma * w + (1 - settings.gamma)
            a *= scale
            b *= scale
        coef[t] += a
        if active[core]:
            coef[core] += b
    return coef


class Optimizer:
    def __init__(self, settings, dense: list, tables: list, steps_per_epoch: int = 1):
        """steps_per_epoch: batches per epoch, for the learning-rate schedule (set by the trainer)."""
        self.settings = settings
        self.dense = dense
        self.tables = tables
        self.steps = 0
        self.steps_per_epoch = steps_per_epoch
        adam = settings.optimizer == "adam"
        self.moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p in dense + tables] if adam else []

    @torch.no_grad()
    def step(self, dense_grads: list, table_grads: list, touched: list) -> None:
        """dense_grads: per dense parameter; table_grads, touched: per table (touched: bool rows)."""
        s = self.settings
        lr = learning_rate_at(s, self.steps, self.steps_per_epoch)
        self.steps += 1
        wd = s.weight_decay
        if wd > 0:
            for p in self.dense:
                if p.dim() >= 2:  # weight matrices; biases are never decayed
                    p.mul_(1 - lr * wd)
        keep = 1 - lr * s.embedding_weight_decay
        dense_tables = s.optimizer == "adam" and s.table_adam == "dense"
        if keep != 1:
            for table, rows in zip(self.tables, touched):
                if dense_tables:
                    table.mul_(keep)
                else:
                    table[rows] *= keep
        if s.optimizer == "sgd":
            for p, g in zip(self.dense, dense_grads):
                p.sub_(lr * g)
            for table, g, rows in zip(self.tables, table_grads, touched):
                table[rows] -= lr * g[rows]
            return
        c1 = 1 - ADAM_BETA1**self.steps
        c2 = 1 - ADAM_BETA2**self.steps
        moments = iter(self.moments)
        for p, g in zip(self.dense, dense_grads):
            m, v = next(moments)
            m.mul_(ADAM_BETA1).add_(g, alpha=1 - ADAM_BETA1)
            v.mul_(ADAM_BETA2).addcmul_(g, g, value=1 - ADAM_BETA2)
            p.sub_(lr * (m / c1) / ((v / c2).sqrt() + ADAM_EPSILON))
        for table, g, rows in zip(self.tables, table_grads, touched):
            m, v = next(moments)
            if self.settings.table_adam == "dense":  # every row; g is 0 where the batch did not touch
                g = torch.where(rows.unsqueeze(1), g, torch.zeros_like(g)) if rows.dtype == torch.bool else g
                m.mul_(ADAM_BETA1).add_(g, alpha=1 - ADAM_BETA1)
                v.mul_(ADAM_BETA2).addcmul_(g, g, value=1 - ADAM_BETA2)
                table.sub_(lr * (m / c1) / ((v / c2).sqrt() + ADAM_EPSILON))
                continue
            g = g[rows]
            m_rows = m[rows] * ADAM_BETA1 + (1 - ADAM_BETA1) * g
            v_rows = v[rows] * ADAM_BETA2 + (1 - ADAM_BETA2) * g * g
            m[rows] = m_rows
            v[rows] = v_rows
            table[rows] -= lr * (m_rows / c1) / ((v_rows / c2).sqrt() + ADAM_EPSILON)

    def state_dict(self) -> dict:
        return {"steps": self.steps, "moments": [(m.cpu(), v.cpu()) for m, v in self.moments]}

    def load_state_dict(self, state: dict) -> None:
        self.steps = state["steps"]
        for (m, v), (sm, sv) in zip(self.moments, state["moments"]):
            m.copy_(sm)
            v.copy_(sv)
