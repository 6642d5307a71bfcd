"""ESMM product link (engine/blocks/esmm-link.ts): the later task's probability becomes
prior x conditional; its logit is only known through that probability (clipped). No parameters.
"""

from ops import logit_of


def forward(ctx) -> dict:
    prior = ctx.inputs("prior")[0]
    conditional = ctx.inputs("conditional")[0]
    prob = prior["prob"] * conditional["prob"]
    return {"kind": "binary", "prob": prob, "logit": logit_of(prob)}
