"""Compare scenarios with common random numbers: paired differences with t-intervals.

Every scenario runs the same replication indices from the same seed, so a station they
share draws the same process times, failures and scrap in both: the paired difference
of a KPI, replication by replication, has far less noise than two independent runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sim.engine import ReplicationResult
from sim.experiment.executors import LocalExecutor
from sim.experiment.replicate import RunResult, replicate_task
from sim.experiment.statistics import estimate
from sim.model.line import Line
from sim.model.scenario import Scenario

__all__ = ["Comparison", "KpiFunction", "align", "compare", "paired_difference"]

KpiFunction = Callable[[ReplicationResult, Line], dict[str, float]]
"""Turns one replication into its KPIs (the analysis layer passes its own)."""


@dataclass(frozen=True)
class Comparison:
    """Runs of several scenarios on common random numbers, first one the reference."""

    runs: list[RunResult]
    kpis: list[list[dict[str, float]]]
    """Per scenario, per replication, the KPIs."""

    @property
    def names(self) -> list[str]:
        """Scenario names in order."""
        return [run.scenario.name for run in self.runs]

    def values(self, scenario: int, kpi: str) -> np.ndarray:
        """One KPI over the replications of one scenario."""
        return np.array([rep.get(kpi, math.nan) for rep in self.kpis[scenario]])


def align(
    scenarios: Sequence[Scenario],
    replications: int | None = None,
    seed: int | None = None,
    horizon: float | None = None,
    warmup: float | None = None,
) -> list[Scenario]:
    """Give every scenario the first one's (or the given) seed, replications, horizon and
    warm-up: common random numbers need the same streams and the same window."""
    first = scenarios[0]
    settings = {
        "replications": replications or first.replications,
        "seed": first.seed if seed is None else seed,
        "horizon": horizon or first.horizon,
        "warmup": first.warmup if warmup is None else warmup,
    }
    return [replace(scenario, **settings) for scenario in scenarios]


def compare(
    scenarios: Sequence[Scenario],
    kpi_function: KpiFunction,
    executor: LocalExecutor | None = None,
    on_done: Callable[[int], None] | None = None,
) -> Comparison:
    """Run every replication of every (aligned) scenario in one batch of tasks."""
    executor = executor or LocalExecutor(1)
    tasks = [
        (s.line, s.horizon, s.warmup, s.seed, r) for s in scenarios for r in range(s.replications)
    ]
    results = executor.map(replicate_task, tasks, on_done)
    runs, kpis, start = [], [], 0
    for scenario in scenarios:
        reps = results[start : start + scenario.replications]
        start += scenario.replications
        runs.append(RunResult(scenario, reps))
        kpis.append([kpi_function(rep, scenario.line) for rep in reps])
    return Comparison(runs, kpis)


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
