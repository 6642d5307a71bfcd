"""The job: project.json, written by HTLNet Studio next to this file.

It holds the project (graph, data binding, training settings) and the plan the app compiled from
it (src-main/engine/model/plan.ts): the blocks in evaluation order with every parameter filled
in, what feeds each input port, the tasks in chain order, the dataset's fields, the embeddings and
the edges leaving them, which tasks' losses reach each block, which parameters every task
shares, and the optimizer settings. The Python code interprets the plan; it never re-derives it.
"""

import json
from dataclasses import dataclass
from pathlib import Path

JOB_FORMAT = "htlnet-studio-torch-job"
JOB_VERSION = 1


@dataclass(frozen=True)
class Task:
    index: int
    name: str
    column: str
    type: str  # "binary" | "regression"
    head: str
    final: str  # the head, or the ESMM link chaining it
    loss_weight: float
    transform: str  # "none" | "log1p" | "zscore" | "log1p-zscore"
    objective: str = "mse"  # regression: "mse" | "ziln" | "tweedie" (model.py, step.py)
    tweedie_power: float = 1.5
    mean_correction: bool = False  # "mse" with log1p: Duan's smearing fitted on validation


@dataclass(frozen=True)
class Embedding:
    block: str
    dim: int
    fields: list  # indices into Job.fields


@dataclass(frozen=True)
class Consumer:
    """An edge leaving an embedding: its copy of the embedding output gets its own gradient."""

    edge: str
    embedding: int
    tasks: list  # tasks whose loss reaches the edge


@dataclass(frozen=True)
class Settings:
    optimizer: str  # "adam" | "sgd"
    learning_rate: float
    batch_size: int
    epochs: int
    adjustment: str  # "none" | "pcgrad" | "metabalance" | "htlnet"
    alpha: float
    gamma: float
    clip: float
    stop_gradient: bool
    patience: int
    seed: int
    selection: str = "binary-auc"  # what the best epoch is chosen by (evaluate.py)
    table_adam: str = "lazy"  # Adam on embedding tables: "lazy" (touched rows) or "dense"
    calibrator: float = 0.0  # AITM's calibrator weight (step.py calibrator_sums); 0: off
    schedule: str = "constant"  # the learning-rate schedule (optim.py learning_rate_at)
    warmup_epochs: float = 0.0  # linear warm-up, in epochs (fractional)
    decay_factor: float = 0.5  # step decay: the factor, every decay_every epochs
    decay_every: int = 1
    cosine_floor: float = 0.0  # cosine decay: the final rate as a fraction of learning_rate
    weight_decay: float = 0.0  # decoupled decay of the dense weight matrices (not biases)
    embedding_weight_decay: float = 0.0  # decoupled decay of the embedding tables


class Job:
    def __init__(self, doc: dict):
        if doc.get("format") != JOB_FORMAT or doc.get("version", 0) > JOB_VERSION:
            raise ValueError("project.json is not an HTLNet Studio training job this code reads")
        plan = doc["plan"]
        self.project = doc["project"]
        self.blocks = plan["blocks"]  # [{id, type, params}] in evaluation order
        self.block = {b["id"]: b for b in self.blocks}
        self._inputs = plan["inputs"]
        self.tasks = [
            Task(
                t["index"],
                t["name"],
                t["column"],
                t["type"],
                t["head"],
                t["final"],
                float(t["lossWeight"]),
                t["transform"],
                t.get("objective", "mse"),
                float(t.get("tweediePower", 1.5)),
                bool(t.get("meanCorrection", False)),
            )
            for t in plan["tasks"]
        ]
        self.core = int(plan["core"])
        self.fields = plan["fields"]  # [{column, kind, encoding, buckets}]
        self.embeddings = [Embedding(e["block"], int(e["dim"]), e["fields"]) for e in plan["embeddings"]]
        self.consumers = [Consumer(c["edge"], int(c["embedding"]), c["tasks"]) for c in plan["consumers"]]
        self.reach = {k: set(v) for k, v in plan["reach"].items()}
        self.shared_dense = set(plan["sharedDense"])
        self.shared_embeddings = set(plan["sharedEmbeddings"])
        self.single_pass_capture = bool(plan["singlePassCapture"])
        o = plan["optimizer"]
        self.settings = Settings(
            o["optimizer"],
            float(o["learningRate"]),
            int(o["batchSize"]),
            int(o["epochs"]),
            o["adjustment"],
            float(o["alpha"]),
            float(o["gamma"]),
            float(o["clip"]),
            bool(o["stopGradient"]),
            int(o["patience"]),
            int(o["seed"]),
            o.get("selection", "binary-auc"),
            o.get("tableAdam", "lazy"),
            max(0.0, float(o.get("calibrator", 0) or 0)),
            o.get("schedule", "constant"),
            float(o.get("warmupEpochs", 0)),
            float(o.get("decayFactor", 0.5)),
            int(o.get("decayEvery", 1)),
            float(o.get("cosineFloor", 0)),
            float(o.get("weightDecay", 0)),
            float(o.get("embeddingWeightDecay", 0)),
        )
        self.split = plan["split"]  # {"kind": "random"} | {"kind": "time", "column": ...}
        self.fractions = plan["fractions"]

    @staticmethod
    def load(path: Path) -> "Job":
        return Job(json.loads(Path(path).read_text(encoding="utf-8")))

    def sources(self, block: str, port: str) -> list:
        """(source block, edge id) of every connection into a port, in connection order."""
        return [(e["source"], e["edge"]) for e in self._inputs.get(block, {}).get(port, [])]

    def columns(self) -> dict:
        """Every column the job reads, with its role (for messages): features, targets, time."""
        out = {f["column"]: "feature" for f in self.fields}
        out.update({t.column: "target" for t in self.tasks})
        if self.split["kind"] == "time":
            out[self.split["column"]] = "time"
        return out
