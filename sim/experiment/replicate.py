"""Run a scenario's replications on an executor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sim.engine import ReplicationResult, simulate
from sim.experiment.executors import Interrupted, LocalExecutor
from sim.model.line import Line
from sim.model.scenario import Scenario

__all__ = ["RunResult", "replicate_task", "run"]


@dataclass(frozen=True)
class RunResult:
    """The replications of one scenario; ``partial`` when interrupted before all finished."""

    scenario: Scenario
    replications: list[ReplicationResult]
    partial: bool = False


def replicate_task(task: tuple[Line, float, float, int, int]
                   | tuple[Line, float, float, int, int, int | None]) -> ReplicationResult:
    """Run one task ``(line, horizon, warmup, seed, replication[, max_events])``
    (picklable for pools); ``max_events`` bounds the SimPy events of the run [-]."""
    line, horizon, warmup, seed, replication = task[:5]
    max_events = task[5] if len(task) > 5 else None
    return simulate(line, horizon, warmup, seed, replication, max_events=max_events)


def run(scenario: Scenario, jobs: int | None = 1, executor: LocalExecutor | None = None,
        on_done: Callable[[int], None] | None = None, max_events: int | None = None
        ) -> RunResult:
    """Run every replication of ``scenario``; replication r uses streams (seed, r, ...).

    On Ctrl-C the finished replications come back with ``partial=True``. ``max_events``
    bounds each replication's SimPy events [-] (``None``: no bound); a replication that
    passes it raises :class:`sim.errors.RunError`.
    """
    executor = executor or LocalExecutor(jobs)
    tasks = [
        (scenario.line, scenario.horizon, scenario.warmup, scenario.seed, replication,
         max_events)
        for replication in range(scenario.replications)
    ]
    try:
        results = executor.map(replicate_task, tasks, on_done)
    except Interrupted as stop:
        done = [stop.finished[index] for index in sorted(stop.finished)]
        return RunResult(scenario, done, partial=True)
    return RunResult(scenario, results)
