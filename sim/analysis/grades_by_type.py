"""KPIs of grades by type, for a line with a product mix whose typed stations grade.

Definitions (``t`` a type, ``g`` a grade; summed by grade name over the grading stations
at or after the release, where lots carry their type, over the measured window of length
H [time unit]):

- ``product.t.grade.g.graded``: type t's good units of grade g [output unit of the
  grading station]; summed over the types, the line's ``graded.g``;
- ``product.t.grade.g.share``: their share of type t's good graded units [-]; a type's
  shares sum to 1 (rejects below the lowest grade are not counted, unlike in the line's
  ``grade_share.g``, which is a yield per grade);
- ``product.t.grade.g.cells_per_year``, ``product.t.grade.g.ah_per_year``: annualised, and
  times type t's Ah per cell (lines with a product) [cells / year, Ah / year].

A grading station upstream of the release sees lots before they have a type: it gives no
KPI by type.
"""

from __future__ import annotations

import math

from sim.engine import ReplicationResult
from sim.model.line import Line

__all__ = ["GRADE_KINDS", "type_grade_kpis", "type_grades"]

GRADE_KINDS = ("share", "graded", "cells_per_year", "ah_per_year")
"""The KPIs of each type and grade, ``product.<type>.grade.<grade>.<kind>``."""


def type_grades(result: ReplicationResult) -> dict[str, dict[str, float]]:
    """Type -> grade -> good units graded at the typed stations [output unit]."""
    observed = result.products
    if observed is None:
        return {}
    graded: dict[str, dict[str, float]] = {}
    for station in observed.stations.values():
        for name, grades in station.graded.items():
            by_grade = graded.setdefault(name, {})
            for grade, units in grades.items():
                by_grade[grade] = by_grade.get(grade, 0.0) + units
    return graded


def type_grade_kpis(result: ReplicationResult, line: Line) -> dict[str, float]:
    """Return the grade KPIs by type of one replication (empty without a mix or without a
    grading station after its release)."""
    mix = line.products
    graded = type_grades(result)
    if mix is None or not graded:
        return {}
    scale = line.time_per_year / result.horizon
    product = line.product
    kpis: dict[str, float] = {}
    for name, by_grade in graded.items():
        total = math.fsum(by_grade.values())
        ah_per_cell = (
            (mix.types[name].ah_per_cell or product.ah_per_cell) if product is not None else 0.0
        )
        for grade, units in by_grade.items():
            prefix = f"product.{name}.grade.{grade}"
            kpis[f"{prefix}.share"] = units / total if total > 0 else math.nan
            kpis[f"{prefix}.graded"] = units
            if product is not None:
                kpis[f"{prefix}.cells_per_year"] = units * scale
                kpis[f"{prefix}.ah_per_year"] = units * scale * ah_per_cell
    return kpis
