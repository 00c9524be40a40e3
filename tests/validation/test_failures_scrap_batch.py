"""Failures (operating and calendar basis), scrap and batch stations against theory.

Saturated lines use a push release with no interarrival: unlimited raw material, so the
first station is never starved and, alone or with a faster successor, never blocked.
"""

from __future__ import annotations

from typing import Any

import pytest

from . import theory
from .harness import assert_ci, assert_exact, assert_little, exponential, make_line, replicate

SATURATED: dict[str, Any] = {"policy": "push"}
"""Release of unlimited raw material."""


def poisson(rate: float) -> dict[str, Any]:
    """Return a push release of Poisson arrivals at ``rate`` [1/h]."""
    return {"policy": "push", "interarrival": exponential(1 / rate)}


# --- failures -------------------------------------------------------------------------------


@pytest.mark.parametrize("process_time", [exponential(1.0), 1.0], ids=["exponential", "constant"])
def test_operating_failures_saturated(process_time: Any) -> None:
    """Saturated machine, t = 1 h, MTBF 4 h, MTTR 1 h (exponential), operating basis.

    Per hour of processing there are 1 / MTBF failures of MTTR each, so down = (MTTR /
    MTBF) busy; saturated, busy + down = 1: busy = MTBF / (MTBF + MTTR) = 0.8,
    down = MTTR / (MTBF + MTTR) = 0.2, TH = busy / t = 0.8 /h. 99.9 % interval of 20
    replications of 20 000 h.
    """
    line = make_line(
        {
            "name": "failing",
            "release": SATURATED,
            "stations": [
                {"name": "m", "process_time": process_time, "failures": {"mtbf": 4, "mttr": 1}},
            ],
        }
    )
    runs = replicate(line, horizon=20_000.0, warmup=100.0, replications=20)
    expected = theory.operating_failure_shares(1.0, 4.0, 1.0)
    label = f"operating failures, saturated, {'exp' if isinstance(process_time, dict) else 'const'}"
    assert_ci(runs, f"{label}: TH", runs.line("throughput"), expected["throughput"])
    assert_ci(runs, f"{label}: busy", runs.station("m", "busy"), expected["busy"])
    assert_ci(runs, f"{label}: down", runs.station("m", "down"), expected["down"])
    assert_little(runs)


def test_operating_failures_only_age_while_busy() -> None:
    """Poisson-fed machine (lambda = 0.5 /h, t = 1 h exponential, MTBF 4 h, MTTR 1 h,
    operating basis): busy = lambda t = 0.5 and down = (MTTR / MTBF) busy = 0.125, not the
    calendar 0.2: the failure clock must stop while the machine is idle. 99.9 % interval of
    30 replications of 40 000 h."""
    line = make_line(
        {
            "name": "failing",
            "release": poisson(0.5),
            "stations": [
                {"name": "m", "process_time": exponential(1.0), "failures": {"mtbf": 4, "mttr": 1}},
            ],
        }
    )
    runs = replicate(line, horizon=40_000.0, warmup=200.0, replications=30)
    expected = theory.operating_failure_shares(1.0, 4.0, 1.0, utilization=0.5)
    assert_ci(
        runs, "operating failures, lambda=0.5: busy", runs.station("m", "busy"), expected["busy"]
    )
    assert_ci(
        runs, "operating failures, lambda=0.5: down", runs.station("m", "down"), expected["down"]
    )
    assert_ci(runs, "operating failures, lambda=0.5: TH", runs.line("throughput"), 0.5)
    assert_little(runs)


def test_calendar_failures_saturated() -> None:
    """Saturated machine, t = 0.5 h constant, MTBF 6 h, MTTR 2 h, calendar basis:
    A = MTBF / (MTBF + MTTR) = 0.75 of calendar time is up, so TH = A / t = 1.5 /h and
    down = 0.25. 99.9 % interval of 30 replications of 20 000 h."""
    line = make_line(
        {
            "name": "failing",
            "release": SATURATED,
            "stations": [
                {
                    "name": "m",
                    "process_time": 0.5,
                    "failures": {"mtbf": 6, "mttr": 2, "basis": "calendar"},
                },
            ],
        }
    )
    runs = replicate(line, horizon=20_000.0, warmup=100.0, replications=30)
    expected = theory.calendar_failure_shares(6.0, 2.0)
    assert_ci(
        runs,
        "calendar failures, saturated: TH",
        runs.line("throughput"),
        theory.saturated_throughput(0.5, availability=expected["availability"]),
    )
    assert_ci(
        runs, "calendar failures, saturated: down", runs.station("m", "down"), expected["down"]
    )
    assert_little(runs)


