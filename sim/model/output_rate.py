"""An output rate with its unit, as a planner writes it: ``"300 M Ah/yr"``, ``"6 M cells/yr"``,
``"0.95 /h"``, read against a line.

The quantity is Ah of good cells, good cells, good modules, or (nothing before the slash)
the line's finished units; the period is a working year (``yr``, ``year``, ``a``: the
line's ``working_days_per_year`` x 24 h) or a time (``d``, ``h``, ``min``, ``s``). A
multiplier ``k``, ``M`` or ``G`` may stand before the quantity. Each rate is read as the
KPI a run reports it in: ``ah_per_year``, ``cells_per_year``, ``modules_per_year`` or
``throughput`` [finished units / line time unit].
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sim.model.line import Line
from sim.model.serial import as_general
from sim.model.units import SECONDS_PER

__all__ = ["OutputRate", "parse_output_rate"]

_MULTIPLIERS = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}
_QUANTITIES = {"ah": "Ah", "cells": "cells", "cell": "cells", "modules": "modules",
               "module": "modules", "": ""}  # fmt: skip
_YEARS = ("yr", "year", "a", "y")
_PATTERN = re.compile(
    r"^\s*(?P<number>[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?)\s*"
    r"(?P<mult>[kMG]?)\s*(?P<quantity>[A-Za-z]*)\s*/\s*(?P<period>[A-Za-z]+)\s*$"
)
EXAMPLES = '"300 M Ah/yr", "6 M cells/yr", "12000 modules/yr" or "0.95 /h"'
"""What a rate looks like, for error messages."""


@dataclass(frozen=True)
class OutputRate:
    """A target output read against a line."""

    text: str
    """As written."""
    kpi: str
    """The run KPI it is measured by."""
    value: float
    """In the KPI's unit: Ah / year, cells / year, modules / year or units / time unit."""
    unit: str
    """The KPI's unit, e.g. ``Ah / year`` or ``units / h``."""
    material: str
    """The material whose good units the rate counts."""
    per_time_unit: float
    """Good units of ``material`` a line time unit [unit / time unit]."""


def parse_output_rate(text: str, line: Line) -> OutputRate:
    """Read ``text`` as an output rate of ``line``; :class:`ValueError` with the fix."""
    if not isinstance(text, str):
        raise ValueError(f"must be a rate with its unit such as {EXAMPLES}, got {text!r}")
    found = _PATTERN.match(text)
    if found is None:
        raise ValueError(
            f"{text!r} is not a rate with its unit: write a number, a quantity and a period, "
            f"such as {EXAMPLES}"
        )
    number = float(found["number"]) * _MULTIPLIERS[found["mult"]]
    quantity = _QUANTITIES.get(found["quantity"].lower())
    if quantity is None:
        raise ValueError(
            f"unknown quantity {found['quantity']!r} in {text!r}: use Ah, cells, modules, or "
            "nothing before the slash for the line's finished units"
        )
    period = found["period"]
    if period in _YEARS:
        per_year = True
        seconds = line.time_per_year * SECONDS_PER[line.time_unit]
    elif period in SECONDS_PER:
        per_year = False
        seconds = SECONDS_PER[period]
    else:
        raise ValueError(
            f"unknown period {period!r} in {text!r}: use yr (a working year of "
            f"{line.working_days_per_year:g} d x 24 h), d, h, min or s"
        )
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"the rate must be a finite number > 0, got {text!r}")
    per_unit = number / seconds * SECONDS_PER[line.time_unit]  # quantity / time unit
    year = line.time_per_year
    product = line.product
    if quantity in ("Ah", "cells", "modules") and product is None:
        raise ValueError(
            f"{text!r} counts {quantity}, but the line has no product: (the cell material, "
            "Ah per cell); give the rate in the line's finished units, e.g. '0.95 /h'"
        )
    if quantity == "Ah":
        assert product is not None
        return OutputRate(
            text, "ah_per_year", per_unit * year, "Ah / year", product.cell,
            per_unit / product.ah_per_cell,
        )  # fmt: skip
    if quantity == "cells":
        assert product is not None
        return OutputRate(
            text, "cells_per_year", per_unit * year, "cells / year", product.cell, per_unit
        )
    if quantity == "modules":
        assert product is not None
        if product.module is None:
            raise ValueError(
                f"{text!r} counts modules, but the line's product: names no module material"
            )
        return OutputRate(
            text, "modules_per_year", per_unit * year, "modules / year", product.module, per_unit
        )
    if per_year:
        raise ValueError(
            f"{text!r}: a rate of the line's finished units is per time (e.g. '0.95 /h'); "
            "per year, name what it counts (Ah, cells, modules)"
        )
    general = as_general(line)
    consumed = {m for s in general.stations for m in s.inputs or {}}
    made = [s.output_material for s in general.stations]
    finished = [m for m in general.materials or {} if m in made and m not in consumed]
    unit = f"units / {line.time_unit}"
    return OutputRate(text, "throughput", per_unit, unit, finished[0] if finished else "", per_unit)
