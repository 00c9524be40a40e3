"""A product mix selling to orders that name the types: conservation of material by type,
each type's output equal to its orders below capacity, under both sequence rules."""

from __future__ import annotations

import math
from typing import Any

import pytest

from sim.analysis.kpis import line_kpis
from sim.engine import simulate
from sim.model.line import Line


def mix_orders_line(rule: str) -> Line:
    """Two exponential machines (a release station and one that scraps 10 % of b, 5 % of
    a) making types a and b for six orders, all due long before the horizon's end."""
    sequence: dict[str, Any] = {"rule": rule}
    if rule == "campaign":
        sequence["lots"] = {"a": 3, "b": 2}
    orders = [
        {"product": "a", "quantity": 10, "placed": 0, "due": 40},
        {"product": "b", "quantity": 10, "placed": 5, "due": 30},
        {"product": "a", "quantity": 10, "placed": 20, "due": 90},
        {"product": "b", "quantity": 10, "placed": 50, "due": 120},
        {"product": "a", "quantity": 10, "placed": 60, "due": 100},
        {"product": "b", "quantity": 1, "placed": 60, "due": 100},
    ]
    spec = {
        "name": "mix-orders",
        "release": {"policy": "push"},
        "stations": [
            {"name": "cut", "process_time": {"dist": "exponential", "mean": 0.5}},
            {"name": "press", "process_time": {"dist": "exponential", "mean": 0.8}, "scrap": 0.05},
        ],
        "products": {
            "release_at": "cut",
            "types": {"a": {}, "b": {"stations": {"press": {"scrap": 0.1}}}},
            "sequence": sequence,
            "changeovers": {"cut": {"a": {"b": 0.5}, "b": {"a": 0.5}}},
        },
        "demand": {"orders": orders},
    }
    return Line.model_validate(spec, context={"time_unit": "h"})


@pytest.mark.parametrize("rule", ["due-date", "campaign"])
@pytest.mark.parametrize("replication", [0, 1, 2])
def test_each_type_makes_its_orders_and_conserves_material(rule: str, replication: int) -> None:
    """Below capacity (51 units in 500 h on machines of 2 and 1.25 units / h) every order is
    met: each type's good output equals its ordered quantity (scrap is replaced), and what
    the release station started of a type is its good output plus its scrap (nothing of
    it is left in the line at the end)."""
    line = mix_orders_line(rule)
    result = simulate(line, 500.0, 0.0, 2026, replication)
    kpis = line_kpis(result, line)
    products = result.products
    assert products is not None
    ordered = {"a": 30.0, "b": 21.0}
    for name, quantity in ordered.items():
        good = kpis[f"product.{name}.good"]
        assert good == pytest.approx(quantity, abs=1e-9), name
        scrapped = math.fsum(station.scrapped[name] for station in products.stations.values())
        assert products.released[name] == pytest.approx(good + scrapped, abs=1e-9), name
        assert kpis[f"product.{name}.fill_rate"] <= 1.0
        assert kpis[f"product.{name}.backlog"] >= 0.0
    assert result.demand is not None
    assert result.demand.backlog_end == pytest.approx(0.0, abs=1e-9)
    assert sum(part.orders for part in result.demand.by_type.values()) == 6


def test_same_seed_same_results_under_due_date() -> None:
    """Two runs of one seed give identical KPIs (the sequence draws nothing)."""
    line = mix_orders_line("due-date")
    first = line_kpis(simulate(line, 200.0, 0.0, 7, 0), line)
    second = line_kpis(simulate(line, 200.0, 0.0, 7, 0), line)
    assert first == pytest.approx(second, nan_ok=True, rel=0, abs=0)
