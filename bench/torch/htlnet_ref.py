"""PyTorch reference of the default HTLNet, for `npm run bench -- --vs-torch`.

The same model as the app's HTLNet template (README, "The model"): one embedding table per
field (nn.Embedding, sparse gradients), a 128-64-32 ReLU tower per task, linear heads, a label
embedding unit (binary Gumbel-softmax over the task's own logit) for each binary task with a
later task, attention information fusion of the earlier tasks' representations and label
embeddings, stop-gradients, BCE / MSE losses, and the HTLNet gradient adjustment on the shared
embedding tables (projection against the core task's gradient, then magnitude scaling), with
Adam on the dense parameters and a lazy (sparse) Adam on the tables, exactly as the app trains.

Per-task gradients are captured in one backward pass: each task's tower reads its own
detached copy of the embedding output, and torch.autograd.grad returns the gradient at each
copy (and the dense parameters' gradients) at once. The adjustment's dots and norms are over
the table gradients (the per-row sums over the batch), computed with torch.unique/index_add_;
the adjusted combination sum_t coef_t g_t is then backpropagated into the tables once.

With --model shared-bottom, the same script trains PyTorch's Shared-Bottom on the same rows: the
shared embedding tables, a shared ReLU bottom (128-64), a ReLU tower (32) and a linear head per
task, the weighted sum of the task losses in one backward pass, Adam on the dense parameters and
lazy Adam on the tables (the app's Shared-Bottom template, which has no gradient adjustment).

Input: the encoded training rows the bench dumped from Node (int32 ids, float32 targets) and a
JSON description. Output: one JSON line with the training speed.
"""

import argparse
import json
import math
import resource
import time

import numpy as np
import torch
import torch.nn as nn


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--meta", required=True, help="JSON written by bench.ts")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--model", choices=["htlnet", "shared-bottom"], default="htlnet")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: all)")
    return p.parse_args()


class Tower(nn.Module):
    def __init__(self, width_in, units):
        super().__init__()
        layers = []
        for u in units:
            layers += [nn.Linear(width_in, u), nn.ReLU()]
            width_in = u
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class Attention(nn.Module):
    """a_j = <Q u_j, K u_j> / sqrt(d); w = softmax_j(a); out = sum_j w_j V u_j."""

    def __init__(self, width):
        super().__init__()
        self.q = nn.Linear(width, width, bias=False)
        self.k = nn.Linear(width, width, bias=False)
        self.v = nn.Linear(width, width, bias=False)
        self.scale = math.sqrt(width)

    def forward(self, items):  # [batch, n, width]
        scores = (self.q(items) * self.k(items)).sum(-1) / self.scale
        weights = torch.softmax(scores, dim=1)
        return (weights.unsqueeze(-1) * self.v(items)).sum(1)


def glorot_(linear):
    nn.init.xavier_uniform_(linear.weight)
    if linear.bias is not None:
        nn.init.zeros_(linear.bias)


class HTLNet(nn.Module):
    def __init__(self, meta):
        super().__init__()
        dim = meta["embeddingDim"]
        self.tasks = meta["tasks"]
        T = len(self.tasks)
        self.tables = nn.ModuleList(
            [nn.Embedding(rows, dim, sparse=True) for rows in meta["tableRows"]]
        )
        for t in self.tables:
            nn.init.uniform_(t.weight, -0.05, 0.05)
        width = dim * len(meta["tableRows"])
        units = meta["towerUnits"]
        rep = units[-1]
        L = meta["leuDim"]
        self.temperature = meta["temperature"]
        # A label embedding for each binary task that has a later task.
        self.leu_of = [t for t in range(T - 1) if self.tasks[t]["type"] == "binary"]
        self.leu = nn.ParameterList(
            [nn.Parameter(torch.empty(2, L).uniform_(-0.05, 0.05)) for _ in self.leu_of]
        )
        self.rep_attention = nn.ModuleList([Attention(rep) for _ in range(T - 1)])
        self.label_attention = nn.ModuleList(
            [Attention(L) for t in range(1, T) if any(j < t for j in self.leu_of)]
        )
        self.towers = nn.ModuleList()
        for t in range(T):
            extra = 0
            if t > 0:
                extra = rep + (L if any(j < t for j in self.leu_of) else 0)
            self.towers.append(Tower(width + extra, units))
        self.heads = nn.ModuleList([nn.Linear(rep, 1) for _ in range(T)])
        for m in self.modules():
            if isinstance(m, nn.Linear):
                glorot_(m)

    def embed(self, ids):
        return torch.cat([table(ids[:, f]) for f, table in enumerate(self.tables)], 1)

    def forward(self, edges, noise):
        """edges[t]: task t's (detached) copy of the embedding output."""
        reps, labels, outs = [], [], []
        la = 0
        for t, task in enumerate(self.tasks):
            if t == 0:
                x = edges[0]
            else:
                parts = [self.rep_attention[t - 1](torch.stack([r.detach() for r in reps], 1))]
                if labels:
                    parts.append(self.label_attention[la](torch.stack(labels, 1)))
                    la += 1
                x = torch.cat(parts + [edges[t]], 1)
            h = self.towers[t](x)
            z = self.heads[t](h).squeeze(-1)
            reps.append(h)
            outs.append(z)
            if t in self.leu_of:
                k = self.leu_of.index(t)
                p = torch.sigmoid((z.detach() + noise[k]) / self.temperature).unsqueeze(1)
                E = self.leu[k]
                labels.append(p * E[1] + (1 - p) * E[0])
        return outs


