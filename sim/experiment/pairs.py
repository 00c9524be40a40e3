"""Runs on common random numbers: the paired replications of several scenarios, their
KPIs in one time unit, and paired differences with Student-t intervals.

Every scenario runs the same replication indices from the same seed, so a station they
share draws the same process times, failures and scrap in both: the paired difference
of a KPI, replication by replication, has far less noise than two independent runs.
:func:`run_pairs` runs a fixed count, or rounds until the headline KPIs are precise
enough (:mod:`sim.experiment.precision`); :mod:`sim.experiment.compare` plans a
comparison from its files and orchestrates it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from sim.engine import ReplicationResult
from sim.experiment.executors import Executor, Interrupted, LocalExecutor
from sim.experiment.replicate import ReplicationTask, RunResult, replicate_task
from sim.model.line import Line
from sim.model.precision import PrecisionSpec
from sim.model.scenario import Scenario
from sim.model.units import SECONDS_PER

__all__ = [
    "PER_TIME_KPIS",
    "Comparison",
    "KpiFunction",
    "Progress",
    "align",
    "in_reference_unit",
    "run_pairs",
]

if TYPE_CHECKING:
    from sim.experiment.precision import PrecisionReached

KpiFunction = Callable[[ReplicationResult, Line], dict[str, float]]
"""Turns one replication into its KPIs (the analysis layer passes its own)."""

PER_TIME_KPIS = {"throughput": -1, "lost_work": -1, "flow_time": 1}
"""KPIs that carry a time unit, with its power: throughput is per time [1/time unit],
flow time a time [time unit]; they are converted to the reference line's unit."""


class Progress(Protocol):
    """What :func:`compare` reports progress to (the CLI passes a progress bar)."""

    def start(self, description: str, total: int) -> None:
        """A stage begins with ``total`` runs to do."""

    def advance(self) -> None:
        """One run finished."""


@dataclass(frozen=True)
class Comparison:
    """Runs of several scenarios on common random numbers, first one the reference."""

    runs: list[RunResult]
    kpis: list[list[dict[str, float]]]
    """Per scenario, per replication, the KPIs."""
    partial: bool = False
    """Interrupted: only the replications every scenario finished are kept."""
    precision: PrecisionReached | None = None
    """With precision-driven replications: how many were needed and what they reached."""

    @property
    def names(self) -> list[str]:
        """Scenario names in order."""
        return [run.scenario.name for run in self.runs]

    def values(self, scenario: int, kpi: str) -> np.ndarray:
        """One KPI over the replications of one scenario."""
        return np.array([rep.get(kpi, math.nan) for rep in self.kpis[scenario]])


def _factor(unit: str, reference: str) -> float:
    """Length of one ``unit`` in ``reference`` units [-]."""
    return SECONDS_PER[unit] / SECONDS_PER[reference]


def align(
    scenarios: Sequence[Scenario],
    replications: int | None = None,
    seed: int | None = None,
    horizon: float | None = None,
    warmup: float | None = None,
) -> list[Scenario]:
    """Give every scenario the first one's (or the given) seed, replications, horizon and
    warm-up: common random numbers need the same streams and the same window.

    ``horizon`` and ``warmup`` are in the first scenario's time unit; a line counting time
    in another unit gets the same real window in its own unit.
    """
    first = scenarios[0]
    reference = first.line.time_unit
    window = horizon or first.horizon
    start = first.warmup if warmup is None else warmup
    aligned = []
    for scenario in scenarios:
        scale = 1.0 / _factor(scenario.line.time_unit, reference)
        aligned.append(
            replace(
                scenario,
                replications=replications or first.replications,
                seed=first.seed if seed is None else seed,
                horizon=window * scale,
                warmup=start * scale,
            )
        )
    return aligned


def in_reference_unit(kpis: dict[str, float], unit: str, reference: str) -> dict[str, float]:
    """Return ``kpis`` with the per-time KPIs of a line in ``unit`` expressed per
    ``reference`` unit (a throughput per minute becomes per hour, x 60)."""
    if unit == reference:
        return kpis
    factor = _factor(unit, reference)
    converted = dict(kpis)
    for name, power in PER_TIME_KPIS.items():
        if name in converted:
            converted[name] = converted[name] * factor**power
    return converted


def run_pairs(
    scenarios: Sequence[Scenario],
    kpi_function: KpiFunction,
    executor: Executor | None = None,
    on_done: Callable[[int], None] | None = None,
    precision: PrecisionSpec | None = None,
    progress: Progress | None = None,
    label: str = "",
    bounds: tuple[Any, ...] = (),
) -> Comparison:
    """Run every replication of every (aligned) scenario in one batch of tasks, or, with
    ``precision``, in rounds until the headline KPIs are precise enough
    (:mod:`sim.experiment.precision`).

    On Ctrl-C (or SIGTERM through the executor) the replications that every scenario
    finished are kept and the comparison is ``partial``; the pairs stay paired. Rounds
    are shown on ``progress`` as stages of ``label`` (the comparison's name). ``bounds``
    (``max_events``, ``max_memory``) go to every replication.
    """
    runner: Executor = executor or LocalExecutor(1)
    if precision is not None:
        label = label or scenarios[0].name
        return _run_to_precision(
            scenarios, kpi_function, runner, on_done, precision, progress, label, bounds
        )
    found, partial = _replications(scenarios, 0, None, runner, on_done, bounds)
    return _assemble(scenarios, found, kpi_function, partial)


