"""Sizing a line to a target output: the fewest machines (and soak space) that meet it.

1. Capacity arithmetic (:func:`sim.analysis.capacity.sizing_counts`) gives every machine
   station the fewest machines whose static capacity covers what the target needs of it,
   and every bounded soak delay its mean content plus the store slack.
2. Simulation with replications on common random numbers: while the lower 95 % bound of
   output is below the target, the binding station (the highest active share, or a
   delay's fill, :func:`sim.analysis.comparison.bottleneck_ranking`) gets one machine more
   (a delay: the slack again). A raise that does not raise output is taken back and the
   next station in the ranking tried; three in a row mean the target cannot be reached
   by machines (a CONWIP limit, a release rate). Where the mean meets the target but the
   lower bound does not, the design first gets more replications (up to 4 times as many),
   and only then a machine more where the bound still falls short.
3. Minimality: every machine station with two or more machines is tried with one fewer,
   by arithmetic where its capacity then falls clearly short of the need, else by a run;
   where the lower bound still meets the target the machine is dropped (and the check
   repeats), else the upper bound with one fewer is recorded: below the target shows the
   count is needed, a CI across the target says more replications would decide. Fewer
   machines elsewhere never raise output, so a check stays valid when another station is
   trimmed.

Output is read as the KPI of the target (:mod:`sim.model.output_rate`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sim.analysis.capacity import STORE_SLACK, needed_cycles, shift_share, sizing_counts
from sim.analysis.comparison import bottleneck_ranking
from sim.analysis.kpis import ACTIVE_STATES
from sim.analysis.summary import build_summary
from sim.errors import LinesimError
from sim.experiment.batch import run_scenarios
from sim.experiment.executors import Executor, Interrupted
from sim.experiment.guards import check_event_budget
from sim.figures import number, plural
from sim.model.output_rate import OutputRate
from sim.model.scenario import Scenario
from sim.model.serial import as_general
from sim.model.station import MAX_MACHINES

__all__ = ["Evaluation", "MinimalCheck", "Sizing", "StationSize", "size_line"]

MAX_REPLICATIONS_FACTOR = 4
"""Most replications a design gets, as a multiple of the scenario's [-]: where the mean
output meets the target but the lower 95 % bound does not, the replications double (up to
this) before any machine is added, so that a wide interval does not buy machines that
more replications would show are not needed."""

GAIN = 1e-3
"""Least relative gain in mean output [-] for which a raise counts as helping: less is the
noise of a design whose random streams moved, not a constraint lifted."""

Build = Callable[[dict[str, Any]], Scenario]
"""The scenario with dotted overrides (``stations.<name>.machines`` and the like) applied."""


@dataclass(frozen=True)
class Evaluation:
    """One simulated design: its counts and its output's mean and 95 % CI [KPI unit]."""

    counts: dict[str, int]
    mean: float
    low: float
    high: float
    summary: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class StationSize:
    """One sized station: ``kind`` is ``machines`` or ``capacity`` (a delay's soak space
    [units]); ``utilisation`` is its active share (a delay: its fill) in the final run [-]."""

    station: str
    kind: str
    before: int
    arithmetic: int
    after: int
    utilisation: float | None
    capex_delta: float
    """Equipment bought (negative: not bought) [currency]: station capex x machines
    added; a delay's capex scaled with its space."""


@dataclass(frozen=True)
class MinimalCheck:
    """A station run with one machine fewer than sized: its output's upper 95 % bound."""

    station: str
    count: int
    output_mean: float | None
    """Simulated mean output [target's unit] (``None``: shown by arithmetic)."""
    output_ci95_high: float
    """The upper 95 % bound of output, or the capacity bound [target's unit]."""
    shown: bool
    """Whether the bound falls below the target (the machine is needed)."""
    basis: str
    """``simulation`` or ``arithmetic`` (capacity with one fewer below the need)."""


@dataclass(frozen=True)
class Sizing:
    """The result of :func:`size_line`."""

    target: OutputRate
    scenario: Scenario
    stations: list[StationSize]
    output: Evaluation
    minimal: list[MinimalCheck]
    steps: list[str]
    """What the search did, in order, for the console and sizing.json."""
    single: list[str]
    """Machine stations sized to one machine: the fewest there can be, nothing to check."""

    @property
    def overrides(self) -> dict[str, Any]:
        """The sized counts as dotted overrides of the line."""
        return _overrides(self.scenario, self.output.counts)


