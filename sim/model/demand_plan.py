"""A line's demand read against the line: the sold material, rates in sold units per time
unit, the checks a demand must pass against its line, and the plan the engine runs.

The schema is :mod:`sim.model.demand`; its docstring states the release policy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.errors import ConfigError
from sim.model.line import Line
from sim.model.output_rate import parse_output_rate
from sim.model.serial import as_general, release_per_unit
from sim.model.units import SECONDS_PER, SECONDS_PER_MONTH

__all__ = [
    "DemandPlan",
    "check_demand",
    "demand_plan",
    "demand_rate",
    "per_sold_unit",
    "sold_material",
]


@dataclass(frozen=True)
class DemandPlan:
    """A demand read against its line, in the engine's terms.

    ``rates`` are sold units per time unit, one per period of length ``period`` [time unit]
    (one period for a constant rate), repeating; ``orders`` are (placed, due, quantity,
    type, rank) [time unit, time unit, sold unit, -, -] sorted by placement, ``type`` the
    index of the ordered type in the product mix (0 without a mix) and ``rank`` the
    order's place in the file. ``discrete``: the sold material
    counts whole pieces, so orders from a rate are whole.
    """

    material: str
    rates: tuple[float, ...]
    period: float
    orders: tuple[tuple[float, float, float, int, int], ...]
    order_size: float
    poisson: bool
    stock: float
    discrete: bool


def sold_material(line: Line) -> str | None:
    """The material a line sells: modules, else cells, else its first finished material."""
    general = as_general(line)
    consumed = {m for s in general.stations for m in s.inputs or {}}
    made = [s.output_material for s in general.stations]
    finished = [m for m in general.materials or {} if m in made and m not in consumed]
    product = general.product
    if product is not None and product.module in finished:
        return product.module
    if product is not None and product.cell in finished:
        return product.cell
    return finished[0] if finished else None


def per_sold_unit(line: Line, material: str) -> float:
    """Units of ``material`` in one sold unit by recipe [-] (1 for the sold material)."""
    sold = sold_material(line)
    per_unit = release_per_unit(as_general(line), material)
    return per_unit.get(sold or "", math.nan)


def demand_rate(text: str, line: Line, path: str) -> float:
    """``text`` in sold units per time unit; :class:`ConfigError` at ``path``."""
    try:
        rate = parse_output_rate(text, line)
    except ValueError as error:
        raise ConfigError(str(error), path=path) from None
    sold = sold_material(line) or ""
    if rate.material == sold or rate.kpi == "throughput":
        return rate.per_time_unit
    per_sold = per_sold_unit(line, rate.material)
    if not per_sold > 0:
        raise ConfigError(
            f"{text!r} counts {rate.material}, which the line's sold {sold} is not made of; "
            f"give the rate in {sold} (or Ah)",
            path=path,
        )
    return rate.per_time_unit / per_sold


def check_demand(line: Line) -> list[ConfigError]:
    """Errors of the line's demand against the line (empty when fine or without demand)."""
    demand = line.demand
    if demand is None:
        return []
    errors: list[ConfigError] = []
    sold = sold_material(line)
    if sold is None:
        return [ConfigError("the line makes no finished material to sell", path="demand")]
    if line.release.policy != "push" or line.release.interarrival is not None:
        errors.append(
            ConfigError(
                "a demand decides release, so the line's release must be policy: push "
                "without interarrival (raw material drawn as the demand authorises)",
                path="release",
            )
        )
    if line.costs is not None and line.costs.load < 1:
        errors.append(
            ConfigError(
                f"costs.load {line.costs.load:g} assumes a plant load, but the demand decides "
                "what is sold; remove costs.load (the sold output comes from the run)",
                path="costs.load",
            )
        )
    texts = [("demand.rate", demand.rate)] if demand.rate is not None else []
    texts += [(f"demand.monthly.{m}", t) for m, t in (demand.monthly or {}).items()]
    for path, text in texts:
        try:
            demand_rate(text, line, path)
        except ConfigError as error:
            errors.append(error)
    discrete = (line.materials or {})[sold].discrete if line.general else True
    if discrete and texts and demand.order_size != round(demand.order_size):
        errors.append(
            ConfigError(
                f"{sold} counts whole pieces, so an order asks for a whole number of them; "
                f"got order_size {demand.order_size:g}",
                path="demand.order_size",
            )
        )
    for index, order in enumerate(demand.orders or []):
        if line.products is None and order.product is not None and order.product != sold:
            errors.append(
                ConfigError(
                    f"the line sells {sold!r}, not {order.product!r}; name {sold!r} or leave "
                    "product out",
                    path=f"demand.orders.{index}.product",
                )
            )
    return errors


def demand_plan(line: Line) -> DemandPlan | None:
    """The line's demand in the engine's terms, or ``None`` without demand."""
    demand = line.demand
    if demand is None:
        return None
    sold = sold_material(line)
    assert sold is not None, "checked by check_demand"
    materials = as_general(line).materials or {}
    if demand.rate is not None:
        rates: tuple[float, ...] = (demand_rate(demand.rate, line, "demand.rate"),)
        period = math.inf
    elif demand.monthly is not None:
        rates = tuple(
            demand_rate(demand.monthly[m], line, f"demand.monthly.{m}")
            for m in sorted(demand.monthly)
        )
        period = SECONDS_PER_MONTH / SECONDS_PER[line.time_unit]
    else:
        rates, period = (), math.inf
    types = line.products.names if line.products is not None else []
    orders = tuple(
        sorted(
            (o.placed, o.due, o.quantity, types.index(o.product or "") if types else 0, rank)
            for rank, o in enumerate(demand.orders or [])
            if not types or o.product in types
        )
    )
    return DemandPlan(
        material=sold,
        rates=rates,
        period=period,
        orders=orders,
        order_size=demand.order_size,
        poisson=demand.arrivals == "poisson",
        stock=demand.stock,
        discrete=materials[sold].discrete,
    )
