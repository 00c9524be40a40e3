"""The summary of a run: scenario, settings and every KPI with mean, std and 95% CI."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from sim.analysis.kpis import summarize
from sim.experiment.replicate import RunResult

__all__ = ["build_summary"]


def _version() -> str:
    try:
        return version("linesim")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def build_summary(result: RunResult) -> dict[str, Any]:
    """Return the ``summary.json`` content of ``result``."""
    scenario = result.scenario
    stats = summarize(result.replications, scenario.line)
    warnings = []
    good = stats["kpis"]["good"]["mean"]
    if result.replications and not good:
        warnings.append("no good output in the measured window: the line never produced")
    return {
        "scenario": scenario.name,
        "line": scenario.line.name,
        "source": scenario.source,
        "seed": scenario.seed,
        "replications": len(result.replications),
        "replications_requested": scenario.replications,
        "partial": result.partial,
        "time_unit": scenario.line.time_unit,
        "horizon": scenario.horizon,
        "warmup": scenario.warmup,
        "overrides": scenario.overrides,
        "kpis": stats["kpis"],
        "stations": stats["stations"],
        "bottleneck": stats["bottleneck"],
        "warnings": warnings,
        "linesim_version": _version(),
    }
