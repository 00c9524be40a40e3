"""Sweeps: a scenario run at many points of a parameter grid or a Latin hypercube.

A sweep file::

    scenario: penny_fab.yaml          # relative to this file
    parameters:                       # dotted paths as in --set
      release.wip: [1, 2, 4, 8, 16]   # a list, {range: [start, stop, step]} (stop
                                      # included), {linspace: [a, b, n]}, or for lhs
                                      # {interval: [lo, hi]} (whole numbers if
                                      # both bounds are)
    design: grid                      # grid (every combination) | lhs (samples: N,
    samples: 20                       #   design_seed: S; Latin hypercube)
    kpis: [throughput, flow_time]     # columns of sweep.csv (default: all line KPIs)
    replications: 10                  # optional: override the scenario's
    horizon: 4000                     #   replications, horizon, warmup and seed

Every point runs with the same seed (common random numbers). Finished points are kept
in ``points/<key>.json``, keyed by a hash of the point's resolved scenario, so a sweep
run again skips the points already done.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.atomic import write_json
from sim.errors import LinesimError
from sim.experiment.batch import run_scenarios, scenario_key
from sim.experiment.executors import Executor, Interrupted
from sim.experiment.replicate import RunResult
from sim.experiment.spec import ExperimentFile
from sim.model.scenario import Scenario
from sim.model.sweep_file import SweepFile
from sim.out_folder import writable_folder
from sim.summary_lookup import kpi_value

__all__ = [
    "Summarize",
    "SweepResult",
    "SweepSpec",
    "read_sweep",
    "run_sweep",
]

Summarize = Callable[[RunResult], dict[str, Any]]
"""Turns a point's replications into its summary (the analysis layer passes its own)."""


@dataclass
class SweepSpec:
    """A sweep file read and checked; ``points`` are the parameter values of each point."""

    file: ExperimentFile
    name: str
    parameters: list[str]
    points: list[dict[str, Any]]
    design: str
    kpis: list[str] | None


@dataclass
class SweepResult:
    """What a sweep produced: points, their summaries (None if not run), runs done."""

    spec: SweepSpec
    scenarios: list[Scenario]
    summaries: list[dict[str, Any] | None]
    kpis: list[str]
    ran_points: int
    ran_runs: int
    reused_points: int
    partial: bool
    failed: dict[int, str] = field(default_factory=dict)
    """Point index -> why its run failed (a deadlock); such points are not stored."""


def read_sweep(path: str | os.PathLike[str]) -> SweepSpec:
    """Read and check a sweep file (:class:`~sim.model.sweep_file.SweepFile`); the points
    are not loaded yet."""
    file, model = ExperimentFile.read(path, SweepFile)
    name = model.name or file.name()
    return SweepSpec(file, name, list(model.parameters), model.points(), model.design, model.kpis)


def _point_file(folder: Path, key: str) -> Path:
    return folder / "points" / f"{key}.json"


def _store(path: Path, data: dict[str, Any]) -> None:
    """Write a finished point's JSON atomically, NaN as null."""
    write_json(path, data)


def _load(path: Path) -> dict[str, Any] | None:
    """Return a stored point's summary, or None if it is missing or unreadable."""
    try:
        return dict(json.loads(path.read_text(encoding="utf-8"))["summary"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def run_sweep(
    spec: SweepSpec,
    folder: str | os.PathLike[str],
    summarize: Summarize,
    executor: Executor | None = None,
    *,
    on_start: Callable[[int], None] | None = None,
    on_run: Callable[[], None] | None = None,
) -> SweepResult:
    """Run the points of ``spec`` not yet stored in ``folder/points/``.

    ``summarize`` turns a point's replications into its summary (``build_summary``).
    ``on_start(runs)`` is called with the number of runs to do, ``on_run()`` after each.
    On Ctrl-C the finished points are kept (``partial``).
    """
    folder = writable_folder(folder)
    scenarios = [spec.file.load(point, "parameters") for point in spec.points]
    keys = [scenario_key(scenario) for scenario in scenarios]
    summaries: list[dict[str, Any] | None] = [None] * len(scenarios)
    todo: list[int] = []
    queued: set[str] = set()
    for index, key in enumerate(keys):
        summaries[index] = _load(_point_file(folder, key))
        if summaries[index] is None and key not in queued:
            todo.append(index)
            queued.add(key)
    reused = sum(summary is not None for summary in summaries)
    checked = [False]

    def check(summary: dict[str, Any]) -> None:
        """Unknown KPI names fail at the first finished point, not after the last."""
        for name in spec.kpis or []:
            try:
                kpi_value(summary, name)
            except LinesimError as exc:
                raise spec.file.error(str(exc), ("kpis",)) from None
        checked[0] = True

    first = next((summary for summary in summaries if summary is not None), None)
    if first is not None:
        check(first)
    if on_start:
        on_start(sum(scenarios[i].replications for i in todo))
    counted = [0]

    def store(position: int, result: RunResult) -> None:
        index = todo[position]
        summaries[index] = summary = summarize(result)
        if not checked[0]:
            check(summary)
        _store(
            _point_file(folder, keys[index]),
            {"key": keys[index], "point": spec.points[index], "summary": summary},
        )

    def tick() -> None:
        counted[0] += 1
        if on_run:
            on_run()

    partial = False
    failures: dict[int, str] = {}
    try:
        run_scenarios([scenarios[i] for i in todo], executor, store, tick, failures)
    except Interrupted:
        partial = True
    for index, key in enumerate(keys):  # repeated points share one stored result
        if summaries[index] is None:
            summaries[index] = _load(_point_file(folder, key))
    kpis = spec.kpis or _default_kpis(summaries)
    return SweepResult(
        spec,
        scenarios,
        summaries,
        kpis,
        ran_points=sum(summaries[i] is not None for i in todo),
        ran_runs=counted[0],
        reused_points=reused,
        partial=partial,
        failed={todo[position]: message for position, message in failures.items()},
    )


def _default_kpis(summaries: list[dict[str, Any] | None]) -> list[str]:
    for summary in summaries:
        if summary is not None:
            return list(summary.get("kpis", {}))
    return []
