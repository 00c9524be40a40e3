"""``linesim check``: run a (fitted) scenario over the log's period and compare, per station
and for the line, the simulated throughput and state shares with what the log shows.

The operational-validation step of a simulation study. The log is one realisation of the
plant, so each observed value is compared with the *prediction interval* of one period
(mean +- t s sqrt(1 + 1/n) over the replications), not with the narrower confidence
interval of the simulated mean (also shown): a correct model puts the observed value
outside its prediction interval at about 1 - confidence of the rows. WIP is not in the MES
log format, so it is not compared.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.engine.monitor import STATES
from sim.fit.aliases import AliasFile
from sim.fit.intervals import check_minor_stop, station_data
from sim.fit.log import TimeFormat, read_log
from sim.model.serial import as_general
from sim.model.units import SECONDS_PER

__all__ = ["CheckResult", "CheckRow", "check_log"]


@dataclass(frozen=True)
class CheckRow:
    """One compared quantity: observed in the log, simulated mean with its CI, and the
    prediction interval of one period; ``outside`` flags an observed value beyond it."""

    station: str
    quantity: str
    unit: str
    observed: float
    mean: float
    ci: tuple[float, float]
    prediction: tuple[float, float]
    outside: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "quantity": self.quantity,
            "unit": self.unit,
            "observed": self.observed,
            "simulated": {"mean": self.mean, "ci": list(self.ci)},
            "prediction": list(self.prediction),
            "outside": self.outside,
        }


@dataclass(frozen=True)
class CheckResult:
    """Every compared row, the period compared [line time unit] and the settings."""

    rows: list[CheckRow]
    period: float
    time_unit: str
    replications: int
    confidence: float
    notes: list[str]

    @property
    def flagged(self) -> list[CheckRow]:
        """Rows whose observed value falls outside the prediction interval."""
        return [row for row in self.rows if row.outside]

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "time_unit": self.time_unit,
            "replications": self.replications,
            "confidence": self.confidence,
            "flagged": len(self.flagged),
            "rows": [row.as_dict() for row in self.rows],
            "notes": self.notes,
        }


def _row(
    station: str,
    quantity: str,
    unit: str,
    observed: float,
    values: np.ndarray,
    confidence: float,
) -> CheckRow:
    from scipy import stats

    n = len(values)
    mean = float(values.mean())
    sd = float(values.std(ddof=1)) if n > 1 else 0.0
    t = float(stats.t.ppf(0.5 + confidence / 2, max(n - 1, 1)))
    half_ci = t * sd / math.sqrt(n) if n > 1 else math.nan
    half_pi = t * sd * math.sqrt(1 + 1 / n) if n > 1 else math.nan
    # Throughputs and shares cannot be negative, shares not above 1: the normal intervals
    # are cut there (a rare state's share otherwise shows a negative lower bound).
    top = 1.0 if unit == "share" else math.inf

    def cut(value: float) -> float:
        return value if math.isnan(value) else min(max(value, 0.0), top)

    low, high = cut(mean - half_pi), cut(mean + half_pi)
    outside = bool(n > 1 and not low - 1e-12 <= observed <= high + 1e-12)
    return CheckRow(
        station, quantity, unit, observed, mean, (cut(mean - half_ci), cut(mean + half_ci)),
        (low, high), outside,
    )  # fmt: skip


def check_log(
    log_path: str | os.PathLike[str],
    scenario_path: str | os.PathLike[str],
    replications: int | None = None,
    jobs: int | None = 1,
    confidence: float = 0.95,
    time: TimeFormat = "auto",
    aliases: AliasFile | None = None,
    end: float | None = None,
    max_gap: float | None = 7 * 86400.0,
    minor_stop: float = 0.0,
) -> CheckResult:
    """Simulate ``scenario_path`` over the period of the log ``log_path`` (the scenario's
    own warm-up first) and compare throughput [units per time unit] and state shares [-]."""
    from sim.experiment import run
    from sim.model import load_scenario

    check_minor_stop(minor_stop)
    probe = load_scenario(scenario_path, replications=1)
    line = probe.line
    machines = {s.name for s in line.stations if s.kind != "delay"}
    log = read_log(
        log_path, time=time, aliases=aliases, stations=machines, end=end, max_gap=max_gap
    )
    unit = line.time_unit
    period = log.end / SECONDS_PER[unit]
    scenario = load_scenario(scenario_path, replications=replications, horizon=period)
    result = run(scenario, jobs=jobs)
    reps = result.replications
    notes = ["WIP is not in the MES log format, so it is not compared"]
    if not log.has_units:
        notes.append("the log has no units column: throughput is not compared")
    line = as_general(line)
    consumed = {m for s in line.stations for m in (s.inputs or {})}
    final = [s.name for s in line.stations if s.output_material not in consumed]
    rows: list[CheckRow] = []
    line_observed = 0.0
    line_simulated = np.zeros(len(reps))
    for spec in line.stations:
        if spec.name not in log.stations or spec.kind == "delay":
            if spec.kind != "delay":
                notes.append(f"{spec.name}: not in the log, not compared")
            continue
        data = station_data(log, spec.name, minor_stop)
        simulated = [r.stations[spec.name] for r in reps]
        if log.has_units:
            observed = data.units / period
            values = np.array(
                [s.units_out / r.horizon for s, r in zip(simulated, reps, strict=True)]
            )
            rows.append(
                _row(spec.name, "throughput", f"units/{unit}", observed, values, confidence)
            )
            if spec.name in final:
                line_observed += observed
                line_simulated += values
        accounted = float(data.state_time[: len(STATES)].sum())
        for index, state in enumerate(STATES):
            shares = np.array(
                [s.state_time[state] / max(sum(s.state_time.values()), 1e-300) for s in simulated]
            )
            observed_share = float(data.state_time[index] / accounted) if accounted else 0.0
            if observed_share == 0 and not shares.any():
                continue
            rows.append(_row(spec.name, state, "share", observed_share, shares, confidence))
    if log.has_units and any(name in log.stations for name in final):
        rows.insert(
            0,
            _row("line", "throughput", f"units/{unit}", line_observed, line_simulated, confidence),
        )
    return CheckResult(rows, period, unit, len(reps), confidence, notes)


def write_check(result: CheckResult, folder: str | os.PathLike[str]) -> list[Path]:
    """Write ``check.json`` and ``check.csv`` into ``folder``."""
    from sim.atomic import write_csv, write_json

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / "check.json", result.as_dict())
    write_csv(
        folder / "check.csv",
        ["station", "quantity", "unit", "observed", "sim_mean", "ci_low", "ci_high",
         "prediction_low", "prediction_high", "outside"],
        [
            [r.station, r.quantity, r.unit, r.observed, r.mean, *r.ci, *r.prediction, r.outside]
            for r in result.rows
        ],
    )  # fmt: skip
    return [folder / "check.json", folder / "check.csv"]
