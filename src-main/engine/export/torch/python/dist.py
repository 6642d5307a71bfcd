"""The processes of a run: one, or many started by torchrun (gloo on CPU, nccl on GPU).

Every collective the job uses goes through Cluster, and each is a no-op on a single process, so
the rest of the code never asks whether it runs distributed.
"""

import os
from datetime import timedelta

import numpy as np
import torch
import torch.distributed as dist


class Cluster:
    def __init__(self, device: str):
        """device: "auto" (a GPU when there is one), "cpu" or "cuda"."""
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        use_cuda = device == "cuda" or (device == "auto" and torch.cuda.is_available())
        if use_cuda:
            if not torch.cuda.is_available():
                raise RuntimeError("--device cuda was asked for, but torch sees no GPU")
            torch.cuda.set_device(local_rank)
            self.device = torch.device("cuda", local_rank)
        else:
            self.device = torch.device("cpu")
        self.backend = "nccl" if use_cuda else "gloo"
        if self.distributed:
            dist.init_process_group(self.backend, timeout=timedelta(minutes=30))

    @property
    def distributed(self) -> bool:
        return self.world > 1

    @property
    def leader(self) -> bool:
        """Rank 0: the process that prints and writes the results."""
        return self.rank == 0

    def describe(self) -> str:
        kind = "GPU" if self.device.type == "cuda" else "CPU"
        processes = f"{self.world} process{'es' if self.world > 1 else ''}"
        return f"pytorch {torch.__version__} ({kind}, {processes}, {self.backend})"

    def sum_(self, tensor: torch.Tensor) -> torch.Tensor:
        """Sums a tensor over the processes, in place."""
        if self.distributed:
            dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
        return tensor

    def sum(self, values) -> np.ndarray:
        """Sums numbers (float64) over the processes."""
        return self._reduce(values, dist.ReduceOp.SUM)

    def min(self, values) -> np.ndarray:
        return self._reduce(values, dist.ReduceOp.MIN)

    def max(self, values) -> np.ndarray:
        return self._reduce(values, dist.ReduceOp.MAX)

    def _reduce(self, values, op) -> np.ndarray:
        array = np.asarray(values, dtype=np.float64)
        if not self.distributed:
            return array.copy()
        t = torch.from_numpy(array.copy()).to(self.device)
        dist.all_reduce(t, op=op)
        return t.cpu().numpy()

    def gather(self, obj) -> list:
        """Every process's `obj` (anything picklable), in rank order, on every process."""
        if not self.distributed:
            return [obj]
        out = [None] * self.world
        dist.all_gather_object(out, obj)
        return out

    def barrier(self) -> None:
        if self.distributed:
            dist.barrier()

    def close(self) -> None:
        if self.distributed:
            dist.destroy_process_group()
