"""Demand: what the plant sells, and the release rule it follows (a scenario's ``demand:``).

A demand is one of three shapes: a constant ``rate`` (``"240 M Ah/yr"``, ``"5 M cells/yr"``,
read as :mod:`sim.model.output_rate` reads a target), a ``monthly`` table of rates (month
1 .. N, a month being 1/12 of a 365-day year as in a ramp-up, repeating after month N), or
a list of ``orders`` (quantity, due time, and optionally when each is placed). A rate becomes orders
of ``order_size`` sold units, spaced evenly or as a Poisson stream (``arrivals``).

The line sells its main finished material (modules, else cells, else its first finished
material, as the KPIs count it); quantities and ``stock`` are in units of it.

Release (make-to-stock with a base stock, Buffer-Shanthikumar / Zipkin): the line starts
with an authorisation for ``stock`` sold units, and each order placed authorises its
quantity; a unit scrapped anywhere gives back the raw material it was made of. With a
product mix (orders only, each naming its type) the rule is kept per type
(:mod:`sim.engine.sequencing`). So the
line releases while finished stock + work in the line - backlog is under ``stock`` and
stops when the order book is empty and the finished-goods store holds ``stock``. An order
takes finished goods when it is due; what is short is backlogged and delivered first
come, first served as the line makes it (unmet demand is never lost).

Below capacity the line idles (``below_capacity: idle``) or works fewer shifts
(``drop-shifts``, :mod:`sim.model.shift_plan` states the rule).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.model.distributions import Duration
from sim.model.station import Name

__all__ = ["Demand", "Order"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Order(_Model):
    """One order of the order book."""

    quantity: float = Field(gt=0, le=1e15, description="ordered sold units [sold unit]")
    due: Duration = Field(ge=0, description="when it is to be delivered, from the run's start "
                          "[time unit]")  # fmt: skip
    placed: Duration = Field(
        default=0.0,
        ge=0,
        description="when it enters the order book and authorises release [time unit]; "
        "default 0 (known from the start)",
    )
    product: Name | None = Field(
        default=None,
        description="what is ordered: the line's sold material (default); with a product "
        "mix the type ordered, a name of products.types (then required)",
    )

    @model_validator(mode="after")
    def _placed_before_due(self) -> Order:
        if self.placed > self.due:
            raise ValueError(
                f"placed ({self.placed:g}) is after due ({self.due:g}); an order is placed "
                "no later than it is due"
            )
        return self


class Demand(_Model):
    """What the plant sells and how release follows it (module docstring)."""

    rate: str | None = Field(
        default=None,
        description='constant demand with its unit, e.g. "240 M Ah/yr", "5 M cells/yr", '
        '"40000 modules/yr" or "0.8 /h" (the sold material)',
    )
    monthly: dict[int, str] | None = Field(
        default=None,
        description="demand per month, month 1 .. N -> rate with its unit; a month is 1/12 "
        "of a 365-day year (30.42 d, as in a ramp-up), the table repeats after month N",
    )
    orders: list[Order] | None = Field(
        default=None,
        max_length=100_000,
        description="the order book: quantity, due, placed (and the type, with a product mix)",
    )
    order_size: float = Field(
        default=1.0,
        gt=0,
        le=1e12,
        description="rate and monthly: sold units an order asks for [sold unit]",
    )
    arrivals: Literal["even", "poisson"] = Field(
        default="even",
        description="rate and monthly: orders evenly spaced, or a Poisson stream (exponential "
        "times between orders) of the same mean rate",
    )
    stock: float = Field(
        default=0.0,
        ge=0,
        le=1e12,
        description="finished-goods target (base stock) [sold unit]: the line releases while "
        "finished stock + work in the line - backlog is below it; with a product mix split "
        "equally between the types",
    )
    below_capacity: Literal["idle", "drop-shifts"] = Field(
        default="idle",
        description="what the plant does when demand is below capacity: idle (every shift "
        "worked, machines wait at idle power, crews paid) or drop-shifts (it works the "
        "fewest shifts of the line's pattern, in the pattern's order, whose share of "
        "capacity covers the peak demand x (1 + shift_margin); in the other shifts the "
        "machine stations are off, no crew paid, no power drawn, while delays soak on and "
        "batch stations finish a cycle started in a worked shift)",
    )
    capacity: str | None = Field(
        default=None,
        description="drop-shifts: what the line makes working every shift, with its unit, "
        'e.g. "270 M Ah/yr" (measured at full load), the basis of the shifts kept',
    )
    shift_margin: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="drop-shifts: capacity kept above the peak demand [share of demand]",
    )

    @model_validator(mode="after")
    def _one_shape(self) -> Demand:
        given = [n for n in ("rate", "monthly", "orders") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of rate (constant), monthly (a table of months) and "
                f"orders (an order book); got {', '.join(given) or 'none'}"
            )
        if self.monthly is not None:
            months = sorted(self.monthly)
            if months != list(range(1, len(months) + 1)):
                raise ValueError(f"monthly needs months 1, 2, ... N without gaps; got {months}")
        if self.below_capacity == "drop-shifts" and self.capacity is None:
            raise ValueError(
                "drop-shifts keeps the shifts whose capacity covers the demand, so it needs "
                'capacity: what the line makes working every shift (e.g. "270 M Ah/yr")'
            )
        if self.below_capacity == "drop-shifts" and self.orders is not None:
            raise ValueError(
                "drop-shifts plans shifts for a demand rate; give rate or monthly, or "
                "below_capacity: idle with orders"
            )
        if self.orders == []:
            raise ValueError("orders: [] orders nothing; list at least one order")
        return self