@pytest.mark.parametrize(
    ("machines", "replications", "horizon"), [(1, 30, 40_000.0), (3, 20, 20_000.0)]
)
def test_calendar_failures_also_strike_idle_machines(
    machines: int, replications: int, horizon: float
) -> None:
    """Poisson-fed station of 1 or 3 machines (lambda = 0.5 /h per machine, t = 1 h
    exponential, MTBF 6 h, MTTR 2 h, calendar basis): down = 1 - A = 0.25 of every
    machine's time whatever the load, busy = lambda t / c = 0.5, so idle = 0.25. 99.9 %
    interval of 30 replications of 40 000 h (one machine) or 20 of 20 000 h (three)."""
    line = make_line(
        {
            "name": "failing",
            "release": poisson(0.5 * machines),
            "stations": [
                {
                    "name": "m",
                    "machines": machines,
                    "process_time": exponential(1.0),
                    "failures": {"mtbf": 6, "mttr": 2, "basis": "calendar"},
                },
            ],
        }
    )
    runs = replicate(line, horizon=horizon, warmup=200.0, replications=replications)
    expected = theory.calendar_failure_shares(6.0, 2.0)
    label = f"calendar failures, {machines} machine(s), lambda={0.5 * machines:g}"
    assert_ci(runs, f"{label}: down", runs.station("m", "down"), expected["down"])
    assert_ci(runs, f"{label}: busy", runs.station("m", "busy"), 0.5)
    assert_ci(runs, f"{label}: idle", runs.station("m", "idle"), 1 - 0.5 - expected["down"])
    assert_little(runs)


@pytest.mark.parametrize("basis", ["operating", "calendar"])
def test_constant_failures_are_exact(basis: str) -> None:
    """Constant t = 1 h, up time 4 h, repair 1 h (cv 0), saturated: every 5 h the machine
    makes 4 jobs, so TH = 0.8 /h and down = 0.2 exactly (to 1e-3) on either basis."""
    line = make_line(
        {
            "name": "failing",
            "release": SATURATED,
            "stations": [
                {
                    "name": "m",
                    "process_time": 1.0,
                    "failures": {"mtbf": 4, "mttr": 1, "ttf_cv": 0, "ttr_cv": 0, "basis": basis},
                },
            ],
        }
    )
    runs = replicate(line, horizon=20_000.0, warmup=101.0, replications=1)
    assert_exact(runs, f"constant failures ({basis}): TH", runs.line("throughput"), 0.8)
    assert_exact(runs, f"constant failures ({basis}): down", runs.station("m", "down"), 0.2)


# --- scrap ----------------------------------------------------------------------------------


def test_scrap_yield_saturated() -> None:
    """Saturated two-station line, scrap 0.1 then 0.2, t = 1 h and 0.5 h (exponential,
    the second never a bottleneck): yield = 0.9 x 0.8 = 0.72 and good TH = 0.72 /h. 99.9 %
    interval of 20 replications of 20 000 h."""
    line = make_line(
        {
            "name": "scrap",
            "release": SATURATED,
            "stations": [
                {"name": "a", "process_time": exponential(1.0), "scrap": 0.1},
                {"name": "b", "process_time": exponential(0.5), "scrap": 0.2},
            ],
        }
    )
    runs = replicate(line, horizon=20_000.0, warmup=100.0, replications=20)
    expected = theory.line_yield([0.1, 0.2])
    assert_ci(runs, "scrap 0.1/0.2, saturated: yield", runs.line("yield"), expected)
    assert_ci(
        runs,
        "scrap 0.1/0.2, saturated: TH",
        runs.line("throughput"),
        theory.saturated_throughput(1.0) * expected,
    )
    assert_ci(runs, "scrap 0.1/0.2, saturated: quality(b)", runs.station("b", "quality"), 0.8)


def test_scrap_in_a_jackson_tandem() -> None:
    """Poisson lambda = 1 /h into exponential stations of 0.5 h and 0.6 h scrapping 0.1 and
    0.2: station 2 sees lambda_2 = 0.9 /h, so a good job's flow time is
    1 / (2 - 1) + 1 / (1/0.6 - 0.9) h, WIP = sum rho_i / (1 - rho_i), yield 0.72. 99.9 %
    interval of 24 replications of 30 000 h.

    Little's law WIP = TH x flow time does not hold here (flow time counts good jobs only,
    WIP all jobs); it brackets instead: TH x W <= WIP <= released rate x W.
    """
    line = make_line(
        {
            "name": "scrap",
            "release": poisson(1.0),
            "stations": [
                {"name": "a", "process_time": exponential(0.5), "scrap": 0.1},
                {"name": "b", "process_time": exponential(0.6), "scrap": 0.2},
            ],
        }
    )
    runs = replicate(line, horizon=30_000.0, warmup=200.0, replications=24)
    expected = theory.jackson_tandem(1.0, [2.0, 1 / 0.6], [0.1, 0.2])
    assert_ci(runs, "scrap Jackson: good flow time", runs.line("flow_time"), expected["flow_time"])
    assert_ci(runs, "scrap Jackson: WIP", runs.line("wip"), expected["wip"])
    assert_ci(runs, "scrap Jackson: yield", runs.line("yield"), expected["yield"])
    assert_ci(runs, "scrap Jackson: TH", runs.line("throughput"), expected["throughput"])
    flow = runs.line("flow_time")
    wip = runs.line("wip")
    assert (runs.line("throughput") * flow <= wip * 1.02).all()
    assert (wip <= runs.line("released") / runs.horizon * flow * 1.02).all()