def size_line(
    scenario: Scenario,
    target: OutputRate,
    build: Build,
    executor: Executor,
    on_step: Callable[[str], None] | None = None,
    max_steps: int | None = None,
) -> Sizing:
    """Size ``scenario``'s line to ``target`` (module docstring); ``build`` loads the
    scenario with overrides, ``on_step(text)`` hears each simulated design."""
    if scenario.replications < 2:
        raise LinesimError(
            "sizing needs at least 2 replications: the target is met when the lower 95 % "
            "bound of output meets it (give --replications 3 or more)"
        )
    line = scenario.line
    check_event_budget(line, scenario.warmup + scenario.horizon, None)
    arithmetic = sizing_counts(line, target.material, target.per_time_unit)
    if not arithmetic:
        raise LinesimError(
            f"no station makes {target.material or 'a finished material'} for {target.text}: "
            "nothing to size"
        )
    _check_reachable(line, arithmetic, target)
    before = {s.name: (s.capacity if s.kind == "delay" else s.machines) for s in line.stations}
    steps: list[str] = []
    say = _reporter(steps, on_step, target)
    runs = [scenario.replications]
    evaluate = _evaluator(scenario, target, build, executor, runs)
    design = evaluate([dict(arithmetic)])[0]
    say("capacity arithmetic", design)
    limit = max_steps if max_steps is not None else 3 * len(arithmetic) + 20
    tried: list[str] = []  # stations whose raise did not help the current design
    while design.low < target.value:
        if len(steps) > limit:
            raise LinesimError(
                f"{target.text} not reached after {limit} raises (output "
                f"{_n(design.mean)} {target.unit}): {_cause(scenario)}"
            )
        most = MAX_REPLICATIONS_FACTOR * scenario.replications
        if design.mean >= target.value and runs[0] < most:  # short of precision first
            runs[0] = min(2 * runs[0], most)
            design = evaluate([design.counts])[0]
            say(plural(runs[0], "replication"), design)
            continue
        name = _binding(design, arithmetic, tried)
        if name is None or len(tried) >= 3:
            raise LinesimError(
                f"{target.text} cannot be reached by adding machines: one more at "
                f"{', '.join(tried)} left output at {_n(design.mean)} {target.unit}; "
                f"{_cause(scenario)}"
            )
        counts = dict(design.counts)
        counts[name] = _raised(line, name, counts[name])
        raised = evaluate([counts])[0]
        say(f"{name} {design.counts[name]} -> {counts[name]}", raised)
        if raised.mean <= design.mean * (1 + GAIN):
            tried.append(name)  # not the constraint: keep the design, try the next station
            continue
        design, tried = raised, []
    design, minimal = _trim(design, line, target, evaluate, say)
    machines = {s.name for s in line.stations if s.kind != "delay"}
    single = [n for n in design.counts if n in machines and design.counts[n] == 1]
    return Sizing(
        target,
        replace(scenario, replications=runs[0]),  # as many as the last designs ran
        _sizes(line, before, arithmetic, design),
        design,
        minimal,
        steps,
        single,
    )


def _check_reachable(line: Any, counts: dict[str, int], target: OutputRate) -> None:
    """Refuse a target that needs more machines than a station may have."""

    kinds = {s.name: s.kind for s in line.stations}
    for name, count in counts.items():
        if kinds[name] != "delay" and count > MAX_MACHINES:
            raise LinesimError(
                f"{target.text} needs {count:,} machines at {name}, more than the "
                f"{MAX_MACHINES:,} a station may have: out of reach (is the unit right?)"
            )


def _evaluator(
    scenario: Scenario, target: OutputRate, build: Build, executor: Executor, runs: list[int]
) -> Callable[[list[dict[str, int]]], list[Evaluation]]:
    """Run designs with ``runs[0]`` replications each (the caller may raise it)."""

    def evaluate(designs: list[dict[str, int]]) -> list[Evaluation]:
        scenarios = [
            replace(build(_overrides(scenario, counts)), replications=runs[0]) for counts in designs
        ]
        for design in scenarios:  # more machines, more events: each design is checked
            check_event_budget(design.line, design.warmup + design.horizon, None)
        try:
            done = run_scenarios(scenarios, executor)
        except Interrupted:
            raise KeyboardInterrupt from None
        out = []
        for index, counts in enumerate(designs):
            summary = build_summary(done[index])
            estimate = summary["kpis"][target.kpi]
            mean = float(estimate["mean"])
            low, high = estimate["ci95"] or (mean, mean)
            out.append(Evaluation(dict(counts), mean, float(low), float(high), summary))
        return out

    return evaluate


def _overrides(scenario: Scenario, counts: dict[str, int]) -> dict[str, Any]:
    kinds = {s.name: s.kind for s in scenario.line.stations}
    return {
        f"stations.{name}.{'capacity' if kinds[name] == 'delay' else 'machines'}": count
        for name, count in counts.items()
    }


def _binding(design: Evaluation, sized: dict[str, int], tried: list[str]) -> str | None:
    """The sized station that most holds up the line in ``design``'s run, leaving out
    those whose raise did not help (``None`` when none is left)."""

    stations = design.summary["stations"]
    ranked = bottleneck_ranking({n: v for n, v in stations.items() if n in sized}, len(sized))
    left = [str(row["station"]) for row in ranked if row["station"] not in tried]
    return left[0] if left else None


