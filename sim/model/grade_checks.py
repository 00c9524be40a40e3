"""Checks of grades and rework across a line: where a rework loop may return to, what a
grading station sorts. Each error names the YAML path and the fix."""

from __future__ import annotations

from sim.errors import ConfigError
from sim.model.line import Line
from sim.model.serial import as_general, entry_material
from sim.model.station import Station

__all__ = ["check_grades", "rework_path"]


def check_grades(line: Line) -> list[ConfigError]:
    """Return the errors of the grades and rework of ``line`` (checked in general form,
    so a serial line's stations are checked as the engine builds them)."""
    general = as_general(line)
    errors: list[ConfigError] = []
    for station in general.stations:
        if station.grades is not None:
            errors += _grading(general, station)
        if station.rework is not None:
            errors += _rework(general, station)
    return errors


def _grading(line: Line, station: Station) -> list[ConfigError]:
    assert station.grades is not None
    path = f"stations.{station.name}.grades"
    errors = []
    made = station.output_material
    taken = any(made in (s.inputs or {}) for s in line.stations)
    if taken and not any(station.grades.on):
        errors.append(
            ConfigError(
                f"no grade goes on, so the stations that take {made!r} starve; set "
                "goes_on: true on the grade(s) that go on (e.g. A to modules)",
                path=f"{path}.bins",
            )
        )
    if line.product is None:
        for index, grade in enumerate(station.grades.bins):
            if grade.value_per_ah is not None:
                errors.append(
                    ConfigError(
                        "value_per_ah needs product: {cell, ah_per_cell} (the Ah of a "
                        "cell); give value per unit instead",
                        path=f"{path}.bins[{index}].value_per_ah",
                    )
                )
    return errors


def rework_path(line: Line, station: Station) -> tuple[list[Station], str]:
    """The stations a unit sent back from ``station`` passes again, from the rework
    target down to ``station``, and why the path ends short ('' when it reaches the
    target). ``line`` is in general form."""
    assert station.rework is not None
    target = station.rework.to
    makers = {s.output_material: s for s in line.stations}
    path = [station]
    current = station
    while current.name != target:
        inputs = _held_inputs(line, current)
        if len(inputs) != 1:
            return path, f"{current.name!r} takes {len(inputs)} made materials, not one"
        maker = makers.get(inputs[0])
        if maker is None:
            return path, f"nothing upstream of {current.name!r} is called {target!r}"
        current = maker
        path.append(current)
    return list(reversed(path)), ""


def _held_inputs(line: Line, station: Station) -> list[str]:
    """The inputs of ``station`` that are held as lots in a buffer: made by a station, or
    the one raw material whose release is counted and held (CONWIP, or push with an
    interarrival; a push release without one draws it without limit)."""
    made = {s.output_material for s in line.stations}
    release = line.release
    held = release.policy == "conwip" or release.interarrival is not None
    entry = entry_material(line) if held else None
    return [m for m in station.inputs or {} if m in made or m == entry]


def _rework(line: Line, station: Station) -> list[ConfigError]:
    rework = station.rework
    assert rework is not None
    path = f"stations.{station.name}.rework"
    names = [s.name for s in line.stations]
    if rework.to not in names:
        return [
            ConfigError(
                f"rework.to names no station: {rework.to!r} (stations: {', '.join(names)})",
                path=f"{path}.to",
            )
        ]
    inspects = any(
        s.defects is not None and s.defects.found_at == station.name for s in line.stations
    )
    errors = []
    if station.scrap == 0 and not inspects:
        errors.append(
            ConfigError(
                f"{station.name!r} fails no unit (scrap 0, finds no defects), so nothing is "
                "reworked; set scrap or remove rework",
                path=path,
            )
        )
    stations, short = rework_path(line, station)
    if short:
        return [
            *errors,
            ConfigError(
                f"the rework target {rework.to!r} is not upstream of {station.name!r} along "
                f"lots that pass on whole ({short}); send the unit back to this station or "
                "one on its own feed line",
                path=f"{path}.to",
            ),
        ]
    for passed in stations:
        problem = _keeps_lots(line, passed)
        if problem:
            errors.append(
                ConfigError(
                    f"a unit sent back passes {passed.name!r} again, but {problem}, so it "
                    "cannot be followed to its next check; send it back to a station after it",
                    path=f"{path}.to",
                )
            )
            break
    first = stations[0]
    if not errors and not _held_inputs(line, first):
        errors.append(
            ConfigError(
                f"{first.name!r} draws raw material without limit, so no queue holds units "
                "sent back to it; release with an interarrival or CONWIP, or send them to a "
                "later station",
                path=f"{path}.to",
            )
        )
    return errors


def _keeps_lots(line: Line, station: Station) -> str:
    """Why ``station`` does not pass a lot on as the same lot ('' when it does)."""
    if station.kind == "delay":
        return "it is a delay"
    inputs = _held_inputs(line, station)
    if not inputs:
        return ""  # the loop's first station may take the counted raw material
    quantity = (station.inputs or {})[inputs[0]]
    given = next(iter((station.output or {"": 1.0}).values()))
    if len(inputs) != 1 or abs(quantity - given) > 1e-9:
        return "it merges or converts its input"
    if station.split != 1:
        return "it splits lots"
    materials = line.materials or {}
    discrete = materials[station.output_material or ""].discrete
    if station.batch is not None and not (station.lot == 1 and discrete):
        return "it gathers lots into batches"
    return ""
