"""The model, block by block, as the app's HtlnetModel (src-main/engine/model/model.ts):

- Embedding tables: one per (embedding block, field), named "embedding/<block>/<column>"; a
  categorical or bucketed field looks up a row, a linear field computes x * row 0 + row 1. The
  tables of one embedding block live in one tensor; they are updated by the optimizer directly
  (lazily, only the rows a batch touched), not through autograd.
- Dense blocks (towers, cross layers, expert groups, gates, label embedding units, fusion units,
  task heads, ESMM links): parameters named "<block>/<name>" with the app's shapes (kernels are
  [inputs, outputs]), evaluated in the plan's order.
- Initial weights drawn from the app's seeded generator in the app's order, so they are the
  app's initial weights exactly.
"""

import math

import numpy as np
import torch
from torch import nn

from preprocess import table_rows
from rng import Rng

INIT_RANGE = 0.05
PROB_EPSILON = 1e-7
SIGMA_MIN = 1e-3  # smallest and largest lognormal spread of a ZILN head (model/objective.ts)
SIGMA_MAX = 3.0
SIGMA_SPAN = SIGMA_MAX - SIGMA_MIN
ZILN_SPREAD_BIAS = -1.4
LOG_MEAN_LIMIT = 30.0  # log-mean values clamped here before exp (Tweedie loss)


def int_list(text) -> list:
    return [int(s) for s in str(text).split(",") if s.strip()]


class Weight:
    def __init__(self, name: str, block: str, values: np.ndarray):
        self.name = name
        self.block = block
        self.values = values


def initial_weights(job, encoders: list, seed: int) -> list:
    """Every weight, in the app's creation order: the embedding tables, then each block's."""
    rng = Rng(seed)
    out = []
    widths = {}
    for emb in job.embeddings:
        for f in emb.fields:
            enc = encoders[f]
            rows = table_rows(enc)
            data = ((rng.uniform(rows * emb.dim) * 2 - 1) * INIT_RANGE).astype(np.float32)
            data = data.reshape(rows, emb.dim)
            if enc["kind"] == "linear":
                data[1:] = 0  # the bias row starts at 0
            out.append(Weight(f"embedding/{emb.block}/{job.fields[f]['column']}", emb.block, data))
        widths[emb.block] = len(emb.fields) * emb.dim

    def add(block: str, name: str, shape: list, init: str) -> None:
        size = int(np.prod(shape))
        if init == "glorot":
            limit = math.sqrt(6 / (shape[0] + shape[-1]))
            values = (rng.uniform(size) * 2 - 1) * limit
        elif init == "small":
            values = (rng.uniform(size) * 2 - 1) * INIT_RANGE
        else:
            values = np.zeros(size)
        out.append(Weight(f"{block}/{name}", block, values.astype(np.float32).reshape(shape)))

    def in_width(block: str, port: str) -> int:
        return sum(widths[s] for s, _ in job.sources(block, port))

    def mlp(block: str, prefix: str, width: int, units: list) -> int:
        for i, u in enumerate(units):
            add(block, f"{prefix}dense{i}/kernel", [width, u], "glorot")
            add(block, f"{prefix}dense{i}/bias", [u], "zeros")
            width = u
        return width

    for b in job.blocks:
        bid, p = b["id"], b["params"]
        if b["type"] == "tower":
            widths[bid] = mlp(bid, "", in_width(bid, "in"), int_list(p["units"]))
        elif b["type"] == "cross-layer":
            width = in_width(bid, "in")
            rank = cross_rank(p)
            for l in range(cross_layers(p)):
                if rank > 0:
                    add(bid, f"layer{l}/u", [width, rank], "glorot")
                    add(bid, f"layer{l}/v", [rank, width], "glorot")
                else:
                    add(bid, f"layer{l}/kernel", [width, width], "glorot")
                add(bid, f"layer{l}/bias", [width], "zeros")
            widths[bid] = width
        elif b["type"] == "expert-group":
            width = in_width(bid, "in")
            for e in range(int(p["experts"])):
                widths[bid] = mlp(bid, f"expert{e}/", width, int_list(p["units"]))
        elif b["type"] == "gate":
            sources = job.sources(bid, "experts")
            experts = sum(int(job.block[s]["params"]["experts"]) for s, _ in sources)
            add(bid, "kernel", [in_width(bid, "selector"), experts], "glorot")
            add(bid, "bias", [experts], "zeros")
            widths[bid] = widths[sources[0][0]]
        elif b["type"] == "label-embedding":
            add(bid, "table", [2, int(p["dim"])], "small")
            widths[bid] = int(p["dim"])
        elif b["type"] == "fusion":
            width = 0
            for port in ("reps", "labels"):
                sources = job.sources(bid, port)
                if not sources:
                    continue
                if p["mode"] == "concat":
                    width += in_width(bid, port)
                    continue
                w = widths[sources[0][0]]
                for m in ("query", "key", "value"):
                    add(bid, f"{port}/{m}", [w, w], "glorot")
                width += w
            widths[bid] = width
        elif b["type"] == "task-head":
            k = head_outputs(p)
            add(bid, "kernel", [in_width(bid, "in"), k], "glorot")
            add(bid, "bias", [k], "zeros")
            if k == 3:
                out[-1].values[2] = ZILN_SPREAD_BIAS  # sigma starts near 0.6 (objective.ts)
    return out