def _raised(line: Any, name: str, count: int) -> int:
    station = next(s for s in line.stations if s.name == name)
    if station.kind == "delay":
        return max(count + 1, math.ceil(count * (1 + STORE_SLACK)))
    return count + 1


def _trim(
    design: Evaluation,
    line: Any,
    target: OutputRate,
    evaluate: Callable[[list[dict[str, int]]], list[Evaluation]],
    say: Callable[[str, Evaluation], None],
) -> tuple[Evaluation, list[MinimalCheck]]:
    """Drop machines the target does not need; return the design and the checks.

    A station whose capacity with one machine fewer is below what the target needs of it
    by more than :data:`ARITHMETIC_MARGIN` is shown needed by arithmetic (a station's
    long-run output cannot pass its capacity); the others run with one fewer. A check
    that fell short stays valid when another station is trimmed (fewer machines never
    raise output); one that still met the target is run again.
    """
    machines = {s.name for s in line.stations if s.kind != "delay"}
    checks: dict[str, MinimalCheck] = {}
    while True:
        names = [n for n in design.counts if n in machines and design.counts[n] >= 2]
        names = [n for n in names if n not in checks]
        trials = []
        for name in names:
            fewer = {**design.counts, name: design.counts[name] - 1}
            bound = _capacity_bound(line, target, name, fewer[name])
            if bound < target.value / (1 + ARITHMETIC_MARGIN):
                checks[name] = MinimalCheck(name, fewer[name], None, bound, True, "arithmetic")
            else:
                trials.append((name, fewer))
        if not trials:
            return design, [checks[n] for n in design.counts if n in checks]
        results = evaluate([counts for _, counts in trials])
        meeting = []
        for (name, _), result in zip(trials, results, strict=True):
            if result.low >= target.value:
                meeting.append((result.mean, name, result))
                continue
            shown = result.high < target.value
            checks[name] = MinimalCheck(
                name, result.counts[name], result.mean, result.high, shown, "simulation"
            )
        if not meeting:
            return design, [checks[n] for n in design.counts if n in checks]
        _, name, result = max(meeting, key=lambda item: item[0])  # the least output lost
        say(
            f"{name} {design.counts[name]} -> {result.counts[name]} (one fewer still meets)", result
        )
        design = result


ARITHMETIC_MARGIN = 0.05
"""How far below the target a station's capacity with one machine fewer must fall to be
shown needed without a run [-]: the static capacity is a long-run mean, so a margin keeps
a window's luck from mattering."""


def _capacity_bound(line: Any, target: OutputRate, name: str, count: int) -> float:
    """The most output [target's unit] station ``name`` with ``count`` machines lets the
    line make: the target x its capacity / what the target needs of it."""

    general = as_general(line)
    station = next(s for s in general.stations if s.name == name)
    need = needed_cycles(general, (target.material, target.per_time_unit)).get(name)
    if not need:
        return math.inf
    one = station.capacity_rate / station.machines * shift_share(line, station)
    return target.value * one * count / need


def _sizes(
    line: Any, before: dict[str, Any], arithmetic: dict[str, int], design: Evaluation
) -> list[StationSize]:
    stations = design.summary["stations"]

    rows = []
    for station in line.stations:
        if station.name not in design.counts:
            continue
        after = design.counts[station.name]
        was = before[station.name]
        values = stations.get(station.name, {})
        if station.kind == "delay":
            use = (values.get("fill") or {}).get("mean")
            capex = station.capex * station.machines * (after / was - 1) if was else 0.0
            kind = "capacity"
        else:
            shares = [(values.get(s) or {}).get("mean") for s in ACTIVE_STATES]
            use = sum(v for v in shares if v is not None) if any(shares) else None
            capex = station.capex * (after - was)
            kind = "machines"
        rows.append(
            StationSize(
                station.name,
                kind,
                int(was),
                arithmetic[station.name],
                after,
                None if use is None else float(use),
                float(capex),
            )
        )
    return rows


def _cause(scenario: Scenario) -> str:
    release = scenario.line.release
    policy = getattr(release, "policy", "push")
    if policy != "push":
        return (
            f"the line's release ({policy}) caps its output; raise it (e.g. --set release.wip=N) "
            "or size a push line"
        )
    return "something sizing does not change caps the output (a buffer, a shift, a recipe)"


def _reporter(
    steps: list[str], on_step: Callable[[str], None] | None, target: OutputRate
) -> Callable[[str, Evaluation], None]:
    def say(what: str, design: Evaluation) -> None:
        meets = "meets" if design.low >= target.value else "short of"
        text = (
            f"{what}: output {_n(design.mean)} [{_n(design.low)}, {_n(design.high)}] "
            f"{target.unit}, {meets} {target.text}"
        )
        steps.append(text)
        if on_step is not None:
            on_step(text)

    return say


def _n(value: float) -> str:
    return number(value) if math.isfinite(value) else "-"
