"""Reading a KPI out of a run summary (summary.json): by name in ``kpis``, in another
section of numbers (costs), or as ``stations.<station>.<kpi>``.

Plain dictionaries in, plain dictionaries out, so that every layer may read a summary:
the experiments (objectives and constraints of a sweep or a study), the reports and the
command line.
"""

from __future__ import annotations

import math
from typing import Any

from sim.errors import LinesimError

__all__ = ["kpi_estimate", "kpi_names", "kpi_value"]


def kpi_names(summary: dict[str, Any]) -> list[str]:
    """Every KPI name :func:`kpi_value` accepts for ``summary``."""
    names = list(summary.get("kpis", {}))
    for section, values in summary.items():
        if section in ("kpis", "stations", "overrides") or not isinstance(values, dict):
            continue
        names += [k for k, v in values.items() if _number(v) is not None and k not in names]
    for station, values in summary.get("stations", {}).items():
        names += [f"stations.{station}.{k}" for k in values]
    return names


def kpi_estimate(summary: dict[str, Any], name: str) -> dict[str, Any]:
    """Return ``{"mean", "std", "ci95", "unit"}`` of KPI ``name`` in a run summary (unit
    ``None`` where the summary gives none).

    Looks in ``kpis``, then in any other section of numbers or estimates (such as
    costs), then ``stations.<station>.<kpi>``; a plain number has no std or interval.
    Raises :class:`LinesimError` naming the known KPIs when ``name`` is none of them.
    """
    found: Any = _MISSING
    if name in summary.get("kpis", {}):
        found = summary["kpis"][name]
    else:
        for section, values in summary.items():
            if (
                section not in ("kpis", "stations", "overrides")
                and isinstance(values, dict)
                and name in values
                and _number(values[name]) is not None
            ):
                found = values[name]
                break
        parts = name.split(".")
        if found is _MISSING and len(parts) == 3 and parts[0] == "stations":
            found = summary.get("stations", {}).get(parts[1], {}).get(parts[2], _MISSING)
    if found is _MISSING:
        known = ", ".join(k for k in kpi_names(summary) if not k.startswith("stations."))
        raise LinesimError(
            f"{name!r} is not a KPI of this run (known: {known}, and stations.<station>.<kpi>)"
        )
    if isinstance(found, dict):
        return {
            "mean": _as_float(found),
            "std": found.get("std"),
            "ci95": found.get("ci95"),
            "unit": found.get("unit"),
        }
    return {"mean": _as_float(found), "std": None, "ci95": None, "unit": None}


def kpi_value(summary: dict[str, Any], name: str) -> float:
    """Return the mean of KPI ``name`` in a run summary (NaN when undefined); see
    :func:`kpi_estimate`."""
    return float(kpi_estimate(summary, name)["mean"])


_MISSING = object()


def _number(value: Any) -> float | None:
    if isinstance(value, dict) and "mean" in value:
        value = value["mean"]
    if isinstance(value, bool) or not isinstance(value, int | float | type(None)):
        return None
    return math.nan if value is None else float(value)


def _as_float(value: Any) -> float:
    number = _number(value)
    return math.nan if number is None else number
