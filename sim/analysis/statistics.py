"""Statistics over replications: mean, standard deviation and Student-t 95% intervals."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypedDict

import numpy as np

__all__ = ["Estimate", "estimate", "paired_difference", "t_halfwidth"]


class Estimate(TypedDict):
    """A KPI over replications: ``ci95`` is ``None`` with fewer than two values."""

    mean: float | None
    std: float | None
    ci95: list[float] | None
    n: int


def t_halfwidth(values: Sequence[float] | np.ndarray, level: float = 0.95) -> float:
    """Return the half-width of the Student-t confidence interval of the mean."""
    data = np.asarray(values, dtype=float)
    n = len(data)
    if n < 2:
        return math.nan
    # scipy.special's Student-t quantile is what stats.t.ppf calls, without loading scipy.stats
    from scipy.special import stdtrit

    return float(stdtrit(n - 1, 0.5 + level / 2) * data.std(ddof=1) / math.sqrt(n))


def estimate(values: Sequence[float] | np.ndarray, level: float = 0.95) -> Estimate:
    """Summarise replication values; NaN values (undefined in a replication) are dropped."""
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    n = len(data)
    if n == 0:
        return {"mean": None, "std": None, "ci95": None, "n": 0}
    mean = float(data.mean())
    if n < 2:
        return {"mean": mean, "std": None, "ci95": None, "n": 1}
    half = t_halfwidth(data, level)
    return {
        "mean": mean,
        "std": float(data.std(ddof=1)),
        "ci95": [mean - half, mean + half],
        "n": n,
    }


def paired_difference(reference: np.ndarray, other: np.ndarray) -> dict[str, Any]:
    """Mean and 95% t-interval of ``other - reference`` and of the percent change.

    The percent change is taken per replication, 100 (other / reference - 1), so its
    interval is paired too.
    """
    difference = estimate(other - reference)
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = 100.0 * (other / reference - 1.0)
    percent[~np.isfinite(percent)] = np.nan
    relative = estimate(percent)
    return {
        "mean": difference["mean"],
        "ci95": difference["ci95"],
        "percent": {"mean": relative["mean"], "ci95": relative["ci95"]},
    }
