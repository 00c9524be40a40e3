"""Read a results folder back: ``summary.json`` and the CSV tables (csv module, no pandas)."""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.engine.monitor import STATES
from sim.errors import LinesimError
from sim.report.run_folder import check_run_folder

__all__ = ["RunData", "TimeSeries", "bottleneck_station", "is_delay", "load_results"]


@dataclass(frozen=True)
class TimeSeries:
    """``timeseries.csv`` as arrays: bins of the measured window, one row per replication.

    ``start`` and ``end`` are the bin edges [time unit, absolute simulated time],
    ``throughput`` the good output rate [jobs / time unit] and ``wip`` the time-average WIP
    [jobs], both shaped (replications, bins); ``replications`` holds the replication indices.
    """

    replications: np.ndarray
    start: np.ndarray
    end: np.ndarray
    throughput: np.ndarray
    wip: np.ndarray

    @property
    def empty(self) -> bool:
        """True when there is no replication or no bin."""
        return self.throughput.size == 0

    @property
    def width(self) -> np.ndarray:
        """Width of each bin [time unit]."""
        return np.asarray(self.end - self.start, dtype=float)


def _empty_series() -> TimeSeries:
    nothing = np.zeros(0)
    return TimeSeries(np.zeros(0, dtype=int), nothing, nothing, np.zeros((0, 0)), np.zeros((0, 0)))


@dataclass(frozen=True)
class MaterialSeries:
    """One material's WIP from ``materials.csv``: ``wip`` [its unit] shaped
    (replications, bins), bins from ``start`` to ``end`` [time unit]."""

    unit: str
    start: np.ndarray
    end: np.ndarray
    wip: np.ndarray
    discrete: bool = False
    """Whether the material counts in whole pieces (the material's ``discrete`` field)."""


def _materials(rows: list[dict[str, Any]]) -> dict[str, MaterialSeries]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(str(row["material"]), []).append(row)
    result = {}
    for name, items in grouped.items():
        reps = sorted({int(r["replication"]) for r in items})
        starts = sorted({float(r["start"]) for r in items})
        index = {start: i for i, start in enumerate(starts)}
        wip = np.full((len(reps), len(starts)), np.nan)
        ends = np.zeros(len(starts))
        for r in items:
            column = index[float(r["start"])]
            wip[reps.index(int(r["replication"])), column] = float(r["wip"])
            ends[column] = float(r["end"])
        unit = str(items[0].get("unit", ""))
        flag = items[0].get("discrete")  # absent in results written before the field
        if flag is None:
            from sim.model.line import PIECE_UNITS

            discrete = unit in PIECE_UNITS
        else:
            discrete = bool(flag == 1)
        result[name] = MaterialSeries(unit, np.array(starts), ends, wip, discrete)
    return result


