"""Reading a tune file into a :class:`TuneSpec`: search space, objectives, constraints,
fidelity stages, sampler. The file's form is :class:`sim.model.tune_file.TuneFile` (its
docstring shows one); this module turns the validated model into what the tuner runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from sim.experiment.spec import Constraint, ExperimentFile
from sim.model.tune_file import Categorical, FloatRange, IntRange, TuneFile

__all__ = ["Objective", "Parameter", "Stage", "TuneSpec", "read_tune"]


@dataclass(frozen=True)
class Parameter:
    """One dimension of the search space: ``kind`` int, float or categorical."""

    path: str
    kind: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()

    def corners(self) -> list[Any]:
        """Values that must all load: both bounds, or every choice."""
        return list(self.choices) if self.kind == "categorical" else [self.low, self.high]


@dataclass(frozen=True)
class Objective:
    """Minimise or maximise a KPI (or a searched parameter's value)."""

    kpi: str
    direction: str  # "minimize" | "maximize"


@dataclass(frozen=True)
class Stage:
    """A short evaluation before the full one: horizon [line time unit or e.g. '40 d']
    (None: a tenth of the full horizon) and replications (None: up to 2)."""

    horizon: float | str | None = None
    replications: int | None = None


@dataclass
class TuneSpec:
    """A tune file read and checked."""

    file: ExperimentFile
    name: str
    space: list[Parameter]
    objectives: list[Objective]
    constraints: list[Constraint]
    trials: int = 100
    timeout: float | None = None
    sampler: str = "tpe"
    sampler_seed: int = 1
    stages: list[Stage] = field(default_factory=lambda: [Stage()])
    pruner: str = "successive_halving"
    reduction_factor: int = 3
    batch: int | None = None
    storage: str | None = None
    study: str | None = None


def _parameter(path: str, given: IntRange | FloatRange | Categorical) -> Parameter:
    if isinstance(given, Categorical):
        return Parameter(path, "categorical", choices=tuple(given.categorical))
    if isinstance(given, IntRange):
        low, high = given.int_
        return Parameter(path, "int", low, high, given.step, given.log)
    low_f, high_f = given.float_
    return Parameter(path, "float", float(low_f), float(high_f), given.step, given.log)


def read_tune(path: str | os.PathLike[str]) -> TuneSpec:
    """Read and check a tune file (the space is checked against the line by the caller)."""
    file, model = ExperimentFile.read(path, TuneFile)
    tune = TuneSpec(
        file,
        model.name or file.name(),
        [_parameter(p, given) for p, given in model.space.items()],
        [Objective(o.kpi, o.direction) for o in model.objectives],
        [Constraint(*parsed) for parsed in model.parsed_constraints()],
        trials=model.trials,
        timeout=model.timeout,
        sampler=model.chosen_sampler,
        sampler_seed=model.sampler_seed,
        batch=model.batch,
        storage=model.storage,
        study=model.study,
    )
    fidelity = model.fidelity
    if fidelity is False or fidelity == "none":
        tune.stages, tune.pruner = [], "none"
    elif fidelity is not None and not isinstance(fidelity, str):
        tune.pruner = fidelity.pruner
        tune.reduction_factor = fidelity.reduction_factor
        tune.stages = [Stage(stage.horizon, stage.replications) for stage in fidelity.stages]
    if tune.pruner == "none" or len(tune.objectives) > 1:
        tune.stages, tune.pruner = [], "none"  # Optuna's pruners take one objective
    return tune
