"""Trains the model of project.json on CSV (or Parquet) files: on one machine

    python3 train.py --data 'data/*.csv' --out run/

or on many, with torchrun (DistributedDataParallel: gloo on CPU, nccl on GPU)

    torchrun --nnodes N --nproc_per_node M ... train.py --data 'data/*.csv' --out run/

See README.md for what it writes and how it follows the app.
"""

import argparse
import hashlib
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
from torch.nn.parallel import DistributedDataParallel

import checkpoint
from data import DataError, read_shard, split_rows
from dist import Cluster
from evaluate import evaluate
from export import write_results
from job import Job
from model import Embeddings, Network, initial_weights
from optim import Optimizer
from preprocess import encode_fields, fit_encoders, fit_target_encoders, parse_targets, transform_target
from step import Rows
from trainer import initial_state, restore, snapshot, train

HERE = Path(__file__).resolve().parent


def parse_args(argv):
    p = argparse.ArgumentParser(description="Train the HTLNet Studio model of project.json.")
    p.add_argument("--data", required=True, nargs="+", help="CSV or Parquet files, or glob patterns (quote them)")
    p.add_argument("--out", default="run", help="folder for checkpoint.pt, metrics.json and export/ (default: run)")
    p.add_argument("--epochs", type=int, help="epochs at most (default: the optimizer block's)")
    p.add_argument("--seed", type=int, help="seed of the split, initial weights, batch order and noise")
    p.add_argument("--batch-size", type=int, help="rows per training step over all processes")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    args = p.parse_args(argv)
    for name in ("epochs", "batch_size"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.seed is not None and not 0 <= args.seed <= 2_147_483_647:
        p.error("--seed must be between 0 and 2147483647")
    return args


class Run:
    """The job and everything built for it on this process: job, cluster, shard (its rows), split,
    targets (raw, per task), target_encoders, embeddings, network (the dense blocks), model (the
    network, wrapped in DistributedDataParallel on many processes), optimizer, rows (encoded)."""


def main(argv=None) -> int:
    args = parse_args(argv)
    text = (HERE / "project.json").read_text(encoding="utf-8")
    job = Job.load(HERE / "project.json")
    s = job.settings
    job.settings = replace(
        s,
        epochs=args.epochs or s.epochs,
        seed=s.seed if args.seed is None else args.seed,
        batch_size=args.batch_size or s.batch_size,
    )
    cluster = Cluster(args.device)
    try:
        execute(args, job, hashlib.sha256(text.encode()).hexdigest(), cluster)
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    finally:
        cluster.close()
    return 0


def execute(args, job, fingerprint: str, cluster) -> None:
    log = print if cluster.leader else (lambda *_: None)
    settings = job.settings
    run = Run()
    run.job, run.cluster = job, cluster
    log(f"HTLNet Studio training job \"{job.project['name']}\" on {cluster.describe()}")
    run.shard = read_shard(args.data, job.columns(), cluster)
    run.split = split_rows(run.shard, job.split, job.fractions, settings.seed, cluster)
    sizes = run.split.sizes()
    log(
        f"{run.shard.total} rows in {len(run.shard.files)} file(s): {sizes['train']} train, "
        f"{sizes['validation']} validation, {sizes['test']} test"
    )
    run.targets = parse_targets(job.tasks, run.shard)
    belongs_to = {
        "job": fingerprint,
        "rows": run.shard.total,
        "files": [Path(f).name for f in run.shard.files],
        "seed": settings.seed,
        "batchSize": settings.batch_size,
    }
    state = checkpoint.load(args.out, belongs_to) if args.resume else None
    if state:
        encoders, run.target_encoders = state["encoders"], state["targetEncoders"]
        log(f"resuming after epoch {state['epoch']} from {Path(args.out) / checkpoint.FILE}")
    else:
        encoders = fit_encoders(job.fields, run.shard, run.split, cluster)
        run.target_encoders = fit_target_encoders(job.tasks, run.targets, run.shard, run.split, cluster)
    weights = initial_weights(job, encoders, settings.seed)
    run.embeddings = Embeddings(job, encoders, weights, cluster.device)
    run.network = Network(job, weights).to(cluster.device)
    trainable = [p for p in run.network.params if p.requires_grad]
    run.optimizer = Optimizer(settings, trainable, run.embeddings.tables)
    if state:
        restore(run.embeddings, run.network, state["weights"])
        run.optimizer.load_state_dict(state["optimizer"])
    run.model = run.network
    if cluster.distributed:
        gpu = [cluster.device] if cluster.device.type == "cuda" else None
        run.model = DistributedDataParallel(run.network, device_ids=gpu)
    training = [transform_target(y, enc) for y, enc in zip(run.targets, run.target_encoders)]
    run.rows = Rows(run.embeddings, encode_fields(encoders, run.shard), training, cluster.device)

    def save_checkpoint(epoch_state: dict) -> None:
        if cluster.leader:
            extra = {"belongsTo": belongs_to, "encoders": encoders, "targetEncoders": run.target_encoders}
            checkpoint.save(args.out, {**epoch_state, **extra})
        cluster.barrier()

    outcome = train(run, state or initial_state(job, run.split), save_checkpoint, log)
    log(outcome.message)
    test = evaluate(run, 2)
    if cluster.leader:
        write_results(
            args.out,
            job,
            snapshot(run.embeddings, run.network),
            encoders,
            run.target_encoders,
            test,
            outcome,
            sizes,
            cluster.describe(),
        )
        for t in job.tasks:
            m = test.metrics[t.name]
            shown = ", ".join(f"{k} {v:.4f}" for k, v in m.items() if isinstance(v, float) and np.isfinite(v))
            log(f"test {t.name}: {shown}")
        log(f"wrote {Path(args.out) / 'metrics.json'} and {Path(args.out) / 'export'}")
    cluster.barrier()


if __name__ == "__main__":
    sys.exit(main())
