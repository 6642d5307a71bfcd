"""Encoders fitted on the training split, over every process's rows, by the app's rules
(src-main/engine/data/encoders.ts and targets.ts), and the encoding of a process's rows.

- Categorical columns: a vocabulary of the training split's values, most frequent first (ties:
  first seen in training order); id 0 is unseen or missing. Counts are summed over processes.
- Numeric columns, "buckets": edges at the training split's quantiles, found exactly over all
  processes by bisection on the values (each step sums, per quantile, how many values lie below a
  candidate); bucket 0 is missing. "linear": standardised sign(x) log1p(|x|).
- Targets: binary targets 0/1 (also true/false, yes/no); regression targets transformed for the
  loss (log1p, z-score) with the training split's statistics.
The encoders are plain JSON in the app's format, so the app reads them as they are.
"""

import math

import numpy as np

from data import DataError, js_number

TRUE_WORDS = {"1", "true", "yes"}
FALSE_WORDS = {"0", "false", "no"}


def _local_train(shard, split):
    """Local rows in the training split, and their positions in the training order."""
    rows = np.flatnonzero(split.part[shard.index] == 0)
    return rows, split.position[shard.index[rows]]


def fit_encoders(fields: list, shard, split, cluster) -> list:
    rows, positions = _local_train(shard, split)
    encoders = [None] * len(fields)
    buckets = []
    for i, spec in enumerate(fields):
        column = shard.columns[spec["column"]]
        if spec["encoding"] == "vocab":
            encoders[i] = _fit_vocabulary(column, shard.numeric[column.name], rows, positions, cluster)
            continue
        _require_numbers(shard, column, "a numeric feature must hold numbers", "Make it categorical instead.")
        values = column.values()[rows]
        values = values[~np.isnan(values)]
        if spec["encoding"] == "linear":
            t = slog1p(values)
            n, total, total2 = cluster.sum([len(t), t.sum(), (t * t).sum()])
            mean = total / n if n > 0 else 0.0
            variance = total2 / n - mean * mean if n > 0 else 0.0
            std = math.sqrt(variance) if variance > 1e-12 else 1.0
            encoders[i] = {"column": column.name, "kind": "linear", "mean": float(mean), "std": std}
        else:
            buckets.append((i, np.sort(values + 0.0), int(spec["buckets"])))  # + 0.0: -0 is 0
    for (i, _, _), edges in zip(buckets, _quantile_edges(buckets, cluster)):
        encoders[i] = {"column": fields[i]["column"], "kind": "buckets", "edges": edges}
    return encoders


def _fit_vocabulary(column, numeric: bool, rows, positions, cluster) -> dict:
    codes = column.codes[rows]
    present = codes >= 0
    # A numeric column's values are keyed by their number ("1.50" and "1.5" are one value).
    keys = [js_number(v) for v in column.numbers[:-1]] if numeric else column.dictionary
    distinct = {}
    key_id = np.array([distinct.setdefault(k, len(distinct)) for k in keys] + [0], dtype=np.int64)
    ids = key_id[codes[present]]
    counts = np.bincount(ids, minlength=len(distinct))
    first = np.full(len(distinct), np.iinfo(np.int64).max)
    np.minimum.at(first, ids, positions[present])
    merged = {}
    for part in cluster.gather([(k, int(counts[j]), int(first[j])) for k, j in distinct.items() if counts[j] > 0]):
        for key, count, seen in part:
            c, f = merged.get(key, (0, seen))
            merged[key] = (c + count, min(f, seen))
    values = sorted(merged, key=lambda k: (-merged[k][0], merged[k][1]))
    return {"column": column.name, "kind": "vocab", "values": values}


def _require_numbers(shard, column, what: str, advice: str) -> None:
    """Every process stops when any process holds a value that is not a number."""
    if shard.numeric[column.name]:
        return
    if len(column.text_rows):
        r = column.text_rows[0]
        found = column.dictionary[column.codes[r]]
        raise DataError(f'{shard.where(r, column.name)}: {what}, found "{found}". {advice}')
    raise DataError(f'column "{column.name}": {what}; another process found a value that is not one. {advice}')


