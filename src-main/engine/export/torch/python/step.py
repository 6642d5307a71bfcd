"""One training step, as the app's (src-main/engine/train/step.ts), over many processes.

Each process holds some of the rows of the global batch (the batch the app would train on). Its
losses are its rows' share of the batch mean, so summing over processes gives exactly the
gradient of the whole batch.

Gradient capture. Every edge leaving an embedding carries its own copy of the embedding output.
When each such edge is reached by one task's loss only and no dense block is shared by all
tasks (HTLNet with stop-gradient), ONE backward pass of the summed loss yields every task's
gradient on the embedding tables; DistributedDataParallel averages the dense gradients during
that pass. When tasks share dense blocks (shared-bottom, MMoE, PLE) and the adjustment is on,
each task's gradient is taken in its own pass (under no_sync) and summed over processes here.

The per-task gradients on the shared parameters are summed over processes BEFORE the adjustment
coefficients are computed, so every process computes the same coefficients and applies the same
update.
"""

from contextlib import nullcontext

import numpy as np
import torch

from model import LOG_MEAN_LIMIT, PROB_EPSILON, SIGMA_MIN, SIGMA_SPAN
from optim import adjustment_coefficients


class Rows:
    """A process's encoded rows on the device: embedding inputs and training targets."""

    def __init__(self, embeddings, encoded: list, targets: list, device):
        self.inputs = embeddings.inputs(encoded, device)
        self.targets = [torch.from_numpy(y).to(device) for y in targets]

    def batch(self, rows: np.ndarray) -> "Batch":
        index = torch.from_numpy(rows).to(self.targets[0].device)
        return Batch([(ids[index], xs[index]) for ids, xs in self.inputs], [y[index] for y in self.targets])


class Batch:
    def __init__(self, inputs: list, targets: list):
        self.inputs = inputs  # per embedding: (ids, linear values)
        self.targets = targets  # per task, on the training scale


def loss_sums(outputs: list, targets: list, tasks: list) -> list:
    """Per task, the loss summed over the rows: the regression objective (squared error on the
    transformed scale, zero-inflated lognormal, Tweedie; see src-main/engine/model/objective.ts),
    cross-entropy from the logit (binary head) or from the probability (ESMM product)."""
    out = []
    for o, y, task in zip(outputs, targets, tasks):
        if task.type == "regression" and task.objective == "ziln":
            out.append(ziln_loss(o["parts"], y).sum())
        elif task.type == "regression" and task.objective == "tweedie":
            out.append(tweedie_loss(o["value"], y, task.tweedie_power).sum())
        elif task.type == "regression":
            out.append(((o["value"] - y) ** 2).sum())
        elif "logit" in o:
            z = o["logit"]
            out.append((torch.relu(z) - z * y + torch.log1p(torch.exp(-z.abs()))).sum())
        else:
            p = o["prob"].clamp(PROB_EPSILON, 1 - PROB_EPSILON)
            out.append(-(y * torch.log(p) + (1 - y) * torch.log(1 - p)).sum())
    return out


def calibrator_sums(outputs: list, tasks: list, weight: float) -> list:
    """AITM's behavioural expectation calibrator (Xi et al. 2021), per task: for consecutive binary
    tasks a -> b, weight * sum over the rows of max(p_b - p_a, 0), carried by task b (None where
    there is none). Divided by the batch size it is the paper's weight * mean."""
    out = [None] * len(tasks)
    if weight <= 0:
        return out
    previous = -1
    for t, task in enumerate(tasks):
        if task.type != "binary":
            continue
        if previous >= 0:
            out[t] = weight * torch.relu(outputs[t]["prob"] - outputs[previous]["prob"]).sum()
        previous = t
    return out


