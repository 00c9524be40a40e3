"""The claim's verdict under input uncertainty: sample the uncertain inputs, rerun the
comparison for each input set, and say how likely each reading of the claim is met.

Inputs are the ranges the files declare: a line's ``uncertain: {dotted.path: {low, high,
mode?}}`` (estimated inputs, applied before the levers to every compared scenario whose
line lists the path) and a lever's ``effect: {low, high, mode?}`` (its effect multiple k,
see :mod:`sim.model.levers`; input ``effect.<lever>``). A range is uniform, or triangular
with a mode; a whole-number input (machines, a buffer) is rounded to the nearest whole number.

``N`` input sets are drawn by a Latin hypercube (:class:`scipy.stats.qmc.LatinHypercube`)
from the stream ``"uncertainty"`` of the comparison's root seed. Each set runs the
reference and the compared scenario on common random numbers (same seed in every set,
so the sets differ only by their inputs) over the ``uncertainty:`` window of the
comparison file. Each finished scenario run is stored in ``uncertainty/runs/<key>.json``
(the key hashes the resolved scenario), so a rerun skips what is done and identical
scenarios (a reference no range touches) run once.

:mod:`sim.analysis.uncertainty` turns the finished sets into the probability that each
reading of the claim is met, the change's distribution and the sensitivity ranking.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.analysis.comparison import claim_readings, plant_load
from sim.analysis.kpis import line_kpis
from sim.analysis.uncertainty import summarize_study
from sim.atomic import write_json
from sim.engine.rng import name_key
from sim.errors import ConfigError
from sim.experiment.batch import run_scenarios, scenario_key
from sim.experiment.executors import Executor, Interrupted
from sim.experiment.replicate import RunResult
from sim.experiment.resizing import (
    ROUNDS,
    RULE,
    TOLERANCE,
    SetResizer,
    arithmetic_sizes,
    binding_ranking,
    mean_output,
    short_of_target,
    target_output,
)
from sim.model import load_scenario
from sim.model.levers import LeverFile
from sim.model.loader import read_yaml
from sim.model.scenario import Scenario
from sim.model.uncertainty import Range, value_at
from sim.model.units import SECONDS_PER, parse_duration

if TYPE_CHECKING:
    from sim.experiment.comparison_plan import ComparisonPlan
    from sim.experiment.pairs import Progress

__all__ = [
    "STREAM",
    "UncertainInput",
    "collect_inputs",
    "run_uncertainty",
    "sample_inputs",
    "study_window",
]

STREAM = "uncertainty"
"""Name of the random stream of the root seed that draws the Latin hypercube."""


@dataclass(frozen=True)
class UncertainInput:
    """One sampled input: a line value or a lever's effect multiple."""

    name: str
    """``stations.formation.process_time.mean`` or ``effect.<lever>``."""
    kind: str
    """``line`` or ``effect``."""
    target: str
    """The dotted line path, or the lever's name."""
    low: float
    high: float
    mode: float | None
    source: str

    def as_dict(self) -> dict[str, Any]:
        """The input's range for ``uncertainty.json``."""
        return {
            "kind": self.kind,
            "low": self.low,
            "high": self.high,
            "mode": self.mode,
            "distribution": "uniform" if self.mode is None else "triangular",
            "source": self.source,
        }


def _number(value: float | str | None, unit: str) -> float | None:

    if value is None:
        return None
    return parse_duration(value, unit) if isinstance(value, str) else float(value)


def _make(name: str, kind: str, target: str, given: Range, unit: str) -> UncertainInput:
    low, high = _number(given.low, unit), _number(given.high, unit)
    assert low is not None and high is not None
    mode = _number(given.mode, unit)
    if not low <= high or (mode is not None and not low <= mode <= high):
        raise ConfigError(f"uncertain input {name}: needs low <= mode <= high")
    return UncertainInput(name, kind, target, low, high, mode, given.source)


def _lever_effects(scenario: Scenario) -> dict[str, Range]:
    """The ``effect:`` range of each lever the scenario applies, from its lever file."""

    if not scenario.levers or scenario.source is None:
        return {}
    raw, _ = read_yaml(scenario.source)
    lever_file = Path(scenario.source).parent / str(raw.get("lever_file"))
    library = LeverFile.model_validate(
        read_yaml(lever_file)[0], context={"time_unit": scenario.line.time_unit}
    )
    return {
        name: library.levers[name].effect  # type: ignore[misc]  # None filtered below
        for name in scenario.levers
        if library.levers[name].effect is not None
    }


def collect_inputs(scenarios: list[Scenario]) -> list[UncertainInput]:
    """Every uncertain input of the compared scenarios, each once (lines first, then
    lever effects, in file order). The same path with two different ranges is an error."""
    found: dict[str, UncertainInput] = {}
    for scenario in scenarios:
        unit = scenario.line.time_unit
        given = [(path, "line", path, r) for path, r in scenario.line.uncertain.items()] + [
            (f"effect.{lever}", "effect", lever, r) for lever, r in _lever_effects(scenario).items()
        ]
        for name, kind, target, value in given:
            made = _make(name, kind, target, value, unit)
            if name in found and found[name] != made:
                raise ConfigError(
                    f"uncertain input {name} has two different ranges in the compared "
                    "scenarios; give it one range"
                )
            found[name] = made
    return list(found.values())


