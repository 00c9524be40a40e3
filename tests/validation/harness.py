"""Running replications and checking them against theory, shared by the validation tests.

Statistical checks follow one rule: the analytic value must lie inside the Student-t
confidence interval of the replication means at :data:`ASSERT_LEVEL` (99.9 %: with a few
dozen interval assertions a 95 % level would fail a correct engine every few runs of the
suite after any change to how it draws random numbers), and that interval must be tight,
half-width below ``max_rel_half`` of the analytic value (default :data:`MAX_REL_HALF`), so
that a loose interval cannot hide a wrong model. Replications differ only in their
``replication`` index, under one seed, so they are independent.

Every check is appended to :data:`CHECKS` with its 95 % interval, for reporting.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.analysis.kpis import line_kpis, station_kpis
from sim.analysis.statistics import estimate, t_halfwidth
from sim.engine import ReplicationResult, simulate
from sim.model.line import Line

__all__ = [
    "ASSERT_LEVEL",
    "CHECKS",
    "LITTLE_TOLERANCE",
    "MAX_REL_HALF",
    "SEED",
    "Check",
    "Runs",
    "assert_ci",
    "assert_exact",
    "assert_little",
    "exponential",
    "make_line",
    "replicate",
]

SEED = 1
"""Root seed of every validation run; replications differ by their index."""

ASSERT_LEVEL = 0.999
"""Confidence level of the interval the analytic value must lie in [-]."""

MAX_REL_HALF = 0.03
"""Largest accepted half-width of that interval, relative to the analytic value [-]."""

LITTLE_TOLERANCE = 0.02
"""Accepted relative gap between WIP and TH x flow time in one replication [-] (edge
effects: jobs in the line at the start and end of the window)."""


@dataclass(frozen=True)
class Check:
    """One comparison of simulation with theory, kept for the report."""

    case: str
    theory: float
    mean: float
    ci95: tuple[float, float] | None
    half_width: float | None
    """Half-width of the :data:`ASSERT_LEVEL` interval (None for exact checks)."""
    replications: int
    horizon: float


CHECKS: list[Check] = []
"""Every check made in this process, in order."""


def make_line(spec: dict[str, Any]) -> Line:
    """Validate a line definition whose bare times are hours."""
    return Line.model_validate(spec, context={"time_unit": "h"})


def exponential(mean: float) -> dict[str, Any]:
    """Return an exponential distribution of ``mean`` [h] in line-definition form."""
    return {"dist": "exponential", "mean": mean}


@dataclass(frozen=True)
class Runs:
    """Independent replications of one line over one window."""

    results: list[ReplicationResult]
    horizon: float
    warmup: float

    def line(self, kpi: str) -> np.ndarray:
        """Return the line KPI ``kpi`` of every replication."""
        return np.array([line_kpis(result)[kpi] for result in self.results])

    def station(self, name: str, kpi: str) -> np.ndarray:
        """Return the KPI ``kpi`` of station ``name`` in every replication."""
        return np.array(
            [station_kpis(result.stations[name], result.horizon)[kpi] for result in self.results]
        )


def replicate(
    line: Line, horizon: float, warmup: float, replications: int, seed: int = SEED
) -> Runs:
    """Simulate replications 0 .. ``replications`` - 1 of ``line`` under ``seed``."""
    results = [
        simulate(line, horizon, warmup, seed, replication) for replication in range(replications)
    ]
    return Runs(results, horizon, warmup)


def assert_ci(
    runs: Runs,
    case: str,
    values: Sequence[float] | np.ndarray,
    theory: float,
    max_rel_half: float = MAX_REL_HALF,
) -> None:
    """Assert ``theory`` lies in the :data:`ASSERT_LEVEL` t-interval of ``values``, a tight one.

    ``values`` holds one observation per replication of ``runs``.
    """
    data = np.asarray(values, dtype=float)
    assert not np.isnan(data).any(), f"{case}: a replication has no value"
    summary = estimate(data)
    assert summary["mean"] is not None
    mean = summary["mean"]
    ci95 = summary["ci95"]
    half = t_halfwidth(data, ASSERT_LEVEL)
    CHECKS.append(
        Check(
            case,
            theory,
            mean,
            None if ci95 is None else (ci95[0], ci95[1]),
            half,
            len(data),
            runs.horizon,
        )
    )
    assert half <= max_rel_half * abs(theory), (
        f"{case}: {ASSERT_LEVEL:.1%} half-width {half:.4g} is over {max_rel_half:.0%} of the "
        f"theory {theory:.4g}; run longer or more replications"
    )
    assert abs(mean - theory) <= half, (
        f"{case}: theory {theory:.6g} outside the {ASSERT_LEVEL:.1%} interval "
        f"{mean:.6g} +- {half:.4g} ({len(data)} replications of {runs.horizon:g})"
    )


def assert_exact(
    runs: Runs, case: str, values: Sequence[float] | np.ndarray, theory: float, rel: float = 1e-3
) -> None:
    """Assert every replication's value equals ``theory`` within ``rel`` (deterministic runs)."""
    data = np.asarray(values, dtype=float)
    CHECKS.append(Check(case, theory, float(data.mean()), None, None, len(data), runs.horizon))
    for value in data:
        assert math.isclose(value, theory, rel_tol=rel), f"{case}: {value!r} != {theory!r}"


def assert_little(runs: Runs, tolerance: float = LITTLE_TOLERANCE) -> None:
    """Assert WIP = TH x flow time (Little's law) in every replication, within ``tolerance``.

    Valid only without scrap: ``flow_time`` covers good jobs, ``wip`` every job in the line.
    """
    for result in runs.results:
        kpis = line_kpis(result)
        product = kpis["throughput"] * kpis["flow_time"]
        assert math.isclose(kpis["wip"], product, rel_tol=tolerance), (
            f"Little's law, replication {result.replication}: WIP {kpis['wip']:.5g} vs "
            f"TH x flow time {product:.5g}"
        )
