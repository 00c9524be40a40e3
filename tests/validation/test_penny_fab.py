"""The Penny Fab of Factory Physics (ch. 7): best case and practical worst case.

Four single-machine stations of 2 h each under CONWIP: r_b = 0.5 /h, T0 = 8 h, W0 = 4.
With constant times the line is the best case exactly; with exponential times (the
shipped ``configs/penny_fab.yaml``) it is the practical worst case exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.model import load_line

from . import theory
from .harness import assert_ci, assert_exact, assert_little, replicate

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "penny_fab.yaml"
"""The Penny Fab line definition (exponential times)."""

STATIONS = ("head-stamping", "tail-stamping", "rimming", "deburring")
"""Station names in ``CONFIG``."""

PROCESS_TIME = 2.0
"""Mean process time of every station [h]."""

RAW_PROCESS_TIME = 4 * PROCESS_TIME
"""T0 [h]."""

BOTTLENECK_RATE = 1 / PROCESS_TIME
"""r_b [1/h]."""


@pytest.mark.parametrize("wip", [1, 2, 4, 6, 10])
def test_constant_times_give_the_best_case(wip: int) -> None:
    """TH = min(w / T0, r_b), CT = max(T0, w / r_b) to 1e-3 after the start-up transient.

    Deterministic, so one replication; the window of 20 000 h holds at least 2 500 exits,
    so counting edge effects stay below 1e-3. The warm-up of 101 h keeps window edges off
    the even hours where events fall.
    """
    overrides: dict[str, object] = {"release.wip": wip}
    overrides.update({f"stations.{name}.process_time": PROCESS_TIME for name in STATIONS})
    line = load_line(CONFIG, overrides)
    runs = replicate(line, horizon=20_000.0, warmup=101.0, replications=1)
    throughput, cycle_time = theory.best_case(wip, RAW_PROCESS_TIME, BOTTLENECK_RATE)
    assert_exact(runs, f"Penny Fab constant w={wip}: TH", runs.line("throughput"), throughput)
    assert_exact(runs, f"Penny Fab constant w={wip}: CT", runs.line("flow_time"), cycle_time)
    assert_exact(runs, f"Penny Fab constant w={wip}: WIP", runs.line("wip"), float(wip))
    for name in STATIONS:
        assert_exact(
            runs,
            f"Penny Fab constant w={wip}: u({name})",
            runs.station(name, "utilization"),
            throughput * PROCESS_TIME,
        )
    assert_little(runs)


@pytest.mark.parametrize("wip", [1, 3, 8, 16])
def test_exponential_times_give_the_practical_worst_case(wip: int) -> None:
    """TH = w / (W0 + w - 1) r_b, CT = T0 + (w - 1) / r_b: each inside the 99.9 % interval.

    16 replications of 20 000 h after 200 h warm-up; the interval must be within 3 % of
    the value. Utilisation of the first station is TH x 2 h.
    """
    line = load_line(CONFIG, {"release.wip": wip})
    runs = replicate(line, horizon=20_000.0, warmup=200.0, replications=16)
    throughput, cycle_time = theory.practical_worst_case(wip, RAW_PROCESS_TIME, BOTTLENECK_RATE)
    assert_ci(runs, f"Penny Fab exponential w={wip}: TH", runs.line("throughput"), throughput)
    assert_ci(runs, f"Penny Fab exponential w={wip}: CT", runs.line("flow_time"), cycle_time)
    assert_ci(
        runs,
        f"Penny Fab exponential w={wip}: u(head-stamping)",
        runs.station(STATIONS[0], "utilization"),
        throughput * PROCESS_TIME,
    )
    assert_little(runs)