def sample_inputs(inputs: list[UncertainInput], samples: int, seed: int) -> np.ndarray:
    """A Latin hypercube of ``samples`` input sets, shape (samples, inputs), each column
    in its input's unit, uniform or triangular on [low, high]."""
    from scipy.stats import qmc, triang

    if not inputs:
        return np.zeros((samples, 0))
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(name_key(STREAM),)))
    unit = qmc.LatinHypercube(d=len(inputs), seed=rng).random(samples)
    values = np.empty_like(unit)
    for column, item in enumerate(inputs):
        width = item.high - item.low
        if width <= 0:
            values[:, column] = item.low
        elif item.mode is None:
            values[:, column] = item.low + unit[:, column] * width
        else:
            shape = (item.mode - item.low) / width
            values[:, column] = triang.ppf(unit[:, column], shape, loc=item.low, scale=width)
        values[:, column] = np.clip(values[:, column], item.low, item.high)
    return np.asarray(values, dtype=float)


def _scenario_for(
    plan: ComparisonPlan,
    index: int,
    inputs: list[UncertainInput],
    row: np.ndarray,
    window: tuple[float, float, int],
    resized: dict[str, int] | None = None,
) -> Scenario:
    """The compared scenario ``index`` with one input set applied, on the study window;
    ``resized`` are the set's machine counts and soak space (applied before the levers,
    like the set's inputs: the smart plant is the re-sized before line plus its levers)."""

    scenario = plan.scenarios[index]
    written = scenario.line.model_dump(by_alias=True)
    values: dict[str, float | int] = {}
    for item, v in zip(inputs, row, strict=True):
        if item.kind == "line" and item.target in scenario.line.uncertain:
            whole = isinstance(value_at(written, item.target), int)  # machines, buffers
            values[item.target] = round(float(v)) if whole else float(v)
    values.update(resized or {})
    effects = {
        item.target: float(v)
        for item, v in zip(inputs, row, strict=True)
        if item.kind == "effect" and item.target in scenario.levers
    }
    horizon, warmup, replications = window
    factor = SECONDS_PER[plan.scenarios[0].line.time_unit] / SECONDS_PER[scenario.line.time_unit]
    return load_scenario(
        plan.paths[index],
        plan.overrides_for(index),
        replications=replications,
        seed=scenario.seed,
        horizon=horizon * factor,
        warmup=warmup * factor,
        values=values,
        effects=effects,
    )


def study_window(plan: ComparisonPlan) -> tuple[float, float, int]:
    """Horizon and warm-up [reference time unit] and replications of each input set."""

    first = plan.scenarios[0]
    settings = plan.spec.uncertainty if plan.spec and plan.spec.uncertainty else None
    unit = first.line.time_unit
    horizon = first.horizon
    warmup = first.warmup
    replications = 1
    if settings is not None:
        if settings.horizon is not None:
            horizon = parse_duration(settings.horizon, unit)
        if settings.warmup is not None:
            warmup = parse_duration(settings.warmup, unit)
        replications = settings.replications
    if horizon <= 0:
        raise ConfigError("uncertainty.horizon must be > 0")
    return horizon, warmup, replications


