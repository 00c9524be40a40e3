"""Compare scenarios with common random numbers (the runs: :mod:`sim.experiment.pairs`).

:func:`compare` is the whole comparison from Python (``sim.compare``): scenario files or
one comparison file in, ``comparison.json`` content out, with the lever attribution and
the uncertainty study on request. Scenarios whose lines count time in different units
run the same real window and have their per-time KPIs converted to the reference's unit.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Unpack

from sim.analysis.capacity import window_warnings
from sim.analysis.comparison import build_comparison
from sim.analysis.kpis import line_kpis
from sim.checks import precision_for
from sim.errors import ConfigError, LinesimError
from sim.experiment.executors import Executor, Interrupted, make_executor
from sim.experiment.pairs import (
    PER_TIME_KPIS,
    Comparison,
    Progress,
    align,
    run_pairs,
)
from sim.experiment.settings import RunSettings, RunSettingsKeywords
from sim.model import load_scenario
from sim.model.comparison_file import (
    ComparisonFile,
    UncertaintySpec,
    is_comparison_file,
    read_comparison_file,
)
from sim.model.loader import read_yaml
from sim.model.precision import PrecisionSpec
from sim.model.scenario import Scenario
from sim.model.units import SECONDS_PER, parse_duration

__all__ = [
    "ComparisonPlan",
    "ComparisonResult",
    "compare",
    "comparison_name",
    "plan_comparison",
    "scenario_names",
    "split_overrides",
]


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
    settings: RunSettings | None = None,
) -> ComparisonPlan:
    """Load the scenarios of a comparison: two or more scenario files, or one comparison
    file (``compare: [...]``). The ``settings`` given (replications, seed, window) win
    over the comparison file's."""
    given = settings or RunSettings()
    replications, seed = given.replications, given.seed
    horizon, warmup = given.horizon, given.warmup
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
    if precision is None and replications is not None:
        return None
    written = spec.precision if spec is not None else None
    return precision_for("compare", written, precision)  # type: ignore[no-any-return]  # checks is untyped


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
    settings: RunSettings | None = None,
    attribution: bool = False,
    uncertainty: int | bool | None = None,
    executor: Executor | None = None,
    out: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    **given: Unpack[RunSettingsKeywords],
) -> ComparisonResult:
    """Compare scenarios on common random numbers and check the claim, if any.

    ``files`` are two or more scenario files (the first the reference) or one comparison
    file. ``settings`` (:class:`~sim.experiment.settings.RunSettings`, or its fields as
    keywords, which win over it) set the replications, seed, window, precision and where
    the runs go: to ``executor`` when given, else to ``jobs`` local processes (default
    1) or the Dask scheduler at ``cluster``. ``attribution`` adds Shapley values of the
    levers; ``uncertainty`` samples that many input sets from the lines' ``uncertain:``
    ranges and the levers' ``effect:`` ranges and stores each finished set under
    ``out/uncertainty/`` (default ``results/<name>``), so a rerun only runs what is
    missing. On Ctrl-C the finished work is kept and the result is ``partial``.

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
    run = (settings or RunSettings()).updated(**given)
    if run.allow_long:  # the guard reads a context flag, not an argument
        from sim.experiment.guards import long_runs

        with long_runs(True):
            again = replace(run, allow_long=False)
            return compare(
                files,
                overrides,
                settings=again,
                attribution=attribution,
                uncertainty=uncertainty,
                executor=executor,
                out=out,
                progress=progress,
            )
    replications, precision, jobs = run.replications, run.precision, run.jobs
    plan = plan_comparison(files, overrides, run)
    spec = plan.spec
    rounds = _precision(spec, replications, precision)
    _check_work(plan, uncertainty, executor.workers if executor is not None else jobs, rounds)
    owned = executor is None
    runner = executor if executor is not None else make_executor(jobs, run.cluster)
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

    warnings = []
    for run, kpis in zip(result.runs, result.kpis, strict=True):
        scenario = run.scenario
        good = sum(k.get("good", 0.0) for k in kpis)
        for text in window_warnings(scenario.line, scenario.horizon, scenario.warmup, good):
            warnings.append(f"{scenario.name}: {text}")
    return list(dict.fromkeys(warnings))  # a scenario compared with itself: once