def _sortable(values: np.ndarray) -> np.ndarray:
    """float64 -> uint64 keys in the same order."""
    bits = values.view(np.uint64)
    return np.where(bits >> np.uint64(63) == 1, ~bits, bits | np.uint64(1 << 63))


def _unsortable(keys: np.ndarray) -> np.ndarray:
    bits = np.where(keys >> np.uint64(63) == 1, keys & np.uint64((1 << 63) - 1), ~keys)
    return bits.view(np.float64)


def _quantile_edges(fields: list, cluster) -> list:
    """Per (index, sorted local values, buckets): at most buckets - 1 distinct edges at the
    quantiles of the values of every process, exactly as the app's quantileEdges."""
    if not fields:
        return []
    n = cluster.sum([len(v) for _, v, _ in fields]).astype(np.int64)
    keys = [_sortable(v) for _, v, _ in fields]
    # Wanted order statistics (0-based) of each field: the minimum, then each quantile.
    wanted = [
        np.array([0] + [min(m - 1, q * m // b) for q in range(1, b)], dtype=np.int64)
        for m, (_, _, b) in zip(n, fields)
    ]
    sizes = [len(w) for w in wanted]
    ranks = np.concatenate(wanted) + 1
    lo = np.zeros(len(ranks), dtype=np.uint64)
    hi = np.full(len(ranks), np.iinfo(np.uint64).max, dtype=np.uint64)
    # The smallest key with at least rank values at or below it, by bisection over all 2^64 keys.
    for _ in range(64):
        mid = lo + (hi - lo) // np.uint64(2)
        below = np.concatenate(
            [np.searchsorted(k, m, side="right") for k, m in zip(keys, np.split(mid, np.cumsum(sizes)[:-1]))]
        )
        enough = cluster.sum(below) >= ranks
        hi = np.where(enough, mid, hi)
        lo = np.where(enough, lo, mid + np.uint64(1))
    out = []
    for m, stats in zip(n, np.split(_unsortable(lo), np.cumsum(sizes)[:-1])):
        if m == 0:
            out.append([])
            continue
        edges = []
        for v in stats[1:]:
            if not edges or v > edges[-1]:
                edges.append(float(v))
        if edges and edges[0] <= stats[0]:
            edges.pop(0)  # an edge at the minimum makes an empty first bucket
        out.append(edges)
    return out


def slog1p(x: np.ndarray) -> np.ndarray:
    """sign(x) log1p(|x|)"""
    return np.sign(x) * np.log1p(np.abs(x))


def parse_targets(tasks: list, shard) -> list:
    """Per task, each local row's raw target (0/1 for binary tasks), or a DataError naming the row."""
    out = []
    for task in tasks:
        column = shard.columns[task.column]
        if task.type == "binary":
            mapped = np.array([_binary(t) for t in column.dictionary] + [-2.0])
            y = mapped[column.codes]
            bad = np.flatnonzero(y < 0)
            if len(bad):
                r = bad[0]
                if column.codes[r] < 0:
                    raise DataError(f"{shard.where(r, task.column)}: the binary target is missing (empty, NA or NaN).")
                found = column.dictionary[column.codes[r]]
                raise DataError(
                    f'{shard.where(r, task.column)}: binary target must be 0/1, true/false or yes/no, found "{found}".'
                )
        else:
            y = column.values()
            bad = np.flatnonzero(~np.isfinite(y))
            if len(bad):
                r = bad[0]
                code = column.codes[r]
                if code < 0:
                    reason = "the regression target is missing (empty, NA or NaN); every row needs a number."
                elif math.isnan(column.numbers[code]):
                    reason = f'regression target must be a number, found "{column.dictionary[code]}".'
                else:
                    reason = f'regression target must be a finite number, found "{column.dictionary[code]}".'
                raise DataError(f"{shard.where(r, task.column)}: {reason}")
        out.append(y.astype(np.float64))
    return out


def _binary(text: str) -> float:
    """1, 0, or -1 when the value is not a binary label."""
    w = text.strip().lower()
    number = _js_to_number(w)
    if w in TRUE_WORDS or number == 1:
        return 1.0
    if w in FALSE_WORDS or number == 0:
        return 0.0
    return -1.0


def _js_to_number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def _uses_log(transform: str) -> bool:
    return transform in ("log1p", "log1p-zscore")


def _uses_z(transform: str) -> bool:
    return transform in ("zscore", "log1p-zscore")


def fit_target_encoders(tasks: list, targets: list, shard, split, cluster) -> list:
    rows, _ = _local_train(shard, split)
    n = len(split.train)
    encoders = []
    for task, raw in zip(tasks, targets):
        if task.type == "binary":
            encoders.append(
                {
                    "task": task.name,
                    "column": task.column,
                    "type": "binary",
                    "transform": "none",
                    "mean": 0,
                    "std": 1,
                    "nonNegative": True,
                }
            )
            continue
        y = raw[rows]
        non_negative = bool(cluster.min([0.0 if (y < 0).any() else 1.0])[0])
        if task.objective in ("ziln", "tweedie"):
            if not non_negative:
                title = "zero-inflated lognormal" if task.objective == "ziln" else "Tweedie"
                raise DataError(
                    f'column "{task.column}": the {title} objective needs amounts of 0 or more, but the column '
                    'has negative ones. Choose the "squared error" objective with the "z-score" transform on '
                    "its task head."
                )
            # The scale: the geometric mean of the positive amounts (ZILN) or the mean amount
            # (Tweedie), as data/encoders.ts fitTargetEncoders.
            pos = y[y > 0]
            if task.objective == "ziln":
                total, count = cluster.sum([np.log(pos).sum(), float(len(pos))])
                mean = total / count if count > 0 else 0.0
            else:
                total, count = cluster.sum([pos.sum(), float(len(pos))])
                mean = math.log(total / max(1, n)) if count > 0 else 0.0
            enc = {
                "task": task.name,
                "column": task.column,
                "type": "regression",
                "transform": "none",
                "mean": float(mean),
                "std": 1,
                "nonNegative": non_negative,
                "objective": task.objective,
            }
            if task.objective == "tweedie":
                enc["tweediePower"] = task.tweedie_power
            if task.mean_correction:
                enc["meanCorrection"] = True
            encoders.append(enc)
            continue
        if _uses_log(task.transform) and not non_negative:
            raise DataError(
                f'column "{task.column}": the log1p target transform needs non-negative values, but the column '
                'has negative ones. Choose the "z-score" or "none" transform on its task head.'
            )
        mean, std = 0.0, 1.0
        if _uses_z(task.transform):
            v = np.log1p(y) if _uses_log(task.transform) else y
            total, total2 = cluster.sum([v.sum(), (v * v).sum()])
            mean = total / max(1, n)
            variance = total2 / max(1, n) - mean * mean
            std = math.sqrt(variance) if variance > 1e-12 else 1.0
        encoders.append(
            {
                "task": task.name,
                "column": task.column,
                "type": "regression",
                "transform": task.transform,
                "mean": float(mean),
                "std": float(std),
                "nonNegative": non_negative,
                "objective": "mse",
                **({"meanCorrection": True} if task.mean_correction else {}),
            }
        )
    return encoders


def log_mean_output(enc: dict) -> bool:
    """ZILN and Tweedie heads predict the log of the mean: raw = exp(value + mean)."""
    return enc["type"] == "regression" and enc.get("objective") in ("ziln", "tweedie")


def total_calibration(predicted: np.ndarray, actual: np.ndarray) -> float:
    """sum(actual) / sum(predicted) on the raw scale; 1 when either sum is not positive."""
    sp, sa = float(predicted.sum()), float(actual.sum())
    c = sa / sp if sp > 0 else math.nan
    return c if sp > 0 and sa > 0 and math.isfinite(c) else 1.0


def mean_calibration(predicted: np.ndarray, target_mean: float) -> float:
    """target_mean / mean(predicted) on the raw scale; 1 when either is not positive."""
    sp = float(predicted.astype(np.float64).sum())
    c = target_mean / (sp / len(predicted)) if sp > 0 else math.nan
    return c if sp > 0 and target_mean > 0 and math.isfinite(c) else 1.0


def smearing_factor(predicted: np.ndarray, actual: np.ndarray, enc: dict) -> float:
    """Duan's smearing factor of a log1p target: mean of exp(residual) on the log1p scale."""
    if enc["type"] != "regression" or log_mean_output(enc) or not _uses_log(enc["transform"]):
        return 1.0
    fitted = predicted.astype(np.float64)
    if _uses_z(enc["transform"]):
        fitted = fitted * enc["std"] + enc["mean"]
    r = np.log1p(actual.astype(np.float64)) - fitted
    r = r[np.isfinite(r)]
    s = float(np.exp(r).mean()) if len(r) else 1.0
    return s if math.isfinite(s) and s > 0 else 1.0


def transform_target(raw: np.ndarray, enc: dict) -> np.ndarray:
    """Raw target -> training scale (float32; binary targets unchanged)."""
    v = raw.astype(np.float64)
    if log_mean_output(enc):
        return (v * math.exp(-enc["mean"])).astype(np.float32)
    if enc["type"] == "regression" and _uses_log(enc["transform"]):
        v = np.log1p(v)
    if enc["type"] == "regression" and _uses_z(enc["transform"]):
        v = (v - enc["mean"]) / enc["std"]
    return v.astype(np.float32)


def untransform_target(values: np.ndarray, enc: dict) -> np.ndarray:
    """Training scale -> raw target (float64), clamped at 0 for non-negative targets."""
    v = values.astype(np.float64)
    calibration = enc.get("calibration", 1.0)
    if log_mean_output(enc):
        return np.exp(v + enc["mean"]) * calibration
    if _uses_z(enc["transform"]):
        v = v * enc["std"] + enc["mean"]
    smearing = enc.get("smearing", 1.0)
    if _uses_log(enc["transform"]):
        v = np.expm1(v) if smearing == 1 else np.exp(v) * smearing - 1
    if enc["nonNegative"]:
        v = np.maximum(v, 0.0)
    return v if calibration == 1 else v * calibration


def encode_fields(encoders: list, shard) -> list:
    """Per dataset field: ("lookup", int64 ids) or ("linear", float32 values) of each local row."""
    out = []
    for enc in encoders:
        column = shard.columns[enc["column"]]
        if enc["kind"] == "vocab":
            index = {v: i + 1 for i, v in enumerate(enc["values"])}
            keys = [js_number(v) for v in column.numbers[:-1]] if shard.numeric[column.name] else column.dictionary
            lut = np.array([index.get(k, 0) for k in keys] + [0], dtype=np.int64)
            out.append(("lookup", lut[column.codes]))
            continue
        _require_numbers(shard, column, "the model expects numbers here", "")
        values = column.values()
        if enc["kind"] == "buckets":
            ids = 1 + np.searchsorted(np.asarray(enc["edges"], dtype=np.float64), values, side="right")
            out.append(("lookup", np.where(np.isnan(values), 0, ids).astype(np.int64)))
        else:
            with np.errstate(invalid="ignore"):
                x = (slog1p(values) - enc["mean"]) / enc["std"]
            out.append(("linear", np.where(np.isnan(values), 0.0, x).astype(np.float32)))
    return out


def table_rows(enc: dict) -> int:
    """Rows of a field's embedding table: one per vocabulary value or bucket plus one for unseen or
    missing; a linear field has two (weight, bias)."""
    if enc["kind"] == "vocab":
        return len(enc["values"]) + 1
    if enc["kind"] == "buckets":
        return len(enc["edges"]) + 2
    return 2
