"""A tuning study's results folder: ``trials.csv``, ``tune.json``, ``best.yaml`` and plots.

``trials.csv`` has one row per trial of the study: number, state, the stage it reached,
its parameters, raw objective values, the KPIs in objectives and constraints, total
relative constraint violation, feasibility and seconds. ``best.yaml`` is a scenario file
``linesim run`` accepts: the tuned scenario's file with the chosen trial's values added
to its ``set``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from optuna.trial import FrozenTrial, TrialState

from sim.analysis.units import unit_of
from sim.atomic import write_csv, write_json, write_text
from sim.experiment.tune import TuneResult, best_trials
from sim.figures import number, quantity
from sim.model.loader import project_folder, read_yaml
from sim.model.units import SECONDS_PER, parse_duration

__all__ = ["best_scenario_yaml", "constraint_text", "duration_text", "tune_content", "write_tune"]


def _kpis(result: TuneResult) -> list[str]:
    """The KPIs of the objectives and constraints, each once, in that order."""
    spec = result.spec
    kpis: list[str] = []
    for name in [*(o.kpi for o in spec.objectives), *(c.kpi for c in spec.constraints)]:
        if name not in kpis:
            kpis.append(name)
    return kpis


def _rows(result: TuneResult) -> tuple[list[str], list[list[Any]]]:
    spec = result.spec
    kpis = _kpis(result)
    header = [
        "trial",
        "state",
        "stage",
        *(p.path for p in spec.space),
        *(f"objective.{o.kpi}" for o in spec.objectives),
        *(f"kpi.{k}" for k in kpis),
        "violation",
        "feasible",
        "seconds",
        "same_as",
        "error",
    ]
    rows = []
    for trial in result.study.get_trials(deepcopy=False):
        attrs = trial.user_attrs
        objectives = attrs.get("objectives") or [None] * len(spec.objectives)
        rows.append(
            [
                trial.number,
                trial.state.name.lower(),
                attrs.get("stage"),
                *(trial.params.get(p.path) for p in spec.space),
                *objectives,
                *((attrs.get("kpis") or {}).get(k) for k in kpis),
                attrs.get("violation"),
                attrs.get("feasible"),
                attrs.get("seconds"),
                attrs.get("same_as"),
                "interrupted" if attrs.get("interrupted") else attrs.get("error"),
            ]
        )
    return header, rows


def tune_content(result: TuneResult, chosen: FrozenTrial | None = None) -> dict[str, Any]:
    """Return the content of ``tune.json``: counts, best (or Pareto) trials, the chosen one."""
    spec = result.spec
    trials = result.study.get_trials(deepcopy=False)
    states = {s.name.lower(): sum(t.state == s for t in trials) for s in TrialState}
    best, feasible = best_trials(result.study, spec)
    full = sum(
        1 for t in trials if t.state == TrialState.COMPLETE and not t.user_attrs.get("same_as")
    )

    def describe(trial: FrozenTrial) -> dict[str, Any]:
        return {
            "trial": trial.number,
            "params": trial.params,
            "objectives": dict(
                zip((o.kpi for o in spec.objectives), trial.user_attrs["objectives"], strict=True)
            ),
            "kpis": trial.user_attrs.get("kpis"),
            "feasible": trial.user_attrs.get("feasible"),
        }

    return {
        "tune": spec.name,
        "file": spec.file.path,
        "study": result.study.study_name,
        "objectives": [{o.direction: o.kpi} for o in spec.objectives],
        "units": {kpi: unit_of(kpi, result.base.line) for kpi in _kpis(result)},
        "constraints": [str(c) for c in spec.constraints],
        "sampler": spec.sampler,
        "pruner": spec.pruner,
        "stages": [{"horizon": s.horizon, "replications": s.replications} for s in spec.stages],
        "full_evaluation": {
            "horizon": result.base.horizon,
            "warmup": result.base.warmup,
            "replications": result.base.replications,
            "seed": result.base.seed,
            "time_unit": result.base.line.time_unit,
        },
        "trials": states,
        "full_evaluations": full,
        "full_evaluations_saved": {
            "pruned": states.get("pruned", 0),
            "repeated_designs": states.get("complete", 0) - full,
        },
        "this_run": {
            "new_trials": result.new_trials,
            "runs": result.runs,
            "seconds": result.seconds,
            "interrupted": result.interrupted,
            "timeout": result.stopped_by_timeout,
            "errors": result.errors[:20],
        },
        "feasible": feasible,
        "best" if len(spec.objectives) == 1 else "pareto": [describe(t) for t in best],
        "chosen": describe(chosen) if chosen is not None else None,
    }


def best_scenario_yaml(result: TuneResult, trial: FrozenTrial, folder: Path) -> str:
    """Return the text of a scenario file for ``trial``'s design, to be saved in ``folder``:
    the tuned scenario with paths made relative to ``folder`` and the trial's values in
    ``set``; the full evaluation's settings included."""
    spec = result.spec
    source = Path(spec.file.scenario_path())
    raw, _marks = read_yaml(source)
    project = project_folder(folder / "best.yaml")
    for key in ("line", "lever_file"):
        if isinstance(raw.get(key), str):
            target = (source.parent / raw[key]).resolve()
            # relative where it stays in best.yaml's project, absolute where it leaves it
            # (an --out outside the project): the loader refuses a relative path out
            inside = target.is_relative_to(project)
            raw[key] = os.path.relpath(target, folder.resolve()) if inside else str(target)
    raw["name"] = f"{spec.name}-trial-{trial.number}"
    line = result.base.line
    objectives = ", ".join(
        f"{o.kpi} = {quantity(v, unit_of(o.kpi, line))}"
        for o, v in zip(spec.objectives, trial.user_attrs["objectives"], strict=True)
    )
    feasible = bool(trial.user_attrs.get("feasible"))
    constraints = ", ".join(constraint_text(str(c)) for c in spec.constraints)
    none_met = not feasible and not best_trials(result.study, spec)[1]
    missed = (
        f"no trial met the constraints ({constraints}); this is the least infeasible design"
        if none_met
        else f"this design misses the constraints ({constraints})"
    )
    warning = "" if feasible else f"NOT FEASIBLE: {missed}. "
    raw["description"] = (
        f"{warning}Trial {trial.number} of tune {spec.name} ({objectives}); "
        f"written by linesim tune from {source.name}"
    )
    for key in ("horizon", "warmup", "replications", "seed"):
        if key in spec.file.run:
            raw[key] = getattr(result.base, key)
    for key in ("horizon", "warmup"):  # with their unit, as a person would write them
        if isinstance(raw.get(key), int | float) and not isinstance(raw[key], bool):
            raw[key] = duration_text(float(raw[key]), line.time_unit)
    raw["set"] = {**(raw.get("set") or {}), **trial.params}
    raw = {"name": raw.pop("name"), "description": raw.pop("description"), **raw}
    header = (
        ("" if feasible else f"# NOT FEASIBLE: {missed}.\n# It is not a recommendation.\n")
        + f"# {spec.name}: trial {trial.number}, {objectives}\n"
        f"# Run it: linesim run {folder / 'best.yaml'}\n"
    )
    return header + str(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True))


