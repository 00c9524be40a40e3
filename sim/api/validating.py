"""What ``linesim validate`` checks of a sweep or tune file beyond its scenario: the file
against its model, and the scenario loaded at the sweep's first and last point or at
every corner of the tune's search space, so a wrong parameter path is found before any
run. Here so that the command line needs nothing of the experiment layer."""

from __future__ import annotations

from typing import Any, Literal

__all__ = ["experiment_scenario", "load_experiment_extremes"]

Kind = Literal["sweep", "tune"]


def experiment_scenario(file: str, kind: Kind) -> tuple[Any, str]:
    """Read the sweep or tune ``file``; return it and the scenario file it names
    (:class:`sim.errors.LinesimError`, located, when the file is wrong)."""
    if kind == "sweep":
        from sim.experiment.sweep import read_sweep

        sweep = read_sweep(file)
        return sweep, sweep.file.scenario_path()
    from sim.experiment.tune_spec import read_tune

    tune = read_tune(file)
    return tune, tune.file.scenario_path()


def load_experiment_extremes(spec: Any, kind: Kind) -> None:
    """Load the scenario at a sweep's first and last point, or at every corner of a tune's
    space: a :class:`sim.errors.LinesimError` for the first that fails."""
    if kind == "sweep":
        for point in {0, len(spec.points) - 1}:
            spec.file.load(spec.points[point], "parameters")
        return
    from sim.experiment.tune import check_space

    check_space(spec)
