"""The content of ``comparison.json``: KPIs per scenario, paired differences against the
first scenario, lever attribution and the check of a claimed change."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.analysis.kpis import summarize
from sim.analysis.runs import PairedRuns
from sim.analysis.statistics import estimate, paired_difference
from sim.analysis.units import line_units

__all__ = [
    "CLAIM_READINGS",
    "COST_DEFINITIONS",
    "SOLD_KPIS",
    "VERDICTS",
    "bottleneck_move",
    "bottleneck_ranking",
    "build_comparison",
    "claim_check",
    "claim_readings",
    "plant_load",
    "verdict",
]

CLAIM_READINGS = (
    (
        "output_per_line_hour",
        "efficiency",
        "a: good output per hour of the same line",
        "throughput",
    ),
    (
        "output_per_labour_hour",
        "efficiency",
        "b: good output per labour hour",
        "ah_per_labour_hour",
    ),
    ("total_cost_per_ah", "cost", "a: total cost per Ah", "cost_per_ah"),
    (
        "conversion_cost_per_ah",
        "cost",
        "b: conversion cost per Ah (without materials)",
        "conversion_cost_per_ah",
    ),
    (
        "operating_cost_per_ah",
        "cost",
        "c: operating cost per Ah (without depreciation and materials of good cells)",
        "operating_cost_per_ah",
    ),
)
"""The readings of each half of a "+x % efficiency, -y % cost" claim: key, half,
description, KPI. Efficiency: (a) output per hour of the same line, (b) output per labour
hour. Cost: (a) total cost per Ah with materials, (b) conversion cost per Ah without
materials, with depreciation, (c) operating cost per Ah: labour, energy, maintenance,
running cost of investments and the materials of scrapped units, without depreciation and
without the materials of good cells (see :mod:`sim.analysis.costs`)."""

SOLD_KPIS = {
    "throughput": "sold_ah_per_year",
    "ah_per_labour_hour": "sold_ah_per_labour_hour",
    "cost_per_ah": "cost_per_sold_ah",
    "conversion_cost_per_ah": "conversion_cost_per_sold_ah",
    "operating_cost_per_ah": "operating_cost_per_sold_ah",
}
"""Each reading's KPI at a plant load below 1: output and cost of the Ah sold."""


def claim_readings(load: float = 1.0) -> tuple[tuple[str, str, str, str], ...]:
    """The readings of :data:`CLAIM_READINGS`, at a plant load below 1 read on the sold
    Ah (:mod:`sim.analysis.costs`): output is what is sold, costs spread over it."""
    if load >= 1:
        return CLAIM_READINGS
    note = f" at {load:.0%} plant load"
    return tuple(
        (key, half, text.replace("good output", "sold output") + note, SOLD_KPIS[kpi])
        for key, half, text, kpi in CLAIM_READINGS
    )


COST_DEFINITIONS = {
    "total_cost_per_ah": "every annual cost (materials, labour, energy, maintenance, "
    "depreciation, overhead) / Ah of good cells a year",
    "conversion_cost_per_ah": "total cost without materials (with depreciation) / Ah",
    "operating_cost_per_ah": "labour, energy, maintenance, running cost of investments and "
    "the materials of scrapped units; no depreciation, no materials of good cells / Ah",
}
"""What each cost reading counts, printed under the claim table."""


VERDICTS = {
    "below": "below the claim: the whole 95 % CI falls short of the claimed change",
    "consistent": "consistent: the claimed change is inside the 95 % CI",
    "above": "above the claim: the whole 95 % CI goes beyond the claimed change "
    "(an overshoot: check the lever sizes or how the claim is read)",
}
"""The three verdicts and what each means."""


def plant_load(line: Any) -> float:
    """The plant load a comparison is read at: the reference line's ``costs.load`` [-]."""
    return float(line.costs.load) if line.costs is not None else 1.0


def verdict(claimed: float, ci: list[float] | None) -> str:
    """``below``, ``consistent`` or ``above`` the claimed change [%], from the 95 % CI of the
    paired percent change; ``no interval`` with one replication.

    Below and above are read in the claim's direction: for a claimed cut (a negative
    change, e.g. cost -20 %) a change of -6 % is ``below`` the claim (short of it) and -30 %
    is ``above`` it (more than claimed), as for a claimed rise.
    """
    if not ci or ci[0] is None or ci[1] is None:
        return "no interval"
    low, high = ci
    sign = 1.0 if claimed >= 0 else -1.0
    low, high = sorted((sign * low, sign * high))
    target = sign * claimed
    if high < target:
        return "below"
    if low > target:
        return "above"
    return "consistent"


