"""The summary of a run: scenario, settings and every KPI with mean, std and 95% CI."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from sim.analysis.capacity import window_warnings
from sim.analysis.kpis import summarize
from sim.analysis.monthly import monthly_summary
from sim.analysis.runs import ScenarioRuns
from sim.analysis.units import currency, kpi_unit, output_unit, station_units

__all__ = ["build_summary"]


def _version() -> str:
    try:
        return version("linesim")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def build_summary(result: ScenarioRuns) -> dict[str, Any]:
    """Return the ``summary.json`` content of ``result``: every KPI as ``{"mean", "std",
    "ci95", "n", "unit"}`` (unit ``-`` for shares and ratios)."""
    scenario = result.scenario
    line = scenario.line
    stats = summarize(result.replications, line)
    kpis = {name: {**value, "unit": kpi_unit(name, line)} for name, value in stats["kpis"].items()}
    units = station_units(line)
    stations = {
        name: {
            kpi: {**value, "unit": units.get(name, {}).get(kpi, "-")} for kpi, value in row.items()
        }
        for name, row in stats["stations"].items()
    }
    good = stats["kpis"]["good"]["mean"]
    warnings = (
        window_warnings(line, scenario.horizon, scenario.warmup, good)
        if result.replications
        else []
    )
    return {
        "scenario": scenario.name,
        "line": scenario.line.name,
        "source": scenario.source,
        "seed": scenario.seed,
        "replications": len(result.replications),
        "replications_requested": scenario.replications,
        **({"precision": result.precision.as_json()} if result.precision else {}),
        "partial": result.partial,
        "time_unit": line.time_unit,
        "output_unit": output_unit(line),
        "currency": currency(line),
        "horizon": scenario.horizon,
        "warmup": scenario.warmup,
        "overrides": scenario.overrides,
        "kpis": kpis,
        "stations": stations,
        "bottleneck": stats["bottleneck"],
        **({"monthly": monthly} if (monthly := monthly_summary(result.replications, line)) else {}),
        "warnings": warnings,
        "linesim_version": _version(),
    }
