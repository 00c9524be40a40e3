"""Warnings for suspicious but legal values: the file runs, but probably not as meant.

Each warning is one line, starting with the dotted YAML path it is about. The checks are
static (mean times, no queueing): a station whose work arrives faster than it can do it,
a batch that can never fill (or never run full), a lot that can never enter a delay, and
a warm-up shorter than the slowest step, so that the measured window starts unfilled.

Static utilisation is checked for serial lines with a push release and an
``interarrival`` only: with CONWIP the line is closed, and with unlimited raw material
(a push release without interarrival, and every line with materials) the bottleneck sets
the pace, so by construction no station's utilisation can exceed 1 and there is nothing
to compare.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable

from sim.model.line import PIECE_UNITS, Line
from sim.model.scenario import Scenario
from sim.model.serial import as_general, buffer_path, entry_material, release_per_unit
from sim.model.shift_plan import worked_calendars
from sim.model.station import Station

__all__ = ["line_warnings", "scenario_warnings"]


def line_warnings(line: Line) -> list[str]:
    """Return warnings about ``line`` (empty when nothing looks wrong)."""
    line = as_general(line)
    warnings = _overloaded(line) + _batches(line) + _delay_lots(line) + _piece_units(line)
    return warnings


def _piece_units(line: Line) -> list[str]:
    """Materials whose unit looks like a misspelt piece unit but count as continuous."""
    warnings = []
    for name, material in (line.materials or {}).items():
        if material.discrete or material.unit in PIECE_UNITS:
            continue
        close = difflib.get_close_matches(material.unit.lower(), sorted(PIECE_UNITS), n=1)
        if close:
            warnings.append(
                f"materials.{name}.unit: {material.unit!r} is not a piece unit (did you mean "
                f"{close[0]!r}?), so {name} counts as a continuous amount, in fractions; write "
                f"unit: {close[0]} or discrete: true if it counts whole pieces"
            )
    return warnings


def scenario_warnings(scenario: Scenario) -> list[str]:
    """Return the warnings of the scenario's line and of its run settings: a warm-up
    shorter than the longest delay or batch time (unless the line ramps up), a batch
    whose minimum takes longer to collect than the whole run."""
    line = as_general(scenario.line)
    warnings = line_warnings(line)
    unit = line.time_unit
    slow = [s for s in line.stations if s.kind == "delay" or s.batch is not None]
    if slow:
        longest = max(slow, key=lambda s: s.cycle_time.mean)
        time = longest.cycle_time.mean
        # a ramp-up run is measured from the start of production: the filling is its point
        if scenario.warmup < time and line.ramp_up is None:
            what = "delay" if longest.kind == "delay" else "batch process"
            warnings.append(
                f"warmup: {scenario.warmup:g} {unit} is shorter than the {what} time of "
                f"{longest.name!r} ({time:g} {unit}), so the measured window starts before "
                f"the line has filled; make warmup at least {time:g} {unit}"
            )
    run_length = scenario.warmup + scenario.horizon
    supply = _supply(line)
    for station in line.stations:
        if station.batch is None:
            continue
        rate = supply(station)  # most cycles a time unit can bring to this station
        if rate <= 0 or math.isinf(rate):
            continue
        fill = station.batch_min / rate
        if fill > run_length:
            warnings.append(
                f"stations.{station.name}.batch: collecting the minimum batch of "
                f"{station.batch_min} takes at least {fill:.4g} {unit} at the most the "
                f"stations before it can deliver, longer than the whole run "
                f"({run_length:g} {unit} with warm-up), so it never starts; lower the "
                "batch minimum or run longer"
            )
    return warnings


def _share(line: Line, station: Station) -> float:
    """Share of the time the station is staffed [-] (1 without shifts), in the shifts
    worked when a demand drops shifts."""
    calendar = worked_calendars(line).get(station.name)
    return 1.0 if calendar is None else calendar.on_per_period / calendar.period


def _capacity(line: Line, station: Station) -> float:
    """Most cycles a time unit, counting failures, stops, setups and shifts [1/time unit]."""
    return station.capacity_rate * _share(line, station)


def _overloaded(line: Line) -> list[str]:
    """Push lines with an interarrival: stations that get more than they can do (the
    arrivals carried through the line, less scrap and defects found on the way)."""
    release = line.release
    entry = entry_material(line)
    if release.policy != "push" or release.interarrival is None or entry is None:
        return []
    unit = line.time_unit
    what = "jobs" if line.written_serial else "cycles"
    supply = {entry: 1.0 / release.interarrival.mean}  # material -> units a time unit
    defective: dict[str, float] = {}  # station -> units a time unit it finds defective
    warnings = []
    for station in line.flow_order():
        inputs = station.inputs or {}
        if not all(m in supply for m in inputs):
            continue
        rate = min((supply[m] / q for m, q in inputs.items()), default=math.inf)
        capacity = _capacity(line, station) if station.kind == "machine" else math.inf
        if rate > capacity * (1 + 1e-9):
            utilisation = rate / capacity if capacity > 0 else math.inf
            warnings.append(
                f"stations.{station.name}: static utilisation {utilisation:.3g} > 1: "
                f"{what} arrive at {rate:.4g} per {unit} but it can do at most "
                f"{capacity:.4g} per {unit} (with failures, stops, setups and shifts), so "
                "its queue grows without end; add machines or raise the interarrival time"
            )
            rate = capacity
        out = (station.output or {}).get(station.output_material or "", 1.0)
        if station.defects is not None:
            found = station.defects.found_at
            defective[found] = defective.get(found, 0.0) + rate * out * station.defects.rate
        made = max(0.0, rate * out * (1 - station.scrap) - defective.get(station.name, 0.0))
        name = station.output_material or ""
        supply[name] = supply.get(name, 0.0) + made
    return warnings


def _batches(line: Line) -> list[str]:
    """Batches needing more of a material than its buffer and blocked producers (or a
    blocked arrival) hold, or than a CONWIP release ever lets into the line."""
    materials = line.materials or {}
    release = line.release
    entry = entry_material(line)
    per_unit = release_per_unit(line, entry) if entry is not None else {}
    wip = release.wip if release.policy == "conwip" else None
    warnings = []
    for station in line.stations:
        if station.batch is None or station.kind == "delay":
            continue
        for material, quantity in (station.inputs or {}).items():
            producers = [s for s in line.stations if s.output_material == material]
            capacity = materials[material].buffer
            arrivals = material == entry and release.interarrival is not None
            room = math.inf
            if capacity is not None and (producers or arrivals):
                if any(p.kind == "delay" for p in producers):
                    continue
                held = sum(p.machines * _out_units(p) for p in producers) if producers else 1.0
                room = (capacity + held) / quantity  # cycles' worth that can wait [-]
            where = f"{buffer_path(line, material)} + lots held by blocked machines"
            if wip is not None and per_unit.get(material):
                line_room = wip / per_unit[material] / quantity
                if line_room < room:
                    room, where = line_room, "what release.wip lets into the line"
            if math.isinf(room):
                continue
            what = "jobs" if line.written_serial else f"cycles of {material}"
            warnings += _batch_room(station, math.floor(room + 1e-9), what, where)
    return warnings


def _batch_room(station: Station, room: float, what: str, where: str) -> list[str]:
    """Warn when the batch minimum or size exceeds ``room`` cycles that can ever wait."""
    assert station.batch is not None
    path = f"stations.{station.name}.batch"
    if station.batch_min > room:
        return [
            f"{path}: the batch needs {station.batch_min} {what} to start but at most "
            f"{room:g} can ever wait ({where}), so it never starts; raise the buffer or "
            "lower the batch minimum"
        ]
    if station.batch.size > room:
        return [
            f"{path}: a batch of size {station.batch.size} can never fill: at most "
            f"{room:g} {what} can ever wait ({where}), so batches run part-full and the "
            "capacity is lower than size suggests; raise the buffer or lower size"
        ]
    return []


def _out_units(station: Station) -> float:
    """Units of output material in one output lot [material unit]."""
    cycles = station.lot if station.batch is not None else station.lot // station.split
    return cycles * (station.output or {}).get(station.output_material or "", 1.0)


def _delay_lots(line: Line) -> list[str]:
    """Lots larger than the delay they go into: they can never enter, and the line stops."""
    warnings = []
    for delay in line.stations:
        if delay.kind != "delay" or delay.capacity is None or not delay.inputs:
            continue
        material = next(iter(delay.inputs))
        for producer in line.stations:
            if producer.output_material == material and _out_units(producer) > delay.capacity:
                warnings.append(
                    f"stations.{delay.name}.capacity: a lot of {_out_units(producer):g} from "
                    f"{producer.name!r} can never enter a delay holding {delay.capacity:g}, "
                    "so the line stops; raise capacity or lower that station's lot"
                )
    return warnings


def _supply(line: Line) -> Callable[[Station], float]:
    """Return a function: most cycles a time unit the materials of a station can feed
    [1/time unit], bounding each material by its producers' capacities upstream."""
    producers: dict[str, list[Station]] = {}
    for station in line.stations:
        producers.setdefault(station.output_material or "", []).append(station)
    takers: dict[str, list[Station]] = {}
    for station in line.stations:
        for material in station.inputs or {}:
            takers.setdefault(material, []).append(station)
    supply: dict[str, float] = {}  # material -> most units a time unit [unit/time unit]
    entry = entry_material(line)
    if line.release.interarrival is not None and entry is not None:
        supply[entry] = 1.0 / line.release.interarrival.mean
    fed: dict[str, float] = {}  # station -> most cycles a time unit its inputs allow
    waiting = {s.name: sum(1 for m in s.inputs or {} if m in producers) for s in line.stations}
    unmade = {name: len(stations) for name, stations in producers.items()}
    ready = [s for s in line.stations if waiting[s.name] == 0]
    while ready:  # in flow order (Kahn); check_line has refused material loops
        station = ready.pop()
        fed[station.name] = min(
            (supply.get(m, math.inf) / q for m, q in (station.inputs or {}).items()),
            default=math.inf,
        )
        name = station.output_material or ""
        unmade[name] -= 1
        if unmade[name]:
            continue
        supply[name] = sum(
            min(fed[p.name], _capacity(line, p)) * (p.output or {})[name] * (1 - p.scrap)
            for p in producers[name]
        )
        for taker in takers.get(name, []):
            waiting[taker.name] -= 1
            if waiting[taker.name] == 0:
                ready.append(taker)
    return lambda station: fed.get(station.name, math.inf)
