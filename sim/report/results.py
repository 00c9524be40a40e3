"""Write a run's results folder: summary.json and per-replication, per-station and time CSVs."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from sim.analysis.kpis import LINE_KPIS, STATION_KPIS, line_kpis, station_kpis
from sim.experiment.replicate import RunResult
from sim.report.files import write_csv, write_json

__all__ = ["write_results"]


def write_results(result: RunResult, summary: dict[str, Any],
                  out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write ``summary.json``, ``replications.csv``, ``stations.csv``, ``timeseries.csv``
    and, for a line with materials, ``materials.csv``.

    Returns the files written. ``timeseries.csv`` holds, per bin of the measured window, the
    good output rate [1/time unit] and the average WIP [jobs, serial lines] of each
    replication; ``materials.csv`` the average WIP of each material [its unit] per bin.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    reps = result.replications

    path = folder / "replications.csv"
    line = result.scenario.line
    per_rep = [line_kpis(rep, line) for rep in reps]
    header = list(per_rep[0]) if per_rep else list(LINE_KPIS)
    write_csv(path, ["replication", *header],
              ([rep.replication, *(values.get(k) for k in header)]
               for rep, values in zip(reps, per_rep, strict=True)))
    written.append(path)

    path = folder / "stations.csv"
    rows = []
    for rep in reps:
        for name, station in rep.stations.items():
            values = station_kpis(station, rep.horizon)
            rows.append([rep.replication, name, *(values[k] for k in STATION_KPIS)])
    write_csv(path, ["replication", "station", *STATION_KPIS], rows)
    written.append(path)

    path = folder / "timeseries.csv"
    rows = []
    for rep in reps:
        width = rep.horizon / len(rep.exits_per_bin)
        areas = rep.wip_area_per_bin or [math.nan] * len(rep.exits_per_bin)
        for index, (exits, area) in enumerate(zip(rep.exits_per_bin, areas, strict=True)):
            rows.append([rep.replication, rep.warmup + index * width,
                         rep.warmup + (index + 1) * width, exits / width, area / width])
    write_csv(path, ["replication", "start", "end", "throughput", "wip"], rows)
    written.append(path)

    units = {name: m.unit for name, m in (line.materials or {}).items()}
    if any(rep.material_area_per_bin for rep in reps):
        path = folder / "materials.csv"
        rows = []
        for rep in reps:
            width = rep.horizon / len(rep.exits_per_bin)
            for material, areas in rep.material_area_per_bin.items():
                for index, area in enumerate(areas):
                    rows.append([rep.replication, rep.warmup + index * width,
                                 rep.warmup + (index + 1) * width, material,
                                 units.get(material, ""), area / width])
        write_csv(path, ["replication", "start", "end", "material", "unit", "wip"], rows)
        written.append(path)

    path = folder / "summary.json"
    write_json(path, summary)
    written.append(path)
    return written
