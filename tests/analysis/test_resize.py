"""Re-sizing a line for changed inputs (:func:`sim.analysis.capacity.resized_counts`), by
arithmetic: a station of m machines and p hours a cycle facing r cycles an hour carries the
static load r p / m.

Target 1.8 an hour, A: 4 machines of 2 h (load 0.9), B: 1 machine of 0.5 h (load 0.9),
C: 3 machines of 0.5 h (load 0.3), store S holding 1.8 x 10 h x 1.2 = 21.6 -> 22.
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.analysis.capacity import resized_counts
from sim.model import Line
from sim.model.checks import check_line


def line(a: float = 2.0, c: float = 0.5, soak: float = 10.0) -> Line:
    data: dict[str, Any] = {
        "name": "resize",
        "release": {"policy": "push"},
        "target": {"throughput": 1.8},
        "materials": {"raw": {}, "m1": {}, "m2": {}, "m3": {}, "out": {}},
        "stations": [
            {"name": "A", "machines": 4, "inputs": {"raw": 1}, "output": {"m1": 1},
             "process_time": a},
            {"name": "B", "inputs": {"m1": 1}, "output": {"m2": 1}, "process_time": 0.5},
            {"name": "S", "kind": "delay", "inputs": {"m2": 1}, "output": {"m3": 1},
             "process_time": soak, "capacity": 22},
            {"name": "C", "machines": 3, "inputs": {"m3": 1}, "output": {"out": 1},
             "process_time": c},
        ],
    }  # fmt: skip
    built = Line.model_validate(data, context={"time_unit": "h"})
    assert check_line(built) == []
    return built


@pytest.mark.parametrize(
    ("a", "expected"),
    [
        (2.0, 4),  # unchanged: 3.6 machines of work at load 0.9
        (2.4, 5),  # 4.32 of work: 4 would carry 1.08 > 0.9, 5 carry 0.864
        (1.6, 4),  # 2.88: 3 would carry 0.96, above the base load 0.9: keep 4
        (1.2, 3),  # 2.16: 3 carry 0.72 <= 0.9, 2 would carry 1.08
    ],
)
def test_machines_follow_the_load(a: float, expected: int) -> None:
    counts = resized_counts(line(), line(a=a))
    assert counts["stations.A.machines"] == expected
    assert counts["stations.B.machines"] == 1


def test_a_lightly_loaded_station_keeps_its_count() -> None:
    """C at load 0.3 with 3 machines: 10 % more work (load 0.33) is far below 0.9, so it
    keeps 3 (a share of a machine is no reason to buy one), and a lighter C keeps 3 as
    long as 2 would carry more than its base load 0.3."""
    assert resized_counts(line(), line(c=0.55))["stations.C.machines"] == 3
    assert resized_counts(line(), line(c=0.45))["stations.C.machines"] == 3


def test_a_store_scales_with_what_it_holds() -> None:
    """A soak of 12 h instead of 10 h holds 1.2 times as much: 22 x 1.2 = 26.4 -> 27."""
    assert resized_counts(line(), line(soak=12.0))["stations.S.capacity"] == 27
