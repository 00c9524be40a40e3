"""Scrap found at once versus defects found later: the work added to bad units is lost.

A maker (100 pieces/h in lots of 10, constant times, never starved) feeds a middle step
and an inspection with spare capacity; 5 % of what it makes is bad. Either the maker scraps
it at once, or it is a hidden defect found only at the inspection. Known answers: the good
output is 95 pieces/h in both cases; late detection loses the machine time of all three
steps per bad piece instead of the maker's alone, and keeps the middle step busier.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from engine_helpers import assert_in_ci, general_line

from sim.analysis.kpis import line_kpis, station_kpis
from sim.engine import ReplicationResult, simulate
from sim.model import Line

RATE = 0.05
"""Share of the maker's output that is bad [-]."""

TIMES = {"maker": 0.01, "middle": 0.006, "inspect": 0.003}
"""Constant time per piece [h]."""

LOT = 10
HORIZON, WARMUP, REPLICATIONS = 500.0, 10.0, 20


def quality_line(late: bool, unit: str = "pcs") -> Line:
    """maker -> middle -> inspect; bad output scrapped at the maker or found at inspect."""
    maker: dict[str, Any] = {
        "name": "maker",
        "inputs": {"raw": 1},
        "output": {"made": 1},
        "process_time": TIMES["maker"],
        "lot": LOT,
    }
    if late:
        maker["defects"] = {"rate": RATE, "found_at": "inspect"}
    else:
        maker["scrap"] = RATE
    return general_line(
        [
            maker,
            {
                "name": "middle",
                "inputs": {"made": 1},
                "output": {"mid": 1},
                "process_time": TIMES["middle"],
                "lot": LOT,
            },
            {
                "name": "inspect",
                "inputs": {"mid": 1},
                "output": {"good": 1},
                "process_time": TIMES["inspect"],
                "lot": LOT,
            },
        ],
        {
            "raw": {"unit": unit},
            "made": {"unit": unit, "buffer": 200},
            "mid": {"unit": unit, "buffer": 200},
            "good": {"unit": unit},
        },
    )


def replicate(line: Line) -> list[ReplicationResult]:
    """Independent replications of ``line``."""
    return [simulate(line, HORIZON, WARMUP, seed=1, replication=r) for r in range(REPLICATIONS)]


@pytest.fixture(scope="module")
def early() -> list[ReplicationResult]:
    """Replications with bad pieces scrapped at the maker."""
    return replicate(quality_line(late=False))


@pytest.fixture(scope="module")
def late() -> list[ReplicationResult]:
    """Replications with bad pieces found at the inspection."""
    return replicate(quality_line(late=True))


MAKER_RATE = 1 / TIMES["maker"]
"""Pieces the never-starved, never-blocked maker makes per hour [1/h]."""


def test_good_output_is_the_same(
    early: list[ReplicationResult], late: list[ReplicationResult]
) -> None:
    """Good pieces out per hour = 100 x (1 - 0.05) = 95 whether found early or late."""
    for name, runs in (("early", early), ("late", late)):
        throughput = [r.finished["good"]["units"] / r.horizon for r in runs]
        assert_in_ci(throughput, MAKER_RATE * (1 - RATE), f"{name}: good output")
        assert all(r.finished["good"]["escaped"] == 0 for r in runs)


def test_late_detection_loses_the_added_work(
    early: list[ReplicationResult], late: list[ReplicationResult]
) -> None:
    """Lost machine time per bad piece is exactly the maker's 0.01 h when scrapped at once
    and 0.01 + 0.006 + 0.003 = 0.019 h when found at the inspection, so the lost work rate
    is 100 x 0.05 x 0.01 = 0.05 h/h early and 100 x 0.05 x 0.019 = 0.095 h/h late."""
    per_piece_late = sum(TIMES.values())
    for r in early:
        maker = r.stations["maker"]
        assert math.isclose(maker.lost_work, maker.scrapped * TIMES["maker"])
        assert r.stations["inspect"].found == 0
    for r in late:
        inspect = r.stations["inspect"]
        assert r.stations["maker"].scrapped == 0 and r.stations["maker"].lost_work == 0
        assert inspect.scrapped == inspect.found > 0
        assert math.isclose(inspect.lost_work, inspect.found * per_piece_late)
    lost_early = [line_kpis(r, quality_line(False))["lost_work"] for r in early]
    lost_late = [line_kpis(r, quality_line(True))["lost_work"] for r in late]
    assert_in_ci(lost_early, MAKER_RATE * RATE * TIMES["maker"], "early: lost work")
    assert_in_ci(lost_late, MAKER_RATE * RATE * per_piece_late, "late: lost work")


