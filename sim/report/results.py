"""Write a run's results folder: summary.json and per-replication, per-station and time CSVs.

The files are written into a staging folder and published as one unit
(:mod:`sim.report.run_folder`); ``summary.json`` is written last, records the scenario's
hash and lists the other files, so a reader can tell a complete run.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

from sim.analysis.kpis import LINE_KPIS, STATION_KPIS, line_kpis, station_kpis
from sim.analysis.monthly import MONTHLY_KPIS, month_rows, monthly_units
from sim.atomic import write_csv, write_json
from sim.engine.monitor import STATES
from sim.engine.replication import ReplicationResult
from sim.experiment.replicate import RunResult
from sim.model.scenario import Scenario
from sim.report.line_files import LINE_FILES, write_line_files
from sim.report.run_folder import ResultsFolder

__all__ = [
    "RESULT_FILES",
    "check_results_folder",
    "scenario_hash",
    "write_result_files",
    "write_results",
]

RESULT_FILES = (
    "summary.json",
    "replications.csv",
    "stations.csv",
    "timeseries.csv",
    "materials.csv",
    "station_states.csv",
    "monthly.csv",
    *LINE_FILES,
)
"""The files :func:`write_results` may write."""


def scenario_hash(scenario: Scenario) -> str:
    """Return the sha256 (hex) of the resolved scenario as canonical JSON: the validated
    line with every override applied, horizon, warm-up, replications, seed and overrides.

    The scenario's name and file are left out: the same experiment under another name has
    the same hash.
    """
    resolved = {
        "line": scenario.line.model_dump(mode="json"),
        "horizon": scenario.horizon,
        "warmup": scenario.warmup,
        "replications": scenario.replications,
        "seed": scenario.seed,
        "overrides": scenario.overrides,
    }
    text = json.dumps(resolved, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_results_folder(out_dir: str | os.PathLike[str], scenario: Scenario) -> None:
    """Check before running that ``out_dir`` can take ``scenario``'s results: not a file,
    not a folder of other files, not locked by another run, writable (a staging folder
    is made and removed). A previous run there is fine: :func:`write_results` replaces
    it. Raises :class:`sim.errors.LinesimError` otherwise."""
    with ResultsFolder(scenario.name, out_dir) as folder:
        folder.prepare()


def write_results(
    result: RunResult,
    summary: dict[str, Any],
    out_dir: str | os.PathLike[str],
    keep_previous: bool = False,
) -> list[Path]:
    """Write the run's results folder ``out_dir`` as one unit and return its files.

    The files (see :func:`write_result_files`) are written into a staging folder beside
    ``out_dir`` and renamed into place; a previous run in ``out_dir`` is replaced (kept
    as ``<out_dir>.previous`` with ``keep_previous``). A folder holding other files is
    refused (:class:`sim.errors.LinesimError`), and a failed write leaves nothing.
    """
    folder = ResultsFolder(result.scenario.name, out_dir)
    with folder:
        staging = folder.prepare()
        names = [path.name for path in write_result_files(result, summary, staging)]
        final = folder.publish(keep_previous=keep_previous)
    return [final / name for name in names]


def write_result_files(
    result: RunResult, summary: dict[str, Any], out_dir: str | os.PathLike[str]
) -> list[Path]:
    """Write ``summary.json``, ``replications.csv``, ``stations.csv``, ``timeseries.csv``,
    ``station_states.csv`` and, for a line with materials, ``materials.csv``.

    Returns the files written. ``timeseries.csv`` holds, per bin of the measured window, the
    good output rate [1/time unit] and the average WIP [jobs, serial lines] of each
    replication; ``materials.csv`` the average WIP of each material [its unit] per bin;
    ``station_states.csv`` each machine station's share of machine time in each state per
    bin [-] (the shares of a row add up to 1; averaged over the bins they are the state
    shares of ``stations.csv``); ``monthly.csv``, for a line that ramps up, each month's
    KPIs per replication with their units in the header (:mod:`sim.analysis.monthly`).
    ``summary.json``, written last, gets the ``scenario_hash`` and ``files``, the names of
    the other files, so readers can check a folder is complete.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    reps = result.replications

    path = folder / "replications.csv"
    line = result.scenario.line
    per_rep = [line_kpis(rep, line) for rep in reps]
    header = list(per_rep[0]) if per_rep else list(LINE_KPIS)
    write_csv(
        path,
        ["replication", *header],
        (
            [rep.replication, *(values.get(k) for k in header)]
            for rep, values in zip(reps, per_rep, strict=True)
        ),
    )
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
            rows.append(
                [
                    rep.replication,
                    rep.warmup + index * width,
                    rep.warmup + (index + 1) * width,
                    exits / width,
                    area / width,
                ]
            )
    write_csv(path, ["replication", "start", "end", "throughput", "wip"], rows)
    written.append(path)

    units = {name: m.unit for name, m in (line.materials or {}).items()}
    discrete = {name: int(m.discrete) for name, m in (line.materials or {}).items()}
    if any(rep.material_area_per_bin for rep in reps):
        path = folder / "materials.csv"
        rows = []
        for rep in reps:
            width = rep.horizon / len(rep.exits_per_bin)
            for material, areas in rep.material_area_per_bin.items():
                for index, area in enumerate(areas):
                    rows.append(
                        [
                            rep.replication,
                            rep.warmup + index * width,
                            rep.warmup + (index + 1) * width,
                            material,
                            units.get(material, ""),
                            discrete.get(material, 0),
                            area / width,
                        ]
                    )
        header = ["replication", "start", "end", "material", "unit", "discrete", "wip"]
        write_csv(path, header, rows)
        written.append(path)

    if any(rep.state_time_per_bin for rep in reps):
        path = folder / "station_states.csv"
        write_csv(path, ["replication", "start", "end", "station", *STATES], _state_rows(reps))
        written.append(path)

    if any(rep.months for rep in reps):
        path = folder / "monthly.csv"
        month_units = monthly_units(line)
        time_unit = line.time_unit
        header = [
            "replication",
            "month",
            f"start [{time_unit}]",
            f"end [{time_unit}]",
            *(f"{name} [{month_units[name]}]" for name in (*MONTHLY_KPIS, "yield_curve")),
        ]
        write_csv(path, header, month_rows(reps, line))
        written.append(path)

    written += write_line_files(line, reps, folder)  # for the diagram, capacity and balance

    path = folder / "summary.json"
    files = [written_path.name for written_path in written]
    write_json(path, {**summary, "scenario_hash": scenario_hash(result.scenario), "files": files})
    written.append(path)
    return written


def _state_rows(reps: list[ReplicationResult]) -> list[list[Any]]:
    """Rows of ``station_states.csv``: per replication, machine station and bin, the share
    of the station's machine time in each state [-]."""
    rows: list[list[Any]] = []
    for rep in reps:
        bins = len(rep.exits_per_bin)
        width = rep.horizon / bins
        for station, by_state in rep.state_time_per_bin.items():
            columns = [by_state[s].tolist() if s in by_state else [0.0] * bins for s in STATES]
            for index in range(bins):
                # a share below zero is rounding in a difference of sums (|x| < 1e-12)
                kept = [max(column[index], 0.0) for column in columns]
                total = sum(kept)
                rows.append(
                    [
                        rep.replication,
                        rep.warmup + index * width,
                        rep.warmup + (index + 1) * width,
                        station,
                        *(time / total if total > 0 else math.nan for time in kept),
                    ]
                )
    return rows
