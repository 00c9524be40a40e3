"""What an uncertainty study concludes about a claim: for each reading, the share of
input sets that meet it (with its 95 % Wilson interval, the binomial sampling error of N
sets), the distribution of the change, and a global sensitivity ranking.

The ranking is by standardized regression coefficients (SRC) of the change on the sampled
inputs, with the R^2 that says how much of the spread the linear ranking explains. SRC,
not Sobol indices: Sobol indices (SALib) need a Saltelli design of N (2d + 2) runs, while
SRC reads the one Latin hypercube sample already run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.analysis.comparison import CLAIM_READINGS

if TYPE_CHECKING:
    from sim.analysis.runs import StudyInput

__all__ = ["sensitivity", "summarize_study"]


def _change(pair: tuple[list[dict[str, float]], list[dict[str, float]]], kpi: str) -> float:
    """Mean over replications of the paired percent change of ``kpi`` [%]."""
    changes = []
    for before, after in zip(*pair, strict=True):
        a, b = before.get(kpi, math.nan), after.get(kpi, math.nan)
        changes.append(100.0 * (b / a - 1.0) if a and math.isfinite(a) else math.nan)
    return float(np.mean(changes)) if changes else math.nan


def _before_output(before: list[dict[str, float]]) -> dict[str, Any]:
    """The before line's mean output in one input set, with its unit."""
    kpi = "ah_per_year" if before and "ah_per_year" in before[0] else "throughput"
    values = [r.get(kpi, math.nan) for r in before]
    mean = float(np.mean(values)) if values else math.nan
    unit = "Ah / year" if kpi == "ah_per_year" else "units / time unit"
    return {"mean": None if math.isnan(mean) else mean, "unit": unit, "kpi": kpi}


def summarize_study(
    inputs: Sequence[StudyInput],
    values: np.ndarray,
    per_set: list[tuple[list[dict[str, float]], list[dict[str, float]]]],
    efficiency: float,
    cost: float,
    readings_read: tuple[tuple[str, str, str, str], ...] = CLAIM_READINGS,
) -> dict[str, Any]:
    """Probability met, change distribution and sensitivity of each reading of the claim
    (``readings_read``: key, half, text, KPI; at a plant load below 1 the sold-Ah KPIs),
    from the sampled ``values`` (sets x inputs) and each set's paired KPIs; each set also
    gets its before line's output (``before_output``, Ah a year where the line counts
    Ah, else its throughput)."""
    from scipy.stats import binomtest

    readings: dict[str, Any] = {}
    ranking: dict[str, Any] = {}
    fits: dict[str, Any] = {}
    sets: list[dict[str, Any]] = [
        {"inputs": {item.name: float(v) for item, v in zip(inputs, row, strict=True)}}
        for row in values
    ]
    for entry, (before, _) in zip(sets, per_set, strict=True):
        entry["before_output"] = _before_output(before)
    for key, half, text, kpi in readings_read:
        claimed = efficiency if half == "efficiency" else cost
        changes = np.array([_change(pair, kpi) for pair in per_set])
        for entry, change in zip(sets, changes, strict=True):
            entry.setdefault("changes", {})[key] = None if math.isnan(change) else float(change)
        valid = changes[np.isfinite(changes)]
        if not len(valid):
            readings[key] = {"kpi": kpi, "reading": text, "claimed_percent": claimed, "n": 0}
            continue
        met = int(np.sum(valid >= claimed) if claimed >= 0 else np.sum(valid <= claimed))
        interval = binomtest(met, len(valid)).proportion_ci(method="wilson")
        readings[key] = {
            "kpi": kpi,
            "reading": text,
            "claimed_percent": claimed,
            "n": len(valid),
            "met": met,
            "probability_met": met / len(valid),
            "probability_ci95": [float(interval.low), float(interval.high)],
            "change": {
                "mean": float(np.mean(valid)),
                "std": float(np.std(valid, ddof=1)) if len(valid) > 1 else None,
                "p05": float(np.percentile(valid, 5)),
                "p50": float(np.percentile(valid, 50)),
                "p95": float(np.percentile(valid, 95)),
                "min": float(np.min(valid)),
                "max": float(np.max(valid)),
            },
        }
        found, r2 = sensitivity(values[np.isfinite(changes)], valid, [i.name for i in inputs])
        ranking[key] = found
        fits[key] = {"r2": r2}
    return {
        "inputs": {item.name: item.as_dict() for item in inputs},
        "readings": readings,
        "sensitivity": ranking,
        "sensitivity_fit": fits,
        "sensitivity_method": "standardized regression coefficients (SRC) of the change on "
        "the sampled inputs, largest |SRC| first; R^2 is the share of the change's variance "
        "the linear fit explains (SRC ranks well when R^2 is near 1)",
        "sets": sets,
    }


def sensitivity(
    values: np.ndarray, output: np.ndarray, names: list[str]
) -> tuple[dict[str, float | None], float | None]:
    """Standardized regression coefficients of ``output`` on the columns of ``values``,
    largest magnitude first, and the fit's R^2; inputs that did not vary get ``None``."""
    result: dict[str, float | None] = dict.fromkeys(names)
    spread = values.std(axis=0) if len(values) else np.zeros(len(names))
    varied = [i for i in range(len(names)) if spread[i] > 0]
    if len(output) < len(varied) + 2 or not varied or np.std(output) == 0:
        return result, None
    x = (values[:, varied] - values[:, varied].mean(axis=0)) / spread[varied]
    y = (output - output.mean()) / output.std()
    design = np.column_stack([np.ones(len(y)), x])
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    fitted = design @ coefficients
    r2 = 1.0 - float(np.sum((y - fitted) ** 2) / np.sum(y**2))
    for position, column in enumerate(varied):
        result[names[column]] = float(coefficients[position + 1])
    ordered = sorted(result.items(), key=lambda kv: -abs(kv[1]) if kv[1] is not None else 1.0)
    return dict(ordered), r2