def duration_text(value: float, time_unit: str) -> str:
    """``value`` [``time_unit``] as a duration with its unit that reads back exactly:
    in the largest of d, h, min and s that makes it a whole number (``"60 d"``,
    ``"2000 h"``), else in the line's own unit (``"12.5 h"``)."""
    for unit in ("d", "h", "min", "s"):
        amount = value * SECONDS_PER[time_unit] / SECONDS_PER[unit]
        whole = round(amount)
        text = f"{whole} {unit}"
        if whole >= 1 and abs(amount - whole) <= 1e-9 * amount and _reads(text, value, time_unit):
            return text
    return f"{value!r} {time_unit}"


def _reads(text: str, value: float, time_unit: str) -> bool:
    return parse_duration(text, time_unit) == value


def constraint_text(text: str) -> str:
    """A constraint as written in tune.json (``ah_per_year >= 3e+08``) with its bound
    in the measure format (``ah_per_year >= 300 M``)."""
    kpi, _, rest = text.partition(" ")
    operator, _, bound = rest.partition(" ")
    try:
        return f"{kpi} {operator} {number(float(bound))}"
    except ValueError:
        return text


def write_tune(
    result: TuneResult, folder: str | Path, pick: int | None = None, plots: bool = True
) -> list[Path]:
    """Write trials.csv, tune.json, best.yaml (of the best trial, or of trial ``pick``) and
    the plots; return the files written."""
    folder = Path(folder)
    header, rows = _rows(result)
    written = [folder / "trials.csv"]
    write_csv(written[0], header, rows)
    best, _feasible = best_trials(result.study, result.spec)
    chosen = best[0] if best else None
    if pick is not None:
        matches = [t for t in result.study.get_trials(deepcopy=False) if t.number == pick]
        if not matches or matches[0].state != TrialState.COMPLETE:
            from sim.errors import LinesimError

            raise LinesimError(f"--pick {pick}: no completed trial {pick} in the study")
        chosen = matches[0]
    written.append(folder / "tune.json")
    write_json(written[-1], tune_content(result, chosen))
    if chosen is not None:
        written.append(folder / "best.yaml")
        write_text(written[-1], best_scenario_yaml(result, chosen, folder))
    if plots:
        from sim.report.plot_tune import write_tune_plots

        written += write_tune_plots(result, best, folder / "plots")
    return written
