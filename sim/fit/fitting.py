"""``linesim fit``: read a log, fit each station of the line found in it, write
``fitted.yaml`` (a scenario), ``fit.json`` and the report."""

from __future__ import annotations

import os
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import ConfigError
from sim.fit.aliases import AliasFile
from sim.fit.intervals import check_minor_stop, station_data
from sim.fit.log import MachineLog, TimeFormat, read_log
from sim.fit.scenario_file import scenario_text, write_scenario
from sim.fit.station_fit import FitSettings, Setting, StationFit, fit_station
from sim.model.units import SECONDS_PER
from sim.out_folder import writable_folder

__all__ = ["FitResult", "fit_log"]

WARMUP_SHARE = 0.1
"""Warm-up of the fitted scenario as a share of the log's period [-]: the simulated line
starts empty, the plant did not."""


@dataclass
class FitResult:
    """What ``fit`` found and wrote."""

    log: MachineLog
    stations: list[StationFit]
    record: dict[str, Any]
    warnings: list[str]
    files: list[Path] = field(default_factory=list)

    def settings(self) -> list[Setting]:
        """Every fitted setting, station by station."""
        return [s for fit in self.stations for s in fit.settings]

    def setting(self, path: str) -> Setting:
        """The setting of one dotted path (``KeyError`` if not fitted)."""
        for candidate in self.settings():
            if candidate.path == path:
                return candidate
        raise KeyError(path)


def fit_log(
    log_path: str | os.PathLike[str],
    line_path: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    time: TimeFormat = "auto",
    aliases: AliasFile | None = None,
    confidence: float = 0.95,
    minor_stop: float = 0.0,
    end: float | None = None,
    max_gap: float | None = 7 * 86400.0,
    replications: int = 10,
    report: bool = True,
) -> FitResult:
    """Fit the line ``line_path`` to the MES log ``log_path``.

    ``minor_stop`` [s]: down episodes shorter than this are minor stops (0: only the log's
    ``minor_stop`` rows). ``end`` and ``max_gap`` as in :func:`sim.fit.log.read_log`.
    Writes into ``out`` when given: ``fitted.yaml``, ``fit.json`` and (with ``report``)
    ``report.html`` with ``fit_<station>.png``.
    """
    from sim.model.loader import load_line

    if not 0 < confidence < 1:
        raise ConfigError(f"--confidence must lie between 0 and 1 (got {confidence})")
    check_minor_stop(minor_stop)
    line = load_line(line_path)
    if out is not None:  # proven writable before fitting, but made only when written to
        made = not Path(out).exists()
        writable_folder(out, before="fitting")
        if made:
            with suppress(OSError):
                Path(out).rmdir()
    machines = {s.name: s for s in line.stations if s.kind != "delay"}
    log = read_log(
        log_path, time=time, aliases=aliases, stations=set(machines), end=end, max_gap=max_gap
    )
    settings = FitSettings(confidence, minor_stop, line.time_unit)
    per_second = 1.0 / SECONDS_PER[line.time_unit]
    fits = []
    notes = []
    for spec in line.stations:
        if spec.name not in log.stations:
            if spec.kind != "delay":
                notes.append(f"{spec.name}: not in the log, kept the line's values")
            continue
        data = station_data(log, spec.name, minor_stop)
        fit = fit_station(data, spec, settings)
        notes += fit.notes
        fits.append(fit)
    warnings = log.problems.lines(log.file) + notes
    for fit in fits:
        dropped = fit.record.get("cycles_dropped") or {}
        if dropped:
            listed = ", ".join(f"{count:,} {why}" for why, count in dropped.items())
            warnings.append(f"{fit.name}: cycles not used for process times: {listed}")
    period = log.end * per_second
    record: dict[str, Any] = {
        "log": log.file,
        "line": str(line_path),
        "time_unit": line.time_unit,
        "confidence": confidence,
        "rows_read": log.rows_read,
        "rows_used": len(log.time),
        "period": period,
        "start": log.origin,
        "timestamps": "iso" if log.iso else "seconds",
        "minor_stop_threshold_s": minor_stop,
        "problems": log.problems.items,
        "warnings": warnings,
        "stations": {fit.name: fit.record for fit in fits},
        "set": {s.path: s.value for fit in fits for s in fit.settings},
    }
    result = FitResult(log, fits, record, warnings)
    if out is not None:
        from sim.report.status import mark_finished, mark_started

        folder = Path(out)
        resume = f"the same linesim fit of {log.file} again, with --out {folder}"
        mark_started(folder, "fit", resume)
        header = [
            f"Fitted by linesim fit from {log.file} ({log.rows_read:,} rows, "
            f"{period:.6g} {line.time_unit}) for {line_path}.",
            f"Each value: n observations, {confidence * 100:g}% confidence interval and the "
            "family chosen by AIC; details in fit.json.",
        ]
        scenario_path = folder / "fitted.yaml"
        text = scenario_text(
            header,
            Path(line_path),
            scenario_path,
            period,
            period * WARMUP_SHARE,
            replications,
            result.settings(),
        )
        result.files.append(write_scenario(scenario_path, text))
        from sim.atomic import write_json

        write_json(folder / "fit.json", record)
        result.files.append(folder / "fit.json")
        if report:
            from sim.fit.report import write_report

            result.files.append(write_report(folder, fits, record, line.time_unit))
        mark_finished(folder, "fit", resume)
    return result