# --- batches --------------------------------------------------------------------------------


def test_constant_batch_saturated_is_exact() -> None:
    """Saturated batch station, size 8, constant 4 h: TH = 8 / 4 = 2 /h, flow time 4 h,
    WIP 8, exactly (to 1e-3)."""
    line = make_line(
        {
            "name": "oven",
            "release": SATURATED,
            "stations": [
                {"name": "oven", "process_time": 4.0, "batch": {"size": 8}},
            ],
        }
    )
    runs = replicate(line, horizon=8_000.0, warmup=101.0, replications=1)
    assert_exact(
        runs,
        "batch 8 x 4 h const, saturated: TH",
        runs.line("throughput"),
        theory.saturated_throughput(4.0, batch_size=8),
    )
    assert_exact(runs, "batch 8 x 4 h const, saturated: CT", runs.line("flow_time"), 4.0)
    assert_exact(runs, "batch 8 x 4 h const, saturated: WIP", runs.line("wip"), 8.0)
    assert_little(runs)


def test_constant_batch_with_constant_arrivals_is_exact() -> None:
    """One job per hour into a batch station of size 8, constant 4 h: TH = 1 /h; the i-th
    job of a batch waits 8 - i h for it to fill, then 4 h, so W = 3.5 + 4 = 7.5 h and
    WIP 7.5, exactly (to 1e-3)."""
    line = make_line(
        {
            "name": "oven",
            "release": {"policy": "push", "interarrival": 1.0},
            "stations": [
                {"name": "oven", "process_time": 4.0, "batch": {"size": 8}},
            ],
        }
    )
    runs = replicate(line, horizon=8_000.0, warmup=101.0, replications=1)
    assert_exact(runs, "batch 8 x 4 h const, 1 job/h: TH", runs.line("throughput"), 1.0)
    assert_exact(runs, "batch 8 x 4 h const, 1 job/h: CT", runs.line("flow_time"), 7.5)
    assert_exact(runs, "batch 8 x 4 h const, 1 job/h: WIP", runs.line("wip"), 7.5)
    assert_little(runs)


def test_stochastic_batch_saturated() -> None:
    """Saturated batch station, size 8, gamma time mean 4 h cv 0.5: TH = 8 / 4 = 2 /h.
    99.9 % interval of 20 replications of 20 000 h."""
    line = make_line(
        {
            "name": "oven",
            "release": SATURATED,
            "stations": [
                {
                    "name": "oven",
                    "process_time": {"dist": "gamma", "mean": 4, "cv": 0.5},
                    "batch": {"size": 8},
                },
            ],
        }
    )
    runs = replicate(line, horizon=20_000.0, warmup=100.0, replications=20)
    assert_ci(
        runs,
        "batch 8 x gamma(4 h, cv 0.5), saturated: TH",
        runs.line("throughput"),
        theory.saturated_throughput(4.0, batch_size=8),
    )
    assert_little(runs)


def test_full_batches_from_poisson_arrivals() -> None:
    """Poisson lambda = 1 /h into a batch station that starts only with 4 jobs (size 4),
    exponential 2.4 h per batch (rho = 0.6): batches arrive as Erlang-4 renewals, a GI/M/1
    queue, so W = (k - 1) / (2 lambda) + sigma / (mu (1 - sigma)) + 1 / mu; busy = 0.6.
    99.9 % interval of 30 replications of 45 000 h."""
    line = make_line(
        {
            "name": "oven",
            "release": poisson(1.0),
            "stations": [
                {"name": "oven", "process_time": exponential(2.4), "batch": {"size": 4}},
            ],
        }
    )
    runs = replicate(line, horizon=45_000.0, warmup=300.0, replications=30)
    flow_time = theory.erlang_batch_flow_time(1.0, 4, 1 / 2.4)
    assert_ci(
        runs, "full batch 4, Poisson, exp 2.4 h: flow time", runs.line("flow_time"), flow_time
    )
    assert_ci(runs, "full batch 4, Poisson, exp 2.4 h: WIP", runs.line("wip"), flow_time)
    assert_ci(runs, "full batch 4, Poisson, exp 2.4 h: busy", runs.station("oven", "busy"), 0.6)
    assert_little(runs)
