"""Precision-driven replications: how many replications a comparison needs for its
headline KPIs to be known to a stated 95 % CI half-width.

A comparison with ``precision:`` runs ``min_replications`` of every scenario, then adds
rounds (enough replications to keep every worker busy) until the first ``n`` replications
meet the target or ``max_replications`` ran. The count kept is the least ``n`` that meets
it, whatever the rounds ran past it, so the same file and seed give the same replications
and bytes on any ``--jobs`` or executor. A KPI meets the target when, over the first
``n`` replications, each scenario's mean has a 95 % t-interval half-width within
``half_width`` percent of that mean, and each paired percent change against the
reference within ``half_width`` percentage points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.analysis.statistics import t_halfwidth
from sim.errors import ConfigError
from sim.model.precision import PrecisionSpec

__all__ = ["PrecisionReached", "first_precise", "headline_kpis", "widest_half_widths"]


@dataclass(frozen=True)
class PrecisionReached:
    """What a precision-driven comparison needed and reached."""

    half_width: float
    """The target [% of a mean; percentage points of a change]."""
    kpis: list[str]
    """The headline KPIs held to it."""
    replications: int
    """Replications kept, per scenario [-]."""
    reached: dict[str, float]
    """Per KPI, the widest half-width over the scenarios' means [%] and paired changes
    [percentage points] with those replications."""
    met: bool
    """Whether every KPI is within the target (else ``max_replications`` ran out)."""
    ran: int
    """Replications run per scenario, the kept ones and any a round ran past them [-]."""

    def as_json(self) -> dict[str, object]:
        """The ``precision`` entry of ``comparison.json`` and ``summary.json`` (without
        ``ran``, which depends on the workers: the files do not)."""
        return {
            "half_width_pct": self.half_width,
            "kpis": self.kpis,
            "replications": self.replications,
            "reached_pct": {k: _finite(v) for k, v in self.reached.items()},
            "met": self.met,
        }

    def text(self) -> str:
        """``6 replications for a 95 % CI within 0.5 % (throughput 0.31 %, ...)``."""
        reached = ", ".join(f"{k} {_shown(v)}" for k, v in self.reached.items())
        verdict = "" if self.met else f", NOT met after the most allowed ({self.replications})"
        return (
            f"{self.replications} replications for a 95 % CI within {self.half_width:g} % "
            f"(reached: {reached}){verdict}"
        )


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _shown(value: float) -> str:
    return f"{value:.2f} %" if math.isfinite(value) else "undefined"


def headline_kpis(spec: PrecisionSpec, first: Sequence[dict[str, float]]) -> list[str]:
    """The spec's KPIs that the scenarios' first replications have (``cost_per_ah`` only
    on lines with costs); a ConfigError when none is."""
    present = [k for k in spec.kpis if all(k in kpis for kpis in first)]
    if not present:
        have = ", ".join(sorted(first[0])) if first else "none"
        raise ConfigError(
            f"none of {spec.kpis} is a KPI of every compared line; give KPIs of {have}",
            path="precision.kpis",
        )
    return present


def widest_half_widths(
    kpis: Sequence[Sequence[dict[str, float]]], names: Sequence[str], n: int
) -> dict[str, float]:
    """Per KPI of ``names``, the widest 95 % half-width over the first ``n`` replications:
    of each scenario's mean [% of the mean] and of each paired percent change against the
    first scenario [percentage points]; infinity when a value is undefined or a mean 0."""
    widest: dict[str, float] = {}
    for name in names:
        reference = np.array([rep.get(name, math.nan) for rep in kpis[0][:n]], dtype=float)
        widths = []
        for index, scenario in enumerate(kpis):
            values = np.array([rep.get(name, math.nan) for rep in scenario[:n]], dtype=float)
            if not np.isfinite(values).all():
                widths.append(math.inf)
                continue
            mean = float(values.mean())
            half = t_halfwidth(values)
            widths.append(100.0 * half / abs(mean) if mean != 0 else math.inf)
            if index > 0:
                with np.errstate(divide="ignore", invalid="ignore"):
                    change = 100.0 * (values / reference - 1.0)
                finite = bool(np.isfinite(change).all())
                widths.append(t_halfwidth(change) if finite else math.inf)
        widest[name] = max(widths)
    return widest


def first_precise(
    kpis: Sequence[Sequence[dict[str, float]]],
    spec: PrecisionSpec,
    names: Sequence[str],
    start: int,
) -> tuple[int, dict[str, float]] | None:
    """The least ``n`` from ``start`` (at least ``min_replications``) up to the
    replications at hand whose first ``n`` meet the target, with the half-widths
    reached; ``None`` when none does."""
    have = min(len(scenario) for scenario in kpis)
    for n in range(max(start, spec.min_replications), have + 1):
        reached = widest_half_widths(kpis, names, n)
        if all(width <= spec.half_width for width in reached.values()):
            return n, reached
    return None
