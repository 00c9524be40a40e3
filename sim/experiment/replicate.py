"""Run a scenario's replications on an executor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.engine import ReplicationResult, simulate
from sim.experiment.executors import Interrupted, LocalExecutor
from sim.model.scenario import Scenario

__all__ = ["RunResult", "replicate_task", "run"]


@dataclass(frozen=True)
class RunResult:
    """The replications of one scenario; ``partial`` when interrupted before all finished."""

    scenario: Scenario
    replications: list[ReplicationResult]
    partial: bool = False


def replicate_task(task: tuple[Any, ...]) -> ReplicationResult:
    """Run one task ``(line, horizon, warmup, seed, replication[, max_events[,
    max_memory]])`` (picklable for pools); the bounds are SimPy events [-] and peak
    memory [MB] of the run."""
    line, horizon, warmup, seed, replication = task[:5]
    max_events = task[5] if len(task) > 5 else None
    max_memory = task[6] if len(task) > 6 else None
    return simulate(
        line, horizon, warmup, seed, replication, max_events=max_events, max_memory=max_memory
    )


def run(
    scenario: Scenario,
    jobs: int | None = 1,
    executor: LocalExecutor | None = None,
    on_done: Callable[[int], None] | None = None,
    max_events: int | None = None,
    max_memory: float | None = None,
) -> RunResult:
    """Run every replication of ``scenario``; replication r uses streams (seed, r, ...).

    On Ctrl-C the finished replications come back with ``partial=True``. ``max_events``
    bounds each replication's SimPy events [-] and ``max_memory`` the process's peak
    memory [MB] (``None``: no bound); a replication that passes one raises
    :class:`sim.errors.RunError`.
    """
    executor = executor or LocalExecutor(jobs)
    tasks = [
        (
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
