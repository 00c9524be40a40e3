"""Capacity arithmetic: what each station can make and what a target output needs of it.

Per station: ideal rate per machine x machines x availability (failures, setups, minor
stops, maintenance and shifts, the static estimate of :attr:`Station.capacity_rate`) gives
its capacity; a target is carried back through every recipe and every station's losses
(scrap, defects found there, grades sold there) to the output each station must give (an
Ah target counts cells of every grade), and forward to
the stations after the product step (cells into modules). Load = needed / capacity;
slack = capacity - needed. The capacity table (:mod:`sim.report.capacity`) prints it and
``linesim size`` starts from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.analysis.grades import upstream_of
from sim.figures import number
from sim.model.calendar import ShiftCalendar
from sim.model.line import Line
from sim.model.serial import as_general
from sim.model.station import Station
from sim.model.units import SECONDS_PER

__all__ = [
    "STORE_SLACK",
    "CapacityRow",
    "capacity_table",
    "finished_target_rate",
    "good_share",
    "needed_cycles",
    "output_rate_per_hour",
    "passed_on",
    "per_cycle",
    "raw_flow_time",
    "resized_counts",
    "shift_share",
    "sizing_counts",
    "target_rate",
    "window_warnings",
]


def output_rate_per_hour(station: Station, time_unit: str) -> float:
    """Ideal output of one machine [output unit / h]: output per cycle / ideal cycle time;
    for a delay, its capacity / soak time [units / h] (``nan`` when unlimited)."""
    hours = SECONDS_PER[time_unit] / SECONDS_PER["h"]
    per_cycle = next(iter((station.output or {"": 1.0}).values()))
    if station.kind == "delay":
        if station.capacity is None:
            return float("nan")
        return station.capacity / (station.cycle_time.mean * hours)
    return per_cycle / (station.ideal_time_per_cycle * hours)


@dataclass(frozen=True)
class CapacityRow:
    """One station [output unit / h unless said]."""

    station: str
    unit: str
    machines: int
    """parallel machines [-] (0 for a delay)"""
    rate_per_machine: float
    """ideal output of one machine (a delay: what it holds / soak time) [unit / h]"""
    availability: float
    """capacity / (machines x ideal rate) [-]: failures, setups, stops, shifts."""
    capacity: float
    needed: float
    """output the target needs of it [unit / h]; NaN without a target."""

    @property
    def load(self) -> float:
        """needed / capacity [-]."""
        return self.needed / self.capacity if self.capacity > 0 else math.inf

    @property
    def slack(self) -> float:
        """capacity - needed [unit / h]."""
        return self.capacity - self.needed


def shift_share(line: Line, station: Station) -> float:
    """Share of the time the station is staffed [-] (1 without shifts)."""
    if station.shifts is None:
        return 1.0
    intervals = [(s.start, s.start + s.length) for s in line.shifts if s.name in station.shifts]
    return float(ShiftCalendar(intervals, line.shift_cycle).on_per_period / line.shift_cycle)


def per_cycle(station: Station) -> float:
    return next(iter((station.output or {"": 1.0}).values()))


def good_share(line: Line, station: Station) -> float:
    """Share of what the station makes that it gives on [-]: 1 - defects found here, then
    1 - scrap."""
    found = sum(
        s.defects.rate for s in line.stations if s.defects and s.defects.found_at == station.name
    )
    return max(0.0, 1.0 - found) * (1.0 - station.scrap) * passed_on(station)


def passed_on(station: Station) -> float:
    """Share of the units a station grades that its grades pass on [-] (1 without
    grades): the others are sold there or rejected."""
    if station.grades is None:
        return 1.0
    shares = station.grades.shares()
    return math.fsum(share for share, on in zip(shares, station.grades.on, strict=False) if on)


def _kept_of_counted(line: Line, material: str) -> float:
    """Of the cells an Ah target counts (every grade), the share that reaches ``material``
    [-]: grades sold at or before its maker leave the line there (1 without grades)."""
    kept = 1.0
    for station in line.stations:
        if station.grades is None or station.name not in upstream_of(line, material):
            continue
        shares = station.grades.shares()
        good = math.fsum(shares[:-1])
        kept *= passed_on(station) / good if good > 0 else 0.0
    return kept


def target_rate(line: Line) -> tuple[str, float] | None:
    """The material the target is set on and its good units a time unit [unit / time unit].

    ``ah_per_year`` is good cells of ``product.cell``; ``throughput`` the line's finished
    units (a serial line's jobs). ``None`` without a target.
    """
    target = line.target
    if target is None:
        return None
    if target.ah_per_year is not None and line.product is not None:
        cells = target.ah_per_year / line.product.ah_per_cell / line.time_per_year
        return line.product.cell, cells
    if target.throughput is None:
        return None
    line = as_general(line)
    consumed = {m for s in line.stations for m in s.inputs or {}}
    made = [s.output_material for s in line.stations]
    finished = [m for m in line.materials or {} if m in made and m not in consumed]
    return (finished[0] if finished else ""), target.throughput


def finished_target_rate(line: Line) -> float | None:
    """The target as good finished units (what the throughput plot counts) a time unit."""
    found = target_rate(line)
    if found is None:
        return None
    line = as_general(line)
    needed = needed_cycles(line, found)
    # The first finished material, as the run's time series counts.
    consumed = {m for s in line.stations for m in s.inputs or {}}
    made = {s.output_material for s in line.stations}
    finished = [m for m in line.materials or {} if m in made and m not in consumed]
    makers = [s for s in line.stations if finished and s.output_material == finished[0]]
    return sum(needed.get(s.name, math.nan) * per_cycle(s) * good_share(line, s) for s in makers)


def needed_cycles(line: Line, found: tuple[str, float]) -> dict[str, float]:
    """Cycles a time unit each station must finish for the target [1 / time unit]."""
    material, rate = found
    order = line.flow_order()
    cycles: dict[str, float] = {}
    if line.product is not None and material == line.product.cell:
        rate *= _kept_of_counted(line, material)  # sold grades count towards an Ah target
    demand = {material: rate}  # good units a time unit into each material
    for station in reversed(order):  # back from the target, through recipes and losses
        want = demand.get(station.output_material or "")
        if want is None:
            continue
        producers = [s for s in line.stations if s.output_material == station.output_material]
        share = station.capacity_rate / max(sum(p.capacity_rate for p in producers), 1e-300)
        cycles[station.name] = (
            want * share / per_cycle(station) / max(good_share(line, station), 1e-12)
        )
        for name, quantity in (station.inputs or {}).items():
            demand[name] = demand.get(name, 0.0) + cycles[station.name] * quantity
    supply = dict(demand)
    made = {s.output_material for s in line.stations}
    for station in order:  # forward from the target to what is made of it (modules)
        if station.name in cycles:
            continue
        # raw materials (busbars, frames: no station makes them) never limit
        inputs = {m: q for m, q in (station.inputs or {}).items() if m in made}
        if not inputs or not all(m in supply for m in inputs):
            continue
        cycles[station.name] = min(supply[m] / q for m, q in inputs.items())
        out = station.output_material or ""
        supply[out] = cycles[station.name] * per_cycle(station) * good_share(line, station)
    return cycles


def capacity_table(line: Line) -> list[CapacityRow]:
    """One row per station in file order; ``needed`` is NaN without a target."""
    hours = SECONDS_PER[line.time_unit] / SECONDS_PER["h"]  # h per time unit
    found = target_rate(line)
    cycles = needed_cycles(line, found) if found is not None else {}
    units = {name: m.unit for name, m in (line.materials or {}).items()}
    rows = []
    for station in line.stations:
        per_machine = output_rate_per_hour(station, line.time_unit)
        capacity = station.capacity_rate * shift_share(line, station) * per_cycle(station) / hours
        if station.kind == "delay":
            machines, ideal = 0, per_machine
        else:
            machines, ideal = station.machines, per_machine * station.machines
        needed = cycles.get(station.name, math.nan) * per_cycle(station) / hours
        rows.append(
            CapacityRow(
                station.name,
                units.get(station.output_material or "", "jobs"),
                machines,
                per_machine,
                capacity / ideal if ideal > 0 and math.isfinite(ideal) else math.nan,
                capacity,
                needed,
            )
        )
    return rows


STORE_SLACK = 0.20
"""Soak space a store or soak delay keeps over its mean content [-]: the middle of the
15-25 % that real wetting and aging stores keep free for the swings of a day's output and
for lots held back (E: docs/sources.md, "Stores and sizing"); a store run at its mean
content fills at every swing and stops the line before it."""


def sizing_counts(line: Line, material: str, rate: float) -> dict[str, int]:
    """The fewest machines of each machine station (and the soak space of each bounded
    delay, :data:`STORE_SLACK` over its mean content) for ``rate`` good units of
    ``material`` a time unit, by capacity arithmetic: machines = ceil(cycles needed /
    capacity of one machine), capacity counted with failures, setups, minor stops,
    maintenance and shifts (:attr:`Station.capacity_rate`); delay space = ceil(cycles needed
    x input per cycle x soak time x (1 + slack)). Blocking and starving are not counted:
    a simulation decides the rest. Keys are station names; delays without a capacity
    (unbounded) are left out."""
    general = as_general(line)
    cycles = needed_cycles(general, (material, rate))
    counts: dict[str, int] = {}
    for station in general.stations:
        need = cycles.get(station.name)
        if need is None or not math.isfinite(need):
            continue
        if station.kind == "delay":
            if station.capacity is None or not station.inputs:
                continue
            held = need * next(iter(station.inputs.values())) * station.cycle_time.mean
            counts[station.name] = max(1, math.ceil(held * (1 + STORE_SLACK) - 1e-9))
            continue
        one = station.capacity_rate / station.machines * shift_share(line, station)
        if one <= 0:
            continue
        counts[station.name] = max(1, math.ceil(need / one - 1e-9))
    return counts


def resized_counts(base: Line, changed: Line) -> dict[str, int]:
    """Machine counts (and soak space) of ``changed`` (``base`` with other inputs, e.g. a
    longer formation) for the same nameplate as ``base``. Each machine station keeps its
    count while its static load (needed / capacity) stays at most the larger of its load
    in ``base`` and :data:`RESIZE_LOAD`; past that it gets the fewest machines that bring
    it back, and where the changed inputs load it less it drops machines as long as its
    load stays at most its base load. A store scales with what it must hold. So the base
    counts keep the headroom a simulation found for them, and only what the inputs move
    is re-sized. Empty without a target on the line; keys are dotted overrides
    (``stations.<name>.machines`` / ``.capacity``)."""
    found = target_rate(base)
    if found is None:
        return {}
    before = needed_cycles(as_general(base), found)
    after = needed_cycles(as_general(changed), found)
    stations = {s.name: s for s in changed.stations}
    counts: dict[str, int] = {}
    for old in base.stations:
        new = stations.get(old.name)
        need_old, need_new = before.get(old.name), after.get(old.name)
        if new is None or not need_old or need_new is None:
            continue
        if old.kind == "delay":
            if old.capacity is None or new.capacity is None:
                continue
            ratio = (need_new * new.cycle_time.mean) / (need_old * old.cycle_time.mean)
            counts[f"stations.{old.name}.capacity"] = max(1, math.ceil(old.capacity * ratio - 1e-6))
            continue
        one_old = old.capacity_rate / old.machines * shift_share(base, old)
        one_new = new.capacity_rate / new.machines * shift_share(changed, new)
        if one_old <= 0 or one_new <= 0:
            continue
        load_old = need_old / (old.machines * one_old)
        counts[f"stations.{old.name}.machines"] = _machines_for(
            need_new / one_new, old.machines, load_old
        )
    return counts


RESIZE_LOAD = 0.9
"""Static load [-] a re-sized station may reach before it gets another machine (when its
base load is lower): capacity arithmetic leaves out blocking and starving, so a station
near full load in arithmetic is a bottleneck in a run."""


def _machines_for(work: float, count: int, base_load: float) -> int:
    """Machines for ``work`` [machine-equivalents of load] from ``count`` with base load
    ``base_load``: add while the load passes max(base load, RESIZE_LOAD), drop while the
    load stays within the base load."""
    ceiling = max(base_load, RESIZE_LOAD) * (1 + 1e-9)
    n = count
    while work / n > ceiling and n < 10 * count + 10:
        n += 1
    while n > 1 and work / (n - 1) <= base_load * (1 + 1e-9):
        n -= 1
    return n


def raw_flow_time(line: Line) -> float:
    """The time one unit needs through the line with no waiting [time unit]: the longest
    chain of stations in flow order, each station's own time a lot (a machine: lot x
    mean time per cycle; a batch: the batch time; a delay: the soak)."""
    general = as_general(line)
    makers: dict[str, list[str]] = {}
    for station in general.stations:
        makers.setdefault(station.output_material or "", []).append(station.name)
    done: dict[str, float] = {}
    for station in general.flow_order():
        if station.kind == "delay" or station.batch is not None:
            own = station.cycle_time.mean
        else:
            own = station.ideal_time_per_cycle * station.lot
        before = [done[m] for material in station.inputs or {} for m in makers.get(material, [])
                  if m in done]  # fmt: skip
        done[station.name] = own + max(before, default=0.0)
    return max(done.values(), default=0.0)


def window_warnings(line: Line, horizon: float, warmup: float, good: float) -> list[str]:
    """What makes a measured window say little [time unit of ``line``]: no good output, a
    window that ends before one unit can pass through, or a warm-up shorter than that
    (for a line that ramps up, which is measured from its start on purpose: a warm-up
    that hides part of the ramp)."""
    flow = raw_flow_time(line)
    unit = line.time_unit
    end, shown, start = number(warmup + horizon), number(flow), number(warmup)
    if warmup + horizon < flow:
        return [
            f"the window ends at {end} {unit}, before one unit can pass "
            f"through the line (its raw flow time is {shown} {unit}): nothing it shows is "
            f"the line's output; give a warm-up of at least {shown} {unit} and a horizon "
            "of several times that"
        ]
    notes = []
    if not good:
        notes.append("no good output in the measured window: the line never produced")
    if line.ramp_up is not None:
        # a ramp-up run measures the transient from the start of production on purpose
        if warmup > 0:
            notes.append(
                f"the line ramps up from t = 0, and the warm-up ({start} {unit}) discards "
                "that much of its ramp: the months are counted from the end of the "
                "warm-up; a ramp-up run usually has none (warmup: 0)"
            )
    elif warmup < flow:
        notes.append(
            f"the warm-up ({start} {unit}) is shorter than the line's raw flow time "
            f"({shown} {unit}): the window measures a line still filling; give a warm-up "
            f"of at least {shown} {unit}"
        )
    return notes
