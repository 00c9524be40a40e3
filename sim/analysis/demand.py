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
- ``sold_ah_per_year``: the delivered units in Ah, annualised over the working year
  [Ah / year] (lines with a product); the cost model divides by it for the ``*_sold_*``
  KPIs (:mod:`sim.analysis.costs`), in place of the assumed plant load ``costs.load``.
"""

from __future__ import annotations

import math

from sim.engine import ReplicationResult
from sim.model.demand_plan import per_sold_unit
from sim.model.line import Line

__all__ = ["DEMAND_KPIS", "demand_kpis"]

DEMAND_KPIS = (
    "demand_rate",
    "sold_rate",
    "fill_rate",
    "on_time_share",
    "backlog",
    "finished_stock",
)
"""The KPIs every run of a line with a demand has (and ``sold_ah_per_year`` with a product)."""


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
    product = line.product if line is not None else None
    if line is not None and product is not None:
        cells = per_sold_unit(line, product.cell)
        if cells > 0:
            ah_per_unit = cells * product.ah_per_cell
            kpis["sold_ah_per_year"] = kpis["sold_rate"] * ah_per_unit * line.time_per_year
    return kpis
