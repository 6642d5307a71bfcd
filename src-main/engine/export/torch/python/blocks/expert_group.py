"""Expert group (engine/blocks/expert-group.ts): `experts` MLPs over the same input, parameters
`expert<e>/dense<i>/{kernel,bias}`; outputs the experts stacked, [batch, experts, width]. No
dropout.
"""

import torch

from ops import int_list


def params(ctx) -> int:
    width = ctx.in_width("in")
    out = 0
    for e in range(int(ctx.p["experts"])):
        out = ctx.mlp(f"expert{e}/", width, int_list(ctx.p["units"]))
    return out


def forward(ctx) -> dict:
    p = ctx.p
    x = torch.cat(ctx.vectors("in"), 1)
    units = int_list(p["units"])
    outs = [ctx.mlp(f"expert{e}/", x, units, p["activation"], 0) for e in range(int(p["experts"]))]
    return {"kind": "experts", "t": torch.stack(outs, 1)}
