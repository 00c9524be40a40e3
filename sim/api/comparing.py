"""``sim.compare``: the one pipeline of a comparison, shared by ``linesim compare`` and
Python.

Check the arguments, lock and test the results folder before simulating, run the
scenarios on common random numbers (with the claim's verdict, attribution and the
uncertainty study), publish the folder as one unit under the signal shield, then
(optionally) draw. ``linesim compare`` parses its arguments, calls :func:`compare` and
prints, so a comparison from a notebook and from the command line write the same folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Unpack

from sim.api.results import CompareOutcome
from sim.api.setup import executor_for, folder_argument, settings_for
from sim.checks import check_jobs, check_overrides, check_path, check_positive
from sim.errors import ConfigError, LinesimError
from sim.experiment.settings import RunSettings, RunSettingsKeywords

__all__ = ["ComparisonNotWritten", "RunSettings", "compare"]


class ComparisonNotWritten(LinesimError):
    """A finished comparison whose folder could not be written (a full disk, say);
    ``outcome`` holds it, so a caller can still show its tables."""

    def __init__(self, message: str, outcome: CompareOutcome) -> None:
        super().__init__(message)
        self.outcome = outcome


def compare(
    *files: str | os.PathLike[str],
    settings: RunSettings | None = None,
    overrides: Mapping[str, Any] | None = None,
    attribution: bool = False,
    uncertainty: int | bool | None = None,
    out: str | os.PathLike[str] | bool | None = None,
    plots: bool = False,
    progress: Any = None,
    **given: Unpack[RunSettingsKeywords],
) -> CompareOutcome:
    """Compare scenarios on common random numbers, as ``linesim compare`` does.

    ``files`` are two or more scenario files (the reference first) or one comparison
    file (with its claim, attribution and uncertainty settings). ``settings``
    (:class:`sim.RunSettings`) are how the runs go: ``replications``, ``seed``,
    ``horizon``, ``warmup``, ``precision``, ``jobs`` (default 1), ``cluster`` and
    ``allow_long``; each may also be given as a keyword (``replications=4``), which wins
    over ``settings``. Every scenario gets the first one's seed, replications and window
    (or the ones given), so stations they share draw the same numbers. Work estimated
    above two hours of CPU is refused before it starts unless ``allow_long`` (the
    command line's ``--allow-long``).

    ``overrides`` maps dotted paths to values for every
    scenario (``{"release.wip": 8}``) and ``"SCENARIO:path"`` to a value for one, the
    scenario by its name or file stem (``{"smart:release.wip": 10}``; its own value wins
    over a common one); a name that is no scenario of the comparison is a
    ``ConfigError``. ``differences`` are paired changes against the first scenario with
    95 % t-intervals, and a claim gets its three-way verdict. ``attribution`` adds the
    levers' Shapley values, ``uncertainty`` that many sampled input sets (``True``: the
    comparison file's ``uncertainty.samples``, default 128). ``out`` is the comparison
    folder (``True``: ``results/<name>/`` as ``linesim compare`` writes; the comparison
    it replaces is kept as ``<out>.previous``), checked and locked before simulating and
    published whole (comparison.json, each scenario's folder; report.html and the plots
    with ``plots``). ``progress`` has ``start(description, total)`` and ``advance()``.
    On Ctrl-C the finished paired replications are published and the outcome is
    ``partial``. ``precision`` [%] runs
    replications in rounds until every headline KPI's 95 % CI half-width is within it (of
    each mean, and in percentage points of each paired change); without it a comparison
    file's ``precision:`` block does, unless ``replications`` is given; ``False`` keeps the
    fixed count. ``content["precision"]`` then says how many were needed and what they
    reached.

    >>> outcome = sim.compare("scenarios/penny_fab.yaml", "scenarios/penny_fab.yaml",
    ...                       replications=2, horizon=300)
    >>> outcome.content["differences"]["throughput"]["penny_fab"]["mean"]
    0.0
    >>> quick = sim.RunSettings(replications=2, horizon=300)
    >>> again = sim.compare("scenarios/penny_fab.yaml", "scenarios/penny_fab.yaml",
    ...                     settings=quick)
    >>> again.content["differences"] == outcome.content["differences"]
    True
    """
    from sim.experiment.compare import compare as compare_files
    from sim.experiment.compare import comparison_name
    from sim.interrupts import ignore_further, shielded
    from sim.out_folder import safe_folder_name
    from sim.report.comparison_files import publish_comparison
    from sim.report.run_folder import ResultsFolder

    if not files:
        raise ConfigError(
            "give one comparison file, or two or more scenario files (the reference first)",
            file="sim.compare()",
            path="files",
        )
    paths = [check_path("compare", "files", f, "a scenario or comparison YAML") for f in files]
    run = _settings(settings, given)
    target = folder_argument("compare", out, "results/<name>/")
    changes = check_overrides("compare", overrides)
    _check_uncertainty(uncertainty)
    files_given = paths if len(paths) > 1 else paths[0]
    if target is None and out is True:
        target = Path("results") / safe_folder_name(comparison_name(files_given))
    folder = ResultsFolder(comparison_name(files_given), target) if target else None
    try:
        if folder is not None:  # a bad folder or a second writer never costs a comparison
            folder.prepare()
        with executor_for("compare", run.jobs, run.cluster, run.allow_long) as executor:
            result = compare_files(
                files_given,
                changes,
                settings=run,
                attribution=bool(attribution),
                uncertainty=uncertainty,
                executor=executor,
                out=target,
                progress=progress,
            )
        outcome = CompareOutcome(result.comparison, result.content, None, result)
        if folder is None or not result.comparison.runs[0].replications:
            return outcome
        if result.partial:
            ignore_further()  # a second Ctrl-C must not cut the writing short
        try:
            with shielded():  # the data, published whole; the plots are drawn after
                written = publish_comparison(result, folder, plots=False)
        except OSError as error:
            raise ComparisonNotWritten(
                f"the comparison could not be written to {folder.target}: "
                f"{error.strerror or error}; nothing was kept there",
                outcome,
            ) from None
    finally:
        if folder is not None:
            folder.close()
    done = CompareOutcome(
        result.comparison, result.content, folder.target, result, written, folder.previous
    )
    if plots:
        from sim.report.redraw import draw_comparison

        draw_comparison(folder.target, result.content, result.uncertainty)
    return done


def _settings(settings: Any, given: RunSettingsKeywords) -> RunSettings:
    """The run settings asked for (``settings`` with the keywords ``given`` on top),
    each checked as the command line checks its option."""
    if settings is not None and not isinstance(settings, RunSettings):
        raise ConfigError(
            f"must be a sim.RunSettings, got {type(settings).__name__}",
            file="sim.compare()",
            path="settings",
        )
    run = (settings or RunSettings()).updated(**given)
    precision = run.precision
    if precision is not None and not isinstance(precision, bool):
        precision = check_positive("compare", "precision", precision)
    checked = settings_for("compare", run.replications, run.seed, run.horizon, run.warmup)
    return replace(run, **checked, jobs=check_jobs("compare", run.jobs), precision=precision)


def _check_uncertainty(uncertainty: Any) -> None:
    if (
        uncertainty is not None
        and uncertainty is not True
        and uncertainty is not False
        and (not isinstance(uncertainty, int) or not 2 <= uncertainty <= 100_000)
    ):
        raise ConfigError(
            "must be True (the comparison file's uncertainty.samples) or a whole number of "
            f"input sets from 2 to 100,000, got {uncertainty!r}",
            file="sim.compare()",
            path="uncertainty",
        )
