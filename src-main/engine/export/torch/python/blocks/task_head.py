"""Task head (engine/blocks/task-head.ts): a linear layer over its concatenated inputs, `kernel`
[in, k] and `bias` [k]. A binary head gives a logit and its probability; a regression head a value
on the transformed scale; a zero-inflated lognormal head (k = 3: q, m, s) the ZILN mean, its
spread bias starting at ops.ZILN_SPREAD_BIAS (init "ziln": sigma near 0.6, model/objective.ts).
"""

import torch

from ops import ziln_value


def outputs(p: dict) -> int:
    """Outputs of a task head: 3 for a zero-inflated lognormal head (q, m, s), else 1."""
    return 3 if p.get("kind") == "regression" and p.get("objective") == "ziln" else 1


def params(ctx) -> int:
    k = outputs(ctx.p)
    ctx.add("kernel", [ctx.in_width("in"), k], "glorot")
    ctx.add("bias", [k], "ziln" if k == 3 else "zeros")
    return None  # a head's output feeds no width


def forward(ctx) -> dict:
    p = ctx.p
    x = torch.cat(ctx.vectors("in"), 1)
    z = x @ ctx.param("kernel") + ctx.param("bias")
    if outputs(p) == 3:
        return {"kind": "regression", "value": ziln_value(z), "parts": z}
    out = z.reshape(-1)
    if p["kind"] == "regression":
        return {"kind": "regression", "value": out}
    return {"kind": "binary", "logit": out, "prob": torch.sigmoid(out)}
