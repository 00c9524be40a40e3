"""A product mix: several cell types made on one line, their sequence and changeovers.

A line with ``products:`` makes several types of one format (for example three
capacities of one prismatic can). Every type runs on the same stations; a type changes
what it must (process time or speed, a speed factor, scrap, the material a cycle takes)
station by station. Work gets its type at ``release_at``, the first station whose output
is of one type (upstream, e.g. the electrode lines, work is common to all types); from
there on every lot carries its type, a station works one type per run and a batch holds
one type. The release station follows the ``sequence``: campaigns of a number of lots per
type, in a cycle, or (under a demand whose orders name the types) the type of the open
order due first (``due-date``, :mod:`sim.engine.sequencing`). A station with a
``changeovers`` matrix spends the from-to time in setup when a machine's next lot is of
another type than its last one.

Times are in the line's ``time_unit`` once loaded.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.model.distributions import Distribution, Duration
from sim.model.station import Name, Rate

__all__ = [
    "CellType",
    "ChangeoverMatrix",
    "ProductMix",
    "Sequence",
    "StationChanges",
    "cycle_order",
]

MAX_TYPES = 8
"""Most types in one mix [-]: the fewest-changeover order tries every cycle of them."""


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


class StationChanges(_Model):
    """What one type changes at one station; what it does not give stays as the station's."""

    process_time: Distribution | None = Field(
        default=None, description="time per cycle, or per batch, of this type [time unit]"
    )
    speed: Rate | None = Field(
        default=None,
        gt=0,
        description="roll-to-roll: cycles per time of this type, e.g. '30 m/min' "
        "[cycles / time unit]",
    )
    speed_factor: float | None = Field(
        default=None,
        gt=0,
        le=100,
        description="this type's speed as a multiple of the station's: every process time "
        "drawn is divided by it [-]",
    )
    scrap: float | None = Field(
        default=None, ge=0, lt=1, description="share of this type's output scrapped here [-]"
    )
    inputs: dict[Name, Annotated[float, Field(gt=0)]] | None = Field(
        default=None,
        description="material this type takes per cycle, for materials the station takes "
        "[material unit]; a material left out keeps the station's quantity",
    )

    @model_validator(mode="after")
    def _one_time(self) -> StationChanges:
        given = [self.process_time, self.speed, self.speed_factor]
        if sum(value is not None for value in given) > 1:
            raise ValueError("give at most one of process_time, speed and speed_factor")
        return self


class CellType(_Model):
    """One type of the mix: its capacity and what it changes station by station."""

    ah_per_cell: float | None = Field(
        default=None, gt=0, description="capacity of one cell [Ah]; default product.ah_per_cell"
    )
    description: str = Field(default="", description="what it is, sources")
    stations: dict[Name, StationChanges] = Field(
        default_factory=dict, description="station name -> what this type changes there"
    )


class Sequence(_Model):
    """The order in which the release station starts the types: campaigns in a cycle, or
    by the earliest due date of the open orders."""

    rule: Literal["campaign", "due-date"] = Field(
        default="campaign",
        description="campaign: each type in turn for its number of lots, then the next "
        "(under a demand, a type with nothing authorised ends its campaign and the next "
        "one in the cycle that has orders starts); due-date (earliest due date, EDD, needs a "
        "demand with orders naming the types): each lot is of the type of the open order "
        "(placed, not yet released in full) due first, ties by the order in the file",
    )
    lots: dict[Name, Annotated[float, Field(ge=1, le=10_000_000)]] = Field(
        default_factory=dict,
        description="campaign: campaign length of each type, in lots of the release "
        "station, rounded to whole lots (a lever may scale it) [lots]; due-date: unused",
    )
    order: Literal["as_written", "fewest_changeovers"] = Field(
        default="as_written",
        description="as_written: the types in the order of lots; fewest_changeovers: the "
        "cycle whose changeovers, summed over the changeover stations, are shortest",
    )


ChangeoverMatrix = dict[Name, dict[Name, Duration]]
"""From type -> to type -> changeover time [time unit] at one station."""


class ProductMix(_Model):
    """Several cell types on one line: types, release sequence, changeovers."""

    release_at: Name = Field(
        description="the station whose output first has a type; from it on lots carry one"
    )
    types: dict[Name, CellType] = Field(
        min_length=1, max_length=MAX_TYPES, description="the types made, by name"
    )
    sequence: Sequence = Field(description="how the release station orders the types")
    changeovers: dict[Name, ChangeoverMatrix] = Field(
        default_factory=dict,
        description="station -> from type -> to type -> changeover time [time unit]; every "
        "change between two types needs its entry, a type to itself is 0 or left out",
    )

    @property
    def names(self) -> list[str]:
        """The types in the order the file lists them."""
        return list(self.types)

    def changeover(self, station: str, before: str, after: str) -> float:
        """Time to change ``station`` over from ``before`` to ``after`` [time unit]."""
        if before == after:
            return 0.0
        return self.changeovers.get(station, {}).get(before, {}).get(after, 0.0)

    def cycle(self) -> list[str]:
        """The types in the order the release station runs their campaigns."""
        written = list(self.sequence.lots) or self.names
        if self.sequence.order == "as_written":
            return written
        return cycle_order(written, self.changeover_sum)

    def changeover_sum(self, before: str, after: str) -> float:
        """Changeover time from ``before`` to ``after`` summed over stations [time unit]."""
        return sum(self.changeover(station, before, after) for station in self.changeovers)


def cycle_order(types: list[str], cost: Callable[[str, str], float]) -> list[str]:
    """Return the cyclic order of ``types`` with the least summed ``cost(a, b)`` of each
    step and of the step back to the first (ties: the first in file order); every cycle
    is tried, which :data:`MAX_TYPES` keeps small (7! = 5,040 cycles)."""
    if len(types) <= 2:
        return list(types)
    first, rest = types[0], types[1:]
    best: tuple[float, list[str]] | None = None
    for tail in itertools.permutations(rest):
        order = [first, *tail]
        total = sum(cost(a, b) for a, b in zip(order, [*order[1:], first], strict=True))
        if best is None or total < best[0] - 1e-12:
            best = (total, order)
    assert best is not None
    return best[1]
