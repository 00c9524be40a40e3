"""Checks across a validated line that no single field can make: names, references,
deadlocks and lines that can never produce. Each error names the YAML path and the fix."""

from __future__ import annotations

from sim.errors import ConfigError
from sim.model.demand_plan import check_demand
from sim.model.grade_checks import check_grades
from sim.model.line import Line
from sim.model.mix_demand import check_mix_demand
from sim.model.product_checks import check_products
from sim.model.shift_plan import check_shift_plan

__all__ = ["check_line"]


def check_line(line: Line) -> list[ConfigError]:
    """Return every error that makes ``line`` unable to run as written (empty when fine)."""
    errors = _common(line)
    errors += _general(line) if line.general else _serial(line)
    if not errors:  # the mix is read along the flow, which needs a sound line
        errors += check_products(line) + check_mix_demand(line)
    errors += _ramp_up(line)
    if not errors:
        errors += check_grades(line)
    demand = check_demand(line)
    if not errors and not demand:  # the shifts are planned on a sound demand
        demand += check_shift_plan(line)
    return errors + demand


def _ramp_up(line: Line) -> list[ConfigError]:
    """Learning curves name stations that exist and can take them, one curve per station
    and quantity."""
    if line.ramp_up is None:
        return []
    errors: list[ConfigError] = []
    stations = {station.name: station for station in line.stations}
    given: dict[tuple[str | None, str], int] = {}
    for index, ramp in enumerate(line.ramp_up.curves):
        path = f"ramp_up.curves.{index}"
        for quantity in ramp.curves():
            earlier = given.setdefault((ramp.station, quantity), index)
            if earlier != index:
                errors.append(
                    ConfigError(
                        f"a second {quantity} curve for "
                        f"{ramp.station or 'the whole line'} (the first is curves.{earlier}); "
                        "keep one",
                        path=f"{path}.{quantity}",
                    )
                )
        if ramp.station is None:
            continue
        station = stations.get(ramp.station)
        if station is None:
            known = ", ".join(sorted(stations))
            errors.append(
                ConfigError(
                    f"no station is called {ramp.station!r} (known: {known})",
                    path=f"{path}.station",
                )
            )
            continue
        if station.kind == "delay":
            errors.append(
                ConfigError(
                    f"{ramp.station!r} is a delay; learning curves act on machine stations "
                    "(put the yield curve on the station that finds the losses)",
                    path=f"{path}.station",
                )
            )
        if ramp.mtbf is not None and station.failures is None:
            errors.append(
                ConfigError(
                    f"station {ramp.station!r} has no failures, so its MTBF cannot ramp; "
                    "give it failures: {mtbf, mttr} or remove the mtbf curve",
                    path=f"{path}.mtbf",
                )
            )
    return errors


def _common(line: Line) -> list[ConfigError]:
    errors: list[ConfigError] = []
    seen: set[str] = set()
    shifts = {shift.name for shift in line.shifts}
    names = {station.name for station in line.stations}
    for index, station in enumerate(line.stations):
        path = f"stations.{station.name}"
        if station.name in seen:
            errors.append(
                ConfigError(
                    f"station name {station.name!r} is used twice; names must be unique",
                    path=f"stations[{index}].name",
                )
            )
        seen.add(station.name)
        if station.scrap >= 1:
            errors.append(
                ConfigError(
                    "scrap 1 loses every unit, so the line can never produce; use a value below 1",
                    path=f"{path}.scrap",
                )
            )
        if station.shifts is not None and not station.shifts:
            errors.append(
                ConfigError(
                    "shifts: [] staffs the station never, so it can never run; name at least one "
                    "shift or remove the key (staffed all the time)",
                    path=f"{path}.shifts",
                )
            )
        for shift in station.shifts or []:
            if shift not in shifts:
                known = ", ".join(sorted(shifts)) or "none: add a shifts list to the line"
                errors.append(
                    ConfigError(f"unknown shift {shift!r} (known: {known})", path=f"{path}.shifts")
                )
        if station.defects is not None and station.defects.found_at not in names:
            errors.append(
                ConfigError(
                    f"found_at names no station: {station.defects.found_at!r}",
                    path=f"{path}.defects.found_at",
                )
            )
        if station.batch is None and station.lot % station.split:
            errors.append(
                ConfigError(
                    f"a lot of {station.lot} cycles cannot be cut into {station.split} equal "
                    "output lots; make lot a multiple of split",
                    path=f"{path}.split",
                )
            )
        if station.batch is not None and station.split != 1:
            errors.append(
                ConfigError(
                    "a batch station cuts its output into lots of `lot` cycles; remove split",
                    path=f"{path}.split",
                )
            )
    return errors


