"""The line of a run and its station counts, kept in the results folder for the line views.

``line.json`` is the validated line with every override applied (times in its time unit), so
the diagram, capacity table and balance of a results folder never depend on YAML files that
may have moved. ``flows.csv`` holds per replication and station the counts of the measured
window the material balance needs: cycles finished, units given on, scrapped, and the
defects made upstream that this station found [output unit].
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sim.atomic import write_csv, write_json
from sim.engine.replication import ReplicationResult
from sim.model.line import Line
from sim.model.serial import as_general

__all__ = [
    "FLOW_COLUMNS",
    "LINE_FILES",
    "StationCounts",
    "load_flows",
    "load_line_file",
    "station_counts",
    "write_line_files",
]

LINE_FILES = ("line.json", "flows.csv")
FLOW_COLUMNS = ("cycles", "units_out", "scrapped", "found")

QUALITY_COLUMNS = ("sold", "reworked")
"""Columns of ``flows.csv`` written for a line that grades or reworks (0 when absent)."""

StationCounts = dict[str, dict[str, float]]
"""station -> {cycles, units_out, scrapped, found, sold, reworked} of one replication."""


def station_counts(result: ReplicationResult) -> StationCounts:
    """The counts of each station in one replication's measured window.

    ``cycles`` are finished cycles (a delay: lots that entered), ``units_out`` units given
    on, ``scrapped`` units removed here (``found`` of them defects made upstream), ``sold``
    units of grades sold here (inside ``units_out``), ``reworked`` units sent back to be
    reworked [unit].
    """
    return {
        name: {
            "cycles": float(station.cycles),
            "units_out": station.units_out,
            "scrapped": station.scrapped,
            "found": station.found,
            "sold": station.graded_sold,
            "reworked": station.rework.get("reworked", 0.0),
        }
        for name, station in result.stations.items()
    }


def write_line_files(
    line: Line, replications: list[ReplicationResult], folder: str | os.PathLike[str]
) -> list[Path]:
    """Write ``line.json`` and ``flows.csv`` into ``folder``; return their paths."""
    path = Path(folder)
    line_path = path / "line.json"
    write_json(line_path, line.model_dump(mode="json", by_alias=True))
    flows_path = path / "flows.csv"
    columns: tuple[str, ...] = FLOW_COLUMNS
    if any(s.grades is not None or s.rework is not None for s in line.stations):
        columns = (*FLOW_COLUMNS, *QUALITY_COLUMNS)
    rows = []
    for result in replications:
        for name, counts in station_counts(result).items():
            rows.append([result.replication, name, *(counts[c] for c in columns)])
    write_csv(flows_path, ["replication", "station", *columns], rows)
    return [line_path, flows_path]


def load_line_file(folder: str | os.PathLike[str]) -> Line | None:
    """The line saved in a results folder, or ``None`` for a folder without ``line.json``."""
    from pydantic import ValidationError

    from sim.errors import LinesimError

    path = Path(folder) / "line.json"
    if not path.exists():
        return None
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        context = {"time_unit": data.get("time_unit", "h") if isinstance(data, dict) else "h"}
        line = Line.model_validate(data, context=context)
    except (UnicodeDecodeError, ValueError) as error:  # ValidationError is a ValueError
        what = "not a valid line" if isinstance(error, ValidationError) else "not valid JSON"
        raise LinesimError(
            f"{path}: {what} ({str(error).splitlines()[0]}); the file was changed after the "
            "run: run the scenario again"
        ) from None
    return as_general(line)  # a folder written before serial lines were kept in general form


def load_flows(folder: str | os.PathLike[str]) -> list[StationCounts]:
    """The station counts of each replication saved in ``flows.csv`` (empty without it)."""
    import csv

    path = Path(folder) / "flows.csv"
    if not path.exists():
        return []
    by_rep: dict[int, StationCounts] = {}
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            counts = {c: float(row[c]) for c in FLOW_COLUMNS}
            counts.update({c: float(row.get(c) or 0.0) for c in QUALITY_COLUMNS})
            by_rep.setdefault(int(row["replication"]), {})[row["station"]] = counts
    return [by_rep[k] for k in sorted(by_rep)]