class SharedBottom(nn.Module):
    def __init__(self, meta):
        super().__init__()
        sb = meta["sharedBottom"]
        dim = sb["embeddingDim"]
        self.tables = nn.ModuleList(
            [nn.Embedding(rows, dim, sparse=True) for rows in meta["tableRows"]]
        )
        for t in self.tables:
            nn.init.uniform_(t.weight, -0.05, 0.05)
        width = dim * len(meta["tableRows"])
        self.bottom = Tower(width, sb["bottomUnits"])
        rep = sb["bottomUnits"][-1]
        self.towers = nn.ModuleList([Tower(rep, sb["towerUnits"]) for _ in meta["tasks"]])
        self.heads = nn.ModuleList([nn.Linear(sb["towerUnits"][-1], 1) for _ in meta["tasks"]])
        for m in self.modules():
            if isinstance(m, nn.Linear):
                glorot_(m)

    def forward(self, ids):
        e = torch.cat([table(ids[:, f]) for f, table in enumerate(self.tables)], 1)
        h = self.bottom(e)
        return [head(tower(h)).squeeze(-1) for tower, head in zip(self.towers, self.heads)]


def adjustment_coefficients(dots, norms2, core, mode, alpha, gamma, clip):
    """G_s = sum_t coef_t G_t (HTLNET.md: projection, then magnitude against the core task)."""
    T = len(norms2)
    coef = [0.0] * T
    coef[core] = 1.0
    core_norm2 = norms2[core]
    core_norm = math.sqrt(core_norm2)
    for t in range(T):
        if t == core:
            continue
        a, b = 1.0, 0.0
        if mode in ("htlnet", "pcgrad") and dots[t] < 0 and core_norm2 > 0:
            b = -alpha * dots[t] / core_norm2
        if mode in ("htlnet", "metabalance"):
            norm = math.sqrt(norms2[t])
            ratio = core_norm / norm if norm > 0 else clip
            w = min(clip, max(1 / clip, ratio))
            scale = gamma * w + (1 - gamma)
            a *= scale
            b *= scale
        coef[t] += a
        coef[core] += b
    return coef


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    with open(args.meta) as f:
        meta = json.load(f)
    torch.manual_seed(meta["seed"])
    n, F = meta["rows"], len(meta["tableRows"])
    T = len(meta["tasks"])
    ids_all = torch.from_numpy(np.fromfile(meta["idsFile"], dtype=np.int32).reshape(n, F).astype(np.int64))
    y_all = torch.from_numpy(np.fromfile(meta["targetsFile"], dtype=np.float32).reshape(n, T))
    offsets = torch.tensor(np.cumsum([0] + meta["tableRows"][:-1]), dtype=torch.int64)
    dim = meta["embeddingDim"]

    model = SharedBottom(meta) if args.model == "shared-bottom" else HTLNet(meta)
    dense = [p for name, p in model.named_parameters() if not name.startswith("tables.")]
    opt_dense = torch.optim.Adam(dense, lr=meta["learningRate"], betas=(0.9, 0.999), eps=1e-8)
    opt_tables = torch.optim.SparseAdam(
        list(model.tables.parameters()), lr=meta["learningRate"], betas=(0.9, 0.999), eps=1e-8
    )
    bce = nn.BCEWithLogitsLoss()
    adj = meta["adjustment"]
    core = meta["core"]
    weights = [t["lossWeight"] for t in meta["tasks"]]
    B = meta["batchSize"]
    n_leu = len(getattr(model, "leu_of", []))

    def shared_bottom_step(ids, y):
        outs = model(ids)
        losses = []
        for t, task in enumerate(meta["tasks"]):
            if task["type"] == "binary":
                losses.append(bce(outs[t], y[:, t]))
            else:
                losses.append(((outs[t] - y[:, t]) ** 2).mean())
        total = sum(w * l for w, l in zip(weights, losses))
        opt_dense.zero_grad()
        opt_tables.zero_grad()
        total.backward()
        opt_dense.step()
        opt_tables.step()
        return [l.item() for l in losses]

    def htlnet_step(ids, y):
        # Logistic noise log u - log(1 - u) for the Gumbel-softmax of each label embedding unit.
        u = torch.rand(n_leu, ids.shape[0]).clamp_(1e-7, 1)
        noise = torch.log(u) - torch.log1p(-u)
        e = model.embed(ids)
        edges = [e.detach().requires_grad_() for _ in range(T)]
        outs = model(edges, noise)
        losses = []
        for t, task in enumerate(meta["tasks"]):
            if task["type"] == "binary":
                losses.append(bce(outs[t], y[:, t]))
            else:
                losses.append(((outs[t] - y[:, t]) ** 2).mean())
        total = sum(w * l for w, l in zip(weights, losses))
        grads = torch.autograd.grad(total, edges + dense)
        g = torch.stack(grads[:T], 1)  # [batch, T, width]: per-task gradients at the embedding
        # Table gradients per task over the rows the batch touched: dots with the core task's.
        gid = (ids + offsets).reshape(-1)
        uniq, inverse = torch.unique(gid, return_inverse=True)
        acc = torch.zeros(uniq.shape[0], T, dim)
        acc.index_add_(0, inverse, g.reshape(-1, T, F, dim).permute(0, 2, 1, 3).reshape(-1, T, dim))
        flat = acc.permute(1, 0, 2).reshape(T, -1)
        dots = (flat @ flat[core]).tolist()
        norms2 = (flat * flat).sum(1).tolist()
        coef = adjustment_coefficients(dots, norms2, core, adj["mode"], adj["alpha"], adj["gamma"], adj["clip"])
        combined = (g * torch.tensor(coef, dtype=g.dtype).view(1, T, 1)).sum(1)
        opt_tables.zero_grad()
        e.backward(combined)
        for p, gp in zip(dense, grads[T:]):
            p.grad = gp
        opt_dense.step()
        opt_tables.step()
        return [l.item() for l in losses]

    step = shared_bottom_step if args.model == "shared-bottom" else htlnet_step
    gen = torch.Generator().manual_seed(meta["seed"])
    steps = 0
    samples = 0
    seconds = 0.0
    loss_sums = [0.0] * T
    warm = 3
    done = False
    for _ in range(args.epochs):
        perm = torch.randperm(n, generator=gen)
        for start in range(0, n, B):
            idx = perm[start : start + B]
            ids = ids_all.index_select(0, idx)
            y = y_all.index_select(0, idx)
            t0 = time.perf_counter()
            losses = step(ids, y)
            dt = time.perf_counter() - t0
            steps += 1
            if steps > warm:
                seconds += dt
                samples += idx.shape[0]
            loss_sums = [a + b * idx.shape[0] for a, b in zip(loss_sums, losses)]
            if args.max_steps and steps >= args.max_steps:
                done = True
                break
        if done:
            break
    seen = min(n * args.epochs, steps * B)
    print(
        json.dumps(
            {
                "model": args.model,
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "blas": "openblas" if "openblas" in open("/proc/self/maps").read() else "other",
                "steps": steps,
                "samplesPerSecond": samples / max(seconds, 1e-9),
                "trainLoss": {t["name"]: s / seen for t, s in zip(meta["tasks"], loss_sums)},
                "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
