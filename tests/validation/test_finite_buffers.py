"""Two exponential machines with a finite buffer between them (blocking after service).

Machine 1 has unlimited raw material; ``buffer: B`` on machine 2 counts the jobs waiting,
not the one in process; machine 1 blocks holding its finished job while machine 2 is full.
The throughput and the blocked and starved shares are exact by the CTMC in
:func:`theory.two_station_blocking`.
"""

from __future__ import annotations

import pytest

from . import theory
from .harness import assert_ci, assert_little, exponential, make_line, replicate

RATE_1 = 1.0
"""Machine 1 rate [1/h]."""

RATE_2 = 1 / 1.2
"""Machine 2 rate [1/h] (mean 1.2 h)."""


@pytest.mark.parametrize("buffer", [0, 1, 3])
def test_two_machines_with_a_finite_buffer(buffer: int) -> None:
    """TH = mu_2 P(n >= 1), machine 1 blocked pi_{B+2}, machine 2 starved pi_0, each inside
    the 99.9 % interval of 20 replications of 30 000 h.

    The starved share falls to 0.10 at B = 3, so its interval may be 5 % of the value
    (0.005 absolute) instead of 3 %.
    """
    line = make_line(
        {
            "name": "pair",
            "release": {"policy": "push"},
            "stations": [
                {"name": "m1", "process_time": exponential(1 / RATE_1)},
                {"name": "m2", "process_time": exponential(1 / RATE_2), "buffer": buffer},
            ],
        }
    )
    runs = replicate(line, horizon=30_000.0, warmup=100.0, replications=20)
    expected = theory.two_station_blocking(RATE_1, RATE_2, buffer)
    assert_ci(
        runs, f"2 machines, buffer {buffer}: TH", runs.line("throughput"), expected["throughput"]
    )
    assert_ci(
        runs,
        f"2 machines, buffer {buffer}: blocked(m1)",
        runs.station("m1", "blocked"),
        expected["blocked"],
    )
    assert_ci(
        runs,
        f"2 machines, buffer {buffer}: starved(m2)",
        runs.station("m2", "idle"),
        expected["starved"],
        max_rel_half=0.05,
    )
    assert_little(runs)
