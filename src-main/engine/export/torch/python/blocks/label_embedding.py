"""Label embedding unit (engine/blocks/label-embedding.ts): a binary Gumbel-softmax on the task's
own logit (logistic noise only while training, when `gumbel` is on), divided by the temperature,
mixing the two rows of `table` [2, dim]. Stop-gradient cuts the logit.
"""

import numpy as np
import torch


def params(ctx) -> int:
    dim = int(ctx.p["dim"])
    ctx.add("table", [2, dim], "small")
    return dim


def forward(ctx) -> dict:
    p = ctx.p
    z = ctx.inputs("prediction")[0]["logit"]
    if ctx.stop_gradient:
        z = z.detach()
    gumbel = ctx.noise("gumbel")
    if gumbel is not None:
        z = z + gumbel
    ptilde = torch.sigmoid(z / float(p["temperature"])).unsqueeze(1)
    table = ctx.param("table")
    return {"kind": "label", "t": ptilde * table[1] + (1 - ptilde) * table[0]}


def noise(ctx, rng, size: int) -> dict:
    """Logistic noise, one value per row."""
    if not ctx.p["gumbel"]:
        return {}
    u = np.maximum(rng.uniform(size), 1e-7)
    return {"gumbel": (np.log(u) - np.log(1 - u)).astype(np.float32)}
