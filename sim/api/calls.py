"""The Python API: what each ``linesim`` command does, as a function a notebook can call.

Every function checks its own arguments (a :class:`sim.errors.ConfigError` naming the
function and the argument), runs in this process by default (``jobs=1``) and returns the
results; with ``out=`` it also writes the results folder the command would write.

Worker processes (``jobs=2`` or more) start with ``spawn`` or a fork server, which import
the calling script again: a script must call these functions under
``if __name__ == "__main__":`` (notebooks and the interactive prompt need nothing).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sim.api.checks import (
    check_folder,
    check_jobs,
    check_overrides,
    check_path,
    check_positive,
    check_whole,
)
from sim.api.results import CompareOutcome, SweepOutcome, TuneOutcome
from sim.api.running import run
from sim.api.setup import executor_for, settings_for
from sim.errors import ConfigError
from sim.out_folder import writable_folder

__all__ = ["compare", "plot", "run", "sweep", "tune"]


def compare(
    *files: str | os.PathLike[str],
    overrides: Mapping[str, Any] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    horizon: float | str | None = None,
    warmup: float | str | None = None,
    attribution: bool = False,
    uncertainty: int | None = None,
    jobs: int | None = 1,
    cluster: str | None = None,
    out: str | os.PathLike[str] | None = None,
    plots: bool = False,
) -> CompareOutcome:
    """Compare scenarios on common random numbers, as ``linesim compare`` does.

    ``files`` are two or more scenario files (the reference first) or one comparison file
    (with its claim, attribution and uncertainty settings). Every scenario gets the first
    one's seed, replications and window (or the ones given), so stations they share draw
    the same numbers; ``differences`` are paired changes against the first scenario with
    95 % t-intervals, and a claim gets its three-way verdict. ``attribution`` adds the
    levers' Shapley values, ``uncertainty`` that many sampled input sets. ``out`` writes
    the comparison folder (comparison.json, report.html with ``plots``, each scenario's
    folder).

    >>> outcome = sim.compare("scenarios/penny_fab.yaml", "scenarios/penny_fab.yaml",
    ...                       replications=2, horizon=300)
    >>> outcome.content["differences"]["throughput"]["penny_fab"]["mean"]
    0.0
    """
    from sim.experiment.compare import compare as compare_files

    if not files:
        raise ConfigError(
            "give one comparison file, or two or more scenario files (the reference first)",
            file="sim.compare()",
            path="files",
        )
    paths = [check_path("compare", "files", f, "a scenario or comparison YAML") for f in files]
    settings = settings_for("compare", replications, seed, horizon, warmup)
    jobs = check_jobs("compare", jobs)
    folder = check_folder("compare", "out", out)
    changes = check_overrides("compare", overrides)
    if uncertainty is not None and (
        isinstance(uncertainty, bool)
        or not isinstance(uncertainty, int)
        or not 2 <= uncertainty <= 100_000
    ):
        raise ConfigError(
            f"must be a whole number of input sets from 2 to 100,000, got {uncertainty!r}",
            file="sim.compare()",
            path="uncertainty",
        )
    files_given = paths if len(paths) > 1 else paths[0]
    with contextlib.ExitStack() as stack:
        publish = None
        if folder is not None:  # checked and locked before simulating
            from sim.experiment.compare import comparison_name
            from sim.report.run_folder import ResultsFolder

            publish = stack.enter_context(ResultsFolder(comparison_name(files_given), folder))
            publish.prepare()
        with executor_for("compare", jobs, cluster) as executor:
            result = compare_files(
                files_given,
                changes,
                attribution=bool(attribution),
                uncertainty=uncertainty,
                executor=executor,
                out=folder,
                **settings,
            )
        if publish is not None and result.comparison.runs[0].replications:
            from sim.report.comparison_files import publish_comparison

            publish_comparison(result, publish, plots=plots)
    return CompareOutcome(result.comparison, result.content, folder, result)


def sweep(
    file: str | os.PathLike[str],
    *,
    replications: int | None = None,
    seed: int | None = None,
    horizon: float | str | None = None,
    warmup: float | str | None = None,
    jobs: int | None = 1,
    cluster: str | None = None,
    out: str | os.PathLike[str] | None = None,
    plots: bool = False,
) -> SweepOutcome:
    """Run every point of a sweep file, as ``linesim sweep FILE`` does.

    Points run on common random numbers; finished points are kept in ``out/points/``
    (default ``results/<name>/``) and skipped when the sweep runs again; sweep.csv and
    sweep.json are written there. ``cluster`` is a Dask scheduler address.

    >>> outcome = sim.sweep("scenarios/sweep_conwip_penny_fab.yaml", replications=2,
    ...                     horizon=200, warmup=20, out=tmp_path / "sweep")
    >>> outcome.to_frame()["release.wip"].tolist()[:4]
    [1, 2, 3, 4]
    """
    from sim.analysis.summary import build_summary
    from sim.experiment.sweep import read_sweep, run_sweep
    from sim.report.sweep_files import write_sweep

    settings = settings_for("sweep", replications, seed, horizon, warmup)
    jobs = check_jobs("sweep", jobs)
    folder = check_folder("sweep", "out", out)
    spec = read_sweep(check_path("sweep", "file", file, "a sweep YAML"))
    for key, value in settings.items():
        if value is not None:
            spec.file.run[key] = value
    from sim.report.run_folder import safe_folder_name

    folder = folder or Path("results") / safe_folder_name(spec.name)
    with executor_for("sweep", jobs, cluster) as executor:
        result = run_sweep(spec, folder, build_summary, executor)
    write_sweep(result, folder, plots=plots)
    return SweepOutcome(result, folder)


def tune(
    file: str | os.PathLike[str],
    *,
    trials: int | None = None,
    timeout: float | None = None,
    batch: int | None = None,
    storage: str | None = None,
    jobs: int | None = 1,
    cluster: str | None = None,
    out: str | os.PathLike[str] | None = None,
    plots: bool = False,
    pick: int | None = None,
    on_start: Callable[[str, int], None] | None = None,
    on_trial: Callable[[Any], None] | None = None,
) -> TuneOutcome:
    """Run an Optuna study of a tune file, as ``linesim tune FILE`` does.

    The study lives in ``storage`` (default ``sqlite:///<out>/study.db``, ``out`` default
    ``results/<name>/``), so a second call resumes it; ``trials`` is the number the study
    should hold, ``timeout`` [s] bounds this call, ``batch`` trials run together.
    trials.csv, tune.json and best.yaml (of the best trial, or of trial ``pick``) are
    written to ``out``; ``feasible`` in the result says whether the best design meets the
    constraints. ``on_start(name, trials to run)`` and ``on_trial(trial)`` report progress.
    Optuna logs each trial at its INFO level; ``optuna.logging.set_verbosity`` quiets it.

    >>> outcome = sim.tune("scenarios/tune_penny_fab_wip.yaml", trials=3,
    ...                    out=tmp_path / "tune")
    >>> len(outcome.to_frame())
    3
    """
    from sim.analysis.summary import build_summary
    from sim.experiment.tune import best_trials, counted, open_study, run_tune
    from sim.experiment.tune_spec import read_tune

    trials = check_whole("tune", "trials", trials, 0, 1_000_000)
    batch = check_whole("tune", "batch", batch, 1, 100_000)
    limit = check_positive("tune", "timeout", timeout)
    pick = check_whole("tune", "pick", pick, 0, 2**31)
    jobs = check_jobs("tune", jobs)
    folder = check_folder("tune", "out", out)
    if storage is not None and (not isinstance(storage, str) or not storage):
        raise ConfigError(
            "must be a database URL such as sqlite:///study.db", "sim.tune()", "storage"
        )
    spec = read_tune(check_path("tune", "file", file, "a tune YAML"))
    from sim.report.run_folder import safe_folder_name

    folder = writable_folder(folder or Path("results") / safe_folder_name(spec.name))
    url = storage or spec.storage or f"sqlite:///{(folder / 'study.db').resolve()}"
    if on_start is not None:
        target = spec.trials if trials is None else trials
        on_start(spec.name, max(0, target - counted(open_study(spec, url))))
    with executor_for("tune", jobs, cluster) as executor:
        result = run_tune(
            spec,
            url,
            build_summary,
            executor,
            trials=trials,
            timeout=limit,
            batch=batch,
            on_trial=on_trial,
        )
    from sim.report.tune_files import write_tune

    files = write_tune(result, folder, pick=pick, plots=plots)
    best, feasible = best_trials(result.study, spec)
    return TuneOutcome(result, best, feasible, folder, files)


def plot(folder: str | os.PathLike[str]) -> list[Path]:
    """Redraw the plots and report.html of a results folder, as ``linesim plot`` does;
    return the files written (for a comparison folder: every scenario's report and the
    comparison plots).

    >>> done = sim.run("scenarios/penny_fab.yaml", replications=1, horizon=100,
    ...                out=tmp_path / "penny")
    >>> [path.name for path in sim.plot(done.folder)]
    ['report.html']
    """
    from sim.report.redraw import redraw

    return redraw(check_path("plot", "folder", folder, "a results folder"))
