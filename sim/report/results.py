"""Write a run's results folder: summary.json and per-replication, per-station and time CSVs.

``summary.json`` records the scenario's hash, so a folder never mixes the outputs of two
different scenarios: :func:`check_results_folder` refuses a folder holding another's.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

from sim.analysis.kpis import LINE_KPIS, STATION_KPIS, line_kpis, station_kpis
from sim.errors import LinesimError
from sim.experiment.replicate import RunResult
from sim.model.scenario import Scenario
from sim.report.files import write_csv, write_json

__all__ = ["RESULT_FILES", "check_results_folder", "scenario_hash", "write_results"]

RESULT_FILES = (
    "summary.json",
    "replications.csv",
    "stations.csv",
    "timeseries.csv",
    "materials.csv",
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
    """Refuse (:class:`LinesimError`) a folder holding results of another scenario.

    Call it before running. A folder that is missing, empty of result files or holding
    the results of the same scenario (same :func:`scenario_hash`) is fine to write.
    """
    folder = Path(out_dir)
    fix = f"use --out DIR for a new folder or delete {folder}"
    summary = folder / "summary.json"
    if not summary.exists():
        present = [name for name in RESULT_FILES if (folder / name).exists()]
        if present:
            raise LinesimError(
                f"results folder {folder} holds {', '.join(present)} but no "
                f"summary.json, so their scenario is unknown; {fix}"
            )
        return
    try:
        recorded = json.loads(summary.read_text(encoding="utf-8")).get("scenario_hash")
    except (OSError, ValueError, AttributeError):
        recorded = None
    if recorded is None:
        raise LinesimError(
            f"results folder {folder} holds a summary.json without a "
            f"scenario_hash (unreadable, or from an older linesim); {fix}"
        )
    if recorded != scenario_hash(scenario):
        raise LinesimError(
            f"results folder {folder} holds the results of another scenario "
            f"(scenario_hash {str(recorded)[:12]}..., this one "
            f"{scenario_hash(scenario)[:12]}...); {fix}"
        )


def write_results(
    result: RunResult, summary: dict[str, Any], out_dir: str | os.PathLike[str]
) -> list[Path]:
    """Write ``summary.json``, ``replications.csv``, ``stations.csv``, ``timeseries.csv``
    and, for a line with materials, ``materials.csv``.

    Returns the files written. ``timeseries.csv`` holds, per bin of the measured window, the
    good output rate [1/time unit] and the average WIP [jobs, serial lines] of each
    replication; ``materials.csv`` the average WIP of each material [its unit] per bin.
    ``summary.json`` gets the ``scenario_hash``; callers check the folder first with
    :func:`check_results_folder`.
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

    path = folder / "summary.json"
    write_json(path, {**summary, "scenario_hash": scenario_hash(result.scenario)})
    written.append(path)
    return written
