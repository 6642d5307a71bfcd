"""Checkpoints: OUT/checkpoint.pt, rewritten (atomically) after every epoch by rank 0.

A checkpoint holds what a run needs to go on exactly where it stopped: the weights, the
optimizer's moments and step count, the epoch, the state of the batch-order generator and the
current batch order, the best epoch so far (its score and weights), the history, and the
encoders. It records what it belongs to (the job, the data's row count and files, the seed, the
batch size); --resume refuses a checkpoint of anything else. Every process reads it, so OUT must
be on a file system every node sees.

Only tensors, numbers, strings, lists and dicts are stored, so torch.load reads it with
weights_only=True as well.
"""

import json
import os

import torch

from data import DataError

FILE = "checkpoint.pt"
FORMAT = "htlnet-studio-torch-checkpoint"


def save(out: str, state: dict) -> None:
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, FILE)
    tmp = f"{path}.tmp-{os.getpid()}"
    torch.save({"format": FORMAT, **state, "history": json.dumps(state["history"])}, tmp)
    os.replace(tmp, path)


def load(out: str, belongs_to: dict) -> dict:
    path = os.path.join(out, FILE)
    if not os.path.exists(path):
        raise DataError(f"--resume: there is no checkpoint in {out} ({FILE} is missing).")
    state = torch.load(path, map_location="cpu")
    if state.get("format") != FORMAT:
        raise DataError(f"--resume: {path} is not a checkpoint of this training package.")
    for key, value in belongs_to.items():
        if state["belongsTo"].get(key) != value:
            raise DataError(
                f"--resume: the checkpoint in {out} belongs to another run ({key}: "
                f"{state['belongsTo'].get(key)!r} there, {value!r} now)."
            )
    state["history"] = json.loads(state["history"])
    return state