def ziln_loss(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per row: softplus(q) - q [y > 0] + [y > 0] (log sigma + (log y - m)^2 / (2 sigma^2))."""
    q, m, s = z[:, 0], z[:, 1], z[:, 2]
    pos = (y > 0).to(z.dtype)
    sigma = SIGMA_MIN + SIGMA_SPAN * torch.sigmoid(s)
    log_y = torch.log(y * pos + (1 - pos))
    nll = torch.log(sigma) + (log_y - m) ** 2 / (2 * sigma * sigma)
    return torch.nn.functional.softplus(q) - q * pos + pos * nll


def tweedie_loss(v: torch.Tensor, y: torch.Tensor, p: float) -> torch.Tensor:
    """Per row: -y exp((1 - p) v) / (1 - p) + exp((2 - p) v) / (2 - p), v clamped."""
    c = v.clamp(-LOG_MEAN_LIMIT, LOG_MEAN_LIMIT)
    return -y * torch.exp((1 - p) * c) / (1 - p) + torch.exp((2 - p) * c) / (2 - p)


class TrainStep:
    def __init__(self, job, embeddings, network, model, optimizer, cluster):
        """network: the dense blocks; model: the same, wrapped in DistributedDataParallel when
        there are many processes."""
        self.job = job
        self.settings = job.settings
        self.embeddings = embeddings
        self.model = model
        self.optimizer = optimizer
        self.cluster = cluster
        self.weighted = [t.loss_weight > 0 for t in job.tasks]
        shared = bool(job.shared_embeddings or job.shared_dense)
        self.adjusting = self.settings.adjustment != "none" and sum(self.weighted) >= 2 and shared
        self.per_task_passes = self.adjusting and not job.single_pass_capture
        trainable = [i for i, p in enumerate(network.params) if p.requires_grad]
        self.trainable = [network.params[i] for i in trainable]
        self.shared_dense = [network.blocks[i] in job.shared_dense for i in trainable]

    def run(self, batch: Batch, size: int, noise: dict) -> np.ndarray:
        """One update from this process's rows of a global batch of `size` rows. Returns each task's
        loss on the whole batch; the update is skipped when a loss is not finite."""
        job = self.job
        with torch.no_grad():
            outputs = [self.embeddings.lookup(k, ids, xs) for k, (ids, xs) in enumerate(batch.inputs)]
        edges = [outputs[c.embedding].clone().requires_grad_() for c in job.consumers]
        context = self.model.no_sync() if self.per_task_passes and self.cluster.distributed else nullcontext()
        with context:
            outputs = self.model(edges, noise)
            sums = loss_sums(outputs, batch.targets, job.tasks)
            calibrator = calibrator_sums(outputs, job.tasks, self.settings.calibrator)
            losses = self.cluster.sum_(torch.stack([s.detach() for s in sums]).double()).cpu().numpy() / size
            if not np.isfinite(losses).all():
                return losses
            if self.per_task_passes:
                edge_grads, dense_grads = self._per_task_gradients(sums, calibrator, edges, size)
            else:
                edge_grads, dense_grads = self._summed_gradient(sums, calibrator, edges, size)
        self._update(batch, edge_grads, dense_grads)
        return losses

    def _per_task_gradients(self, sums: list, calibrator: list, edges: list, size: int):
        """One pass per weighted task: per task, each edge's gradient (this process's rows) and the
        dense gradients (summed over processes). A task's pass carries the calibrator term it
        holds."""
        n = len(edges)
        edge_grads, dense_grads = [], []
        for t, task in enumerate(self.job.tasks):
            if not self.weighted[t]:
                edge_grads.append([None] * n)
                dense_grads.append([None] * len(self.trainable))
                continue
            loss = sums[t] * (task.loss_weight / size)
            if calibrator[t] is not None:
                loss = loss + calibrator[t] / size
            grads = torch.autograd.grad(
                loss, edges + self.trainable, retain_graph=True, allow_unused=True
            )
            edge_grads.append(list(grads[:n]))
            dense_grads.append(self._sum_over_processes(list(grads[n:])))
        return edge_grads, dense_grads

    def _summed_gradient(self, sums: list, calibrator: list, edges: list, size: int):
        """One pass of the summed loss. Streams of edge gradients: one per task when adjusting (each
        edge is then reached by one task only), else one. Dense gradients: of the summed loss."""
        job, world = self.job, self.cluster.world
        total = sum(sums[t] * task.loss_weight for t, task in enumerate(job.tasks) if self.weighted[t]) / size
        for t, c in enumerate(calibrator):
            if c is not None and self.weighted[t]:
                total = total + c / size
        # DistributedDataParallel averages over processes: scaled by the world size, the average is
        # the sum of the processes' shares, the whole batch's gradient.
        (total * world).backward()
        dense = [p.grad for p in self.trainable]
        for p in self.trainable:
            p.grad = None
        grads = [e.grad / world if e.grad is not None else None for e in edges]
        if not self.adjusting:
            return [grads], [dense]
        streams = [[g if c.tasks == [t] else None for g, c in zip(grads, job.consumers)] for t in range(len(job.tasks))]
        return streams, [dense]

    def _sum_over_processes(self, tensors: list) -> list:
        """Sums tensors (None: no gradient, the same on every process) over processes in one call."""
        present = [t for t in tensors if t is not None]
        if not present:
            return tensors
        flat = self.cluster.sum_(torch.cat([t.reshape(-1) for t in present]))
        parts = iter(torch.split(flat, [t.numel() for t in present]))
        return [next(parts).view_as(t) if t is not None else None for t in tensors]

    def _table_gradients(self, k: int, batch: Batch, streams: list, split: bool) -> torch.Tensor:
        """Embedding k's table gradient per stream ([streams, rows, dim]; one stream unless `split`),
        summed over processes."""
        ids, xs = batch.inputs[k]
        mine = [i for i, c in enumerate(self.job.consumers) if c.embedding == k]
        if split:
            groups = [[s[i] for i in mine] for s in streams]
        else:
            groups = [[s[i] for s in streams for i in mine]]
        out = []
        for grads in groups:
            present = [g for g in grads if g is not None]
            if present:
                out.append(self.embeddings.gradient(k, ids, xs, torch.stack(present).sum(0)))
            else:
                out.append(torch.zeros_like(self.embeddings.tables[k]))
        return self.cluster.sum_(torch.stack(out))

    def _update(self, batch: Batch, edge_grads: list, dense_grads: list) -> None:
        job = self.job
        tables = [
            self._table_gradients(k, batch, edge_grads, self.adjusting and k in job.shared_embeddings)
            for k in range(len(job.embeddings))
        ]
        touched = []
        for k, (ids, _) in enumerate(batch.inputs):
            touched.append(self.cluster.sum_(self.embeddings.touched(k, ids)) > 0)
        coef = self._coefficients(tables, dense_grads) if self.adjusting else None
        table_grads = [
            (torch.from_numpy(coef).to(g).view(-1, 1, 1) * g).sum(0)
            if coef is not None and k in job.shared_embeddings
            else g.sum(0)
            for k, g in enumerate(tables)
        ]
        dense = []
        for j in range(len(self.trainable)):
            parts = [(t, s[j]) for t, s in enumerate(dense_grads) if s[j] is not None]
            if coef is not None and self.shared_dense[j]:
                dense.append(sum(float(coef[t]) * g for t, g in parts))
            else:
                dense.append(sum(g for _, g in parts))
        self.optimizer.step(dense, table_grads, touched)

    def _coefficients(self, tables: list, dense_grads: list) -> np.ndarray:
        """The adjustment's coefficients from the tasks' gradients on every shared parameter."""
        job = self.job
        core = job.core
        dots = np.zeros(len(job.tasks))
        norms2 = np.zeros(len(job.tasks))
        for k in job.shared_embeddings:
            g = tables[k].double()
            dots += (g * g[core]).sum((1, 2)).cpu().numpy()
            norms2 += (g * g).sum((1, 2)).cpu().numpy()
        # Dense blocks every task shares exist only where each task had its own pass.
        for j, shared in enumerate(self.shared_dense):
            if not shared:
                continue
            gc = dense_grads[core][j]
            for t, stream in enumerate(dense_grads):
                g = stream[j]
                if g is None:
                    continue
                norms2[t] += float((g.double() ** 2).sum())
                if gc is not None:
                    dots[t] += float((g.double() * gc.double()).sum())
        return adjustment_coefficients(dots, norms2, core, self.settings, self.weighted)
