"""Tuning with Optuna: trials asked in batches, short runs first, pruned, then evaluated.

Each round asks ``batch`` trials, runs their short stages together on the executor,
reports each stage's objective to the trial (step reduction_factor^k for stage k, so each
stage is one rung of successive halving) and lets the pruner stop the hopeless ones; the
survivors get the full evaluation (the scenario's horizon and replications), again all
together. Every trial uses the scenario's seed: designs are compared on common random
numbers. The study lives in SQLite by default, so it resumes and several ``linesim tune``
processes can share it; running trials send heartbeats, so the trials of a killed process
are failed and retried by the next tune (:mod:`sim.experiment.tune_storage`).

Constraints: with one objective, a violated constraint adds a penalty that makes any
infeasible design worse than a feasible one of the same objective magnitude
(value +/- 100 (|value| + 1) x relative violation); with NSGA-II they go to Optuna's
``constraints_func``. The best design is chosen among feasible trials on the raw objective
(several objectives: Optuna's ``study.best_trials``, feasible ones only).

This module leaves Optuna's logging alone: the ``linesim`` command quiets it; a notebook
keeps its own setting (``optuna.logging.set_verbosity``).
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
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
from sim.experiment.tune_spec import TuneSpec
from sim.experiment.tune_storage import fail_stale, heartbeats, open_storage
from sim.model.scenario import Scenario
from sim.summary_lookup import kpi_value

__all__ = [
    "PENALTY",
    "TuneResult",
    "best_trials",
    "check_space",
    "counted",
    "evaluate",
    "open_study",
    "run_tune",
]

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
            low, high = _bounds(parameter.low, parameter.high, parameter.path)
            out[parameter.path] = IntDistribution(
                int(low), int(high), log=parameter.log, step=int(parameter.step or 1)
            )
        elif parameter.kind == "float":
            low, high = _bounds(parameter.low, parameter.high, parameter.path)
            out[parameter.path] = FloatDistribution(
                low, high, log=parameter.log, step=parameter.step
            )
        else:
            out[parameter.path] = CategoricalDistribution(parameter.choices)
    return out


def _bounds(low: float | None, high: float | None, path: str) -> tuple[float, float]:
    """The bounds of a numeric parameter (tune_spec gives both for int and float)."""
    if low is None or high is None:
        raise ConfigError(f"space.{path}: a numeric range needs both bounds")
    return low, high


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
    """Create or load the study (``load_if_exists``) in ``storage`` (``None``: in memory;
    a URL: an RDB storage with heartbeats, see :func:`open_storage`)."""
    directions: list[Any] = [objective.direction for objective in spec.objectives]
    try:
        rdb = open_storage(storage) if storage is not None else None
    except ConfigError as error:  # say where the URL came from: the tune file or --storage
        if storage == spec.storage:
            raise spec.file.error(error.message, ("storage",)) from None
        raise ConfigError(error.message, path="--storage") from None
    study = optuna.create_study(
        storage=rdb,
        study_name=spec.study or spec.name,
        sampler=_sampler(spec),
        pruner=_pruner(spec),
        directions=directions,
        load_if_exists=True,
    )
    if [d.name.lower() for d in study.directions] != directions:
        raise spec.file.error(
            f"the stored study {study.study_name!r} has other objectives; "
            "give another study name or output folder",
            ("objectives",),
        )
    return study


def counted(study: optuna.Study) -> int:
    """Trials that count towards ``trials``: finished, pruned, or failed by their design
    (not those interrupted or whose process was killed)."""
    return sum(
        1
        for t in study.get_trials(deepcopy=False)
        if t.state in (TrialState.COMPLETE, TrialState.PRUNED)
        or (t.state == TrialState.FAIL and "error" in t.user_attrs)
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


class _Tuner:
    """One invocation of a tune: asks trials in rounds, runs their stages, tells results."""

    def __init__(
        self,
        result: TuneResult,
        summarize: Summarize,
        executor: Executor | None,
        on_trial: Callable[[FrozenTrial], None] | None,
        on_run: Callable[[], None] | None,
    ) -> None:
        self.result = result
        self.spec = result.spec
        self.study = result.study
        self.summarize = summarize
        self.executor = executor
        self.on_trial = on_trial
        self.on_run = on_run
        self.live: dict[int, Trial] = {}
        self.start = time.monotonic()
        self.shapes = distributions(self.spec)

    def ask(self, count: int) -> None:
        """Ask ``count`` new trials (queued designs of killed trials come first)."""
        for _ in range(count):
            with warnings.catch_warnings():  # heartbeats are recorded here, see round()
                warnings.filterwarnings("ignore", "Heartbeat of storage", UserWarning)
                trial = self.study.ask(self.shapes)
            trial.set_user_attr("t0", time.monotonic())
            self.live[trial.number] = trial

    def finish(
        self, trial: Trial, state: TrialState, values: Sequence[float] | None = None
    ) -> None:
        """Tell the study how ``trial`` ended."""
        trial.set_user_attr("seconds", time.monotonic() - trial.user_attrs.get("t0", self.start))
        frozen = self.study.tell(trial, values, state=state)
        self.live.pop(trial.number, None)
        self.result.new_trials += 1
        if self.on_trial:
            self.on_trial(frozen)

    def fail(self, trial: Trial, message: str) -> None:
        """End ``trial`` failed by its design (it counts towards the target)."""
        trial.set_user_attr("error", message)
        self.result.errors.append(f"trial {trial.number}: {message}")
        self.finish(trial, TrialState.FAIL)

    def abandon(self) -> None:
        """Mark the trials in flight failed and interrupted: they do not count as done."""
        for trial in list(self.live.values()):
            trial.set_user_attr("interrupted", True)
            self.finish(trial, TrialState.FAIL)
            self.result.new_trials -= 1

    def reuse(self) -> None:
        """Finish trials whose parameters a completed trial already has: on common random
        numbers the same design gives the same results, so it is not run again."""
        done = {
            tuple(sorted(t.params.items())): t
            for t in self.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        }
        for trial in list(self.live.values()):
            twin = done.get(tuple(sorted(trial.params.items())))
            if twin is None:
                continue
            for key, value in twin.user_attrs.items():
                if key not in ("t0", "seconds"):
                    trial.set_user_attr(key, value)
            trial.set_user_attr("same_as", twin.number)
            self.finish(trial, TrialState.COMPLETE, list(twin.values))

    def stages(self) -> list[tuple[int, dict[str, Any]]]:
        """(stage index, run settings) of each short stage, then the full evaluation."""
        base = self.result.base
        out: list[tuple[int, dict[str, Any]]] = []
        for k, stage in enumerate(self.spec.stages):
            horizon = stage.horizon if stage.horizon is not None else base.horizon / 10
            replications = stage.replications or min(2, base.replications)
            out.append((k, {"horizon": horizon, "replications": replications}))
        return [*out, (len(out), {})]

    def run_stage(self, k: int, settings: dict[str, Any]) -> None:
        """Run every live trial's stage ``k`` together; report, prune or complete each."""
        full = k == len(self.spec.stages)
        trials = list(self.live.values())
        ready: list[tuple[Trial, Scenario]] = []
        for trial in trials:
            scenario = _load(self.spec, trial.params, **settings)
            if isinstance(scenario, str):
                self.fail(trial, scenario)
            else:
                ready.append((trial, scenario))
        failures: dict[int, str] = {}
        runs = run_scenarios(
            [s for _, s in ready], self.executor, on_run=self.tick, failures=failures
        )
        for index, (trial, _scenario) in enumerate(ready):
            if index in failures:
                self.fail(trial, failures[index])
            else:
                self.judge(trial, runs[index], k, full)

    def judge(self, trial: Trial, run: RunResult, k: int, full: bool) -> None:
        """Record one trial's evaluation at stage ``k``; prune it or complete it."""
        outcome = evaluate(self.spec, self.summarize(run), trial.params)
        for key, value in outcome.items():
            trial.set_user_attr(key, value)
        trial.set_user_attr("stage", "full" if full else f"stage {k + 1}")
        if any(math.isnan(v) for v in outcome["values"]):
            self.fail(trial, "an objective is undefined (NaN)")
        elif full:
            if len(self.spec.objectives) > 1 and hasattr(trial, "set_constraint"):
                for number, gap in enumerate(outcome["constraints"]):
                    trial.set_constraint(str(self.spec.constraints[number]), gap)
            self.finish(trial, TrialState.COMPLETE, outcome["values"])
        else:
            trial.report(outcome["values"][0], self.spec.reduction_factor**k)
            if trial.should_prune():
                self.finish(trial, TrialState.PRUNED)

    def tick(self) -> None:
        self.result.runs += 1
        if self.on_run:
            self.on_run()

    def round(self, size: int, target: int) -> None:
        """Ask up to ``size`` trials and take them through every stage."""
        fail_stale(self.study)
        self.ask(min(size, target - counted(self.study)))
        self.reuse()
        storage = getattr(self.study, "_storage", None)  # Optuna keeps no public handle
        ids = lambda: [t._trial_id for t in self.live.values()]  # noqa: E731
        with heartbeats(storage, ids):
            for k, settings in self.stages():
                if not self.live:
                    break
                self.run_stage(k, settings)


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
    result = TuneResult(spec, open_study(spec, storage), check_space(spec))
    target = spec.trials if trials is None else trials
    limit = spec.timeout if timeout is None else timeout
    size: int = batch or spec.batch or int(getattr(executor, "workers", 1))
    tuner = _Tuner(result, summarize, executor, on_trial, on_run)
    try:
        while counted(result.study) < target:
            if limit is not None and time.monotonic() - tuner.start >= limit:
                result.stopped_by_timeout = True
                break
            tuner.round(size, target)
    except (KeyboardInterrupt, Interrupted):
        result.interrupted = True
        tuner.abandon()
    except BaseException:
        tuner.abandon()
        raise
    finally:
        result.seconds = time.monotonic() - tuner.start
    return result


