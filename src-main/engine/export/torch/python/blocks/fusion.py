"""Information fusion unit (engine/blocks/fusion.ts): fuses the representations (`reps`) and the
label embeddings (`labels`) of earlier tasks, each port by attention over the set
(`<port>/{query,key,value}` [w, w]) or by concatenation, then concatenates the two. Stop-gradient
cuts the representations.
"""

import math

import torch

PORTS = ("reps", "labels")


def params(ctx) -> int:
    width = 0
    for port in PORTS:
        widths = ctx.source_widths(port)
        if not widths:
            continue
        if ctx.p["mode"] == "concat":
            width += ctx.in_width(port)
            continue
        w = widths[0]
        for m in ("query", "key", "value"):
            ctx.add(f"{port}/{m}", [w, w], "glorot")
        width += w
    return width


def forward(ctx) -> dict:
    parts = []
    for port in PORTS:
        members = ctx.vectors(port)
        if not members:
            continue
        if port == "reps" and ctx.stop_gradient:
            members = [m.detach() for m in members]
        if ctx.p["mode"] == "concat":
            parts.extend(members)
            continue
        parts.append(
            set_attention(
                torch.stack(members, 1),
                ctx.param(f"{port}/query"),
                ctx.param(f"{port}/key"),
                ctx.param(f"{port}/value"),
            )
        )
    return {"kind": "vector", "t": torch.cat(parts, 1)}


def set_attention(members: torch.Tensor, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Attention over a set (AITM form): a_j = <Q u_j, K u_j> / sqrt(width), w = softmax_j(a),
    out = sum_j w_j V u_j. `members` is [batch, n, width]."""
    width = members.shape[2]
    scores = ((members @ q) * (members @ k)).sum(2) / math.sqrt(width)
    weights = torch.softmax(scores, 1)
    return (weights.unsqueeze(2) * (members @ v)).sum(1)