def _serial(line: Line) -> list[ConfigError]:
    errors: list[ConfigError] = []
    if line.product is not None:
        errors.append(ConfigError("product needs a line with materials", path="product"))
    for station in line.stations:
        path = f"stations.{station.name}"
        if station.kind == "delay":
            errors.append(
                ConfigError(
                    "a delay needs a line with materials (inputs/output)", path=f"{path}.kind"
                )
            )
        if station.lot != 1:
            errors.append(
                ConfigError(
                    "lots need a line with materials; a serial line moves single jobs",
                    path=f"{path}.lot",
                )
            )
        low = station.batch_min
        if station.batch is not None and station.buffer is not None and station.buffer < low:
            errors.append(
                ConfigError(
                    f"a batch needs {low} jobs waiting but the buffer holds only {station.buffer}; "
                    f"make buffer >= {low} or lower the batch minimum",
                    path=f"{path}.buffer",
                )
            )
        wip = line.release.wip
        if line.release.policy == "conwip" and wip is not None and low > wip:
            errors.append(
                ConfigError(
                    f"a batch needs {low} jobs but CONWIP keeps only {wip} in the line, so it can "
                    f"never start; raise release.wip to >= {low} or lower the batch minimum",
                    path=f"{path}.batch",
                )
            )
    wip = line.release.wip
    waiting = sum(station.batch_min - 1 for station in line.stations)
    if line.release.policy == "conwip" and wip is not None and wip <= waiting:
        errors.append(
            ConfigError(
                f"CONWIP keeps {wip} jobs, but the batches can hold {waiting} jobs waiting for "
                f"their minimum at once and then nothing moves; raise release.wip to >= "
                f"{waiting + 1} or lower the batch minimums",
                path="release.wip",
            )
        )
    first = line.stations[0]
    if line.release.policy == "conwip" and first.buffer is not None:
        errors.append(
            ConfigError(
                "with a conwip release the first station's buffer is where released jobs wait, "
                "and release.wip bounds it; remove this buffer",
                path=f"stations.{first.name}.buffer",
            )
        )
    return errors


def _general(line: Line) -> list[ConfigError]:
    errors: list[ConfigError] = []
    materials = line.materials or {}
    made = {station.output_material for station in line.stations}
    raw = sorted({m for station in line.stations for m in station.inputs or {} if m not in made})
    if line.release.policy == "push" and line.release.interarrival is not None and len(raw) != 1:
        errors.append(
            ConfigError(
                f"an interarrival releases the one raw material that enters the line, but "
                f"stations draw {len(raw)} ({', '.join(raw)}), each without limit; remove "
                "interarrival",
                path="release.interarrival",
            )
        )
    if line.release.policy == "conwip" and len(raw) != 1:
        errors.append(
            ConfigError(
                f"a conwip release caps the one raw material that enters the line, but "
                f"stations draw {len(raw)} ({', '.join(raw)}); use policy: push",
                path="release.policy",
            )
        )
    producers: dict[str, list[str]] = {}
    consumers: dict[str, list[str]] = {}
    for station in line.stations:
        path = f"stations.{station.name}"
        if station.buffer is not None:
            errors.append(
                ConfigError(
                    "in a line with materials each material has the buffer; "
                    "set materials.<name>.buffer instead",
                    path=f"{path}.buffer",
                )
            )
        for key, quantities in (("inputs", station.inputs or {}), ("output", station.output or {})):
            for material in quantities:
                if material not in materials:
                    known = ", ".join(sorted(materials))
                    errors.append(
                        ConfigError(
                            f"unknown material {material!r}; declare it under materials "
                            f"(known: {known})",
                            path=f"{path}.{key}.{material}",
                        )
                    )
        for material in station.inputs or {}:
            consumers.setdefault(material, []).append(station.name)
        if station.output_material:
            producers.setdefault(station.output_material, []).append(station.name)
        if station.kind == "delay":
            errors += _delay(line, station, path)
    if errors:
        return errors
    for material, names in consumers.items():
        delays = [n for n in names if line.station(n).kind == "delay"]
        if delays and material not in producers:
            errors.append(
                ConfigError(
                    f"delay {delays[0]!r} soaks {material!r}, which no station makes; a delay "
                    "soaks work made upstream, so put a station before it",
                    path=f"stations.{delays[0]}.inputs",
                )
            )
        if delays and len(names) > 1:
            errors.append(
                ConfigError(
                    f"material {material!r} soaks in delay {delays[0]!r}, so no other station can "
                    f"take it (also taken by {', '.join(n for n in names if n not in delays)})",
                    path=f"stations.{delays[0]}.inputs",
                )
            )
    errors += _cycles(line, consumers)
    errors += _fits(line, producers, consumers)
    errors += _reaches(line, consumers)
    product = line.product
    if product is not None:
        for key, product_material in (("cell", product.cell), ("module", product.module)):
            if product_material is not None and product_material not in producers:
                errors.append(
                    ConfigError(f"no station makes {product_material!r}", path=f"product.{key}")
                )
    if not any(m not in consumers for m in producers):
        errors.append(
            ConfigError(
                "every material made is also taken, so nothing leaves the "
                "line; the finished material must have no taker",
                path="stations",
            )
        )
    return errors


