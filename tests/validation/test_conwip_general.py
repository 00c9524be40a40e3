"""CONWIP on a general line (one with materials) against the exact closed-network value.

A CONWIP release keeps ``wip`` units of the line's one raw material in the line: a unit of
any material leaving (good or scrapped) gives back the raw units it was made of, which
enter at once. Single exponential machines in series under CONWIP are a closed Jackson
network, solved exactly by mean value analysis (:func:`theory.closed_tandem_mva`).
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.model.checks import check_line

from . import theory
from .harness import assert_ci, assert_little, exponential, make_line, replicate

MEANS = (1.0, 1.5, 0.8)
"""Mean process times of stations a, b and c [h]: unbalanced, b the bottleneck."""


def conwip_line(wip: int, lot: int = 1) -> Any:
    """raw -> a -> m1 -> b -> m2 -> c -> fin, pieces, unlimited buffers, CONWIP ``wip``."""
    chain = ["raw", "m1", "m2", "fin"]
    stations = [
        {
            "name": name,
            "process_time": exponential(mean),
            "inputs": {chain[index]: 1},
            "output": {chain[index + 1]: 1},
            "lot": lot,
        }
        for index, (name, mean) in enumerate(zip("abc", MEANS, strict=True))
    ]
    line = make_line(
        {
            "name": "conwip-general",
            "release": {"policy": "conwip", "wip": wip},
            "materials": {m: {"unit": "pcs"} for m in chain},
            "stations": stations,
        }
    )
    assert check_line(line) == []
    return line


@pytest.mark.parametrize("wip", [1, 3, 6])
def test_conwip_general_line_matches_mean_value_analysis(wip: int) -> None:
    """TH, flow time (release to exit) and each station's utilisation inside the 99.9 %
    interval of 12 replications of 20 000 h; WIP = w exactly, Little's law holds."""
    runs = replicate(conwip_line(wip), horizon=20_000.0, warmup=200.0, replications=12)
    exact = theory.closed_tandem_mva(MEANS, wip)
    case = f"CONWIP general line w={wip}"
    assert_ci(runs, f"{case}: TH", runs.line("throughput"), exact["throughput"])
    assert_ci(runs, f"{case}: CT", runs.line("flow_time"), exact["flow_time"])
    for index, name in enumerate("abc"):
        assert_ci(
            runs,
            f"{case}: u({name})",
            runs.station(name, "utilization"),
            exact[f"utilization.{index}"],
        )
    for result in runs.results:
        assert result.wip_area == pytest.approx(wip * result.horizon)
        assert result.released == pytest.approx(result.good, abs=wip)
    assert_little(runs)


def test_conwip_gives_back_what_a_unit_was_made_of() -> None:
    """A station that makes a pair from 2 raw pieces: with w = 6 raw pieces the loop holds
    3 pairs, the closed network of a (1 h per pair) and b (1.5 h) with 3 jobs; throughput
    in pairs."""
    stations = [
        {
            "name": "a",
            "process_time": exponential(1.0),
            "inputs": {"raw": 2},
            "output": {"pair": 1},
        },
        {
            "name": "b",
            "process_time": exponential(1.5),
            "inputs": {"pair": 1},
            "output": {"fin": 1},
        },
    ]
    line = make_line(
        {
            "name": "conwip-pairs",
            "release": {"policy": "conwip", "wip": 6},
            "materials": {m: {"unit": "pcs"} for m in ("raw", "pair", "fin")},
            "stations": stations,
        }
    )
    assert check_line(line) == []
    runs = replicate(line, horizon=20_000.0, warmup=200.0, replications=12)
    exact = theory.closed_tandem_mva((1.0, 1.5), 3)
    assert_ci(runs, "CONWIP pairs w=6: TH", runs.line("throughput"), exact["throughput"])
    assert_ci(runs, "CONWIP pairs w=6: CT", runs.line("flow_time"), exact["flow_time"])
