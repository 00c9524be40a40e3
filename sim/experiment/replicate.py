"""Run a scenario's replications on an executor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sim.engine import ReplicationResult, simulate
from sim.experiment.executors import Interrupted, LocalExecutor
from sim.model.line import Line
from sim.model.scenario import Scenario

__all__ = ["RunResult", "run"]


@dataclass(frozen=True)
class RunResult:
    """The replications of one scenario; ``partial`` when interrupted before all finished."""

    scenario: Scenario
    replications: list[ReplicationResult]
    partial: bool = False


def _replicate(task: tuple[Line, float, float, int, int]) -> ReplicationResult:
    line, horizon, warmup, seed, replication = task
    return simulate(line, horizon, warmup, seed, replication)


def run(scenario: Scenario, jobs: int | None = 1, executor: LocalExecutor | None = None,
        on_done: Callable[[int], None] | None = None) -> RunResult:
    """Run every replication of ``scenario``; replication r uses streams (seed, r, ...).

    On Ctrl-C the finished replications come back with ``partial=True``.
    """
    executor = executor or LocalExecutor(jobs)
    tasks = [
        (scenario.line, scenario.horizon, scenario.warmup, scenario.seed, replication)
        for replication in range(scenario.replications)
    ]
    try:
        results = executor.map(_replicate, tasks, on_done)
    except Interrupted as stop:
        done = [stop.finished[index] for index in sorted(stop.finished)]
        return RunResult(scenario, done, partial=True)
    return RunResult(scenario, results)