def _delay(line: Line, station: object, path: str) -> list[ConfigError]:
    from sim.model.station import Station

    assert isinstance(station, Station)
    errors = []
    inputs = station.inputs or {}
    if len(inputs) != 1:
        errors.append(
            ConfigError(
                "a delay soaks exactly one material: inputs: {material: q}", path=f"{path}.inputs"
            )
        )
    elif abs(next(iter(inputs.values())) - next(iter((station.output or {}).values()))) > 1e-12:
        errors.append(
            ConfigError(
                "a delay passes lots on unchanged: give the same quantity in inputs and output",
                path=f"{path}.output",
            )
        )
    return errors


def _cycles(line: Line, consumers: dict[str, list[str]]) -> list[ConfigError]:
    """A material loop means a merge whose inputs can never all arrive first."""
    graph = {s.name: consumers.get(s.output_material or "", []) for s in line.stations}
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> list[str] | None:
        state[name] = 1
        for nxt in graph[name]:
            if state.get(nxt) == 1:
                return [*trail, name, nxt]
            if nxt not in state:
                found = visit(nxt, [*trail, name])
                if found:
                    return found
        state[name] = 2
        return None

    for name in graph:
        if name not in state:
            loop = visit(name, [])
            if loop:
                return [
                    ConfigError(
                        "material flows in a loop (" + " -> ".join(loop) + "), so its inputs can "
                        "never all arrive first; break the loop",
                        path=f"stations.{loop[-1]}.inputs",
                    )
                ]
    return []


def _fits(
    line: Line, producers: dict[str, list[str]], consumers: dict[str, list[str]]
) -> list[ConfigError]:
    """Every lot put must fit its buffer and every run's need must fit too."""
    errors = []
    materials = line.materials or {}
    for station in line.stations:
        path = f"stations.{station.name}"
        out = station.output_material or ""
        per_cycle = (station.output or {}).get(out, 1.0)
        out_lot = station.lot if station.batch is not None else station.lot // station.split
        out_units = out_lot * per_cycle
        capacity = materials[out].buffer
        soaks = [line.station(n) for n in consumers.get(out, []) if line.station(n).kind == "delay"]
        if soaks and soaks[0].capacity is not None:
            capacity = soaks[0].capacity
        if capacity is not None and out in consumers and out_units > capacity + 1e-9:
            where = f"stations.{soaks[0].name}.capacity" if soaks else f"materials.{out}.buffer"
            errors.append(
                ConfigError(
                    f"an output lot of {out_units:g} {materials[out].unit} can never fit the "
                    f"{out} buffer of {capacity:g}; raise {where} or lower lot",
                    path=f"{path}.lot",
                )
            )
        if materials[out].discrete and abs(out_units - round(out_units)) > 1e-9:
            errors.append(
                ConfigError(
                    f"an output lot of {out_units:g} pieces is not whole; choose lot and output "
                    "so that lot / split x output is a whole number",
                    path=f"{path}.lot",
                )
            )
        if station.kind == "delay":
            continue
        for material, quantity in (station.inputs or {}).items():
            need = station.batch_min * quantity
            capacity = materials[material].buffer
            if material in producers and capacity is not None and need > capacity + 1e-9:
                errors.append(
                    ConfigError(
                        f"a run needs {need:g} {materials[material].unit} of {material} but its "
                        f"buffer holds {capacity:g}; raise materials.{material}.buffer or lower "
                        f"{'the batch minimum' if station.batch else 'lot'}",
                        path=f"{path}.inputs.{material}",
                    )
                )
    return errors


def _reaches(line: Line, consumers: dict[str, list[str]]) -> list[ConfigError]:
    """A defect must be found downstream of where it is made."""
    errors = []
    for station in line.stations:
        if station.defects is None:
            continue
        target = station.defects.found_at
        frontier = [station.name]
        seen = set(frontier)
        while frontier:
            name = frontier.pop()
            for nxt in consumers.get(line.station(name).output_material or "", []):
                if nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
        if target not in seen - {station.name}:
            errors.append(
                ConfigError(
                    f"{target!r} is not downstream of {station.name!r}, so it can never find these "
                    "defects; name a later inspection station",
                    path=f"stations.{station.name}.defects.found_at",
                )
            )
    return errors
