"""DCN-v2 cross layers (engine/blocks/cross-layer.ts): x_{l+1} = x_0 * (x_l W_l + b_l) + x_l, with
W_l = U_l V_l (`layer<l>/u` [w, rank], `layer<l>/v` [rank, w]) when the rank is above 0, else
`layer<l>/kernel` [w, w]; `layer<l>/bias` [w]. The width is the input's.
"""

import torch


def layers(p: dict) -> int:
    return max(1, int(float(p["layers"])))


def rank(p: dict) -> int:
    return max(0, int(float(p.get("rank") or 0)))


def params(ctx) -> int:
    width = ctx.in_width("in")
    r = rank(ctx.p)
    for l in range(layers(ctx.p)):
        if r > 0:
            ctx.add(f"layer{l}/u", [width, r], "glorot")
            ctx.add(f"layer{l}/v", [r, width], "glorot")
        else:
            ctx.add(f"layer{l}/kernel", [width, width], "glorot")
        ctx.add(f"layer{l}/bias", [width], "zeros")
    return width


def forward(ctx) -> dict:
    p, param = ctx.p, ctx.param
    x0 = torch.cat(ctx.vectors("in"), 1)
    x = x0
    for l in range(layers(p)):
        if rank(p) > 0:
            linear = (x @ param(f"layer{l}/u")) @ param(f"layer{l}/v")
        else:
            linear = x @ param(f"layer{l}/kernel")
        x = x0 * (linear + param(f"layer{l}/bias")) + x
    return {"kind": "vector", "t": x}
