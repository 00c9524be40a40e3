"""Reading a tune file: search space, objectives, constraints, fidelity stages, sampler.

A tune file::

    scenario: baseline.yaml                  # relative to this file
    space:                                   # dotted paths as in --set
      stations.winding.machines: {int: [3, 6]}
      materials.cell-wetted.buffer: {int: [1000, 4000], step: 500}
      stations.coating.speed: {float: [30, 60], log: false}
      release.policy: {categorical: [push, conwip]}
    objectives: [{minimize: capex}]          # any KPI of the run summary, or a space path
    constraints: ["ah_per_year >= 3.0e8"]
    trials: 200                              # trials in the study (resumed studies count)
    timeout: 1800                            # [s] of this invocation
    sampler: tpe                             # tpe (1 objective) | nsga2 | random
    fidelity:                                # short runs first; pruner: successive_halving
      stages: [{horizon: "40 d", replications: 2}]   # | hyperband | none
    replications: 4                          # full evaluation (overrides the scenario)
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

from sim.experiment.spec import RUN_KEYS, Constraint, ExperimentFile, parse_constraint

__all__ = ["Objective", "Parameter", "Stage", "TuneSpec", "read_tune"]

KEYS = (
    "scenario",
    "name",
    "description",
    "space",
    "objectives",
    "constraints",
    "trials",
    "timeout",
    "sampler",
    "sampler_seed",
    "fidelity",
    "batch",
    "storage",
    "study",
    *RUN_KEYS,
)
FIDELITY_KEYS = ("stages", "pruner", "reduction_factor")
PRUNERS = ("successive_halving", "hyperband", "none")
SAMPLERS = ("tpe", "nsga2", "random")


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


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _parameter(spec: ExperimentFile, path: str, value: Any) -> Parameter:
    where: tuple[str, ...] = ("space", path)
    if not isinstance(value, dict):
        spec.fail("give {int: [lo, hi]}, {float: [lo, hi]} or {categorical: [...]}", where)
    kinds = [k for k in ("int", "float", "categorical") if k in value]
    extra = set(value) - {"int", "float", "categorical", "step", "log"}
    if len(kinds) != 1 or extra:
        spec.fail("give exactly one of int, float, categorical (and optionally step, log)", where)
    kind = kinds[0]
    args = value[kind]
    if kind == "categorical":
        if not isinstance(args, list) or not args:
            spec.fail("categorical needs a non-empty list of choices", (*where, kind))
        if not all(a is None or isinstance(a, bool | int | float | str) for a in args):
            spec.fail(
                "categorical choices must be numbers, text, true/false or null", (*where, kind)
            )
        return Parameter(path, kind, choices=tuple(args))
    if not isinstance(args, list) or len(args) != 2 or not all(_is_number(a) for a in args):
        spec.fail(f"{kind} needs [lo, hi], two numbers (got {args!r})", (*where, kind))
    low, high = args
    if kind == "int" and not all(isinstance(a, int) for a in args):
        spec.fail(f"int bounds must be whole numbers (got {args!r})", (*where, kind))
    if low > high:
        spec.fail(f"empty range: lo {low} > hi {high}", (*where, kind))
    log = value.get("log", False)
    if not isinstance(log, bool):
        spec.fail("log must be true or false", (*where, "log"))
    if log and low <= 0:
        spec.fail("log needs lo > 0", (*where, kind))
    step = value.get("step")
    if step is not None:
        if not _is_number(step) or step <= 0 or (kind == "int" and not isinstance(step, int)):
            spec.fail("step must be a number > 0 (whole for int)", (*where, "step"))
        if log:
            spec.fail("step and log cannot be combined", (*where, "step"))
        span = (high - low) / step
        if abs(span - round(span)) > 1e-9:
            spec.fail(f"hi - lo = {high - low} is not a multiple of step {step}", (*where, "step"))
    return Parameter(
        path,
        kind,
        float(low) if kind == "float" else low,
        float(high) if kind == "float" else high,
        step,
        log,
    )


def _objectives(spec: ExperimentFile) -> list[Objective]:
    raw = spec.data.get("objectives")
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        spec.fail(
            "objectives: a list such as [{minimize: capex}, {maximize: throughput}]",
            ("objectives",),
        )
    out = []
    for index, item in enumerate(raw):  # type: ignore[arg-type]
        if (
            not isinstance(item, dict)
            or len(item) != 1
            or next(iter(item)) not in ("minimize", "maximize")
            or not isinstance(next(iter(item.values())), str)
        ):
            spec.fail("each objective is {minimize: KPI} or {maximize: KPI}", ("objectives", index))
        direction, kpi = next(iter(item.items()))
        out.append(Objective(kpi, direction))
    return out


def _fidelity(spec: ExperimentFile, tune: TuneSpec) -> None:
    raw = spec.data.get("fidelity")
    if raw is None:
        return
    if raw is False or raw == "none":
        tune.stages, tune.pruner = [], "none"
        return
    if not isinstance(raw, dict):
        spec.fail("fidelity: {stages: [{horizon: T, replications: N}], pruner: P}", ("fidelity",))
    for key in raw:
        if key not in FIDELITY_KEYS:
            spec.fail(
                f"unknown key {key!r} (allowed: {', '.join(FIDELITY_KEYS)})", ("fidelity", key)
            )
    pruner = raw.get("pruner", tune.pruner)
    if pruner not in PRUNERS:
        spec.fail(f"pruner must be one of {', '.join(PRUNERS)}", ("fidelity", "pruner"))
    tune.pruner = pruner
    factor = raw.get("reduction_factor", tune.reduction_factor)
    if not isinstance(factor, int) or isinstance(factor, bool) or factor < 2:
        spec.fail("reduction_factor must be a whole number >= 2", ("fidelity", "reduction_factor"))
    tune.reduction_factor = factor
    stages = raw.get("stages", [{}])
    if not isinstance(stages, list):
        spec.fail("stages: a list of {horizon: T, replications: N}", ("fidelity", "stages"))
    tune.stages = []
    for index, stage in enumerate(stages):
        where = ("fidelity", "stages", index)
        if not isinstance(stage, dict) or set(stage) - {"horizon", "replications"}:
            spec.fail("a stage is {horizon: T, replications: N}", where)
        reps = stage.get("replications")
        if reps is not None and (not isinstance(reps, int) or reps < 1):
            spec.fail("replications must be a whole number >= 1", (*where, "replications"))
        tune.stages.append(Stage(stage.get("horizon"), reps))
    if tune.pruner == "none":
        tune.stages = []


def _whole(spec: ExperimentFile, key: str, low: int) -> int | None:
    value = spec.data.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        spec.fail(f"{key} must be a whole number >= {low}", (key,))
    return int(value)


def read_tune(path: str | os.PathLike[str]) -> TuneSpec:
    """Read and check a tune file (the space is checked against the line by the caller)."""
    spec = ExperimentFile.read(path, KEYS)
    space = [_parameter(spec, str(p), v) for p, v in spec.mapping("space").items()]
    objectives = _objectives(spec)
    raw_constraints = spec.data.get("constraints") or []
    if not isinstance(raw_constraints, list):
        spec.fail("constraints: a list such as ['ah_per_year >= 3.0e8']", ("constraints",))
    constraints = [
        parse_constraint(text, spec, ("constraints", i)) for i, text in enumerate(raw_constraints)
    ]
    tune = TuneSpec(spec, spec.name(), space, objectives, constraints)
    trials = _whole(spec, "trials", 0)
    tune.trials = tune.trials if trials is None else trials
    timeout = spec.data.get("timeout")
    if timeout is not None and (not _is_number(timeout) or timeout <= 0):
        spec.fail("timeout must be a number of seconds > 0", ("timeout",))
    tune.timeout = timeout
    default = "tpe" if len(objectives) == 1 else "nsga2"
    tune.sampler = spec.data.get("sampler", default)
    if tune.sampler not in SAMPLERS:
        spec.fail(f"sampler must be one of {', '.join(SAMPLERS)}", ("sampler",))
    if tune.sampler == "tpe" and len(objectives) > 1:
        spec.fail("tpe here takes one objective; use nsga2 for several", ("sampler",))
    seed = _whole(spec, "sampler_seed", 0)
    tune.sampler_seed = tune.sampler_seed if seed is None else seed
    tune.batch = _whole(spec, "batch", 1)
    for key in ("storage", "study"):
        value = spec.data.get(key)
        if value is not None and (not isinstance(value, str) or not value):
            spec.fail(f"{key} must be text", (key,))
        setattr(tune, key, value)
    _fidelity(spec, tune)
    if len(objectives) > 1:  # Optuna's pruners take one objective: no stage to prune on
        tune.stages, tune.pruner = [], "none"
    paths = {p.path for p in space}
    if len(paths) != len(space):
        spec.fail("a path appears twice", ("space",))
    return tune
