"""The demand in the engine: an order book and a monthly table worked by hand, and the
invariants of random demands (conservation of sold units, shares in [0, 1])."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis.kpis import line_kpis
from sim.engine import simulate
from sim.model.checks import check_line
from sim.model.line import Line


def _line(demand: dict[str, Any], process_time: Any = 1.0, scrap: float = 0.0) -> Line:
    line = Line.model_validate(
        {
            "name": "one-machine",
            "release": {"policy": "push"},
            "stations": [{"name": "press", "process_time": process_time, "scrap": scrap}],
            "demand": demand,
        },
        context={"time_unit": "h"},
    )
    assert check_line(line) == []
    return line


def test_an_order_book_by_hand() -> None:
    """A press of 1 h. Order 1 (5 units, placed 0, due 10 h) is made by 5 h and waits in
    stock: stock area 1+2+3+4 + 5 x 5 = 35 unit-h, on time. Order 2 (10 units, placed 10 h,
    due 11.5 h) finds 1 unit (made at 11 h, 0.5 unit-h more stock), owes 9, served one an
    hour from 12 h to 20 h: backlog area 9 x 0.5 + (8 + 7 + ... + 1) = 40.5 unit-h. Over
    25 h: fill rate 6 / 15, on-time share 1 / 2, backlog 40.5 / 25, stock 35.5 / 25."""
    orders = [
        {"quantity": 5, "due": 10, "placed": 0},
        {"quantity": 10, "due": 11.5, "placed": 10},
    ]
    result = simulate(_line({"orders": orders}), horizon=25.0)
    kpis = line_kpis(result)
    assert kpis["fill_rate"] == pytest.approx(6 / 15)
    assert kpis["on_time_share"] == pytest.approx(0.5)
    assert kpis["backlog"] == pytest.approx(40.5 / 25)
    assert kpis["finished_stock"] == pytest.approx(35.5 / 25)
    assert kpis["sold_rate"] == pytest.approx(15 / 25)
    assert kpis["good"] == pytest.approx(15)
    # the order book is empty after 20 h: the press idles, it does not push on
    assert result.stations["press"].state_time["busy"] == pytest.approx(15)


def test_a_monthly_table_orders_its_months() -> None:
    """Months of 365 d / 12 = 730 h at 0.2 /h and 0.4 /h, orders of 2 units, evenly: over
    two years (24 months, 17,520 h, and 1 h more for the order due at its end) the demand
    is 12 x 730 h x (0.2 + 0.4) /h = 5,256 units, each order on time from a stock of one
    order that a press of 0.1 h refills within the 5 h to the next; the first month asks
    for 0.2 x 730 = 146 units."""
    demand = {"monthly": {1: "0.2 /h", 2: "0.4 /h"}, "order_size": 2, "stock": 2}
    result = simulate(_line(demand, process_time=0.1), horizon=17_521.0)
    assert result.demand is not None
    assert result.demand.demanded == pytest.approx(5256)
    assert result.demand.delivered == pytest.approx(5256)
    assert result.demand.on_time == result.demand.orders == 2628
    month = _line({"monthly": {1: "0.2 /h", 2: "0.4 /h"}, "order_size": 2}, process_time=0.1)
    first = simulate(month, horizon=730.5)
    assert first.demand is not None
    assert first.demand.demanded == pytest.approx(146)


def test_a_line_without_demand_has_no_demand_result() -> None:
    """No demand, no demand observations and no demand KPIs."""
    line = Line.model_validate(
        {
            "name": "push",
            "release": {"policy": "push"},
            "stations": [{"name": "a", "process_time": 1}],
        },
        context={"time_unit": "h"},
    )
    result = simulate(line, horizon=10.0)
    assert result.demand is None
    assert "fill_rate" not in line_kpis(result)


@settings(max_examples=60, deadline=None)
@given(
    rate=st.floats(0.05, 2.0),
    stock=st.integers(0, 5),
    size=st.integers(1, 3),
    poisson=st.booleans(),
    scrap=st.sampled_from([0.0, 0.1, 0.3]),
    mean=st.floats(0.2, 2.0),
    seed=st.integers(0, 1000),
)
def test_demand_invariants(
    rate: float, stock: int, size: int, poisson: bool, scrap: float, mean: float, seed: int
) -> None:
    """Whatever the demand and the line: sold <= made, stock = made - sold, backlog =
    demanded - sold (a run measured from its start), both >= 0, shares in [0, 1]."""
    demand = {
        "rate": f"{rate} /h",
        "stock": stock,
        "order_size": size,
        "arrivals": "poisson" if poisson else "even",
    }
    line = _line(demand, {"dist": "exponential", "mean": mean}, scrap)
    result = simulate(line, horizon=200.0, seed=seed)
    observed = result.demand
    assert observed is not None
    made = result.good
    assert observed.delivered <= made + 1e-9
    assert observed.stock_end == pytest.approx(made - observed.delivered, abs=1e-9)
    assert observed.backlog_end == pytest.approx(observed.demanded - observed.delivered, abs=1e-9)
    assert observed.stock_end >= 0 and observed.backlog_end >= 0
    assert observed.stock_area >= 0 and observed.backlog_area >= 0
    assert 0 <= observed.filled <= observed.demanded
    kpis = line_kpis(result)
    for share in ("fill_rate", "on_time_share"):
        assert math.isnan(kpis[share]) or 0.0 <= kpis[share] <= 1.0
    # base stock: never more in the line and in stock than the target and the orders
    assert made <= stock + observed.demanded + 1e-9