def best_trials(study: optuna.Study, spec: TuneSpec) -> tuple[list[FrozenTrial], bool]:
    """Return the best trial (one objective) or the Pareto front of feasible trials
    (Optuna's ``study.best_trials``, a repeated design once), and whether they are
    feasible; with no feasible trial, the least infeasible one and ``False``."""
    complete = [
        t
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if "objectives" in t.user_attrs
    ]
    feasible = [t for t in complete if t.user_attrs.get("feasible")]
    signs = [1.0 if o.direction == "minimize" else -1.0 for o in spec.objectives]

    def key(trial: FrozenTrial) -> list[float]:
        return [s * v for s, v in zip(signs, trial.user_attrs["objectives"], strict=True)]

    if not feasible:
        if not complete:
            return [], False
        return [min(complete, key=lambda t: (t.user_attrs["violation"], key(t)))], False
    if len(signs) == 1:
        return [min(feasible, key=lambda t: (key(t), t.number))], True
    front: dict[tuple[Any, ...], FrozenTrial] = {}
    for trial in sorted(study.best_trials, key=lambda t: t.number):
        if trial.user_attrs.get("feasible") and "objectives" in trial.user_attrs:
            front.setdefault(tuple(sorted(trial.params.items())), trial)
    return sorted(front.values(), key=lambda t: (key(t), t.number)), True
