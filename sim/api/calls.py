"""The Python API: what each ``linesim`` command does, as a function a notebook can call.

Every function checks its own arguments (a :class:`sim.errors.ConfigError` naming the
function and the argument), runs in this process by default (``jobs=1``) and returns the
results; with ``out=`` it also writes the results folder the command would write.

Worker processes (``jobs=2`` or more) start with ``spawn`` or a fork server, which import
the calling script again: a script must call these functions under
``if __name__ == "__main__":`` (notebooks and the interactive prompt need nothing).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.api.comparing import compare
from sim.api.results import SweepOutcome, TuneOutcome
from sim.api.running import run
from sim.api.setup import executor_for, settings_for
from sim.checks import (
    check_folder,
    check_jobs,
    check_path,
    check_positive,
    check_whole,
)
from sim.errors import ConfigError
from sim.figures import plural
from sim.out_folder import writable_folder

__all__ = ["compare", "plot", "run", "sweep", "tune"]


def sweep(
    file: str | os.PathLike[str],
    *,
    replications: int | None = None,
    seed: int | None = None,
    horizon: float | str | None = None,
    warmup: float | str | None = None,
    jobs: int | None = 1,
    cluster: str | None = None,
    allow_long: bool = False,
    out: str | os.PathLike[str] | None = None,
    plots: bool = False,
    on_start: Callable[[str, int], None] | None = None,
    on_run: Callable[[], None] | None = None,
) -> SweepOutcome:
    """Run every point of a sweep file, as ``linesim sweep FILE`` does.

    Work estimated above two hours of CPU is refused before it starts unless
    ``allow_long`` (the command line's ``--allow-long``).

    Points run on common random numbers; finished points are kept in ``out/points/``
    (default ``results/<name>/``) and skipped when the sweep runs again; sweep.csv and
    sweep.json are written there. ``cluster`` is a Dask scheduler address.
    ``on_start(name, runs to do)`` and ``on_run()`` report progress.

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
    from sim.out_folder import safe_folder_name
    from sim.report.status import mark_finished, mark_started

    folder = writable_folder(folder or Path("results") / safe_folder_name(spec.name))
    resume = f"linesim sweep {Path(file)} --out {folder}"
    mark_started(folder, "sweep", resume)
    with executor_for("sweep", jobs, cluster, allow_long) as executor:
        result = run_sweep(
            spec,
            folder,
            build_summary,
            executor,
            on_start=None if on_start is None else lambda runs: on_start(spec.name, runs),
            on_run=on_run,
        )
    files = write_sweep(result, folder, plots=plots)
    done = sum(summary is not None for summary in result.summaries)
    missing = f"{len(result.summaries) - done} of {plural(len(result.summaries), 'point')}"
    mark_finished(folder, "sweep", resume, missing if result.partial else None)
    return SweepOutcome(result, folder, files)


def tune(
    file: str | os.PathLike[str],
    *,
    trials: int | None = None,
    timeout: float | None = None,
    batch: int | None = None,
    storage: str | None = None,
    jobs: int | None = 1,
    cluster: str | None = None,
    allow_long: bool = False,
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
    A batch of trials estimated above two hours of CPU is refused unless ``allow_long``.

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
    from sim.out_folder import safe_folder_name

    folder = writable_folder(folder or Path("results") / safe_folder_name(spec.name))
    url = storage or spec.storage or f"sqlite:///{(folder / 'study.db').resolve()}"
    from sim.report.status import mark_finished, mark_started

    resume = f"linesim tune {Path(file)} --out {folder}"
    mark_started(folder, "tune", resume)
    if on_start is not None:
        target = spec.trials if trials is None else trials
        on_start(spec.name, max(0, target - counted(open_study(spec, url))))
    with executor_for("tune", jobs, cluster, allow_long) as executor:
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
    target = spec.trials if trials is None else trials
    held = counted(result.study)
    short = f"{max(0, target - held)} of {plural(target, 'trial')}" + (
        " (stopped by the timeout)" if result.stopped_by_timeout else ""
    )
    mark_finished(folder, "tune", resume, short if result.interrupted or held < target else None)
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
