"""Earliest-due-date sequencing of a product mix against hand arithmetic.

One machine ``m`` (lot 1, so it chooses the type before every cycle) makes type a in 1 h
and type b in 2 h, constant, no changeover time. Four orders, all placed at 0:

====  ====  ========  =====
rank  type  quantity  due
====  ====  ========  =====
0     a     2         9.5 h
1     b     1         3.5 h
2     a     1         3.5 h
3     b     2         6 h
====  ====  ========  =====

EDD takes the open order due first, ties by the order in the file: rank 1 (b, due 3.5
before rank 2's equal due), rank 2 (a), rank 3 (b, b), rank 0 (a, a). So the machine makes
b in [0, 2], a in [2, 3], b in [3, 5] and [5, 7], a in [7, 8] and [8, 9]:

- rank 1 (b, due 3.5): b done at 2, on time;
- rank 2 (a, due 3.5): a done at 3, on time;
- rank 3 (b x 2, due 6): one b done at 5, the other at 7: 1 of 2 taken when due, late;
  1 unit in backlog from 6 to 7 (backlog area 1 unit x h);
- rank 0 (a x 2, due 9.5): a done at 8 and 9, on time.

Over a window of 12 h: on-time share 3 / 4 = 0.75 (a: 2 / 2 = 1, b: 1 / 2 = 0.5); fill
rate 5 / 6 (a: 3 / 3 = 1, b: 2 / 3); backlog of b 1 / 12 units, of a 0; the machine is
busy 2 x 3 + 1 x 3 = 9 h of 12 (0.75).
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.analysis.kpis import line_kpis
from sim.engine.sequencing import DueDateSequence, TypeRelease
from sim.model.line import Line

from .harness import make_line, replicate

ORDERS = [
    {"product": "a", "quantity": 2, "due": 9.5},
    {"product": "b", "quantity": 1, "due": 3.5},
    {"product": "a", "quantity": 1, "due": 3.5},
    {"product": "b", "quantity": 2, "due": 6.0},
]


def edd_line(
    orders: list[dict[str, Any]] = ORDERS,
    sequence: dict[str, Any] | None = None,
    stock: float = 0.0,
) -> Line:
    """The one-machine, two-type line of the module docstring under ``orders``, sequenced
    by due date unless ``sequence`` says otherwise, with a finished-goods target ``stock``
    [sold unit]."""
    return make_line(
        {
            "name": "edd",
            "release": {"policy": "push"},
            "stations": [{"name": "m", "process_time": 1.0}],
            "products": {
                "release_at": "m",
                "types": {"a": {}, "b": {"stations": {"m": {"process_time": 2.0}}}},
                "sequence": sequence or {"rule": "due-date"},
            },
            "demand": {"orders": orders, "stock": stock},
        }
    )


def test_edd_release_order_by_hand() -> None:
    """The sequence alone, fed the four orders' claims (rank = place in the file): it
    starts b, a, b, b, a, a (module docstring)."""
    release = TypeRelease(2)
    for rank, order in enumerate(ORDERS):
        release.authorise(
            0 if order["product"] == "a" else 1, order["quantity"], order["due"], rank
        )
    sequence = DueDateSequence(release)
    started = []
    while True:
        product, _ = sequence.next_run()
        if product < 0:
            break
        sequence.started(product, 1.0)
        started.append("ab"[product])
    assert started == list("babbaa")


def test_edd_on_time_share_and_fill_rate_by_hand() -> None:
    """The simulated run of the module docstring: on-time share 0.75 (a 1, b 0.5), fill
    rate 5 / 6 (a 1, b 2 / 3), backlog of b 1 / 12 unit, machine busy 0.75, exactly."""
    line = edd_line()
    runs = replicate(line, horizon=12.0, warmup=0.0, replications=1)
    kpis = line_kpis(runs.results[0], line)
    assert kpis["on_time_share"] == pytest.approx(0.75, abs=1e-12)
    assert kpis["fill_rate"] == pytest.approx(5 / 6, abs=1e-12)
    assert kpis["product.a.on_time_share"] == pytest.approx(1.0, abs=1e-12)
    assert kpis["product.b.on_time_share"] == pytest.approx(0.5, abs=1e-12)
    assert kpis["product.a.fill_rate"] == pytest.approx(1.0, abs=1e-12)
    assert kpis["product.b.fill_rate"] == pytest.approx(2 / 3, abs=1e-12)
    assert kpis["product.a.backlog"] == pytest.approx(0.0, abs=1e-12)
    assert kpis["product.b.backlog"] == pytest.approx(1 / 12, abs=1e-12)
    assert kpis["backlog"] == pytest.approx(1 / 12, abs=1e-12)
    assert runs.station("m", "busy")[0] == pytest.approx(0.75, abs=1e-12)
    assert kpis["product.a.good"] == pytest.approx(3.0)
    assert kpis["product.b.good"] == pytest.approx(3.0)


def test_campaign_under_orders_serves_each_type_from_its_own_stock() -> None:
    """The same orders under campaigns of 1 lot, a first (a, b alternate while both are
    authorised): a [0, 1], b [1, 3], a [3, 4], b [4, 6], a [6, 7], b [7, 9]: every unit
    ordered is made and each type's goods equal its orders (3 of a, 3 of b)."""
    line = edd_line(sequence={"lots": {"a": 1, "b": 1}})
    runs = replicate(line, horizon=12.0, warmup=0.0, replications=1)
    kpis = line_kpis(runs.results[0], line)
    assert kpis["product.a.good"] == pytest.approx(3.0)
    assert kpis["product.b.good"] == pytest.approx(3.0)
    # a is made in [0, 1], [3, 4] and [6, 7]: in stock for its orders due at 3.5 and 9.5
    assert kpis["product.a.on_time_share"] == pytest.approx(1.0, abs=1e-12)


def test_stock_target_is_split_equally_between_the_types() -> None:
    """``stock: 4`` on the two types authorises 2 of each at the start, due at 0 and ranked
    before every order (a first, as the file lists it), then one order of a (due 10 h):
    the machine makes a in [0, 2], b in [2, 6], the order's a in [6, 7]; the order takes
    one a from stock at 10 (on time), leaving 2 of each type on hand: 3 a and 2 b made,
    busy 7 h of 12."""
    line = edd_line([{"product": "a", "quantity": 1, "due": 10.0}], stock=4)
    runs = replicate(line, horizon=12.0, warmup=0.0, replications=1)
    kpis = line_kpis(runs.results[0], line)
    assert kpis["product.a.good"] == pytest.approx(3.0)
    assert kpis["product.b.good"] == pytest.approx(2.0)
    assert kpis["product.a.on_time_share"] == pytest.approx(1.0, abs=1e-12)
    assert runs.station("m", "busy")[0] == pytest.approx(7 / 12, abs=1e-12)
    demand = runs.results[0].demand
    assert demand is not None
    assert demand.by_type["a"].stock_end == pytest.approx(2.0)
    assert demand.by_type["b"].stock_end == pytest.approx(2.0)
