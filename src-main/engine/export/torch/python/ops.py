"""The arithmetic the blocks share, as the app's src-main/engine/model/ops.ts: activations, the
logit of a probability, the ZILN head's mean and its constants, layer lists. step.py reads the
constants through model.py.
"""

import math

import torch

INIT_RANGE = 0.05
PROB_EPSILON = 1e-7
SIGMA_MIN = 1e-3  # smallest and largest lognormal spread of a ZILN head (model/objective.ts)
SIGMA_MAX = 3.0
SIGMA_SPAN = SIGMA_MAX - SIGMA_MIN
ZILN_SPREAD_BIAS = -1.4


def int_list(text) -> list:
    return [int(s) for s in str(text).split(",") if s.strip()]


def activate(x: torch.Tensor, activation: str) -> torch.Tensor:
    if activation == "relu":
        return torch.relu(x)
    if activation == "tanh":
        return torch.tanh(x)
    if activation == "sigmoid":
        return torch.sigmoid(x)
    if activation == "gelu":  # the tanh approximation
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    if activation == "linear":
        return x
    raise ValueError(f'Unknown activation "{activation}"')


def logit_of(prob: torch.Tensor) -> torch.Tensor:
    p = prob.clamp(PROB_EPSILON, 1 - PROB_EPSILON)
    return torch.log(p) - torch.log(1 - p)


def ziln_value(z: torch.Tensor) -> torch.Tensor:
    """ZILN: log E[y] = log sigmoid(q) + m + sigma^2 / 2, sigma = SIGMA_MIN + SIGMA_SPAN sigmoid(s)."""
    q, m, s = z[:, 0], z[:, 1], z[:, 2]
    sigma = SIGMA_MIN + SIGMA_SPAN * torch.sigmoid(s)
    return -torch.nn.functional.softplus(-q) + m + 0.5 * sigma * sigma
