"""A serial line is a general line whose materials are jobs.

A serial line file lists stations in flow order, each with an input ``buffer`` of jobs. The
loader turns it into its general twin at load time, so that one engine, one set of KPIs
and one set of views serve both forms:

- the material waiting for station ``s`` is called ``s`` (counted in jobs, its buffer the
  station's ``buffer``), so station ``s`` takes 1 of ``s`` and gives 1 of the next
  station's material; the last station gives ``done`` (``done_`` ... when a station is
  already called so);
- the first station's material is the line's one raw material: unlimited under a push
  release without interarrival, released by arrivals or by CONWIP otherwise.

Also here: which raw material a line's release counts (:func:`entry_material`), and how
many of its units each material holds (:func:`release_per_unit`).
"""

from __future__ import annotations

from sim.model.line import Line, Material

__all__ = [
    "FINISHED",
    "as_general",
    "buffer_path",
    "entry_material",
    "release_per_unit",
    "serial_chain",
]

FINISHED = "done"
"""Name of the finished jobs of a serial line in its general form (if no station has it)."""

JOB_UNIT = "jobs"


def as_general(line: Line) -> Line:
    """Return ``line`` in general form: itself when it has materials, else its twin whose
    materials are jobs. Everything but the form (release, shifts, costs, each station's
    process) is kept as it is; checks are made on the form as written, before this."""
    if line.general:
        return line
    names = [station.name for station in line.stations]
    finished = FINISHED
    while finished in names:
        finished += "_"
    materials: dict[str, Material] = {}
    stations = []
    for index, station in enumerate(line.stations):
        taken = station.name
        given = names[index + 1] if index + 1 < len(names) else finished
        materials[taken] = Material.model_construct(
            unit=JOB_UNIT,
            buffer=None if station.buffer is None else float(station.buffer),
            description="",
            price=0.0,
            discrete=True,
        )
        stations.append(
            station.model_copy(
                update={"inputs": {taken: 1.0}, "output": {given: 1.0}, "buffer": None}
            )
        )
    materials[finished] = Material.model_construct(
        unit=JOB_UNIT, buffer=None, description="", price=0.0, discrete=True
    )
    twin = line.model_copy(update={"materials": materials, "stations": stations})
    twin._written_serial = True
    return twin


def buffer_path(line: Line, material: str) -> str:
    """The YAML path of ``material``'s buffer as the user wrote it: ``materials.m.buffer``,
    or ``stations.s.buffer`` in a serial line file (whose materials are named after the
    stations they wait for)."""
    if line.written_serial and any(s.name == material for s in line.stations):
        return f"stations.{material}.buffer"
    return f"materials.{material}.buffer"


def entry_material(line: Line) -> str | None:
    """The raw material whose release the line counts: its only raw material (one that no
    station makes), or ``None`` when stations draw several (each then unlimited, and
    jobs, WIP in jobs and release are not defined). Serial lines: their first station's."""
    if not line.general:
        return line.stations[0].name
    made = {station.output_material for station in line.stations}
    raw = []
    for station in line.stations:
        for material in station.inputs or {}:
            if material not in made and material not in raw:
                raw.append(material)
    return raw[0] if len(raw) == 1 else None


def release_per_unit(line: Line, released: str) -> dict[str, float]:
    """Units of the ``released`` material in one unit of each material made from it [-]:
    what a unit leaving the line (good or scrapped) gives back to a CONWIP release, and
    what counts as one job out of the line."""
    per_unit = {released: 1.0}
    changed = True
    while changed:
        changed = False
        for spec in line.stations:
            out = spec.output_material
            if out is None or out in per_unit:
                continue
            known = [(m, q) for m, q in (spec.inputs or {}).items() if m in per_unit]
            if known:
                given = (spec.output or {})[out]
                per_unit[out] = sum(q * per_unit[m] for m, q in known) / given
                changed = True
    return per_unit


def serial_chain(line: Line) -> bool:
    """Whether ``line`` is a chain of machine stations each taking one piece of what the
    one before gave and giving one piece on, from one raw material to one finished one
    (a serial line, in either form) [-]."""
    if not line.general:
        return True
    materials = line.materials or {}
    expected = entry_material(line)
    for station in line.stations:
        inputs = station.inputs or {}
        output = station.output or {}
        if expected is None or station.kind != "machine" or list(inputs) != [expected]:
            return False
        if station.lot != 1:
            return False
        if list(inputs.values()) != [1.0] or list(output.values()) != [1.0]:
            return False
        if not materials[expected].discrete:
            return False
        expected = station.output_material
    consumed = {m for station in line.stations for m in station.inputs or {}}
    return expected is not None and expected not in consumed and materials[expected].discrete
