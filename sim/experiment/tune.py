"""Tuning with Optuna: trials asked in batches, short runs first, pruned, then evaluated.

Each round asks ``batch`` trials, runs their short stages together on the executor,
reports each stage's objective to the trial (step reduction_factor^k for stage k, so each
stage is one rung of successive halving) and lets the pruner stop the hopeless ones; the
survivors get the full evaluation (the scenario's horizon and replications), again all
together. Every trial uses the scenario's seed: designs are compared on common random
numbers. The study lives in SQLite by default, so it resumes and several ``linesim tune``
processes can share it.

Constraints: with one objective, a violated constraint adds a penalty that makes any
infeasible design worse than a feasible one of the same objective magnitude
(value +/- 100 (|value| + 1) x relative violation); with NSGA-II they go to Optuna's
``constraints_func``. The best design is chosen among feasible trials on the raw objective.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import FrozenTrial, Trial, TrialState

from sim.errors import ConfigError, ConfigErrors, LinesimError
from sim.experiment.batch import run_scenarios
from sim.experiment.executors import Executor, Interrupted
from sim.experiment.replicate import RunResult
from sim.experiment.spec import kpi_value
from sim.experiment.tune_spec import TuneSpec
from sim.model.scenario import Scenario

__all__ = ["PENALTY", "TuneResult", "best_trials", "check_space", "open_study", "run_tune"]

PENALTY = 100.0
"""Penalty per unit of relative constraint violation, times (|objective| + 1) [-]."""

Summarize = Callable[[RunResult], dict[str, Any]]


@dataclass
class TuneResult:
    """What an invocation of a tune did, and the study it left."""

    spec: TuneSpec
    study: optuna.Study
    base: Scenario
    new_trials: int = 0
    runs: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    stopped_by_timeout: bool = False
    errors: list[str] = field(default_factory=list)


def distributions(spec: TuneSpec) -> dict[str, BaseDistribution]:
    """The Optuna distribution of each searched path."""
    out: dict[str, BaseDistribution] = {}
    for parameter in spec.space:
        if parameter.kind == "int":
            out[parameter.path] = IntDistribution(
                int(parameter.low),
                int(parameter.high),  # type: ignore[arg-type]
                log=parameter.log,
                step=int(parameter.step or 1),
            )
        elif parameter.kind == "float":
            out[parameter.path] = FloatDistribution(
                parameter.low,
                parameter.high,  # type: ignore[arg-type]
                log=parameter.log,
                step=parameter.step,
            )
        else:
            out[parameter.path] = CategoricalDistribution(parameter.choices)
    return out


def check_space(spec: TuneSpec) -> Scenario:
    """Load the scenario at every bound and choice of every parameter (the others at their
    low end); return the full-evaluation scenario at the low corner. Unknown paths and
    values the line refuses are ConfigErrors naming the tune file and ``space.<path>``."""
    low = {p.path: p.corners()[0] for p in spec.space}
    base = spec.file.load(low, "space")
    for parameter in spec.space:
        for value in parameter.corners()[1:]:
            spec.file.load({**low, parameter.path: value}, "space")
    return base


def _sampler(spec: TuneSpec) -> optuna.samplers.BaseSampler:
    with warnings.catch_warnings():  # constant_liar / constraints_func: experimental in 3.x
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if spec.sampler == "random":
            return optuna.samplers.RandomSampler(seed=spec.sampler_seed)
        if spec.sampler == "nsga2":
            legacy = spec.constraints and not hasattr(Trial, "set_constraint")  # Optuna < 5
            return optuna.samplers.NSGAIISampler(
                seed=spec.sampler_seed,
                population_size=max(4, min(50, spec.trials // 4 or 4)),
                constraints_func=_constraints if legacy else None,
            )
        return optuna.samplers.TPESampler(
            seed=spec.sampler_seed,
            constant_liar=True,
            n_startup_trials=min(10, max(2, spec.trials // 5)),
        )


def _constraints(trial: FrozenTrial) -> list[float]:
    """NSGA-II constraints: signed relative gaps, <= 0 where met."""
    return list(trial.user_attrs.get("constraints", [1.0]))


def _pruner(spec: TuneSpec) -> optuna.pruners.BasePruner:
    if spec.pruner == "none" or not spec.stages:
        return optuna.pruners.NopPruner()
    if spec.pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(
            min_resource=1,
            max_resource=spec.reduction_factor ** len(spec.stages),
            reduction_factor=spec.reduction_factor,
        )
    return optuna.pruners.SuccessiveHalvingPruner(
        min_resource=1, reduction_factor=spec.reduction_factor
    )


def open_study(spec: TuneSpec, storage: str | None) -> optuna.Study:
    """Create or load the study (``load_if_exists``) in ``storage`` (None: in memory)."""
    directions: list[Any] = [objective.direction for objective in spec.objectives]
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        study = optuna.create_study(
            storage=storage,
            study_name=spec.study or spec.name,
            sampler=_sampler(spec),
            pruner=_pruner(spec),
            directions=directions,
            load_if_exists=True,
        )
    finally:
        optuna.logging.set_verbosity(verbosity)
    if [d.name.lower() for d in study.directions] != directions:
        raise spec.file.error(
            f"the stored study {study.study_name!r} has other objectives; "
            "give another study name or output folder",
            ("objectives",),
        )
    return study


def counted(study: optuna.Study) -> int:
    """Trials that count towards ``trials``: finished, pruned, or failed by their design."""
    return sum(
        1
        for t in study.get_trials(deepcopy=False)
        if t.state in (TrialState.COMPLETE, TrialState.PRUNED)
        or (t.state == TrialState.FAIL and not t.user_attrs.get("interrupted"))
    )


def _measure(
    spec: TuneSpec,
    summary: dict[str, Any],
    params: dict[str, Any],
    name: str,
    where: tuple[str | int, ...],
) -> float:
    if name in params:
        return float(params[name])
    try:
        return kpi_value(summary, name)
    except LinesimError as exc:
        raise spec.file.error(str(exc), where) from None


def evaluate(spec: TuneSpec, summary: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """Objectives (raw and penalised), constraint gaps and feasibility of one evaluation."""
    raw = [
        _measure(spec, summary, params, o.kpi, ("objectives", i))
        for i, o in enumerate(spec.objectives)
    ]
    kpis = {o.kpi: value for o, value in zip(spec.objectives, raw, strict=True)}
    gaps, violation = [], 0.0
    for index, constraint in enumerate(spec.constraints):
        value = _measure(spec, summary, params, constraint.kpi, ("constraints", index))
        kpis[constraint.kpi] = value
        share = min(constraint.violation(value), 1e6)
        violation += share
        sign = 1 if constraint.operator == ">=" else -1
        gaps.append(
            share
            if share > 0
            else sign * (constraint.bound - value) / max(abs(constraint.bound), 1e-12)
        )
    values = list(raw)
    if len(values) == 1 and violation > 0:
        step = PENALTY * (abs(values[0]) + 1.0) * violation
        values[0] += step if spec.objectives[0].direction == "minimize" else -step
    return {
        "objectives": raw,
        "values": values,
        "kpis": kpis,
        "constraints": gaps,
        "violation": violation,
        "feasible": violation == 0,
    }


def _load(spec: TuneSpec, params: dict[str, Any], **run: Any) -> Scenario | str:
    try:
        return spec.file.load(params, "space", **run)
    except (ConfigError, ConfigErrors) as error:
        return str(error)


def run_tune(
    spec: TuneSpec,
    storage: str | None,
    summarize: Summarize,
    executor: Executor | None = None,
    *,
    trials: int | None = None,
    timeout: float | None = None,
    batch: int | None = None,
    on_trial: Callable[[FrozenTrial], None] | None = None,
    on_run: Callable[[], None] | None = None,
) -> TuneResult:
    """Run trials until the study holds ``trials`` (default the file's) or ``timeout``
    [s] passes; Ctrl-C marks the trials in flight failed (``interrupted``) and returns."""
    base = check_space(spec)
    result = TuneResult(spec, open_study(spec, storage), base)
    target = spec.trials if trials is None else trials
    limit = spec.timeout if timeout is None else timeout
    size: int = batch or spec.batch or int(getattr(executor, "workers", 1))
    shapes = distributions(spec)
    start = time.monotonic()
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    live: dict[int, Trial] = {}

    def tick() -> None:
        result.runs += 1
        if on_run:
            on_run()

    def finish(trial: Trial, state: TrialState, values: list[float] | None = None) -> None:
        trial.set_user_attr("seconds", time.monotonic() - trial.user_attrs.get("t0", start))
        frozen = result.study.tell(trial, values, state=state)
        live.pop(trial.number, None)
        result.new_trials += 1
        if on_trial:
            on_trial(frozen)

    try:
        while counted(result.study) < target:
            if limit is not None and time.monotonic() - start >= limit:
                result.stopped_by_timeout = True
                break
            for _ in range(min(size, target - counted(result.study))):
                trial = result.study.ask(shapes)
                trial.set_user_attr("t0", time.monotonic())
                live[trial.number] = trial
            _reuse(result.study, live, finish)
            stages = [(k, stage.horizon, stage.replications) for k, stage in enumerate(spec.stages)]
            for k, horizon, reps in [*stages, (len(stages), None, None)]:
                full = k == len(stages)
                run = (
                    {}
                    if full
                    else {
                        "horizon": horizon if horizon is not None else base.horizon / 10,
                        "replications": reps or min(2, base.replications),
                    }
                )
                trials_now = list(live.values())
                loaded = [_load(spec, t.params, **run) for t in trials_now]
                for trial, scenario in zip(trials_now, loaded, strict=True):
                    if isinstance(scenario, str):
                        trial.set_user_attr("error", scenario)
                        result.errors.append(f"trial {trial.number}: {scenario}")
                        finish(trial, TrialState.FAIL)
                ready = [
                    (t, s)
                    for t, s in zip(trials_now, loaded, strict=True)
                    if isinstance(s, Scenario)
                ]
                failures: dict[int, str] = {}
                runs = run_scenarios(
                    [s for _, s in ready], executor, on_run=tick, failures=failures
                )
                for index, (trial, _scenario) in enumerate(ready):
                    if index in failures:
                        trial.set_user_attr("error", failures[index])
                        result.errors.append(f"trial {trial.number}: {failures[index]}")
                        finish(trial, TrialState.FAIL)
                        continue
                    outcome = evaluate(spec, summarize(runs[index]), trial.params)
                    stage_name = "full" if full else f"stage {k + 1}"
                    for key, value in outcome.items():
                        trial.set_user_attr(key, value)
                    trial.set_user_attr("stage", stage_name)
                    if any(math.isnan(v) for v in outcome["values"]):
                        trial.set_user_attr("error", "an objective is undefined (NaN)")
                        finish(trial, TrialState.FAIL)
                    elif full:
                        if len(spec.objectives) > 1 and hasattr(trial, "set_constraint"):
                            for number, gap in enumerate(outcome["constraints"]):
                                trial.set_constraint(str(spec.constraints[number]), gap)
                        finish(trial, TrialState.COMPLETE, outcome["values"])
                    else:
                        trial.report(outcome["values"][0], spec.reduction_factor**k)
                        if trial.should_prune():
                            finish(trial, TrialState.PRUNED)
                if not live:
                    break
    except (KeyboardInterrupt, Interrupted):
        result.interrupted = True
        _abandon(live, finish, result)
    except BaseException:
        _abandon(live, finish, result)
        raise
    finally:
        optuna.logging.set_verbosity(verbosity)
        result.seconds = time.monotonic() - start
    return result


def _abandon(
    live: dict[int, Trial], finish: Callable[[Trial, TrialState], None], result: TuneResult
) -> None:
    """Mark the trials in flight failed and interrupted: they do not count as done."""
    for trial in list(live.values()):
        trial.set_user_attr("interrupted", True)
        finish(trial, TrialState.FAIL)
        result.new_trials -= 1


def _reuse(
    study: optuna.Study,
    live: dict[int, Trial],
    finish: Callable[[Trial, TrialState, list[float]], None],
) -> None:
    """Finish trials whose parameters a completed trial already has: on common random
    numbers the same design gives the same results, so it is not run again."""
    done = {
        tuple(sorted(t.params.items())): t
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    }
    for trial in list(live.values()):
        twin = done.get(tuple(sorted(trial.params.items())))
        if twin is None:
            continue
        for key, value in twin.user_attrs.items():
            if key not in ("t0", "seconds"):
                trial.set_user_attr(key, value)
        trial.set_user_attr("same_as", twin.number)
        finish(trial, TrialState.COMPLETE, list(twin.values))


def best_trials(study: optuna.Study, spec: TuneSpec) -> tuple[list[FrozenTrial], bool]:
    """Return the best trial (one objective) or the Pareto front of feasible trials, and
    whether they are feasible (else: the least infeasible trial)."""
    complete = [
        t
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if "objectives" in t.user_attrs
    ]
    if not complete:
        return [], False
    feasible = [t for t in complete if t.user_attrs.get("feasible")]
    signs = [1.0 if o.direction == "minimize" else -1.0 for o in spec.objectives]

    def key(trial: FrozenTrial) -> list[float]:
        return [s * v for s, v in zip(signs, trial.user_attrs["objectives"], strict=True)]

    if not feasible:
        return [min(complete, key=lambda t: (t.user_attrs["violation"], key(t)))], False
    if len(signs) == 1:
        return [min(feasible, key=lambda t: (key(t), t.number))], True
    front: dict[tuple[float, ...], FrozenTrial] = {}
    for trial in sorted(feasible, key=lambda t: t.number):
        mine = key(trial)
        dominated = any(
            all(a <= b for a, b in zip(key(other), mine, strict=True)) and key(other) != mine
            for other in feasible
        )
        if not dominated:
            front.setdefault(tuple(mine), trial)  # a repeated design once, first trial
    return sorted(front.values(), key=lambda t: (key(t), t.number)), True
