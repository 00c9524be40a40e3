"""Compare scenarios with common random numbers: paired differences with t-intervals.

Every scenario runs the same replication indices from the same seed, so a station they
share draws the same process times, failures and scrap in both: the paired difference
of a KPI, replication by replication, has far less noise than two independent runs.

:func:`compare` is the whole comparison from Python (``sim.compare``): scenario files or
one comparison file in, ``comparison.json`` content out, with the lever attribution and
the uncertainty study on request. Scenarios whose lines count time in different units
run the same real window and have their per-time KPIs converted to the reference's unit.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from sim.engine import ReplicationResult
from sim.errors import ConfigError, LinesimError
from sim.experiment.executors import Executor, Interrupted, LocalExecutor, make_executor
from sim.experiment.replicate import ReplicationTask, RunResult, replicate_task
from sim.experiment.statistics import estimate
from sim.model.comparison_file import (
    ComparisonFile,
    UncertaintySpec,
    is_comparison_file,
    read_comparison_file,
)
from sim.model.line import Line
from sim.model.precision import PrecisionSpec
from sim.model.scenario import Scenario
from sim.model.units import SECONDS_PER, parse_duration

__all__ = [
    "PER_TIME_KPIS",
    "Comparison",
    "ComparisonPlan",
    "ComparisonResult",
    "KpiFunction",
    "Progress",
    "align",
    "compare",
    "comparison_name",
    "paired_difference",
    "plan_comparison",
    "run_pairs",
    "scenario_names",
    "split_overrides",
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


@dataclass(frozen=True)
class ComparisonPlan:
    """What to compare, resolved from the command line or the Python call."""

    name: str
    paths: list[str]
    """Scenario files, reference first."""
    scenarios: list[Scenario]
    """Loaded and aligned (same seed, replications, real window)."""
    spec: ComparisonFile | None
    """The comparison file, when one was given."""
    overrides: dict[str, Any] = field(default_factory=dict)
    """The overrides every scenario got (``--set PATH=VALUE``)."""
    scenario_overrides: list[dict[str, Any]] = field(default_factory=list)
    """Per scenario, all of its overrides: the common ones, then its own
    (``--set SCENARIO:PATH=VALUE``)."""

    def overrides_for(self, index: int) -> dict[str, Any]:
        """The overrides scenario ``index`` was loaded with."""
        if index < len(self.scenario_overrides):
            return self.scenario_overrides[index]
        return self.overrides


def _window(value: Any, unit: str, what: str) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration(value, unit)
    except ValueError as exc:
        raise ConfigError(f"{what}: {exc}") from None


def _files(
    files: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
) -> tuple[ComparisonFile | None, list[str], str]:
    """The comparison file (if one is given), the scenario files and the name."""
    from sim.model.loader import read_yaml

    given = [files] if isinstance(files, str | os.PathLike) else list(files)
    listed = [str(f) for f in given]
    if not listed:
        raise ConfigError("give two or more scenarios, or one comparison file")
    spec = None
    if len(listed) == 1 and is_comparison_file(read_yaml(listed[0])[0]):
        spec = read_comparison_file(listed[0])
    if spec is None and len(listed) < 2:
        raise ConfigError(
            f"{listed[0]}: give two or more scenarios, or a comparison file "
            "with compare: [reference.yaml, other.yaml]"
        )
    base = Path(listed[0]).parent
    paths = [str(base / p) for p in spec.compare] if spec else listed
    name = (spec.name or Path(listed[0]).stem) if spec else "-vs-".join(Path(p).stem for p in paths)
    return spec, paths, name


def scenario_names(paths: Sequence[str]) -> list[tuple[str, str]]:
    """(name, file stem) of each scenario file: the name its ``name:`` gives (else the
    stem), as :func:`sim.model.load_scenario` names it."""
    from sim.model.loader import read_yaml

    names = []
    for path in paths:
        stem = Path(path).stem
        try:
            data = read_yaml(path)[0]
        except (OSError, LinesimError):  # loading it says what is wrong, where
            data = None
        given = data.get("name") if isinstance(data, dict) else None
        names.append((given if isinstance(given, str) and given else stem, stem))
    return names


def split_overrides(
    overrides: dict[str, Any], paths: Sequence[str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Split ``overrides`` into the common ones (``PATH``) and each scenario's own
    (``SCENARIO:PATH``, the scenario by its name or file stem; every scenario so named);
    return the common ones and, per scenario, the common ones updated with its own.

    A ``SCENARIO`` that names no scenario of the comparison is a :class:`ConfigError`
    located at the override (``--set SCENARIO:PATH``), with the names there are.
    """
    import difflib

    common = {k: v for k, v in overrides.items() if ":" not in k}
    names = scenario_names(paths) if len(common) < len(overrides) else []
    each = [dict(common) for _ in paths]
    for key, value in overrides.items():
        if ":" not in key:
            continue
        aimed, _, path = (part.strip() for part in key.partition(":"))
        chosen = [i for i, (name, stem) in enumerate(names) if aimed in (name, stem)]
        if not path:
            raise ConfigError(
                "give the path after the scenario, e.g. --set smart:release.wip=8", path=key
            )
        if not chosen:
            known = sorted({n for pair in names for n in pair})
            close = difflib.get_close_matches(aimed, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            listed = ", ".join(
                name if name == stem else f"{name} ({stem}.yaml)" for name, stem in names
            )
            raise ConfigError(
                f"no scenario {aimed!r} in this comparison (its scenarios: {listed}){hint}",
                path=key,
            )
        for index in chosen:
            each[index][path] = value
    return common, each


def comparison_name(files: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> str:
    """The name of the comparison of ``files`` (its default folder ``results/<name>/``):
    a comparison file's ``name:`` or stem, else the scenario files' stems joined by
    ``-vs-``."""
    return _files(files)[2]


def plan_comparison(
    files: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    overrides: dict[str, Any] | None = None,
    *,
    replications: int | None = None,
    seed: int | None = None,
    horizon: float | str | None = None,
    warmup: float | str | None = None,
) -> ComparisonPlan:
    """Load the scenarios of a comparison: two or more scenario files, or one comparison
    file (``compare: [...]``). Arguments given here win over the comparison file's."""
    from sim.model import load_scenario

    spec, paths, name = _files(files)
    common, each = split_overrides(overrides or {}, paths)
    scenarios = [load_scenario(p, own) for p, own in zip(paths, each, strict=True)]
    unit = scenarios[0].line.time_unit
    window = _window(horizon, unit, "horizon") or _window(spec and spec.horizon, unit, "horizon")
    start = _window(warmup, unit, "warmup")
    if start is None:
        start = _window(spec and spec.warmup, unit, "warmup")
    if window is not None and window <= 0:
        raise ConfigError("horizon must be > 0")
    if replications is not None and replications < 1:
        raise ConfigError("--replications must be >= 1")
    aligned = align(
        scenarios,
        replications=replications or (spec.replications if spec else None),
        seed=seed if seed is not None else (spec.seed if spec else None),
        horizon=window,
        warmup=start,
    )
    return ComparisonPlan(name, paths, aligned, spec, common, each)


@dataclass
class ComparisonResult:
    """A finished (or interrupted) comparison."""

    plan: ComparisonPlan
    comparison: Comparison
    content: dict[str, Any]
    """What ``comparison.json`` holds."""
    uncertainty: dict[str, Any] | None = None
    """What ``uncertainty.json`` holds, with ``--uncertainty``."""
    partial: bool = False
    notes: list[str] = field(default_factory=list)
    """What was cut or skipped, for the console."""

    @property
    def name(self) -> str:
        """The comparison's name (its results folder)."""
        return self.plan.name


def _samples(plan: ComparisonPlan, uncertainty: int | bool) -> int:
    """Input sets of the study: ``True`` takes the file's ``uncertainty.samples``."""
    if uncertainty is not True:
        return int(uncertainty)
    spec = plan.spec.uncertainty if plan.spec else None
    return spec.samples if spec is not None else UncertaintySpec().samples


def _precision(
    spec: ComparisonFile | None, replications: int | None, precision: float | bool | None
) -> PrecisionSpec | None:
    """The precision-driven replications asked for: ``precision`` [%] (with the file's
    KPIs and counts, if it has a ``precision:`` block), else the file's block unless a
    fixed count is given or ``precision`` is ``False``."""
    written = spec.precision if spec is not None else None
    if precision is False or (precision is None and (replications is not None or not written)):
        return None
    if precision is None or precision is True:
        if written is None:
            raise ConfigError(
                "precision: give a half-width such as --precision 0.5 [%] (the comparison "
                "file has no precision: block)"
            )
        return written
    if isinstance(precision, bool) or not 0 < float(precision) <= 100:
        raise ConfigError(f"precision must be a half-width in (0, 100] [%], got {precision!r}")
    base = written.model_dump() if written is not None else {}
    return PrecisionSpec(**{**base, "half_width": float(precision)})


def _check_work(
    plan: ComparisonPlan,
    uncertainty: int | bool | None,
    jobs: int | None,
    rounds: PrecisionSpec | None = None,
) -> None:
    """Refuse a comparison whose runs (and input sets) would take hours unasked, before
    the first of them starts (:func:`sim.experiment.guards.check_work`); precision-driven
    replications count their first round."""
    from sim.experiment.guards import check_work, estimate_work

    runs = [
        (s.line, s.warmup + s.horizon, rounds.min_replications if rounds else s.replications)
        for s in plan.scenarios
    ]
    if uncertainty:
        from sim.experiment.uncertainty import study_window

        samples = _samples(plan, uncertainty)
        horizon, warmup, replications = study_window(plan)
        for s in plan.scenarios:  # the window is in the first scenario's time unit
            factor = SECONDS_PER[plan.scenarios[0].line.time_unit] / SECONDS_PER[s.line.time_unit]
            runs.append((s.line, (horizon + warmup) * factor, samples * replications))
    check_work(estimate_work(runs), max(1, jobs or 1))


def compare(
    files: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    overrides: dict[str, Any] | None = None,
    *,
    replications: int | None = None,
    seed: int | None = None,
    horizon: float | str | None = None,
    warmup: float | str | None = None,
    attribution: bool = False,
    uncertainty: int | bool | None = None,
    jobs: int | None = None,
    cluster: str | None = None,
    executor: Executor | None = None,
    out: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    precision: float | bool | None = None,
) -> ComparisonResult:
    """Compare scenarios on common random numbers and check the claim, if any.

    ``files`` are two or more scenario files (the first the reference) or one comparison
    file. ``attribution`` adds Shapley values of the levers; ``uncertainty`` samples that
    many input sets from the lines' ``uncertain:`` ranges and the levers' ``effect:``
    ranges and stores each finished set under ``out/uncertainty/`` (default
    ``results/<name>``), so a rerun only runs what is missing. Runs go to ``executor``,
    or to ``jobs`` local processes, or to the Dask scheduler at ``cluster``. On Ctrl-C the
    finished work is kept and the result is ``partial``.

    ``precision`` sets precision-driven replications (:mod:`sim.experiment.precision`):
    a 95 % CI half-width [%] to reach (the file's ``precision:`` block otherwise, with its
    KPIs and counts), or ``False`` for the fixed count; ``replications`` given means a
    fixed count too.

    Example::

        from sim.experiment.compare import compare
        result = compare(["scenarios/baseline.yaml", "scenarios/smart.yaml"],
                         horizon="20 d", warmup="10 d", replications=2, jobs=1)
        result.content["differences"]["throughput"]["smart"]["percent"]  # {"mean", "ci95"}
    """
    from sim.analysis.comparison import build_comparison
    from sim.analysis.kpis import line_kpis

    plan = plan_comparison(
        files, overrides, replications=replications, seed=seed, horizon=horizon, warmup=warmup
    )
    spec = plan.spec
    rounds = _precision(spec, replications, precision)
    _check_work(plan, uncertainty, executor.workers if executor is not None else jobs, rounds)
    owned = executor is None
    runner = executor if executor is not None else make_executor(jobs, cluster)
    notes: list[str] = []
    try:
        if owned:
            runner.__enter__()
        if progress and rounds is None:
            progress.start(
                f"{plan.name}: {len(plan.scenarios)} scenarios",
                sum(s.replications for s in plan.scenarios),
            )
        result = run_pairs(
            plan.scenarios,
            line_kpis,
            runner,
            lambda _i: progress.advance() if progress else None,
            rounds,
            progress,
            plan.name,
        )
        if result.precision is not None:
            plan = replace(plan, scenarios=[run.scenario for run in result.runs])
        partial = result.partial
        if not result.runs[0].replications:
            content: dict[str, Any] = {"scenarios": result.names, "partial": True}
            return ComparisonResult(plan, result, content, partial=True)
        shares, shares_settings = None, None
        target = _target(plan.scenarios)
        if attribution and not partial:
            if target is None or not plan.scenarios[target].levers:
                notes.append("no attribution: no compared scenario applies levers")
            else:
                from sim.experiment.attribution import attribute

                try:
                    shares, shares_settings = attribute(
                        plan.paths[target],
                        plan.scenarios[target],
                        spec.attribution if spec and spec.attribution else None,
                        plan.overrides_for(target),
                        runner,
                        line_kpis,
                        progress,
                    )
                except Interrupted:
                    partial = True
                    notes.append("attribution interrupted: left out")
        claim = spec.claim.model_dump() if spec and spec.claim else None
        content = build_comparison(result, shares, claim, shares_settings)
        content = {"name": plan.name, **content}
        if shares_settings is not None and target is not None and shares is not None:
            from sim.experiment.attribution import check_against_full

            check_against_full(content, plan.scenarios[target].name)
        units = {s.name: s.line.time_unit for s in plan.scenarios}
        if len(set(units.values())) > 1:
            content["units_converted"] = {
                "to": plan.scenarios[0].line.time_unit,
                "from": units,
                "kpis": sorted(PER_TIME_KPIS),
                "note": "every scenario ran the same real window; per-time KPIs are "
                f"per {plan.scenarios[0].line.time_unit}",
            }
        study = None
        if uncertainty and not partial:
            from sim.experiment.uncertainty import run_uncertainty
            from sim.out_folder import safe_folder_name  # a name is never a path

            folder = Path(out) if out is not None else Path("results") / safe_folder_name(plan.name)
            study = run_uncertainty(plan, _samples(plan, uncertainty), runner, folder, progress)
            partial = partial or bool(study.get("partial"))
        content["partial"] = partial
        content["warnings"] = _window_warnings(result)
        notes.extend(content["warnings"])
        return ComparisonResult(plan, result, content, study, partial, notes)
    finally:
        if owned:
            runner.close()


def _target(scenarios: Sequence[Scenario]) -> int | None:
    """The compared scenario the attribution and the uncertainty study look at: the
    first after the reference that applies levers, else the second."""
    found = next((i for i, s in enumerate(scenarios) if i > 0 and s.levers), None)
    return found if found is not None else (1 if len(scenarios) > 1 else None)


def _window_warnings(result: Comparison) -> list[str]:
    """Each scenario's window warnings (:func:`sim.analysis.capacity.window_warnings`),
    named by scenario."""
    from sim.analysis.capacity import window_warnings

    warnings = []
    for run, kpis in zip(result.runs, result.kpis, strict=True):
        scenario = run.scenario
        good = sum(k.get("good", 0.0) for k in kpis)
        for text in window_warnings(scenario.line, scenario.horizon, scenario.warmup, good):
            warnings.append(f"{scenario.name}: {text}")
    return list(dict.fromkeys(warnings))  # a scenario compared with itself: once
