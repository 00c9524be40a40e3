"""KPIs of grades and rework, for lines whose stations grade or rework (none otherwise).

Grades (summed by grade name over the grading stations, over the measured window):

- ``graded.<grade>``: good units of the grade [output unit of the grading station];
- ``grade_share.<grade>``: the grade's share of the units graded, rejects below the lowest
  grade included, the yield per grade [-];
- ``cells_per_year.<grade>``, ``ah_per_year.<grade>``: annualised, at the nominal
  ``product.ah_per_cell`` (lines with a product; a grading station that makes pieces);
- ``grade_value.<grade>``: value of the grade's output [currency / year] (its ``value``
  per unit, or ``value_per_ah`` x nominal Ah) and ``output_value`` their sum;
- ``module_ah_per_year``: Ah a year of the grades that go on to modules [Ah / year].

Rework, per station with a loop (``<station>``):

- ``reworked.<station>``: units sent back [unit]; ``rework_rate.<station>``: units sent back
  per unit checked, every pass [-];
- ``first_pass_yield.<station>``: units that pass their first check per unit checked the
  first time [-]; ``final_yield.<station>``: units passed per unit leaving the check, good
  or scrapped (the station's quality) [-];
- ``first_pass_yield``: the product of every station's first-pass yield (its quality where
  it has no loop) [-], against the line's ``yield``, which counts final yields.
"""

from __future__ import annotations

import math

from sim.engine import ReplicationResult
from sim.model.line import Line

__all__ = ["SHOWN", "grade_kpis", "grade_unit", "rework_kpis", "shown", "sold_cells", "upstream_of"]

SHOWN = (
    "grade_share",
    "cells_per_year",
    "ah_per_year",
    "grade_value",
    "output_value",
    "module_ah_per_year",
    "cost_per_module_ah",
    "first_pass_yield",
    "final_yield",
    "rework_rate",
    "reworked",
    "rework_cost",
)
"""The grade and rework KPIs a console shows, by name or ``<name>.<grade or station>``."""


def shown(names: list[str]) -> list[str]:
    """The grade and rework KPIs among ``names`` a console shows, grouped as in
    :data:`SHOWN`, each group in the order of ``names``."""
    order = []
    for head in SHOWN:
        order += [n for n in names if n.startswith(f"{head}.")]
        order += [n for n in names if n == head and head not in ("ah_per_year", "cells_per_year")]
    return order


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


def upstream_of(line: Line, material: str) -> set[str]:
    """Stations that make ``material`` or what it is made of."""
    makers = {s.output_material: s for s in line.stations}
    found: set[str] = set()
    frontier = [material]
    while frontier:
        maker = makers.get(frontier.pop())
        if maker is None or maker.name in found:
            continue
        found.add(maker.name)
        frontier.extend(maker.inputs or {})
    return found


def sold_cells(result: ReplicationResult, line: Line) -> float:
    """Good cells sold as grades that do not go on, at grading stations upstream of the
    cell's maker (whose own count misses them) [cells]; 0 without such stations."""
    if line.product is None:
        return 0.0
    cell = line.product.cell
    upstream = upstream_of(line, cell)
    sold = 0.0
    for spec in line.stations:
        if spec.grades is not None and spec.name in upstream and spec.output_material != cell:
            sold += result.stations[spec.name].graded_sold
    return sold


def grade_kpis(result: ReplicationResult, line: Line) -> dict[str, float]:
    """Return the grade KPIs of one replication (empty when no station grades)."""
    graders = [s for s in line.stations if s.grades is not None]
    if not graders:
        return {}
    graded: dict[str, float] = {}
    on: dict[str, bool] = {}
    value: dict[str, tuple[float | None, float | None]] = {}
    sorted_units = 0.0
    for spec in graders:
        assert spec.grades is not None
        observed = result.stations[spec.name]
        sorted_units += sum(observed.graded.values()) + observed.graded_rejected
        for grade in spec.grades.bins:
            graded[grade.name] = graded.get(grade.name, 0.0) + observed.graded[grade.name]
            on[grade.name] = on.get(grade.name, False) or grade.goes_on
            value.setdefault(grade.name, (grade.value, grade.value_per_ah))
    kpis = {f"graded.{name}": units for name, units in graded.items()}
    kpis.update(
        {f"grade_share.{name}": _ratio(units, sorted_units) for name, units in graded.items()}
    )
    scale = line.time_per_year / result.horizon
    product = line.product
    total_value = 0.0
    valued = False
    module_ah = 0.0
    for name, units in graded.items():
        per_year = units * scale
        ah = per_year * product.ah_per_cell if product is not None else math.nan
        if product is not None:
            kpis[f"cells_per_year.{name}"] = per_year
            kpis[f"ah_per_year.{name}"] = ah
            if on[name]:
                module_ah += ah
        per_unit, per_ah = value[name]
        if per_unit is not None or per_ah is not None:
            worth = per_year * per_unit if per_unit is not None else ah * (per_ah or 0.0)
            kpis[f"grade_value.{name}"] = worth
            total_value += worth
            valued = True
    if valued:
        kpis["output_value"] = total_value
    if product is not None:
        kpis["module_ah_per_year"] = module_ah
    return kpis


def rework_kpis(result: ReplicationResult, line: Line) -> dict[str, float]:
    """Return the rework KPIs of one replication (empty when no station reworks)."""
    loops = [s for s in line.stations if s.rework is not None]
    if not loops:
        return {}
    kpis: dict[str, float] = {}
    for spec in loops:
        counts = result.stations[spec.name].rework
        observed = result.stations[spec.name]
        kpis[f"reworked.{spec.name}"] = counts["reworked"]
        kpis[f"rework_rate.{spec.name}"] = _ratio(counts["reworked"], counts["checked"])
        kpis[f"first_pass_yield.{spec.name}"] = 1.0 - _ratio(
            counts["first_failed"], counts["first_checked"]
        )
        kpis[f"final_yield.{spec.name}"] = _ratio(
            observed.units_out, observed.units_out + observed.scrapped
        )
    first_pass = 1.0
    for spec in line.stations:
        observed = result.stations[spec.name]
        if spec.rework is not None:
            first_pass *= kpis[f"first_pass_yield.{spec.name}"]
            continue
        processed = observed.units_out + observed.scrapped
        if processed > 0:
            first_pass *= observed.units_out / processed
    kpis["first_pass_yield"] = first_pass
    return kpis


def grade_unit(name: str, line: Line, money: str) -> str | None:
    """The unit of a grade or rework KPI ``name`` (``None`` for another KPI)."""
    head, _, tail = name.partition(".")
    if name in ("first_pass_yield", "output_value", "module_ah_per_year", "rework_cost"):
        return {
            "first_pass_yield": "-",
            "output_value": f"{money} / year",
            "module_ah_per_year": "Ah / year",
            "rework_cost": f"{money} / year",
        }[name]
    if name == "cost_per_module_ah":
        return f"{money} / Ah"
    if not tail:
        return None
    if head in ("grade_share", "rework_rate", "first_pass_yield", "final_yield"):
        return "-"
    if head == "cells_per_year":
        return "cells / year"
    if head == "ah_per_year":
        return "Ah / year"
    if head == "grade_value":
        return f"{money} / year"
    if head in ("graded", "reworked"):
        return "units"
    return None