def _replications(
    scenarios: Sequence[Scenario],
    first: int,
    last: int | None,
    runner: Executor,
    on_done: Callable[[int], None] | None,
    bounds: tuple[Any, ...] = (),
) -> tuple[list[dict[int, ReplicationResult]], bool]:
    """Run replications ``first`` to ``last`` (exclusive; ``None``: each scenario's
    count) of every scenario as one batch; return per scenario {replication: result}
    and whether the batch was interrupted."""
    ranges = [range(first, s.replications if last is None else last) for s in scenarios]
    tasks = [
        ReplicationTask(s.line, s.horizon, s.warmup, s.seed, r, *bounds)
        for s, rs in zip(scenarios, ranges, strict=True)
        for r in rs
    ]
    partial = False
    try:
        done = dict(enumerate(runner.map(replicate_task, tasks, on_done)))
    except Interrupted as stop:
        done, partial = dict(stop.finished), True
    found: list[dict[int, ReplicationResult]] = []
    start = 0
    for rs in ranges:
        found.append({r: done[start + i] for i, r in enumerate(rs) if start + i in done})
        start += len(rs)
    return found, partial


def _assemble(
    scenarios: Sequence[Scenario],
    found: list[dict[int, ReplicationResult]],
    kpi_function: KpiFunction,
    partial: bool,
    precision: PrecisionReached | None = None,
) -> Comparison:
    """The comparison of the replications every scenario has (all of them, or the first
    ``precision.replications``), their KPIs in the reference's time unit."""
    reference = scenarios[0].line.time_unit
    common = sorted(set.intersection(*(set(reps) for reps in found)))
    if precision is not None:
        common = common[: precision.replications]
        scenarios = [replace(s, replications=precision.replications) for s in scenarios]
    runs, kpis = [], []
    for scenario, reps_found in zip(scenarios, found, strict=True):
        reps = [reps_found[r] for r in common]
        runs.append(RunResult(scenario, reps, partial=partial))
        kpis.append(
            [
                in_reference_unit(
                    kpi_function(rep, scenario.line), scenario.line.time_unit, reference
                )
                for rep in reps
            ]
        )
    return Comparison(runs, kpis, partial, precision)


def _run_to_precision(
    scenarios: Sequence[Scenario],
    kpi_function: KpiFunction,
    runner: Executor,
    on_done: Callable[[int], None] | None,
    spec: PrecisionSpec,
    progress: Progress | None,
    label: str,
    bounds: tuple[Any, ...],
) -> Comparison:
    """Rounds of replications until the first n of them meet ``spec`` (or its most)."""
    from sim.experiment.precision import (
        PrecisionReached,
        first_precise,
        headline_kpis,
        widest_half_widths,
    )

    reference = scenarios[0].line.time_unit
    found: list[dict[int, ReplicationResult]] = [{} for _ in scenarios]
    kpis: list[list[dict[str, float]]] = [[] for _ in scenarios]
    step = max(1, math.ceil(runner.workers / len(scenarios)))  # every worker busy
    have, want = 0, spec.min_replications
    names: list[str] = []
    while True:
        if progress:
            progress.start(
                f"{label}: replications {have + 1}-{want} "
                f"(to a 95 % CI within {spec.half_width:g} %, at most {spec.max_replications})",
                len(scenarios) * (want - have),
            )
        got, partial = _replications(scenarios, have, want, runner, on_done, bounds)
        for index, reps in enumerate(got):
            found[index].update(reps)
        if partial:
            return _assemble(scenarios, found, kpi_function, partial=True)
        for index, scenario in enumerate(scenarios):
            unit = scenario.line.time_unit
            kpis[index].extend(
                in_reference_unit(kpi_function(found[index][r], scenario.line), unit, reference)
                for r in range(have, want)
            )
        names = names or headline_kpis(spec, [reps[0] for reps in kpis])
        precise = first_precise(kpis, spec, names, have + 1)
        if precise is not None or want >= spec.max_replications:
            kept, met = (precise[0], True) if precise is not None else (want, False)
            reached = precise[1] if precise is not None else widest_half_widths(kpis, names, want)
            outcome = PrecisionReached(spec.half_width, names, kept, reached, met, want)
            return _assemble(scenarios, found, kpi_function, False, outcome)
        have, want = want, min(spec.max_replications, want + step)
