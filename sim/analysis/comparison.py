"""The content of ``comparison.json``: KPIs per scenario, paired differences against the
first scenario, lever attribution and the check of a claimed change."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.experiment.compare import Comparison, paired_difference
from sim.experiment.statistics import estimate

__all__ = ["CLAIM_READINGS", "build_comparison", "claim_check", "verdict"]

CLAIM_READINGS = (
    ("efficiency", "a: good output per hour of the same line", "throughput"),
    ("efficiency", "b: good output per labour hour", "ah_per_labour_hour"),
    ("cost", "a: total cost per Ah", "cost_per_ah"),
    ("cost", "b: conversion cost per Ah (without materials)", "conversion_cost_per_ah"),
)
"""The two readings of each half of a "+x % efficiency, -y % cost" claim: KPI per reading."""


def verdict(claimed: float, ci: list[float] | None) -> str:
    """Say how a paired percent change with its CI stands against a claimed change [%]."""
    if not ci:
        return "no interval (one replication)"
    low, high = ci
    if claimed >= 0:
        if low >= claimed:
            return "supported: at least the claim"
        if high >= claimed:
            return "consistent: the claim is inside the interval"
        return "not supported: short of the claim"
    if high <= claimed:
        return "supported: at least the claim"
    if low <= claimed:
        return "consistent: the claim is inside the interval"
    return "not supported: short of the claim"


def claim_check(
    differences: dict[str, dict[str, Any]], scenario: str, efficiency: float, cost: float
) -> list[dict[str, Any]]:
    """Rows of the claim table for one scenario against the reference."""
    rows = []
    for half, reading, kpi in CLAIM_READINGS:
        claimed = efficiency if half == "efficiency" else cost
        found = differences.get(kpi, {}).get(scenario)
        percent = found["percent"] if found else {"mean": None, "ci95": None}
        rows.append(
            {
                "claim": half,
                "reading": reading,
                "kpi": kpi,
                "claimed_percent": claimed,
                "percent": percent,
                "verdict": verdict(claimed, percent["ci95"]) if found else "KPI missing",
            }
        )
    return rows


def build_comparison(
    comparison: Comparison,
    attribution: dict[str, dict[str, np.ndarray]] | None = None,
    claim: dict[str, float] | None = None,
    attribution_settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the ``comparison.json`` content.

    ``attribution`` maps KPI -> lever -> Shapley values per replication.
    """
    names = comparison.names
    first = comparison.runs[0].scenario
    keys = (
        [k for k in comparison.kpis[0][0] if all(k in reps[0] for reps in comparison.kpis)]
        if comparison.kpis and comparison.kpis[0]
        else []
    )
    kpis = {
        k: {name: estimate(comparison.values(i, k)) for i, name in enumerate(names)} for k in keys
    }
    differences = {
        k: {
            name: paired_difference(comparison.values(0, k), comparison.values(i, k))
            for i, name in enumerate(names)
            if i > 0
        }
        for k in keys
    }
    content: dict[str, Any] = {
        "scenarios": names,
        "reference": names[0],
        "seed": first.seed,
        "replications": first.replications,
        "horizon": first.horizon,
        "warmup": first.warmup,
        "time_unit": first.line.time_unit,
        "levers": {run.scenario.name: run.scenario.lever_info for run in comparison.runs},
        "kpis": kpis,
        "differences": differences,
    }
    if attribution is not None:
        content["attribution"] = {
            kpi: {lever: estimate(values) for lever, values in per_lever.items()}
            for kpi, per_lever in attribution.items()
        }
        content["attribution_settings"] = attribution_settings or {}
    if claim is not None and len(names) > 1:
        content["claim"] = {
            "efficiency_percent": claim["efficiency"],
            "cost_percent": claim["cost"],
            "rows": {
                name: claim_check(differences, name, claim["efficiency"], claim["cost"])
                for name in names[1:]
            },
        }
    return content
