"""Run a scenario's replications on an executor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from sim.engine import ReplicationResult, simulate
from sim.experiment.executors import Executor, Interrupted, LocalExecutor, default_jobs
from sim.experiment.guards import (
    check_event_budget,
    check_work,
    default_memory_budget,
    estimate_work,
    memory_guard,
)
from sim.model.line import Line
from sim.model.scenario import Scenario

if TYPE_CHECKING:
    from sim.experiment.pairs import Progress
    from sim.experiment.precision import PrecisionReached

__all__ = ["ReplicationTask", "RunResult", "replicate_task", "run"]


class ReplicationTask(NamedTuple):
    """One replication to run on an executor (a tuple, so pools and Dask pickle it cheaply)."""

    line: Line
    horizon: float
    """measured time [line time unit]"""
    warmup: float
    """discarded start [line time unit]"""
    seed: int
    replication: int
    max_events: int | None = None
    """most SimPy events [-]; ``None``: the flood guard alone"""
    max_memory: float | None = None
    """most resident memory of the process [MB]; ``None``: the default budget of
    :func:`sim.experiment.guards.default_memory_budget`, infinity: no bound"""


@dataclass(frozen=True)
class RunResult:
    """The replications of one scenario; ``partial`` when interrupted before all finished."""

    scenario: Scenario
    replications: list[ReplicationResult]
    partial: bool = False
    precision: PrecisionReached | None = None
    """With precision-driven replications: how many were needed, what they reached."""


def replicate_task(task: ReplicationTask | tuple[Any, ...]) -> ReplicationResult:
    """Run one :class:`ReplicationTask` (a plain tuple of its fields is read as one)."""
    job = task if isinstance(task, ReplicationTask) else ReplicationTask(*task)
    memory = job.max_memory
    if memory is None:
        memory = default_memory_budget(default_jobs())
    with memory_guard(memory, job.line.name, job.warmup + job.horizon):
        return simulate(
            job.line, job.horizon, job.warmup, job.seed, job.replication, job.max_events
        )


def run(
    scenario: Scenario,
    jobs: int | None = 1,
    executor: Executor | None = None,
    on_done: Callable[[int], None] | None = None,
    max_events: int | None = None,
    max_memory: float | None = None,
    kpi_function: Callable[[ReplicationResult, Line], dict[str, float]] | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run every replication of ``scenario``; replication r uses streams (seed, r, ...).

    On Ctrl-C the finished replications come back with ``partial=True``. ``max_events``
    bounds each replication's SimPy events [-] (``None``: no bound while running, but a
    replication expected to pass :data:`sim.experiment.guards.DEFAULT_EVENT_BUDGET` is
    refused before it starts) and ``max_memory`` each process's resident memory [MB]
    (``None``: half the available memory shared by the workers; ``math.inf``: no bound);
    a replication that passes one raises :class:`sim.errors.RunError`.

    A scenario with ``precision`` runs in rounds until its headline KPIs (read by
    ``kpi_function``, the analysis layer's ``line_kpis`` by default) are precise enough
    (:mod:`sim.experiment.precision`); each round is a stage on ``progress``.
    """
    executor = executor if executor is not None else LocalExecutor(jobs)
    window = scenario.warmup + scenario.horizon
    precision = scenario.precision
    first = precision.min_replications if precision else scenario.replications
    check_work(estimate_work([(scenario.line, window, first)]), executor.workers)
    check_event_budget(scenario.line, window, max_events)
    if max_memory is None:
        max_memory = default_memory_budget(executor.workers)
    if precision is not None:
        from sim.experiment.pairs import run_pairs

        if kpi_function is None:
            from sim.analysis.kpis import line_kpis

            kpi_function = line_kpis
        rounds = run_pairs(
            [scenario],
            kpi_function,
            executor,
            on_done,
            precision,
            progress,
            scenario.name,
            (max_events, max_memory),
        )
        kept = rounds.runs[0]
        return RunResult(kept.scenario, kept.replications, rounds.partial, rounds.precision)
    tasks = [
        ReplicationTask(
            scenario.line,
            scenario.horizon,
            scenario.warmup,
            scenario.seed,
            replication,
            max_events,
            max_memory,
        )
        for replication in range(scenario.replications)
    ]
    try:
        results = executor.map(replicate_task, tasks, on_done)
    except Interrupted as stop:
        done = [stop.finished[index] for index in sorted(stop.finished)]
        return RunResult(scenario, done, partial=True)
    return RunResult(scenario, results)
