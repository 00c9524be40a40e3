"""What every ``sim`` function does before it simulates: read its run-length settings,
load its scenario (a file or a loaded :class:`Scenario`), refuse a line file given as a
scenario, and open the executor its ``jobs`` or ``cluster`` name.

Errors name the function and argument (``sim.run(): horizon ...``), so a notebook user
sees the same located message the command line gives for its options.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from sim.checks import (
    MAX_REPLICATIONS,
    MAX_SEED,
    check_duration,
    check_finite_time,
    check_path,
    check_whole,
)
from sim.errors import ConfigError, ConfigErrors, LinesimError, RunError
from sim.experiment.executors import Executor, default_jobs, make_executor
from sim.model.scenario import Scenario

__all__ = [
    "GUARD",
    "default_jobs",
    "executor_for",
    "folder_argument",
    "line_file_hint",
    "scenario_for",
    "settings_for",
    "with_times",
]

GUARD = (
    "worker processes import the calling script again (spawn or fork server, the default on "
    'Windows and macOS): call linesim under if __name__ == "__main__": in a script, '
    "or pass jobs=1"
)
"""What to do when worker processes cannot start."""


@contextmanager
def executor_for(
    function: str, jobs: int | None, cluster: str | None = None, allow_long: Any = False
) -> Iterator[Executor]:
    """An executor of ``jobs`` processes (or a Dask cluster), refusing to start workers
    from a process that is itself still starting (an unguarded script run again by a
    worker) and turning a pool broken that way into a clear error. Inside it, work
    estimated above two hours of CPU is refused unless ``allow_long``
    (:func:`sim.experiment.guards.long_runs`)."""
    from sim.experiment.guards import long_runs

    if not isinstance(allow_long, bool):
        raise ConfigError(
            f"must be True or False, got {allow_long!r}",
            file=f"sim.{function}()",
            path="allow_long",
        )
    if cluster is not None and (not isinstance(cluster, str) or not cluster):
        raise ConfigError(
            "must be a Dask scheduler address such as tcp://host:8786",
            file=f"sim.{function}()",
            path="cluster",
        )
    starting = getattr(multiprocessing.current_process(), "_inheriting", False)
    if starting and cluster is None and (jobs is None or jobs > 1):
        raise RunError(f"sim.{function}(): not starting workers from a worker: {GUARD}")
    try:
        with long_runs(allow_long), make_executor(jobs, cluster) as executor:
            yield executor
    except BrokenProcessPool as exc:
        raise RunError(f"sim.{function}(): a worker process stopped ({exc}); {GUARD}") from None


def settings_for(
    function: str,
    replications: Any,
    seed: Any,
    horizon: Any,
    warmup: Any,
) -> dict[str, Any]:
    return {
        "replications": check_whole(function, "replications", replications, 1, MAX_REPLICATIONS),
        "seed": check_whole(function, "seed", seed, 0, MAX_SEED),
        "horizon": check_duration(function, "horizon", horizon, zero=False),
        "warmup": check_duration(function, "warmup", warmup, zero=True),
    }


def scenario_for(
    function: str, scenario: Any, overrides: dict[str, Any], settings: dict[str, Any]
) -> Scenario:
    """Load a scenario file (or take a loaded :class:`Scenario`) with the settings given."""
    if isinstance(scenario, Scenario):
        if overrides:
            raise ConfigError(
                "overrides need the scenario's file: pass its path, or load it with "
                "sim.load_scenario(path, overrides)",
                file=f"sim.{function}()",
                path="overrides",
            )
        loaded = with_times(function, scenario, settings)
    else:
        from sim.model.loader import load_scenario

        path = check_path(function, "scenario", scenario, "a scenario YAML or a sim.Scenario")
        line_file_hint(path, f"sim.{function}()")
        try:
            loaded = load_scenario(path, overrides, **settings)
        except ConfigErrors as errors:
            raise _as_arguments(function, errors) from None
    for argument in ("horizon", "warmup"):
        check_finite_time(function, argument, getattr(loaded, argument), loaded.line.time_unit)
    return loaded


def _as_arguments(function: str, errors: ConfigErrors) -> ConfigErrors | ConfigError:
    """Errors the loader found in the settings it was given (``--horizon`` and the like on
    the command line) re-labelled as this function's arguments; the rest as they came."""
    relabelled = [
        ConfigError(error.message, file=f"sim.{function}()", path=error.path.lstrip("-"))
        if error.file is None and error.path.lstrip("-") in _SETTINGS
        else error
        for error in errors.errors
    ]
    return relabelled[0] if len(relabelled) == 1 else ConfigErrors(relabelled)


_SETTINGS = ("horizon", "warmup", "replications", "seed")
"""The scenario settings a Python call passes as keyword arguments."""


def with_times(function: str, scenario: Scenario, settings: dict[str, Any]) -> Scenario:
    from sim.model.units import parse_duration

    changes = {k: v for k, v in settings.items() if v is not None}
    for key in ("horizon", "warmup"):
        if key in changes:
            try:
                changes[key] = parse_duration(changes[key], scenario.line.time_unit)
            except ValueError as exc:
                raise ConfigError(str(exc), file=f"sim.{function}()", path=key) from None
    return replace(scenario, **changes)


def line_file_hint(path: str | os.PathLike[str], command: str = "linesim run") -> None:
    """Refuse a line file given where a scenario belongs, showing a scenario to save."""
    from sim.model.loader import read_yaml

    try:
        raw, _ = read_yaml(path)
    except LinesimError:
        return  # load_scenario reports it, located
    if not isinstance(raw, dict) or "line" in raw or "stations" not in raw:
        return
    here = Path(path)
    suggestion = Path("scenarios") / f"{here.stem}.yaml"
    line_ref = os.path.relpath(here.resolve(), suggestion.parent.resolve())
    unit = raw.get("time_unit", "h")
    raise LinesimError(
        f"{path} is a line, not a scenario: {command} needs a scenario that names the "
        "line and how long to simulate it. Save these lines as "
        f"{suggestion} and run {command} {suggestion}:\n"
        f"  line: {Path(line_ref).as_posix()}\n"
        f'  horizon: "30 d"    # measured time (bare numbers are in {unit})\n'
        f'  warmup: "3 d"      # discarded start\n'
        "  replications: 5"
    )


def folder_argument(function: str, out: Any, default: str) -> Path | None:
    """The ``out`` argument of ``sim.<function>`` as a folder: ``None`` for no folder or the
    default one (``None``, ``False``, ``True``; ``default`` says what ``True`` writes)."""
    from sim.checks import check_folder

    if out is None or out is False or out is True:
        return None
    if isinstance(out, (int, float)):
        raise ConfigError(
            f"must be a folder path, True ({default}) or None, got {out!r}",
            file=f"sim.{function}()",
            path="out",
        )
    return check_folder(function, "out", out)
