"""KPIs from raw observations: throughput, flow time, WIP, yield, states, OEE."""

from __future__ import annotations

from sim.analysis.kpis import LINE_KPIS, STATION_KPIS, line_kpis, station_kpis, summarize

__all__ = ["LINE_KPIS", "STATION_KPIS", "line_kpis", "station_kpis", "summarize"]
