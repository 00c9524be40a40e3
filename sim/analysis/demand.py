"""The demand KPIs of one replication: how well the line served its orders, and what it sold.

Over the measured window of length H [time unit], in the sold material's units (modules,
else cells, else the first finished material, as ``throughput`` counts):

- ``demand_rate``: units of the orders due in the window / H [sold unit / time unit];
- ``sold_rate``: units delivered in the window (late ones of earlier orders too) / H
  [sold unit / time unit]; in the long run it equals ``demand_rate`` when demand is below
  capacity;
- ``fill_rate``: share of the units due that were taken from stock when due [-] (the
  unit fill rate, 1 - P(stock out) for orders of one unit);
- ``on_time_share``: share of the orders due that were delivered in full when due [-];
- ``backlog``: time-average units due and not yet delivered [sold unit];
- ``finished_stock``: time-average finished units on hand [sold unit];
- ``delivered_ah_per_year``: the units delivered to orders in Ah (cells in one sold unit
  by recipe x ``product.ah_per_cell``), annualised over the working year [Ah / year];
- ``graded_sold_ah_per_year``: the cells of grades that do not go on (B, C...), sold off
  as cells where they are graded, at the nominal ``product.ah_per_cell`` as
  ``ah_per_year.<grade>`` counts them, annualised [Ah / year] (0 without such grades);
- ``sold_ah_per_year``: their sum, every Ah the plant sells [Ah / year]: the sold material
  delivered to orders and the lower grades sold as cells (they leave the line sold when
  graded: their market is not limited by the demand, which orders the sold material).

With a product mix (orders naming the types), for each type ``t`` over its own orders:

- ``product.t.fill_rate``: share of type t's units due that were taken from its stock
  when due [-];
- ``product.t.on_time_share``: share of type t's orders due delivered in full when due [-];
- ``product.t.backlog``: time-average units of type t due and not yet delivered
  [sold unit].

Under ``below_capacity: drop-shifts`` (:mod:`sim.model.shift_plan`) also:

- ``shifts_worked``: shifts of the line's pattern the plant works [shifts / pattern];
- ``worked_share``: their share of the pattern's staffed time [-] (1 when none is dropped).

The three sold-Ah KPIs need a product. The cost model divides by ``sold_ah_per_year`` for the
``*_sold_*`` KPIs (:mod:`sim.analysis.costs`), in place of the assumed plant load
``costs.load``: the materials, energy and labour spent on the B and C cells are in the
costs, so their Ah are in the sold Ah. The reading is physical (Ah, each grade at its
nominal Ah), not weighted by value: a cost per Ah is compared with other cost per Ah
figures, and what the lower grades earn is ``output_value``.
"""

from __future__ import annotations

import math

from sim.engine import ReplicationResult
from sim.model.demand_plan import per_sold_unit
from sim.model.line import Line
from sim.model.shift_plan import shift_plan

__all__ = ["DEMAND_KPIS", "SOLD_AH_KPIS", "demand_kpis", "graded_sold_cells"]

DEMAND_KPIS = (
    "demand_rate",
    "sold_rate",
    "fill_rate",
    "on_time_share",
    "backlog",
    "finished_stock",
)
"""The KPIs every run of a line with a demand has (and :data:`SOLD_AH_KPIS` with a product)."""

SOLD_AH_KPIS = ("delivered_ah_per_year", "graded_sold_ah_per_year", "sold_ah_per_year")
"""The sold Ah of a run with a demand and a product, and their two parts [Ah / year]."""


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


def demand_kpis(result: ReplicationResult, line: Line | None = None) -> dict[str, float]:
    """Return the demand KPIs of one replication (empty when the line has no demand)."""
    demand = result.demand
    if demand is None:
        return {}
    horizon = result.horizon
    kpis = {
        "demand_rate": demand.demanded / horizon,
        "sold_rate": demand.delivered / horizon,
        "fill_rate": _ratio(demand.filled, demand.demanded),
        "on_time_share": _ratio(demand.on_time, demand.orders),
        "backlog": demand.backlog_area / horizon,
        "finished_stock": demand.stock_area / horizon,
    }
    for name, part in demand.by_type.items():
        kpis[f"product.{name}.fill_rate"] = _ratio(part.filled, part.demanded)
        kpis[f"product.{name}.on_time_share"] = _ratio(part.on_time, part.orders)
        kpis[f"product.{name}.backlog"] = part.backlog_area / horizon
    plan = shift_plan(line) if line is not None else None
    if plan is not None:
        kpis["shifts_worked"] = float(len(plan.worked))
        kpis["worked_share"] = plan.share
    product = line.product if line is not None else None
    if line is not None and product is not None:
        cells = per_sold_unit(line, product.cell)
        if cells > 0:
            year = line.time_per_year
            delivered = kpis["sold_rate"] * cells * product.ah_per_cell * year
            graded = graded_sold_cells(result, line) / horizon * product.ah_per_cell * year
            kpis["delivered_ah_per_year"] = delivered
            kpis["graded_sold_ah_per_year"] = graded
            kpis["sold_ah_per_year"] = delivered + graded
    return kpis


def graded_sold_cells(result: ReplicationResult, line: Line) -> float:
    """Units of the grades that do not go on, summed over every grading station, in the
    measured window [cells]."""
    return sum(
        result.stations[spec.name].graded_sold for spec in line.stations if spec.grades is not None
    )
