"""Plots of a tuning study: the objective of every trial with the best so far, and for
two or more objectives the Pareto front of the first two."""

from __future__ import annotations

import os
from pathlib import Path

from optuna.trial import FrozenTrial, TrialState

from sim.analysis.units import unit_of
from sim.experiment.spec import Constraint
from sim.experiment.tune import TuneResult
from sim.figures import plural
from sim.report.labels import kpi_label
from sim.report.plot_style import format_number, new_figure, no_data, save_figure, thousands

__all__ = ["plot_history", "plot_pareto", "write_tune_plots"]

_FEASIBLE = "#1f77b4"
_INFEASIBLE = "#d62728"
_PRUNED = "#bdbdbd"
_BEST = "#2e9e44"


def _unit(result: TuneResult, kpi: str) -> str:
    """The unit of an objective or constraint KPI, from the study's line."""
    return unit_of(kpi, result.base.line)


def _constraint(result: TuneResult, constraint: Constraint) -> str:
    """``ah_per_year >= 300 M Ah / year``: the bound with its unit."""
    unit = _unit(result, constraint.kpi)
    value = constraint.bound
    bound = format_number(value) if abs(value) >= 1e6 else f"{value:,.6g}"  # 300 M; 0.4
    text = f"{constraint.kpi} {constraint.operator} {bound}"
    return text if unit in ("", "-") else f"{text} {unit}"


def plot_history(result: TuneResult, path: str | os.PathLike[str]) -> Path:
    """Raw objective of each completed trial [its KPI's unit] (feasible blue, infeasible
    red), the pruned trials' short-stage values in grey, and the best feasible value so
    far; the constraints in the title carry their units."""
    spec = result.spec
    objective = spec.objectives[0]
    figure, axes = new_figure()
    trials = result.study.get_trials(deepcopy=False)
    best: float | None = None
    steps_x, steps_y = [], []
    for trial in trials:
        attrs = trial.user_attrs
        if "objectives" not in attrs:
            continue
        value = attrs["objectives"][0]
        if trial.state == TrialState.PRUNED:
            axes.plot(trial.number, value, "x", color=_PRUNED)
            continue
        if trial.state != TrialState.COMPLETE:
            continue
        color = _FEASIBLE if attrs.get("feasible") else _INFEASIBLE
        axes.plot(trial.number, value, "o", color=color, markersize=4)
        if attrs.get("feasible") and (
            best is None or (value < best if objective.direction == "minimize" else value > best)
        ):
            best = value
        if best is not None:
            steps_x.append(trial.number)
            steps_y.append(best)
    if steps_x:
        axes.step(steps_x, steps_y, where="post", color=_BEST, label="best feasible so far")
    if not trials:
        no_data(axes)
    for color, marker, label in (
        (_FEASIBLE, "o", "feasible, full evaluation"),
        (_INFEASIBLE, "o", "infeasible (a constraint fails)"),
        (_PRUNED, "x", "pruned after the short stage"),
    ):
        axes.plot([], [], marker, color=color, label=label)
    axes.set_xlabel("trial [number]")
    axes.set_ylabel(
        f"{kpi_label(objective.kpi, _unit(result, objective.kpi))} ({objective.direction})"
    )
    thousands(axes.yaxis)
    constraints = "; ".join(_constraint(result, c) for c in spec.constraints) or "no constraints"
    axes.set_title(
        f"{spec.name}: {objective.direction} {objective.kpi} subject to "
        f"{constraints} ({plural(len(trials), 'trial')})",
        loc="left",
    )
    axes.grid(color="0.9")
    axes.legend(loc="best", fontsize=8)
    return save_figure(figure, path)


def plot_pareto(result: TuneResult, front: list[FrozenTrial], path: str | os.PathLike[str]) -> Path:
    """The first two objectives of every completed trial, the Pareto front of the feasible
    ones joined by a line and labelled by trial number."""
    spec = result.spec
    first, second = spec.objectives[0], spec.objectives[1]
    figure, axes = new_figure()
    for trial in result.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        values = trial.user_attrs.get("objectives")
        if values is None:
            continue
        color = _FEASIBLE if trial.user_attrs.get("feasible") else _INFEASIBLE
        axes.plot(values[0], values[1], "o", color=color, markersize=4, alpha=0.6)
    if front:
        points = sorted(
            (t.user_attrs["objectives"][0], t.user_attrs["objectives"][1], t.number) for t in front
        )
        axes.plot(
            [p[0] for p in points],
            [p[1] for p in points],
            "-o",
            color=_BEST,
            label="Pareto front (feasible)",
        )
        for x, y, number in points:
            axes.annotate(
                str(number), (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7
            )
    else:
        no_data(axes, "no feasible completed trial")
    axes.plot([], [], "o", color=_FEASIBLE, label="feasible")
    axes.plot([], [], "o", color=_INFEASIBLE, label="infeasible")
    axes.set_xlabel(f"{kpi_label(first.kpi, _unit(result, first.kpi))} ({first.direction})")
    axes.set_ylabel(f"{kpi_label(second.kpi, _unit(result, second.kpi))} ({second.direction})")
    axes.set_title(f"{spec.name}: Pareto front, trial numbers labelled", loc="left")
    axes.grid(color="0.9")
    axes.legend(loc="best", fontsize=8)
    return save_figure(figure, path)


def write_tune_plots(
    result: TuneResult, best: list[FrozenTrial], folder: str | os.PathLike[str]
) -> list[Path]:
    """Write history.png (one objective) or pareto.png (several); return the files."""
    folder = Path(folder)
    if len(result.spec.objectives) == 1:
        return [plot_history(result, folder / "history.png")]
    return [plot_pareto(result, best, folder / "pareto.png")]