class Embeddings:
    """The tables of each embedding block, stacked in one [rows, dim] tensor per block."""

    def __init__(self, job, encoders: list, weights: list, device):
        by_name = {w.name: w.values for w in weights}
        self.names = []  # per block: the table names, in field order
        self.tables = []
        self.offsets = []  # per block: each field's first row
        self.lookup_slots = []  # per block: field slots that look up a row
        self.linear_slots = []  # per block: field slots that are linear
        for emb in job.embeddings:
            names = [f"embedding/{emb.block}/{job.fields[f]['column']}" for f in emb.fields]
            parts = [by_name[n] for n in names]
            self.names.append(names)
            self.tables.append(torch.from_numpy(np.concatenate(parts)).to(device))
            self.offsets.append(np.cumsum([0] + [len(t) for t in parts[:-1]]).tolist())
            linear = [encoders[f]["kind"] == "linear" for f in emb.fields]
            self.lookup_slots.append([s for s, lin in enumerate(linear) if not lin])
            self.linear_slots.append([s for s, lin in enumerate(linear) if lin])
        self.dims = [emb.dim for emb in job.embeddings]
        self.fields = [emb.fields for emb in job.embeddings]

    def inputs(self, encoded: list, device) -> list:
        """Per block: (row ids [n, lookup fields] with each table's offset, linear values [n, linear fields])."""
        out = []
        for k, fields in enumerate(self.fields):
            n = len(encoded[0][1]) if encoded else 0
            ids = [encoded[fields[s]][1] + self.offsets[k][s] for s in self.lookup_slots[k]]
            xs = [encoded[fields[s]][1] for s in self.linear_slots[k]]
            out.append(
                (
                    torch.from_numpy(np.stack(ids, 1) if ids else np.zeros((n, 0), np.int64)).to(device),
                    torch.from_numpy(np.stack(xs, 1) if xs else np.zeros((n, 0), np.float32)).to(device),
                )
            )
        return out

    def lookup(self, k: int, ids: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
        """Block k's output for a batch: [batch, fields * dim], field-major."""
        table, dim = self.tables[k], self.dims[k]
        out = torch.empty(len(ids), len(self.fields[k]), dim, device=table.device)
        out[:, self.lookup_slots[k]] = table[ids]
        for j, s in enumerate(self.linear_slots[k]):
            row = self.offsets[k][s]
            out[:, s] = xs[:, j : j + 1] * table[row] + table[row + 1]
        return out.reshape(len(ids), len(self.fields[k]) * dim)

    def gradient(self, k: int, ids: torch.Tensor, xs: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
        """The gradient on block k's table of a gradient on its output."""
        table, dim = self.tables[k], self.dims[k]
        g = grad.reshape(len(ids), len(self.fields[k]), dim)
        out = torch.zeros_like(table)
        out.index_add_(0, ids.reshape(-1), g[:, self.lookup_slots[k]].reshape(-1, dim))
        for j, s in enumerate(self.linear_slots[k]):
            row = self.offsets[k][s]
            out[row] = (xs[:, j : j + 1] * g[:, s]).sum(0)
            out[row + 1] = g[:, s].sum(0)
        return out

    def touched(self, k: int, ids: torch.Tensor) -> torch.Tensor:
        """How many of the batch's rows use each table row (a linear field's two rows always count)."""
        counts = torch.zeros(len(self.tables[k]), device=ids.device)
        counts.index_add_(0, ids.reshape(-1), torch.ones(ids.numel(), device=ids.device))
        for s in self.linear_slots[k]:
            counts[self.offsets[k][s] : self.offsets[k][s] + 2] = 1
        return counts

    def weights(self) -> dict:
        """Each table by name, as a CPU tensor."""
        out = {}
        for names, table, offsets in zip(self.names, self.tables, self.offsets):
            ends = offsets[1:] + [len(table)]
            for name, start, end in zip(names, offsets, ends):
                out[name] = table[start:end].detach().cpu().clone()
        return out

    def load(self, weights: dict) -> None:
        for k, names in enumerate(self.names):
            self.tables[k].copy_(torch.cat([weights[n] for n in names]).to(self.tables[k].device))


class Network(nn.Module):
    """Every block but the embeddings. forward() takes, per edge leaving an embedding (in the plan's
    consumer order), the tensor that edge carries, so each edge's gradient can be read apart."""

    def __init__(self, job, weights: list):
        super().__init__()
        self.job = job
        dense = [w for w in weights if not w.name.startswith("embedding/")]
        self.names = [w.name for w in dense]
        self.blocks = [w.block for w in dense]
        self.params = nn.ParameterList(
            # Parameters no weighted task's loss reaches never change (as in the app).
            nn.Parameter(torch.from_numpy(w.values.copy()), requires_grad=bool(job.reach.get(w.block)))
            for w in dense
        )
        self.index = {n: i for i, n in enumerate(self.names)}
        self.consumer_of_edge = {c.edge: i for i, c in enumerate(job.consumers)}

    def param(self, block: str, name: str) -> torch.Tensor:
        return self.params[self.index[f"{block}/{name}"]]

    def cross_layer(self, block: str, p: dict, x0: torch.Tensor) -> torch.Tensor:
        """DCN-v2 cross layers (engine/blocks/cross-layer.ts): x_{l+1} = x_0 * (x_l W_l + b_l) + x_l,
        with W_l = U_l V_l when the rank is above 0."""
        x = x0
        for l in range(cross_layers(p)):
            if cross_rank(p) > 0:
                linear = (x @ self.param(block, f"layer{l}/u")) @ self.param(block, f"layer{l}/v")
            else:
                linear = x @ self.param(block, f"layer{l}/kernel")
            x = x0 * (linear + self.param(block, f"layer{l}/bias")) + x
        return x

    def forward(self, edges: list, noise: dict = None) -> list:
        """Per task: {"logit", "prob"} (binary head), {"prob"} (ESMM product) or {"value"} on the
        transformed scale (regression). `noise` (training only) holds dropout masks and Gumbel noise."""
        job = self.job
        sg = job.settings.stop_gradient
        values = {}

        def inputs(block: str, port: str) -> list:
            out = []
            for source, edge in job.sources(block, port):
                i = self.consumer_of_edge.get(edge)
                out.append({"kind": "vector", "t": edges[i]} if i is not None else values[source])
            return out

        def vectors(block: str, port: str) -> list:
            return [v["t"] for v in inputs(block, port)]

        def mlp(block: str, prefix: str, x, units: list, activation: str, dropout: float):
            h = x
            for i in range(len(units)):
                kernel = self.param(block, f"{prefix}dense{i}/kernel")
                h = activate(h @ kernel + self.param(block, f"{prefix}dense{i}/bias"), activation)
                if noise is not None and dropout > 0:
                    h = h * noise[f"{block}/dropout{i}"]
            return h

        for b in job.blocks:
            bid, kind, p = b["id"], b["type"], b["params"]
            if kind == "tower":
                x = torch.cat(vectors(bid, "in"), 1)
                t = mlp(bid, "", x, int_list(p["units"]), p["activation"], float(p["dropout"]))
                values[bid] = {"kind": "vector", "t": t}
            elif kind == "cross-layer":
                values[bid] = {"kind": "vector", "t": self.cross_layer(bid, p, torch.cat(vectors(bid, "in"), 1))}
            elif kind == "expert-group":
                x = torch.cat(vectors(bid, "in"), 1)
                units = int_list(p["units"])
                outs = [mlp(bid, f"expert{e}/", x, units, p["activation"], 0) for e in range(int(p["experts"]))]
                values[bid] = {"kind": "experts", "t": torch.stack(outs, 1)}
            elif kind == "gate":
                experts = torch.cat(vectors(bid, "experts"), 1)
                selector = torch.cat(vectors(bid, "selector"), 1)
                weights = torch.softmax(selector @ self.param(bid, "kernel") + self.param(bid, "bias"), 1)
                values[bid] = {"kind": "vector", "t": (weights.unsqueeze(2) * experts).sum(1)}
            elif kind == "task-head":
                x = torch.cat(vectors(bid, "in"), 1)
                z = x @ self.param(bid, "kernel") + self.param(bid, "bias")
                if head_outputs(p) == 3:
                    values[bid] = {"kind": "regression", "value": ziln_value(z), "parts": z}
                    continue
                out = z.reshape(-1)
                if p["kind"] == "regression":
                    values[bid] = {"kind": "regression", "value": out}
                else:
                    values[bid] = {"kind": "binary", "logit": out, "prob": torch.sigmoid(out)}
            elif kind == "esmm-link":
                prior = inputs(bid, "prior")[0]
                conditional = inputs(bid, "conditional")[0]
                prob = prior["prob"] * conditional["prob"]
                values[bid] = {"kind": "binary", "prob": prob, "logit": logit_of(prob)}
            elif kind == "label-embedding":
                z = inputs(bid, "prediction")[0]["logit"]
                if sg:
                    z = z.detach()
                if noise is not None and p["gumbel"]:
                    z = z + noise[f"{bid}/gumbel"]
                ptilde = torch.sigmoid(z / float(p["temperature"])).unsqueeze(1)
                table = self.param(bid, "table")
                values[bid] = {"kind": "label", "t": ptilde * table[1] + (1 - ptilde) * table[0]}
            elif kind == "fusion":
                parts = []
                for port in ("reps", "labels"):
                    members = vectors(bid, port)
                    if not members:
                        continue
                    if port == "reps" and sg:
                        members = [m.detach() for m in members]
                    if p["mode"] == "concat":
                        parts.extend(members)
                        continue
                    parts.append(
                        set_attention(
                            torch.stack(members, 1),
                            self.param(bid, f"{port}/query"),
                            self.param(bid, f"{port}/key"),
                            self.param(bid, f"{port}/value"),
                        )
                    )
                values[bid] = {"kind": "vector", "t": torch.cat(parts, 1)}

        outputs = []
        for task in job.tasks:
            v = values[task.final]
            if v["kind"] == "regression":
                outputs.append({"value": v["value"], "parts": v.get("parts")})
            elif task.final == task.head:
                outputs.append({"logit": v["logit"], "prob": v["prob"]})
            else:
                outputs.append({"prob": v["prob"]})
        return outputs


def cross_layers(p: dict) -> int:
    return max(1, int(float(p["layers"])))


def cross_rank(p: dict) -> int:
    return max(0, int(float(p.get("rank") or 0)))


def head_outputs(p: dict) -> int:
    """Outputs of a task head: 3 for a zero-inflated lognormal head (q, m, s), else 1."""
    return 3 if p.get("kind") == "regression" and p.get("objective") == "ziln" else 1


def ziln_value(z: torch.Tensor) -> torch.Tensor:
    """ZILN: log E[y] = log sigmoid(q) + m + sigma^2 / 2, sigma = SIGMA_MIN + SIGMA_SPAN sigmoid(s)."""
    q, m, s = z[:, 0], z[:, 1], z[:, 2]
    sigma = SIGMA_MIN + SIGMA_SPAN * torch.sigmoid(s)
    return -torch.nn.functional.softplus(-q) + m + 0.5 * sigma * sigma


def draw_noise(job, rng: Rng, size: int) -> dict:
    """Dropout masks and Gumbel (logistic) noise for one batch of `size` rows, drawn in the order
    the app's forward pass draws them."""
    noise = {}
    for b in job.blocks:
        p = b["params"]
        if b["type"] == "tower" and float(p["dropout"]) > 0:
            rate = float(p["dropout"])
            for i, units in enumerate(int_list(p["units"])):
                keep = rng.uniform(size * units) >= rate
                mask = np.where(keep, 1 / (1 - rate), 0).astype(np.float32)
                noise[f"{b['id']}/dropout{i}"] = mask.reshape(size, units)
        elif b["type"] == "label-embedding" and p["gumbel"]:
            u = np.maximum(rng.uniform(size), 1e-7)
            noise[f"{b['id']}/gumbel"] = (np.log(u) - np.log(1 - u)).astype(np.float32)
    return noise


def activate(x: torch.Tensor, activation: str) -> torch.Tensor:
    if activation == "relu":
        return torch.relu(x)
    if activation == "tanh":
        return torch.tanh(x)
    if activation == "sigmoid":
        return torch.sigmoid(x)
    if activation == "gelu":  # the tanh approximation
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    if activation == "linear":
        return x
    raise ValueError(f'Unknown activation "{activation}"')


def logit_of(prob: torch.Tensor) -> torch.Tensor:
    p = prob.clamp(PROB_EPSILON, 1 - PROB_EPSILON)
    return torch.log(p) - torch.log(1 - p)


def set_attention(members: torch.Tensor, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Attention over a set (AITM form): a_j = <Q u_j, K u_j> / sqrt(width), w = softmax_j(a),
    out = sum_j w_j V u_j. `members` is [batch, n, width]."""
    width = members.shape[2]
    scores = ((members @ q) * (members @ k)).sum(2) / math.sqrt(width)
    weights = torch.softmax(scores, 1)
    return (weights.unsqueeze(2) * (members @ v)).sum(1)
