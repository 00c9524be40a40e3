"""Run many scenarios at once: every (scenario, replication) is one task on one executor.

Sweeps and tuning studies evaluate many points; sending all their replications to the
executor together keeps every worker busy, and each point is handed back as soon as its
last replication finishes, so it can be stored before the others are done.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence

from sim.engine import ReplicationResult
from sim.errors import RunError
from sim.experiment.executors import Executor, Interrupted, LocalExecutor
from sim.experiment.guards import check_work, estimate_work
from sim.experiment.replicate import ReplicationTask, RunResult, replicate_task
from sim.model.scenario import Scenario

__all__ = ["replicate_or_error", "run_scenarios", "scenario_key"]


def scenario_key(scenario: Scenario) -> str:
    """Return a hash of everything that determines a scenario's results [hex, 16 chars]:
    the resolved line, horizon, warm-up, replications and seed."""
    content = {
        "line": scenario.line.model_dump(mode="json", by_alias=True),
        "horizon": scenario.horizon,
        "warmup": scenario.warmup,
        "replications": scenario.replications,
        "seed": scenario.seed,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def replicate_or_error(task: ReplicationTask) -> ReplicationResult | RunError:
    """Run one replication task; a :class:`RunError` (deadlock) is returned, not raised."""
    try:
        return replicate_task(task)
    except RunError as error:
        return error


def run_scenarios(
    scenarios: Sequence[Scenario],
    executor: Executor | None = None,
    on_scenario: Callable[[int, RunResult], None] | None = None,
    on_run: Callable[[], None] | None = None,
    failures: dict[int, str] | None = None,
) -> dict[int, RunResult]:
    """Run every replication of every scenario; return {scenario index: RunResult}.

    Replication r of each scenario uses streams (seed, r, ...), exactly as
    :func:`sim.experiment.run` does, so results equal running the scenarios one by one.
    ``on_scenario(index, result)`` is called when a scenario's last replication finishes,
    ``on_run()`` after every replication. With a ``failures`` dict, a scenario whose run
    fails (a deadlock) is left out and its message put there instead of stopping all.
    On Ctrl-C, raises :class:`Interrupted` whose ``finished`` holds the scenarios that
    completed.
    """
    runner: Executor = executor or LocalExecutor(1)
    check_work(
        estimate_work((s.line, s.warmup + s.horizon, s.replications) for s in scenarios),
        runner.workers,
    )
    owners: list[int] = []
    tasks: list[ReplicationTask] = []
    for index, scenario in enumerate(scenarios):
        for replication in range(scenario.replications):
            owners.append(index)
            tasks.append(
                ReplicationTask(
                    scenario.line, scenario.horizon, scenario.warmup, scenario.seed, replication
                )
            )
    missing = [scenario.replications for scenario in scenarios]
    parts: list[dict[int, ReplicationResult]] = [{} for _ in scenarios]
    done: dict[int, RunResult] = {}

    def collect(task: int, result: ReplicationResult | RunError) -> None:
        index = owners[task]
        missing[index] -= 1
        if isinstance(result, RunError):
            assert failures is not None
            failures.setdefault(index, str(result))
        else:
            parts[index][result.replication] = result
        if missing[index] == 0 and index not in (failures or {}):
            reps = [parts[index][r] for r in sorted(parts[index])]
            parts[index] = {}
            done[index] = RunResult(scenarios[index], reps)
            if on_scenario:
                on_scenario(index, done[index])

    def tick(_task: int) -> None:
        if on_run:
            on_run()

    try:
        function = replicate_task if failures is None else replicate_or_error
        runner.map(function, tasks, tick, collect)
    except Interrupted:
        raise Interrupted(dict(done)) from None
    return done