def _station_states(rows: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """``station_states.csv`` as station -> shares shaped (replications, bins, states) [-],
    states in the order of :data:`~sim.engine.monitor.STATES` (NaN where a row is missing)."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(str(row["station"]), []).append(row)
    result = {}
    for name, items in grouped.items():
        reps = sorted({int(r["replication"]) for r in items})
        starts = sorted({float(r["start"]) for r in items})
        rep_index = {rep: i for i, rep in enumerate(reps)}
        bin_index = {start: i for i, start in enumerate(starts)}
        shares = np.full((len(reps), len(starts), len(STATES)), np.nan)
        for r in items:
            shares[rep_index[int(r["replication"])], bin_index[float(r["start"])]] = [
                float(r.get(state, math.nan)) for state in STATES
            ]
        result[name] = shares
    return result


@dataclass(frozen=True)
class RunData:
    """Everything saved in a results folder.

    ``replications`` and ``stations`` are the rows of ``replications.csv`` and
    ``stations.csv`` (numbers as float, NaN where undefined; ``replication`` as int,
    ``station`` as str).
    """

    folder: Path
    summary: dict[str, Any]
    replications: list[dict[str, Any]] = field(default_factory=list)
    stations: list[dict[str, Any]] = field(default_factory=list)
    timeseries: TimeSeries = field(default_factory=_empty_series)
    materials: dict[str, MaterialSeries] = field(default_factory=dict)
    """WIP per material per bin (lines with materials), in flow order."""
    station_states: dict[str, np.ndarray] = field(default_factory=dict)
    """Share of machine time per state [-] per machine station, shaped (replications,
    bins, states); empty for a folder written before ``station_states.csv`` existed."""

    @property
    def time_unit(self) -> str:
        """The line's time unit (s, min, h or d)."""
        return str(self.summary.get("time_unit", ""))

    @property
    def station_names(self) -> list[str]:
        """Stations in flow order (first to last)."""
        return list(self.summary.get("stations", {}))


def _value(text: str) -> float:
    """Read a CSV number; empty, 'nan' and non-numbers become NaN."""
    try:
        return float(text) if text.strip() else math.nan
    except ValueError:
        return math.nan


_COLUMNS = {
    "replications.csv": ("replication",),
    "stations.csv": ("replication", "station"),
    "timeseries.csv": ("replication", "start", "end", "throughput", "wip"),
    "materials.csv": ("replication", "start", "end", "material", "unit", "wip"),
    "station_states.csv": ("replication", "start", "end", "station", *STATES),
}
"""Columns each results CSV must have."""


def _read_rows(path: Path) -> list[dict[str, Any]]:
    """Return the rows of a results CSV as dicts (missing file: no rows); a file of the
    wrong structure is a :class:`LinesimError` naming the file, row and column."""
    if not path.exists():
        return []
    rows = []
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream)
            missing = [c for c in _COLUMNS.get(path.name, ()) if c not in (reader.fieldnames or [])]
            if missing:
                raise LinesimError(
                    f"{path}:1: not a linesim results table (no column {missing[0]!r}); "
                    "run the scenario again"
                )
            for raw in reader:
                row: dict[str, Any] = {}
                for key, text in raw.items():
                    if key is None or text is None:
                        raise LinesimError(
                            f"{path}:{reader.line_num}: the row does not match the header; "
                            "run the scenario again"
                        )
                    if key in ("station", "material", "unit"):
                        row[key] = text
                    elif key == "replication":
                        try:
                            row[key] = int(text)
                        except ValueError:
                            raise LinesimError(
                                f"{path}:{reader.line_num}: replication {text!r} is not a "
                                "whole number; run the scenario again"
                            ) from None
                    else:
                        row[key] = _value(text)
                rows.append(row)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LinesimError(f"{path}: cannot be read ({error})") from None
    return rows


def _series(rows: list[dict[str, Any]]) -> TimeSeries:
    """Arrange ``timeseries.csv`` rows by replication (in file order) and bin."""
    by_rep: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_rep.setdefault(row["replication"], []).append(row)
    if not by_rep:
        return _empty_series()
    bins = min(len(group) for group in by_rep.values())
    first = next(iter(by_rep.values()))[:bins]
    return TimeSeries(
        replications=np.array(list(by_rep), dtype=int),
        start=np.array([row["start"] for row in first], dtype=float),
        end=np.array([row["end"] for row in first], dtype=float),
        throughput=np.array(
            [[r["throughput"] for r in g[:bins]] for g in by_rep.values()], dtype=float
        ),
        wip=np.array([[r["wip"] for r in g[:bins]] for g in by_rep.values()], dtype=float),
    )


def load_results(folder: str | os.PathLike[str]) -> RunData:
    """Load a results folder written by ``linesim run``: a complete run (checked by
    :func:`sim.report.run_folder.check_run_folder`), else :class:`LinesimError`."""
    path = Path(folder)
    summary = check_run_folder(path)
    return RunData(
        folder=path,
        summary=summary,
        replications=_read_rows(path / "replications.csv"),
        stations=_read_rows(path / "stations.csv"),
        timeseries=_series(_read_rows(path / "timeseries.csv")),
        materials=_materials(_read_rows(path / "materials.csv")),
        station_states=_station_states(_read_rows(path / "station_states.csv")),
    )


def bottleneck_station(summary: dict[str, Any]) -> tuple[str, float] | None:
    """The bottleneck named in the summary and its active share [-]; ``None`` without one."""
    found = summary.get("bottleneck")
    if not found:
        return None
    return str(found["station"]), float(found["active_share"])


def is_delay(values: dict[str, Any]) -> bool:
    """Whether a station's summary entry is a delay's (a soak or aging store): no machine
    state was measured, only how full it was (``fill``)."""
    busy = (values.get("busy") or {}).get("mean")
    return busy is None and (values.get("fill") or {}).get("mean") is not None
