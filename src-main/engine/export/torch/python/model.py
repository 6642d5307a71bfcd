"""The model, as the app's HtlnetModel (src-main/engine/model/model.ts): the graph walk. What each
block computes lives in its own module (blocks/<type>.py, registered in blocks/__init__.py, as the
app's engine/blocks/); this file asks that table and never names a block type.

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

from blocks import block_module
from ops import INIT_RANGE, ZILN_SPREAD_BIAS, activate
from ops import PROB_EPSILON, SIGMA_MIN, SIGMA_SPAN  # noqa: F401 (step.py reads them here)
from preprocess import table_rows
from rng import Rng

LOG_MEAN_LIMIT = 30.0  # log-mean values clamped here before exp (Tweedie loss)


class Weight:
    def __init__(self, name: str, block: str, values: np.ndarray):
        self.name = name
        self.block = block
        self.values = values


class ParamContext:
    """What a block module's params() gets: the app's ParamContext (engine/blocks/define.ts)."""

    def __init__(self, job, rng: Rng, out: list, widths: dict, block: dict):
        self.job, self.rng, self.out, self.widths = job, rng, out, widths
        self.block = block["id"]
        self.p = block["params"]

    def add(self, name: str, shape: list, init: str) -> np.ndarray:
        """Creates a parameter (drawing from the generator for "glorot" and "small"); returns its values."""
        size = int(np.prod(shape))
        if init == "glorot":
            limit = math.sqrt(6 / (shape[0] + shape[-1]))
            values = (self.rng.uniform(size) * 2 - 1) * limit
        elif init == "small":
            values = (self.rng.uniform(size) * 2 - 1) * INIT_RANGE
        else:
            values = np.zeros(size)
            if init == "ziln":
                values[2] = ZILN_SPREAD_BIAS  # q 0, m 0, sigma about 0.6 (objective.ts)
        weight = Weight(f"{self.block}/{name}", self.block, values.astype(np.float32).reshape(shape))
        self.out.append(weight)
        return weight.values

    def source_widths(self, port: str) -> list:
        return [self.widths[s] for s, _ in self.job.sources(self.block, port)]

    def source_params(self, port: str) -> list:
        return [self.job.block[s]["params"] for s, _ in self.job.sources(self.block, port)]

    def in_width(self, port: str) -> int:
        return sum(self.source_widths(port))

    def mlp(self, prefix: str, width: int, units: list) -> int:
        """Kernel and bias of each layer, `<prefix>dense<i>/...`; returns the last width."""
        for i, u in enumerate(units):
            self.add(f"{prefix}dense{i}/kernel", [width, u], "glorot")
            self.add(f"{prefix}dense{i}/bias", [u], "zeros")
            width = u
        return width


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

    for b in job.blocks:
        module = block_module(b["type"])
        if module is not None and hasattr(module, "params"):
            widths[b["id"]] = module.params(ParamContext(job, rng, out, widths, b))
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

    def forward(self, edges: list, noise: dict = None) -> list:
        """Per task: {"logit", "prob"} (binary head), {"prob"} (ESMM product) or {"value"} on the
        transformed scale (regression). `noise` (training only) holds dropout masks and Gumbel noise."""
        job = self.job
        values = {}

        for b in job.blocks:
            module = block_module(b["type"])
            if module is not None and hasattr(module, "forward"):
                values[b["id"]] = module.forward(ForwardContext(self, b, edges, values, noise))

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


def draw_noise(job, rng: Rng, size: int) -> dict:
    """Dropout masks and Gumbel (logistic) noise for one batch of `size` rows, drawn in the order
    the app's forward pass draws them: block by block, each block's own order."""
    noise = {}
    for b in job.blocks:
        module = block_module(b["type"])
        if module is not None and hasattr(module, "noise"):
            for name, values in module.noise(NoiseContext(b), rng, size).items():
                noise[f"{b['id']}/{name}"] = values
    return noise


class NoiseContext:
    """What a block module's noise() gets: its id and parameters."""

    def __init__(self, block: dict):
        self.block = block["id"]
        self.p = block["params"]


class ForwardContext:
    """What a block module's forward() gets: the app's ForwardContext (engine/blocks/define.ts)."""

    def __init__(self, network: "Network", block: dict, edges: list, values: dict, noise):
        self.network, self.edges, self.values, self._noise = network, edges, values, noise
        self.block = block["id"]
        self.p = block["params"]
        self.stop_gradient = network.job.settings.stop_gradient

    def inputs(self, port: str) -> list:
        """The values connected to a port, in connection order; an edge leaving an embedding
        carries its own copy of the embedding output."""
        out = []
        for source, edge in self.network.job.sources(self.block, port):
            i = self.network.consumer_of_edge.get(edge)
            out.append({"kind": "vector", "t": self.edges[i]} if i is not None else self.values[source])
        return out

    def vectors(self, port: str) -> list:
        return [v["t"] for v in self.inputs(port)]

    def param(self, name: str) -> torch.Tensor:
        return self.network.param(self.block, name)

    def noise(self, name: str):
        """This block's noise of that name for the batch (training only), else None."""
        return None if self._noise is None else self._noise.get(f"{self.block}/{name}")

    def mlp(self, prefix: str, x: torch.Tensor, units: list, activation: str, dropout: float) -> torch.Tensor:
        """Dense layers `<prefix>dense<i>` with activation and (training) dropout."""
        h = x
        for i in range(len(units)):
            kernel = self.param(f"{prefix}dense{i}/kernel")
            h = activate(h @ kernel + self.param(f"{prefix}dense{i}/bias"), activation)
            if self._noise is not None and dropout > 0:
                h = h * self._noise[f"{self.block}/dropout{i}"]
        return h
