"""Compare scenarios with common random numbers (the runs: :mod:`sim.experiment.pairs`;
what is compared: :mod:`sim.experiment.comparison_plan`).

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
from sim.experiment.comparison_plan import (
    ComparisonPlan,
    comparison_name,
    plan_comparison,
    scenario_names,
    split_overrides,
)
from sim.experiment.executors import Executor, Interrupted, make_executor
from sim.experiment.pairs import (
    PER_TIME_KPIS,
    Comparison,
    Progress,
    run_pairs,
)
from sim.experiment.settings import RunSettings, RunSettingsKeywords
from sim.model.comparison_file import (
    ComparisonFile,
    UncertaintySpec,
)
from sim.model.precision import PrecisionSpec
from sim.model.scenario import Scenario
from sim.model.units import SECONDS_PER

__all__ = [
    "ComparisonPlan",
    "ComparisonResult",
    "compare",
    "comparison_name",
    "plan_comparison",
    "scenario_names",
    "split_overrides",
]


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