def test_found_count_and_busier_middle_step(
    early: list[ReplicationResult], late: list[ReplicationResult]
) -> None:
    """Found at the inspection = 0.05 x pieces made (in expectation); the middle step works
    on every piece made when defects are found late, busy 100 x 0.006 = 0.6 (to one lot at
    the window's edges), against 0.95 x 0.6 = 0.57 when bad pieces are scrapped first."""
    found_share = [r.stations["inspect"].found / r.stations["maker"].units_out for r in late]
    assert_in_ci(found_share, RATE, "late: found / made")
    for r in late:
        utilization = station_kpis(r.stations["middle"], r.horizon)["utilization"]
        assert utilization == pytest.approx(
            MAKER_RATE * TIMES["middle"], abs=LOT * TIMES["middle"] / r.horizon
        )
    busy_early = [station_kpis(r.stations["middle"], r.horizon)["utilization"] for r in early]
    assert_in_ci(busy_early, MAKER_RATE * (1 - RATE) * TIMES["middle"], "early: middle busy")


def test_web_defects_are_found_in_the_expected_share() -> None:
    """Continuous material (m) takes expected shares, not draws: exactly 5 % of every lot is
    found at the inspection, lost work = found x 0.019 h, good = 95 % of what was made
    (all deterministic, so one replication and exact comparisons)."""
    result = simulate(quality_line(late=True, unit="m"), 100.0, 5.05, seed=1, replication=0)
    made = result.stations["maker"].units_out
    inspect = result.stations["inspect"]
    assert made == pytest.approx(100 * MAKER_RATE)
    assert math.isclose(inspect.found, inspect.cycles * RATE)
    assert math.isclose(inspect.lost_work, inspect.found * sum(TIMES.values()))
    assert math.isclose(result.finished["good"]["units"], inspect.cycles * (1 - RATE))


def test_defects_escape_on_the_branch_without_inspection() -> None:
    """The maker's web goes to two consumers; only one of them inspects. Its defects, 5 % of
    the web, are all found there and leave undetected with the other branch's output, where
    escaped / units = 0.05 exactly (continuous material, expected shares)."""
    line = general_line(
        [
            {
                "name": "maker",
                "inputs": {"raw": 1},
                "output": {"web": 1},
                "process_time": 0.01,
                "lot": 10,
                "defects": {"rate": RATE, "found_at": "inspect"},
            },
            {
                "name": "inspect",
                "inputs": {"web": 1},
                "output": {"checked": 1},
                "process_time": 0.005,
                "lot": 10,
            },
            {
                "name": "other",
                "inputs": {"web": 1},
                "output": {"unchecked": 1},
                "process_time": 0.005,
                "lot": 10,
            },
        ],
        {
            "raw": {"unit": "m"},
            "web": {"unit": "m", "buffer": 100},
            "checked": {"unit": "m"},
            "unchecked": {"unit": "m"},
        },
    )
    result = simulate(line, 50.0, 1.0, seed=1, replication=0)
    unchecked = result.finished["unchecked"]
    checked = result.finished["checked"]
    assert unchecked["units"] > 0 and checked["units"] > 0
    assert math.isclose(unchecked["escaped"] / unchecked["units"], RATE)
    assert checked["escaped"] == 0
    inspect = result.stations["inspect"]
    assert math.isclose(inspect.found, inspect.cycles * RATE)
    kpis = line_kpis(result, line)
    total = checked["units"] + unchecked["units"]
    assert math.isclose(kpis["escaped_defects"], unchecked["escaped"] / total)


def test_scrap_in_a_delay_loses_the_work_done_upstream() -> None:
    """A soak scrapping 10 % of the web (continuous: exactly 10 % of each lot) throws away
    0.01 h of the maker's time per metre: lost work = scrapped x 0.01 h."""
    line = general_line(
        [
            {
                "name": "maker",
                "inputs": {"raw": 1},
                "output": {"web": 1},
                "process_time": 0.01,
                "lot": 10,
            },
            {
                "name": "soak",
                "kind": "delay",
                "inputs": {"web": 1},
                "output": {"soaked": 1},
                "process_time": 2,
                "scrap": 0.1,
            },
        ],
        {"raw": {"unit": "m"}, "web": {"unit": "m"}, "soaked": {"unit": "m"}},
    )
    result = simulate(line, 50.0, 5.0, seed=1, replication=0)
    soak = result.stations["soak"]
    assert soak.scrapped > 0
    assert math.isclose(soak.lost_work, soak.scrapped * TIMES["maker"])
