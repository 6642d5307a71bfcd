"""Tower (engine/blocks/tower.ts): an MLP over its concatenated inputs, parameters
`dense<i>/kernel` [in, out] and `dense<i>/bias` [out] per layer (glorot, zeros), dropout after
each activation while training (one mask per layer, drawn in the app's order).
"""

import numpy as np
import torch

from ops import int_list


def params(ctx) -> int:
    return ctx.mlp("", ctx.in_width("in"), int_list(ctx.p["units"]))


def forward(ctx) -> dict:
    p = ctx.p
    x = torch.cat(ctx.vectors("in"), 1)
    t = ctx.mlp("", x, int_list(p["units"]), p["activation"], float(p["dropout"]))
    return {"kind": "vector", "t": t}


def noise(ctx, rng, size: int) -> dict:
    """Dropout masks, one per layer, scaled by 1 / (1 - rate)."""
    rate = float(ctx.p["dropout"])
    out = {}
    if rate <= 0:
        return out
    for i, units in enumerate(int_list(ctx.p["units"])):
        keep = rng.uniform(size * units) >= rate
        mask = np.where(keep, 1 / (1 - rate), 0).astype(np.float32)
        out[f"dropout{i}"] = mask.reshape(size, units)
    return out
