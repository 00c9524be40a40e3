"""Each input set's plants sized to the claimed line: capacity arithmetic first, then runs.

The uncertainty study reads the claim on the plant the claim describes, so every input
set's before line is re-sized to the reference line's target (300 M Ah/yr): first by
capacity arithmetic (:func:`sim.analysis.capacity.resized_counts`: machine counts and soak
space scaled by how much the set's inputs load them). Arithmetic leaves out blocking,
starving and the way failures add up along a line, so a set whose before line, once run,
falls short of the target by more than :data:`TOLERANCE` gets more units at the station
that most held its line up in that run (the rule of ``linesim size``:
:func:`sim.analysis.comparison.bottleneck_ranking`, a machine station's active share or a
delay's fill): as many as close the shortfall if that station alone held the output,
n x (target / output - 1) rounded up, at least one (a store by that share, at least
:data:`sim.analysis.capacity.STORE_SLACK`), and both its plants run again, for at most
:data:`ROUNDS` rounds. A raise that did not lift the before
line's output by :data:`HELPED` is taken back (so no plant carries equipment that buys
nothing, which its costs would count) and the next station of that run's ranking is
raised instead. The smart plant is always the set's
re-sized before line plus its levers. A set may end above the target (capacity comes in
whole machines); none is trimmed, since the claimed plant was built with its headroom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.analysis.capacity import STORE_SLACK, resized_counts
from sim.analysis.comparison import bottleneck_ranking
from sim.analysis.summary import build_summary
from sim.model.uncertainty import value_at

if TYPE_CHECKING:
    from sim.experiment.replicate import RunResult
    from sim.model.line import Line

__all__ = [
    "HELPED",
    "ROUNDS",
    "RULE",
    "TOLERANCE",
    "SetResizer",
    "arithmetic_sizes",
    "binding_ranking",
    "mean_output",
    "raised",
    "short_of_target",
    "target_output",
]

TOLERANCE = 0.03
"""Shortfall of a set's before-line output below the target that gets it re-sized by a run
[-]: issue 23 asks every set within 3 % of the claimed 300 M Ah/yr."""

ROUNDS = 10
"""Most rounds of raising the binding station per set [-]. Four left 2 of 128 sets 3.1 %
and 3.7 % short when each round added one unit (a formation rack in 65 adds 1.5 %). With
raises sized to the shortfall, 127 of 128 sets end within 3 % after at most five rounds;
the last one, at 290.9 M Ah/yr (3.04 % short), had its fifth raise lift it to the 3 % line
by less than :data:`HELPED`, which is taken back. A round re-runs only the sets still
short."""

HELPED = 0.002
"""Least relative rise of a set's before-line output that keeps a raise [-] (one formation
rack in 65 adds about 1.5 %; the two runs share their random numbers, so their noise is
far below that)."""


def arithmetic_sizes(base: Line, changed: Line) -> dict[str, int]:
    """The counts of ``base`` re-sized by capacity arithmetic for the inputs of ``changed``
    (only those that change; :func:`sim.analysis.capacity.resized_counts`)."""

    written: Any = base.model_dump(by_alias=True)
    counts = resized_counts(base, changed)
    return {path: n for path, n in counts.items() if value_at(written, path) != n}


def target_output(line: Line) -> tuple[str, float] | None:
    """The per-replication KPI the line's target is set on and the target's value in its
    unit (``ah_per_year`` [Ah / year], else ``throughput`` [units / time unit]); ``None``
    without a target."""
    target = line.target
    if target is None:
        return None
    if target.ah_per_year is not None:
        return "ah_per_year", float(target.ah_per_year)
    if target.throughput is not None:
        return "throughput", float(target.throughput)
    return None


def short_of_target(before: list[dict[str, float]], goal: tuple[str, float]) -> bool:
    """True when the mean of ``before``'s replications falls more than :data:`TOLERANCE`
    below the target ``goal`` (KPI, value)."""
    return mean_output(before, goal) < (1 - TOLERANCE) * goal[1]


def mean_output(before: list[dict[str, float]], goal: tuple[str, float]) -> float:
    """The mean over ``before``'s replications of the KPI the target is set on (NaN
    without one)."""
    found = [r[goal[0]] for r in before if goal[0] in r and math.isfinite(r[goal[0]])]
    return float(np.mean(found)) if found else math.nan


def binding_ranking(result: RunResult) -> list[str]:
    """Every station of ``result`` by how much it held up the line, most first (its
    replications' mean active share, or a delay's fill). All of them, not a top few: the
    three soak stores fill to 90-95 % and rank high, and their raises are mostly taken
    back, so a short top list could run out before the station that binds is tried."""
    stations = build_summary(result)["stations"]
    return [str(row["station"]) for row in bottleneck_ranking(stations, len(stations))]


@dataclass(frozen=True)
class _Raise:
    station: str
    sizes: dict[str, int]
    """The counts before the raise."""
    output: float
    ranking: list[str]


class SetResizer:
    """Chooses, round by round, what one more unit goes to in each short input set, and
    takes back a raise that did not help (:data:`HELPED`)."""

    def __init__(self, base: Line) -> None:
        self.base = base
        self.goal = target_output(base)
        self._last: dict[int, _Raise] = {}
        self._tried: dict[int, set[str]] = {}

    def next_sizes(
        self, index: int, sizes: dict[str, int], output: float, ranking: list[str]
    ) -> dict[str, int] | None:
        """The counts to run next for set ``index``, short at ``sizes`` with ``output``
        and its run's ``ranking``; ``None`` when no station is left to try."""
        last = self._last.get(index)
        if last is not None and not output > last.output * (1 + HELPED):
            self._tried.setdefault(index, set()).add(last.station)
            sizes, output, ranking = last.sizes, last.output, last.ranking
        left = [name for name in ranking if name not in self._tried.get(index, set())]
        if not left:
            self._last.pop(index, None)
            return None
        self._last[index] = _Raise(left[0], sizes, output, ranking)
        short = 0.0
        if self.goal is not None and output > 0 and math.isfinite(output):
            short = max(0.0, self.goal[1] / output - 1)
        return raised(sizes, self.base, left[0], short)

    def settled(self, index: int, output: float) -> dict[str, int] | None:
        """After the last round: the counts before set ``index``'s last raise when that
        raise did not help (``None``: keep what ran last)."""
        last = self._last.get(index)
        if last is not None and not output > last.output * (1 + HELPED):
            return last.sizes
        return None