def _stored(path: Path, before: bool) -> tuple[list[dict[str, float]], list[str]] | None:
    """A stored run's KPIs per replication and, for a before line, the stations that most
    held it up, most first (a before line's store without them, from an older linesim,
    is run again)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        ranking = record.get("binding", [])
        if before and not isinstance(ranking, list):
            return None
        return list(record["kpis"]), [str(name) for name in ranking]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def run_uncertainty(
    plan: ComparisonPlan,
    samples: int,
    executor: Executor,
    folder: str | Path,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run the study for ``samples`` input sets and return ``uncertainty.json``'s content.

    Finished scenario runs are stored under ``folder/uncertainty/runs/`` as they finish;
    on Ctrl-C the study summarizes the finished sets and is ``partial``.
    """
    from sim.experiment.compare import _target
    from sim.experiment.pairs import in_reference_unit

    target = _target(plan.scenarios)
    if target is None:
        raise ConfigError("an uncertainty study needs a scenario to compare with the first")
    inputs = collect_inputs([plan.scenarios[0], plan.scenarios[target]])
    if not inputs:
        raise ConfigError(
            "--uncertainty: nothing is uncertain; give the line uncertain: {path: {low, "
            "high}} or a lever effect: {low, high}"
        )
    window = study_window(plan)
    values = sample_inputs(inputs, samples, plan.scenarios[0].seed)
    resize = plan.spec.uncertainty.resize if plan.spec and plan.spec.uncertainty else True
    base = plan.scenarios[0].line
    sizes = [
        arithmetic_sizes(base, _scenario_for(plan, 0, inputs, row, window).line) if resize else {}
        for row in values
    ]
    pairs = [
        (
            _scenario_for(plan, 0, inputs, row, window, sized),
            _scenario_for(plan, target, inputs, row, window, sized),
        )
        for row, sized in zip(values, sizes, strict=True)
    ]
    runs = Path(folder) / "uncertainty" / "runs"
    reference_unit = plan.scenarios[0].line.time_unit
    kpis: dict[str, list[dict[str, float]]] = {}
    binding: dict[str, list[str]] = {}
    counted = {"ran": 0, "reused": 0}

    def run_sets(indices: list[int], label: str) -> bool:
        """Run the two plants of the input sets ``indices`` that have no stored run;
        return whether Ctrl-C stopped it."""
        todo: dict[str, Scenario] = {}
        for index in indices:
            for side, scenario in enumerate(pairs[index]):
                key = scenario_key(scenario)
                if key in kpis or key in todo:
                    continue
                stored = _stored(runs / f"{key}.json", before=side == 0)
                if stored is not None:
                    kpis[key], binding[key] = stored
                    counted["reused"] += 1
                else:
                    todo[key] = scenario
        keys = list(todo)
        before_keys = {scenario_key(pairs[i][0]) for i in indices}

        def store(position: int, result: RunResult) -> None:
            key = keys[position]
            line = result.scenario.line
            found = [
                in_reference_unit(line_kpis(rep, line), line.time_unit, reference_unit)
                for rep in result.replications
            ]
            kpis[key] = found
            record: dict[str, Any] = {"key": key, "scenario": result.scenario.name, "kpis": found}
            if key in before_keys:
                binding[key] = record["binding"] = binding_ranking(result)
            write_json(runs / f"{key}.json", record)

        counted["ran"] += len(todo)
        if progress:
            progress.start(label, sum(s.replications for s in todo.values()))
        try:
            run_scenarios(
                list(todo.values()), executor, store, progress.advance if progress else None
            )
        except Interrupted:
            return True
        return False

    partial = run_sets(list(range(samples)), f"uncertainty: {samples} input sets")
    rounds = [0] * samples
    goal = target_output(plan.scenarios[0].line) if resize else None
    resizer = SetResizer(plan.scenarios[0].line)

    def resize_to(index: int, counts: dict[str, int]) -> None:
        sizes[index] = counts
        pairs[index] = (
            _scenario_for(plan, 0, inputs, values[index], window, counts),
            _scenario_for(plan, target, inputs, values[index], window, counts),
        )

    for round_number in range(1, ROUNDS + 1):
        if partial or goal is None:
            break
        short = []
        for index, (before, _) in enumerate(pairs):
            found = kpis.get(scenario_key(before))
            if found is None or not short_of_target(found, goal):
                continue
            counts = resizer.next_sizes(
                index, sizes[index], mean_output(found, goal), binding.get(scenario_key(before), [])
            )
            if counts is not None:
                resize_to(index, counts)
                rounds[index] = round_number
                short.append(index)
        if not short:
            break
        partial = run_sets(
            short, f"uncertainty: re-sizing {len(short)} short input sets, round {round_number}"
        )
    if goal is not None and not partial:
        for index, (before, _) in enumerate(pairs):
            found = kpis.get(scenario_key(before))
            kept = None if found is None else resizer.settled(index, mean_output(found, goal))
            if kept is not None:
                resize_to(index, kept)  # its last raise bought nothing: its runs are stored
    finished = [
        index
        for index, (a, b) in enumerate(pairs)
        if scenario_key(a) in kpis and scenario_key(b) in kpis
    ]
    per_set = [(kpis[scenario_key(pairs[i][0])], kpis[scenario_key(pairs[i][1])]) for i in finished]

    claim = plan.spec.claim if plan.spec and plan.spec.claim else None
    load = plant_load(plan.scenarios[0].line)
    if any(item.name == "costs.load" for item in inputs):
        load = min(load, 0.999)  # sampled: read every set on the sold Ah
    content = summarize_study(
        inputs,
        values[finished],
        per_set,
        claim.efficiency if claim else 20.0,
        claim.cost if claim else -20.0,
        claim_readings(load),
    )
    for entry, index in zip(content["sets"], finished, strict=True):
        entry["resized"] = sizes[index]
        entry["resize_rounds"] = rounds[index]
    horizon, warmup, replications = window
    content.update(
        {
            "resize": {
                "enabled": resize,
                "rule": RULE,
                "tolerance": TOLERANCE,
            },
            "reference": plan.scenarios[0].name,
            "scenario": plan.scenarios[target].name,
            "claim_given": claim is not None,
            "samples": samples,
            "finished": len(finished),
            "partial": partial or len(finished) < samples,
            "design": f"Latin hypercube (scipy.stats.qmc.LatinHypercube) from stream "
            f"'{STREAM}' of seed {plan.scenarios[0].seed}",
            "window": {
                "horizon": horizon,
                "warmup": warmup,
                "replications": replications,
                "time_unit": reference_unit,
                "comparison_horizon": plan.scenarios[0].horizon,
                "comparison_warmup": plan.scenarios[0].warmup,
                "comparison_replications": plan.scenarios[0].replications,
            },
            "runs": {**counted, "replications_each": replications},
        }
    )
    return content
