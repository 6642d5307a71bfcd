"""The app's seeded random numbers (mulberry32), bit for bit.

The split, the initial weights, the batch order, dropout masks and Gumbel noise all come from
here, drawn in the same order as the app draws them, so a job and the app start from the same
weights, train on the same batches and see the same noise.
"""

from array import array

import numpy as np

_MASK = 0xFFFFFFFF
_STEP = 0x6D2B79F5


class Rng:
    """mulberry32: its state is a 32-bit counter, so any number of draws can be made at once."""

    def __init__(self, seed: int):
        self.state = (int(seed) & _MASK) ^ 0x9E3779B9

    def uniform(self, n: int) -> np.ndarray:
        """The next n uniform floats in [0, 1), as float64."""
        k = np.arange(1, n + 1, dtype=np.uint64)
        mask = np.uint64(_MASK)
        t = (np.uint64(self.state) + k * np.uint64(_STEP)) & mask
        self.state = (self.state + n * _STEP) & _MASK
        t = ((t ^ (t >> np.uint64(15))) * (t | np.uint64(1))) & mask
        t = t ^ ((t + (((t ^ (t >> np.uint64(7))) * (t | np.uint64(61))) & mask)) & mask)
        t = (t ^ (t >> np.uint64(14))) & mask
        return t.astype(np.float64) / 4294967296.0

    def next(self) -> float:
        return float(self.uniform(1)[0])

    def int(self, n: int) -> int:
        """A uniform integer in [0, n)."""
        return int(np.floor(self.next() * n))


def shuffle_in_place(values: np.ndarray, rng: Rng) -> np.ndarray:
    """The app's Fisher-Yates shuffle of an int64 array, in place (sequential: about a million rows a second)."""
    n = len(values)
    if n < 2:
        return values
    bound = np.arange(n, 1, -1, dtype=np.float64)  # i + 1 for i = n-1 .. 1
    picks = np.floor(rng.uniform(n - 1) * bound).astype(np.int64)
    a = array("q", values.astype(np.int64).tobytes())
    for i, j in zip(range(n - 1, 0, -1), array("q", picks.tobytes())):
        a[i], a[j] = a[j], a[i]
    values[:] = np.frombuffer(a, dtype=np.int64)
    return values
