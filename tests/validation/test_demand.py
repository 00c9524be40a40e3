"""Demand and make-to-stock release against theory.

A demand with ``arrivals: poisson`` and ``order_size: 1`` is a Poisson stream of unit
demands; each releases one job, so the outstanding orders of a one-machine line are an
M/M/1 queue and its finished stock and backlog follow from it (theory.make_to_stock). Below
capacity the line makes what is ordered: sold output = demand, busy share = demand /
capacity, idle share = 1 - demand / capacity, with scrap too (a scrapped unit releases
its raw material again), on a serial line and on a merge of two raw materials.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from . import theory
from .harness import assert_ci, exponential, make_line, replicate


def _one_machine(demand: dict[str, Any], scrap: float = 0.0) -> dict[str, Any]:
    """A serial line of one exponential machine (mean 1 h) that a demand releases."""
    return {
        "name": "make-to-stock",
        "release": {"policy": "push"},
        "stations": [{"name": "server", "process_time": exponential(1.0), "scrap": scrap}],
        "demand": demand,
    }


@pytest.mark.slow
def test_mm1_make_to_stock() -> None:
    """M/M/1 make-to-stock, lambda = 0.6 /h, mu = 1 /h, base stock S = 3 (rho = 0.6):
    fill rate 1 - rho^S = 0.784, mean backlog rho^(S+1) / (1 - rho) = 0.324 units, mean
    finished stock S - rho (1 - rho^S) / (1 - rho) = 1.824 units, each inside the 99.9 %
    interval of 40 replications of 200 000 h (fill rate and stock within 1 %, backlog
    within 2.5 %, of the value: about 0.2 % and 1.2 % at 95 %)."""
    demand_rate, stock = 0.6, 3
    line = make_line(
        _one_machine({"rate": f"{demand_rate} /h", "arrivals": "poisson", "stock": stock})
    )
    runs = replicate(line, horizon=200_000.0, warmup=200.0, replications=40)
    expected = theory.make_to_stock(demand_rate, 1.0, stock)
    case = "M/M/1 make-to-stock rho=0.6 S=3"
    assert_ci(runs, f"{case}: fill rate", runs.line("fill_rate"), expected["fill_rate"], 0.01)
    assert_ci(runs, f"{case}: backlog", runs.line("backlog"), expected["backlog"], 0.025)
    assert_ci(
        runs,
        f"{case}: finished stock",
        runs.line("finished_stock"),
        expected["finished_stock"],
        0.01,
    )
    # unit orders: an order is on time exactly when its one unit is in stock
    np.testing.assert_allclose(runs.line("on_time_share"), runs.line("fill_rate"))


def test_constant_demand_below_capacity_with_scrap() -> None:
    """Demand 0.6 /h evenly on one exponential machine (1 h) that scraps 10 %: capacity
    0.9 good units / h, so sold output = 0.6 /h, busy share = 0.6 / 0.9 = 0.667 and idle
    share = 1 - 0.6 / 0.9 = 0.333 (every scrapped job is released again), inside the
    99.9 % interval of 20 replications of 20 000 h (within 2 % of the value)."""
    demand_rate, capacity = 0.6, 0.9
    line = make_line(_one_machine({"rate": f"{demand_rate} /h", "stock": 2}, scrap=0.1))
    runs = replicate(line, horizon=20_000.0, warmup=500.0, replications=20)
    case = "demand 0.6 /h below capacity 0.9 /h"
    assert_ci(runs, f"{case}: sold output", runs.line("sold_rate"), demand_rate, 0.02)
    assert_ci(runs, f"{case}: output", runs.line("throughput"), demand_rate, 0.02)
    share = demand_rate / capacity
    assert_ci(runs, f"{case}: busy share", runs.station("server", "busy"), share, 0.02)
    assert_ci(runs, f"{case}: idle share", runs.station("server", "idle"), 1 - share, 0.02)


def test_demand_releases_each_raw_material_of_a_merge() -> None:
    """A merge of raw a (1 a job) and raw b (prepared 2 to a job, 20 % of them scrapped)
    at an assembly (1 h exponential, 10 % scrap) under demand 0.5 /h: sold output 0.5 /h,
    assembly busy 0.5 / 0.9 x 1 h = 0.556, preparation busy 0.5 / 0.9 x 2 / 0.8 x 0.5 h
    = 0.694; more release of b than its scrap gives back would raise the latter, less
    would starve the first. 99.9 % intervals of 20 replications of 20 000 h, within 2 %."""
    demand_rate = 0.5
    line = make_line(
        {
            "name": "merge",
            "release": {"policy": "push"},
            "materials": {"a": {}, "b": {}, "b-prepared": {}, "job": {}},
            "stations": [
                {
                    "name": "preparation",
                    "process_time": exponential(0.5),
                    "scrap": 0.2,
                    "inputs": {"b": 1},
                    "output": {"b-prepared": 1},
                },
                {
                    "name": "assembly",
                    "process_time": exponential(1.0),
                    "scrap": 0.1,
                    "inputs": {"a": 1, "b-prepared": 2},
                    "output": {"job": 1},
                },
            ],
            "demand": {"rate": f"{demand_rate} /h", "stock": 3},
        }
    )
    runs = replicate(line, horizon=20_000.0, warmup=500.0, replications=20)
    case = "merge under demand 0.5 /h"
    assert_ci(runs, f"{case}: sold output", runs.line("sold_rate"), demand_rate, 0.02)
    good_jobs = demand_rate / 0.9  # assembly cycles per hour
    assert_ci(runs, f"{case}: assembly busy", runs.station("assembly", "busy"), good_jobs, 0.02)
    prepared = good_jobs * 2 / 0.8 * 0.5
    assert_ci(
        runs, f"{case}: preparation busy", runs.station("preparation", "busy"), prepared, 0.02
    )


@pytest.mark.slow
def test_cells_sold_as_a_lower_grade_are_released_again() -> None:
    """Demand 0.6 /h on one exponential machine (1 h) whose output is graded 80 % A (goes
    on to the store) and 20 % B (sold off at the station): B units never reach the store,
    so the demand releases their raw material again, as it does for scrap. Sold output =
    0.6 /h and busy share = 0.6 / 0.8 = 0.75, inside the 99.9 % interval of 20
    replications of 20 000 h (within 2 %); without the give-back it would stay at
    0.8 x 0.6 = 0.48 /h."""
    grades = {"bins": [{"name": "A", "share": 0.8, "goes_on": True}, {"name": "B", "share": 0.2}]}
    data = _one_machine({"rate": "0.6 /h", "stock": 2})
    data["stations"][0]["grades"] = grades
    line = make_line(data)
    runs = replicate(line, horizon=20_000.0, warmup=500.0, replications=20)
    case = "demand 0.6 /h, 20 % sold as grade B"
    assert_ci(runs, f"{case}: sold output", runs.line("sold_rate"), 0.6, 0.02)
    assert_ci(runs, f"{case}: busy share", runs.station("server", "busy"), 0.75, 0.02)
