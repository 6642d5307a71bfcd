"""Gate (engine/blocks/gate.ts): a softmax over the experts of its expert groups (concatenated in
connection order) from a selector input, `kernel` [selector width, experts] and `bias`
[experts]; outputs the experts' weighted sum.
"""

import torch


def params(ctx) -> int:
    experts = sum(int(p["experts"]) for p in ctx.source_params("experts"))
    ctx.add("kernel", [ctx.in_width("selector"), experts], "glorot")
    ctx.add("bias", [experts], "zeros")
    return ctx.source_widths("experts")[0]


def forward(ctx) -> dict:
    experts = torch.cat(ctx.vectors("experts"), 1)
    selector = torch.cat(ctx.vectors("selector"), 1)
    weights = torch.softmax(selector @ ctx.param("kernel") + ctx.param("bias"), 1)
    return {"kind": "vector", "t": (weights.unsqueeze(2) * experts).sum(1)}
