"""The app's metrics (src-main/engine/predict/metrics.ts), on float64 arrays.

- A binary label is positive when it is > 0.5. Ties are exact; tied scores never make a result
  depend on the input order.
- A metric that is undefined for the input (empty input, one class only, a constant target, a
  NaN anywhere) is NaN.
"""

import math

import numpy as np

LOGLOSS_EPS = 1e-7


def _groups(sorted_values: np.ndarray):
    """Start of each run of equal values in a sorted array, and each run's length."""
    n = len(sorted_values)
    starts = np.flatnonzero(np.concatenate([[n > 0], sorted_values[1:] != sorted_values[:-1]]))
    return starts, np.diff(np.concatenate([starts, [n]]))


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks ascending; tied values share the mean of the ranks they span."""
    order = np.argsort(values, kind="stable")
    starts, sizes = _groups(values[order])
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(starts + (sizes + 1) / 2, sizes)
    return ranks


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC, a tied positive/negative pair counting 1/2 (Mann-Whitney)."""
    if np.isnan(labels).any() or np.isnan(scores).any():
        return math.nan
    positive = labels > 0.5
    pos = int(positive.sum())
    neg = len(labels) - pos
    if pos == 0 or neg == 0:
        return math.nan
    r = average_ranks(scores)
    return float((r[positive].sum() - pos * (pos + 1) / 2) / (pos * neg))


def logloss(labels: np.ndarray, probs: np.ndarray) -> float:
    """Mean cross-entropy, natural log, probabilities clipped to [1e-7, 1 - 1e-7]."""
    if len(labels) == 0:
        return math.nan
    p = np.clip(probs, LOGLOSS_EPS, 1 - LOGLOSS_EPS)
    return float(-(labels * np.log(p) + (1 - labels) * np.log(1 - p)).mean())


def binary_metrics(labels: np.ndarray, probs: np.ndarray) -> dict:
    return {"auc": auc(labels, probs), "logloss": logloss(labels, probs)}


def _gini_sorted(actual_in_order: np.ndarray, key: np.ndarray) -> float:
    """Unnormalised Gini of `actual` ordered by `key` descending (key sorted ascending, actual in
    the same order); a tied group counts as the mean over every ordering of its rows."""
    n = len(key)
    starts, sizes = _groups(key)
    sums = np.add.reduceat(actual_in_order, starts)[::-1]
    sizes = sizes[::-1]
    before = np.concatenate([[0.0], np.cumsum(sums)[:-1]])
    total = sums.sum()
    if not (total != 0 and math.isfinite(total)):
        return math.nan
    sum_cum = (sizes * before + sums * (sizes + 1) / 2).sum()
    return float(sum_cum / total / n - (n + 1) / (2 * n))


def normalized_gini(actual: np.ndarray, predicted: np.ndarray) -> float:
    """gini(actual, predicted) / gini(actual, actual), ties in `predicted` averaged."""
    n = len(actual)
    if np.isnan(actual).any() or np.isnan(predicted).any() or n < 2:
        return math.nan
    by_actual = np.sort(actual)
    if by_actual[0] == by_actual[-1]:
        return math.nan
    best = _gini_sorted(by_actual, by_actual)
    if not (best != 0 and math.isfinite(best)):
        return math.nan
    order = np.argsort(predicted, kind="stable")
    return _gini_sorted(actual[order], predicted[order]) / best


def spearman(actual: np.ndarray, predicted: np.ndarray) -> float:
    n = len(actual)
    if np.isnan(actual).any() or np.isnan(predicted).any() or n < 2:
        return math.nan
    mean = (n + 1) / 2
    da = average_ranks(actual) - mean
    db = average_ranks(predicted) - mean
    saa, sbb = (da * da).sum(), (db * db).sum()
    if saa == 0 or sbb == 0:
        return math.nan
    return float(min(1.0, max(-1.0, (da * db).sum() / math.sqrt(saa * sbb))))


def regression_metrics(actual: np.ndarray, predicted: np.ndarray) -> dict:
    """On the raw target scale: RMSE, MAE, NRMSE = RMSE / std(y), NMAE = MAE / mean|y - mean(y)|,
    normalised Gini, Spearman's rank correlation, R^2 = 1 - NRMSE^2 and the total ratio
    sum(predicted) / sum(actual)."""
    nan = {"rmse": math.nan, "mae": math.nan, "nrmse": math.nan, "nmae": math.nan}
    if len(actual) == 0:
        out = nan
    else:
        e = predicted - actual
        d = actual - actual.mean()
        rmse = math.sqrt((e * e).mean())
        mae = np.abs(e).mean()
        std = math.sqrt((d * d).mean())
        mad = np.abs(d).mean()
        out = {
            "rmse": rmse,
            "mae": float(mae),
            "nrmse": rmse / std if std > 0 else math.nan,
            "nmae": float(mae / mad) if mad > 0 else math.nan,
        }
    out["gini"] = normalized_gini(actual, predicted)
    out["spearman"] = spearman(actual, predicted)
    nrmse = out["nrmse"]
    out["r2"] = 1 - nrmse * nrmse
    total = float(actual.sum()) if len(actual) else math.nan
    out["totalRatio"] = float(predicted.sum()) / total if total != 0 and math.isfinite(total) else math.nan
    return out
