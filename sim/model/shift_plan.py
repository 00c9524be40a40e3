"""Dropping shifts when demand is below capacity (a demand's ``below_capacity: drop-shifts``).

The rule, as a planner staffs a line: the line's shift pattern (``shifts:``, repeating
every ``shift_cycle``) is cut to its first k shifts, in the pattern's order, with k the
fewest whose share of the pattern's staffed time covers the peak demand (the demand rate,
or the highest month of a monthly table) x (1 + ``shift_margin``) / ``capacity``
(what the line makes working every shift). When no k short of all covers it, every shift
is worked (as with ``idle``).

In a dropped shift the whole line is off: every machine station is off shift (no crew on
duty, so no direct labour is paid, and no power drawn: :mod:`sim.analysis.costs`); the
plant's base load stays on. A station whose own ``shifts`` name fewer shifts keeps only
those of them that are worked. Delays (wetting, aging soaks) run on, as they always do,
and batch stations (formation, ovens) finish a cycle started in a worked shift
unattended (``finish_cycle``), as their continuous processes do; every other machine
pauses its cycle at the shift end and resumes it in the next worked shift.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.errors import ConfigError
from sim.model.calendar import ShiftCalendar
from sim.model.demand_plan import demand_rate
from sim.model.line import Line
from sim.model.station import Station

__all__ = ["ShiftPlan", "check_shift_plan", "finishes_cycle", "shift_plan", "worked_calendars"]


@dataclass(frozen=True)
class ShiftPlan:
    """The shifts a demand keeps: their names, their share of the pattern's staffed time
    [-], and the share the demand needs [-] (peak demand x (1 + margin) / capacity)."""

    worked: tuple[str, ...]
    share: float
    needed: float
    shifts: int
    """Shifts in the line's pattern [-]."""


def _on(line: Line, names: set[str]) -> float:
    """Staffed time of the named shifts in one pattern [time unit]."""
    intervals = [(s.start, s.start + s.length) for s in line.shifts if s.name in names]
    return ShiftCalendar(intervals, line.shift_cycle).on_per_period


def check_shift_plan(line: Line) -> list[ConfigError]:
    """Errors of a drop-shifts demand against its line (empty when fine or not dropping)."""
    demand = line.demand
    if demand is None or demand.below_capacity != "drop-shifts":
        return []
    if not line.shifts:
        return [
            ConfigError(
                "drop-shifts works fewer of the line's shifts, but the line has no shifts:; "
                "give the line its shift pattern (e.g. day and night shifts of 12 h) or "
                "use below_capacity: idle",
                path="demand.below_capacity",
            )
        ]
    assert demand.capacity is not None, "the schema asks for it"
    try:
        capacity = demand_rate(demand.capacity, line, "demand.capacity")
    except ConfigError as error:
        return [error]
    if not capacity > 0:
        return [ConfigError("capacity must be above 0", path="demand.capacity")]
    return []


def shift_plan(line: Line) -> ShiftPlan | None:
    """The shifts the line's demand keeps, or ``None`` unless it drops shifts."""
    demand = line.demand
    if demand is None or demand.below_capacity != "drop-shifts" or not line.shifts:
        return None
    assert demand.capacity is not None, "the schema asks for it"
    texts = [demand.rate] if demand.rate is not None else list((demand.monthly or {}).values())
    peak = max(demand_rate(text, line, "demand") for text in texts)
    capacity = demand_rate(demand.capacity, line, "demand.capacity")
    needed = peak * (1 + demand.shift_margin) / capacity
    names = [s.name for s in line.shifts]
    full = _on(line, set(names))
    for count in range(1, len(names) + 1):
        kept = tuple(dict.fromkeys(names[:count]))
        share = _on(line, set(kept)) / full
        if share >= needed or count == len(names):
            return ShiftPlan(kept, share, needed, len(names))
    raise AssertionError("unreachable: the last count returns")


def worked_calendars(line: Line) -> dict[str, ShiftCalendar]:
    """Shift calendar of each station that works in shifts, by station name: the line's
    own (:attr:`Line.calendars`), or under drop-shifts those of the shifts worked."""
    plan = shift_plan(line)
    if plan is None:
        return line.calendars
    worked = set(plan.worked)
    calendars = {}
    for station in line.stations:
        if station.kind == "delay":
            continue
        names = set(station.shifts) if station.shifts is not None else {s.name for s in line.shifts}
        intervals = [(s.start, s.start + s.length) for s in line.shifts if s.name in names & worked]
        calendars[station.name] = ShiftCalendar(intervals, line.shift_cycle)
    return calendars


def finishes_cycle(line: Line, station: Station) -> bool:
    """Whether a cycle the station starts in a shift runs to its end unattended: its own
    ``finish_cycle``, or under drop-shifts a batch station's continuous process."""
    if station.finish_cycle:
        return True
    return station.batch is not None and shift_plan(line) is not None