def raised(
    sizes: dict[str, int], line: Line, station: str, shortfall: float = 0.0
) -> dict[str, int]:
    """``sizes`` (dotted overrides of ``line``'s machine counts and soak space) with more
    units at ``station``: ``ceil(n x shortfall)`` machines, at least one, or soak space
    grown by ``shortfall`` [-], at least :data:`~sim.analysis.capacity.STORE_SLACK` (and
    one place); ``shortfall`` is target / output - 1 [-]."""

    spec = line.station(station)
    field = "capacity" if spec.kind == "delay" else "machines"
    path = f"stations.{station}.{field}"
    written: Any = line.model_dump(by_alias=True)
    count = int(sizes.get(path, value_at(written, path) or 1))
    if field == "capacity":
        more = max(count + 1, math.ceil(count * (1 + max(STORE_SLACK, shortfall))))
    else:
        more = count + max(1, math.ceil(count * shortfall - 1e-9))
    return {**sizes, path: more}


RULE = (
    "each set's plants re-sized to the reference line's target: machine counts and soak "
    "space scaled by how much the set's inputs load them (n' = ceil(n x load' / load)), "
    f"then, where the before line's run fell more than {TOLERANCE:.0%} short of the "
    "target, more units at the station that most held it up (active share, or a store's "
    "fill), n x (target / output - 1) rounded up, at least one, and both plants run "
    f"again, at most {ROUNDS} rounds; a raise that "
    f"lifted the output by less than {HELPED:.1%} is taken back and the next station of "
    "that run's ranking raised instead; the smart plant is the re-sized before line plus "
    "its levers"
)
"""The re-sizing rule as ``uncertainty.json`` states it."""