def claim_check(
    differences: dict[str, dict[str, Any]],
    scenario: str,
    efficiency: float,
    cost: float,
    load: float = 1.0,
) -> dict[str, dict[str, Any]]:
    """The claim table for one scenario against the reference: reading -> row, read at
    plant ``load`` [-] (:func:`claim_readings`)."""
    rows = {}
    for key, half, reading, kpi in claim_readings(load):
        claimed = efficiency if half == "efficiency" else cost
        found = differences.get(kpi, {}).get(scenario)
        percent = found["percent"] if found else {"mean": None, "ci95": None}
        call = verdict(claimed, percent["ci95"]) if found else "KPI missing"
        rows[key] = {
            "claim": half,
            "reading": reading,
            "kpi": kpi,
            "claimed_percent": claimed,
            "percent": percent,
            "verdict": call,
            "meaning": VERDICTS.get(call, ""),
        }
    return rows


def bottleneck_ranking(stations: dict[str, dict[str, Any]], top: int = 3) -> list[dict[str, Any]]:
    """The stations that most hold up the line, by the rule of
    :func:`sim.analysis.kpis.bottleneck`: a machine station's share of time busy, down, in
    setup or minor stops, or a delay's time-average fill of its capacity [-]."""
    from sim.analysis.kpis import ACTIVE_STATES

    ranked = []
    for name, values in stations.items():
        if values["busy"]["mean"] is None:
            fill = (values.get("fill") or {}).get("mean")
            if fill is None:
                continue
            ranked.append({"station": name, "measure": "fill", "value": fill})
        else:
            active = sum(values[state]["mean"] or 0.0 for state in ACTIVE_STATES)
            ranked.append({"station": name, "measure": "active share", "value": active})
    ranked.sort(key=lambda row: -row["value"])
    return ranked[:top]


def _figure(row: dict[str, Any]) -> str:
    verb = "filled" if row["measure"] == "fill" else "active"
    return f"{verb} {100 * row['value']:.1f} %"


def bottleneck_move(
    before: list[dict[str, Any]], after: list[dict[str, Any]], reference: str, scenario: str
) -> dict[str, Any] | None:
    """Whether the bottleneck moved between the reference and a scenario, with the figures
    the call rests on (each side's top stations); ``None`` when either has no station."""
    if not before or not after:
        return None
    old, new = before[0], after[0]
    moved = old["station"] != new["station"]
    if moved:
        message = (
            f"bottleneck moved from {old['station']} ({_figure(old)} in {reference}) to "
            f"{new['station']} ({_figure(new)} in {scenario})"
        )
    else:
        message = (
            f"bottleneck stays at {old['station']} ({_figure(old)} in {reference}, "
            f"{_figure(new)} in {scenario})"
        )
    return {
        "moved": moved,
        "from": old["station"],
        "to": new["station"],
        "message": message,
        "evidence": {reference: before, scenario: after},
        "rule": "largest share of time busy, down, in setup or minor stops (machines) "
        "or of capacity filled (delays), means over replications",
    }


def build_comparison(
    comparison: PairedRuns,
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
        "units": line_units(first.line, keys),
        "differences": differences,
    }
    if comparison.precision is not None:
        content["precision"] = comparison.precision.as_json()
    if attribution is not None:
        content["attribution"] = {
            kpi: {lever: estimate(values) for lever, values in per_lever.items()}
            for kpi, per_lever in attribution.items()
        }
        content["attribution_settings"] = attribution_settings or {}
    rankings = {
        run.scenario.name: bottleneck_ranking(
            summarize(run.replications, run.scenario.line)["stations"]
        )
        for run in comparison.runs
        if run.replications
    }
    content["bottleneck"] = rankings
    moves = {
        name: bottleneck_move(rankings.get(names[0], []), rankings.get(name, []), names[0], name)
        for name in names[1:]
    }
    content["bottleneck_moves"] = {k: v for k, v in moves.items() if v is not None}
    if claim is not None and len(names) > 1:
        load = plant_load(first.line)
        content["claim"] = {
            "efficiency_percent": claim["efficiency"],
            "cost_percent": claim["cost"],
            "load": load,
            "rows": {
                name: claim_check(differences, name, claim["efficiency"], claim["cost"], load)
                for name in names[1:]
            },
            "cost_readings": dict(COST_DEFINITIONS),
        }
    return content
