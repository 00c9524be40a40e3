"""Axis and legend labels for people: a dotted parameter path or KPI name as the station
or material it is about, what it is, and its unit in brackets.

``stations.formation.machines`` becomes ``formation: machines [-]``, ``materials.cell-
wetted.buffer`` ``cell-wetted: buffer [pcs]`` and ``stations.formation.utilization``
``formation: utilization [-]``. A parameter's unit is read from the line schema's field
description (``parallel machines [-]``, ``buffer capacity [material unit]``), with the
line's time unit, currency and material units put in; a KPI's comes with its estimate
(:func:`sim.analysis.units.unit_of`).
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any

from pydantic import BaseModel

from sim.analysis.units import kpi_unit
from sim.engine.monitor import STATES
from sim.model.line import Line

__all__ = [
    "KPI_NAMES",
    "LOWER_IS_BETTER",
    "SHARES",
    "kpi_label",
    "kpi_name",
    "lower_is_better",
    "parameter_label",
    "parameter_unit",
    "scenario_name",
    "with_unit",
]

SHARES = frozenset(
    {
        *STATES,  # each machine state's share of the time
        "utilization",
        "availability",
        "quality",
        "oee",
        "fill",
        "yield",
        "cell_yield",
        "escaped_defects",
    }
)
"""KPIs (line KPIs or the last part of a station's) that are shares of a whole, in [0, 1]:
their confidence bands are clipped there. Performance is not one: with random times its
mean-based ideal lets it pass 1 a little."""

KPI_NAMES = {
    "throughput": "good output rate",
    "ah_per_year": "good Ah a year",
    "cells_per_year": "good cells a year",
    "modules_per_year": "modules a year",
    "cell_yield": "cell yield",
    "yield": "first-pass yield",
    "flow_time": "flow time",
    "wip": "work in process",
    "cost_per_ah": "total cost per Ah",
    "conversion_cost_per_ah": "conversion cost per Ah",
    "operating_cost_per_ah": "operating cost per Ah",
    "cost_total": "total cost a year",
    "energy_kwh_per_kwh": "energy per kWh of cells",
    "labour_hours_per_mah": "labour hours per MAh",
    "ah_per_labour_hour": "Ah per labour hour",
    "capex": "investment (capex)",
    "scrap_cost": "cost of scrap",
    "escaped_defects": "escaped defects",
    "sold_ah_per_year": "sold Ah a year (delivered + lower grades sold as cells)",
    "cost_per_sold_ah": "total cost per sold Ah",
    "fill_rate": "fill rate",
    "backlog": "backlog",
    "on_time_share": "on-time share",
    "shifts_worked": "shifts worked",
}
"""A few words for each headline KPI of a comparison (docs/kpis.md defines them); any
other KPI reads as its name with spaces."""

LOWER_IS_BETTER = (
    "backlog",
    "capex",
    "conversion_cost",
    "cost",
    "energy_kwh",
    "escaped_defects",
    "flow_time",
    "labour_hours",
    "lost_work",
    "operating_cost",
    "scrap_cost",
    "scrap_materials",
    "scrapped",
    "wip",
)
"""KPIs (by name or the part before ``_``, ``.`` or the end) where a fall is an
improvement: costs, time, energy and labour per unit, work in process, defects."""


def lower_is_better(kpi: str) -> bool:
    """Whether a fall of ``kpi`` is an improvement (a cost per Ah, a flow time)."""
    return any(kpi == name or kpi.startswith((f"{name}_", f"{name}.")) for name in LOWER_IS_BETTER)


_CONTAINERS = {"stations", "materials"}
"""Top-level keys whose next part names an item (a station, a material)."""


def with_unit(text: str, unit: str | None) -> str:
    """``text [unit]``, or ``text`` alone when the unit is not known."""
    return f"{text} [{unit}]" if unit else text


def _owner_and_rest(path: str) -> tuple[str | None, str]:
    """``stations.formation.machines`` -> (``formation``, ``machines``); ``release.wip``
    -> (``release``, ``wip``); ``throughput`` -> (None, ``throughput``)."""
    parts = path.split(".")
    if parts[0] in _CONTAINERS and len(parts) >= 3:
        return parts[1], " ".join(parts[2:]).replace("_", " ")
    if len(parts) >= 2:
        return parts[0], " ".join(parts[1:]).replace("_", " ")
    return None, path


def parameter_label(path: str, unit: str | None) -> str:
    """A sweep or tune parameter for an axis: ``formation: machines [-]``."""
    owner, rest = _owner_and_rest(path)
    return with_unit(f"{owner}: {rest}" if owner else rest, unit)


def kpi_name(name: str) -> str:
    """A KPI in words: ``total cost per Ah``, ``formation: utilization``, ``cost:
    materials``, ``wip: cell-wetted``."""
    if name in KPI_NAMES:
        return KPI_NAMES[name]
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "stations":
        return f"{parts[1]}: {parts[2].replace('_', ' ')}"
    if len(parts) == 2:
        return f"{parts[0].replace('_', ' ')}: {parts[1].replace('_', ' ')}"
    return name.replace("_", " ")


def scenario_name(name: str) -> str:
    """A scenario's id from its file for a legend: ``smart_formation_30`` -> ``smart
    formation 30``."""
    return name.replace("_", " ")


def kpi_label(name: str, unit: str | None) -> str:
    """A KPI for an axis: line KPIs by their name in docs/kpis.md (``ah_per_year [Ah /
    year]``), a station's as ``formation: utilization [-]``."""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "stations":
        return with_unit(f"{parts[1]}: {parts[2].replace('_', ' ')}", unit)
    return with_unit(name, unit)


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation holds: itself, the members of a union, the
    element of a list or the value of a dict (``Annotated`` unwrapped)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models(typing.get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if origin in (typing.Union, types.UnionType, list, dict):
        found: list[type[BaseModel]] = []
        for argument in typing.get_args(annotation):
            found += [model for model in _models(argument) if model not in found]
        return found
    return []


def _is_container(annotation: Any) -> bool:
    """Whether a field holds named items (a list or a dict of models)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_container(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_is_container(a) for a in typing.get_args(annotation))
    return origin in (list, dict)


def _description(path: str) -> str | None:
    """The schema description of the line field at ``path``, or None when there is none."""
    candidates: list[type[BaseModel]] = [Line]
    parts = path.split(".")
    index = 0
    description: str | None = None
    while index < len(parts):
        key = parts[index]
        field = next(
            (
                field
                for model in candidates
                for name, field in model.model_fields.items()
                if key in (name, field.alias)
            ),
            None,
        )
        if field is None:
            return None
        description = field.description
        index += 1
        if _is_container(field.annotation):
            index += 1  # the item's name: a station's or a material's
        candidates = _models(field.annotation)
        if not candidates and index < len(parts):
            return None
    return description


def parameter_unit(path: str, line: Line) -> str | None:
    """The unit of the line value at dotted ``path``, from its schema description with
    the line's own units put in; None when the schema gives none."""
    if path == "release.wip":  # the CONWIP level counts what the line's WIP counts
        return kpi_unit("wip", line)
    description = _description(path)
    found = re.search(r"\[([^\]]+)\]", description or "")
    if found is None:
        return None
    unit = found.group(1)
    parts = path.split(".")
    material = parts[1] if parts[0] == "materials" and len(parts) > 2 else None
    spec = (line.materials or {}).get(material or "")
    currency = getattr(line.costs, "currency", None) or "EUR"
    unit = unit.replace("line time unit", line.time_unit).replace("time unit", line.time_unit)
    unit = unit.replace("material unit", spec.unit if spec is not None else "material unit")
    return unit.replace("currency", currency)
