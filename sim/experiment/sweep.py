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

import itertools
import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.atomic import write_json
from sim.errors import LinesimError
from sim.experiment.batch import run_scenarios, scenario_key
from sim.experiment.executors import Executor, Interrupted
from sim.experiment.replicate import RunResult
from sim.experiment.spec import RUN_KEYS, ExperimentFile, kpi_value
from sim.model.scenario import Scenario

__all__ = [
    "Summarize",
    "SweepResult",
    "SweepSpec",
    "parameter_values",
    "read_sweep",
    "run_sweep",
]

Summarize = Callable[[RunResult], dict[str, Any]]
"""Turns a point's replications into its summary (the analysis layer passes its own)."""

KEYS = (
    "scenario",
    "name",
    "description",
    "parameters",
    "design",
    "samples",
    "design_seed",
    "kpis",
    *RUN_KEYS,
)
MAX_POINTS = 100_000
"""Most points one sweep may have [-]."""


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


def _numbers(spec: ExperimentFile, value: Any, count: int, where: tuple[str, ...]) -> list[float]:
    if (
        not isinstance(value, list)
        or len(value) != count
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        spec.fail(f"give a list of {count} numbers (got {value!r})", where)
    return list(value)


def parameter_values(spec: ExperimentFile, path: str, value: Any, design: str) -> Any:
    """Return the values of one parameter: a list, or ``(lo, hi)`` for an lhs interval."""
    where: tuple[str, ...] = ("parameters", path)
    if isinstance(value, list):
        if not value:
            spec.fail("the list of values is empty", where)
        return value
    if not isinstance(value, dict) or len(value) != 1:
        spec.fail(
            "give a list of values, or one of {range: [start, stop, step]}, "
            "{linspace: [a, b, n]}, {interval: [lo, hi]}",
            where,
        )
    kind, args = next(iter(value.items()))
    where = (*where, str(kind))
    if kind == "range":
        start, stop, step = _numbers(spec, args, 3, where)
        if step <= 0:
            spec.fail(f"the step must be > 0 (got {step})", where)
        if start > stop:
            spec.fail(f"empty range: start {start} > stop {stop}", where)
        steps = math.floor((stop - start) / step + 1e-9) + 1
        whole = all(isinstance(v, int) for v in (start, stop, step))
        return [start + i * step if whole else round(start + i * step, 12) for i in range(steps)]
    if kind == "linspace":
        low, high, count = _numbers(spec, args, 3, where)
        if not float(count).is_integer() or count < 1:
            spec.fail(f"n must be a whole number >= 1 (got {count})", where)
        if count == 1 and low != high:
            spec.fail("n = 1 needs a == b; give n >= 2", where)
        values = [float(v) for v in np.linspace(low, high, int(count))]
        if isinstance(low, int) and isinstance(high, int) and all(v.is_integer() for v in values):
            return [int(v) for v in values]
        return values
    if kind == "interval":
        low, high = _numbers(spec, args, 2, where)
        if design != "lhs":
            spec.fail(
                "an interval needs design: lhs; a grid needs a list, range or linspace", where
            )
        if low > high:
            spec.fail(f"empty interval: lo {low} > hi {high}", where)
        return (low, high)
    spec.fail(f"unknown value kind {kind!r} (range, linspace, interval)", where)
    return None  # pragma: no cover


def _lhs(values: dict[str, Any], samples: int, seed: int) -> list[dict[str, Any]]:
    """Latin hypercube: each parameter's range cut into ``samples`` strata, one draw each,
    strata paired at random (numpy only, so the points do not change with scipy)."""
    rng = np.random.default_rng(seed)
    points: list[dict[str, Any]] = [{} for _ in range(samples)]
    for path, choice in values.items():
        strata = (rng.permutation(samples) + rng.random(samples)) / samples
        for point, u in zip(points, strata, strict=True):
            if isinstance(choice, tuple):
                low, high = choice
                if isinstance(low, int) and isinstance(high, int):
                    point[path] = min(high, low + int(u * (high - low + 1)))
                else:
                    point[path] = low + float(u) * (high - low)
            else:
                point[path] = choice[min(len(choice) - 1, int(u * len(choice)))]
    return points


def read_sweep(path: str | os.PathLike[str]) -> SweepSpec:
    """Read and check a sweep file; the points are not loaded yet."""
    spec = ExperimentFile.read(path, KEYS)
    design = spec.data.get("design", "grid")
    if design not in ("grid", "lhs"):
        spec.fail(f"design must be grid or lhs (got {design!r})", ("design",))
    raw = spec.mapping("parameters")
    values = {str(p): parameter_values(spec, str(p), v, design) for p, v in raw.items()}
    if design == "grid":
        if "samples" in spec.data:
            spec.fail("samples is for design: lhs", ("samples",))
        count = math.prod(len(v) for v in values.values())
        if count > MAX_POINTS:
            spec.fail(f"the grid has {count:,} points, over {MAX_POINTS:,}", ("parameters",))
        points = [
            dict(zip(values, combo, strict=True)) for combo in itertools.product(*values.values())
        ]
    else:
        samples = spec.data.get("samples")
        if (
            not isinstance(samples, int)
            or isinstance(samples, bool)
            or not (1 <= samples <= MAX_POINTS)
        ):
            spec.fail(f"design: lhs needs samples: N, 1 <= N <= {MAX_POINTS:,}", ("samples",))
        seed = spec.data.get("design_seed", 1)
        if not isinstance(seed, int) or seed < 0:
            spec.fail("design_seed must be a whole number >= 0", ("design_seed",))
        points = _lhs(values, int(samples), seed)  # type: ignore[arg-type]
    kpis = spec.data.get("kpis")
    if kpis is not None and (
        not isinstance(kpis, list) or not kpis or not all(isinstance(k, str) for k in kpis)
    ):
        spec.fail("kpis must be a list of KPI names, e.g. [throughput, flow_time]", ("kpis",))
    return SweepSpec(spec, spec.name(), list(values), points, str(design), kpis)


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
    folder = Path(folder)
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
