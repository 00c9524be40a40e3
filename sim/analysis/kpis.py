"""KPIs of one replication and their summary over replications.

Definitions (all over the measured window of length H [time unit]):

- ``throughput``: good jobs out per time unit [1/time unit].
- ``flow_time``: mean time from release to exit of good jobs [time unit].
- ``wip``: time-average jobs in the line (released, not yet out or scrapped) [-].
- ``yield``: good jobs out / jobs released [-].
- Station states: share of machine time busy, idle (starved), blocked, down, setup [-].
- ``utilization``: busy share [-].
- OEE = availability x performance x quality, with planned time = machines x H:
  availability = (planned - down - setup) / planned; performance = ideal time per job
  (mean process time / batch size) x jobs processed / run time; quality = good / processed.
"""

from __future__ import annotations

import math
from typing import Any

from sim.engine import STATES, ReplicationResult, StationResult
from sim.experiment.statistics import Estimate, estimate

__all__ = ["LINE_KPIS", "STATION_KPIS", "line_kpis", "station_kpis", "summarize"]

LINE_KPIS = ("throughput", "flow_time", "wip", "yield", "good", "released", "scrapped")
STATION_KPIS = (*STATES, "utilization", "availability", "performance", "quality", "oee",
                "throughput", "queue")


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


def line_kpis(result: ReplicationResult) -> dict[str, float]:
    """Return the line KPIs of one replication (NaN where undefined, e.g. no good output)."""
    return {
        "throughput": result.good / result.horizon,
        "flow_time": _ratio(result.flow_sum, result.good),
        "wip": result.wip_area / result.horizon,
        "yield": _ratio(result.good, result.released),
        "good": float(result.good),
        "released": float(result.released),
        "scrapped": float(result.scrapped),
    }


def station_kpis(station: StationResult, horizon: float) -> dict[str, float]:
    """Return state shares, utilisation, OEE and throughput of one station in one replication."""
    planned = station.machines * horizon
    shares = {state: station.state_time[state] / planned for state in STATES}
    run_time = planned - station.state_time["down"] - station.state_time["setup"]
    availability = run_time / planned
    ideal_per_job = station.ideal_cycle_time / station.batch_max
    performance = _ratio(ideal_per_job * station.jobs_done, run_time)
    good = station.jobs_done - station.scrapped
    quality = _ratio(good, station.jobs_done)
    return {
        **shares,
        "utilization": shares["busy"],
        "availability": availability,
        "performance": performance,
        "quality": quality,
        "oee": availability * performance * quality,
        "throughput": good / horizon,
        "queue": station.queue_area / horizon,
    }


def summarize(results: list[ReplicationResult]) -> dict[str, Any]:
    """Return ``{"kpis": {kpi: Estimate}, "stations": {name: {kpi: Estimate}}}``."""
    per_rep = [line_kpis(result) for result in results]
    kpis: dict[str, Estimate] = {
        name: estimate([values[name] for values in per_rep]) for name in LINE_KPIS
    }
    stations: dict[str, dict[str, Estimate]] = {}
    if results:
        for name in results[0].stations:
            rows = [station_kpis(result.stations[name], result.horizon) for result in results]
            stations[name] = {kpi: estimate([row[kpi] for row in rows]) for kpi in STATION_KPIS}
    return {"kpis": kpis, "stations": stations}
