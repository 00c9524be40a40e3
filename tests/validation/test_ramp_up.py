"""Learning curves against theory: monthly yield, availability past tau, monthly rate.

Saturated single stations (push release without interarrival: never starved, never
blocked) whose curve the analytic value integrates. A month is 1/12 of a 365-day year,
730 h. Intervals are the harness's 99.9 % t-intervals, required to be tighter than 1 %
of the analytic value, so a 1-2 % bias in the engine would fail them.
"""

from __future__ import annotations

import math
from typing import Any

from sim.analysis.statistics import t_halfwidth
from sim.model.ramp import Curve

from .harness import ASSERT_LEVEL, assert_ci, exponential, make_line, replicate

MONTH = 730.0
"""One month [h]."""

SATURATED: dict[str, Any] = {"policy": "push"}


def _station_line(station: dict[str, Any], curves: dict[str, Any]) -> Any:
    return make_line(
        {
            "name": "ramping",
            "release": SATURATED,
            "stations": [{"name": "m", **station}],
            "ramp_up": {"curves": [{"station": "m", **curves}]},
        }
    )


def test_monthly_good_output_follows_the_yield_curve() -> None:
    """Constant 0.01 h cycles in lots of 50: capacity C = 73,000 cycles a month. Yield
    y(t) = 0.98 - (0.98 - 0.70) exp(-t / 2 months), scrap drawn per piece at each lot's
    finish: good output in month m = C x mean yield over month m, the mean from the
    curve's integral: 0.98 - 0.28 x 2 (e^-(m-1)/2 - e^-m/2) = 0.7597, 0.8464, 0.8989 for
    months 1-3 (C x those: 55,455, 61,784, 65,623 cells). 12 replications of 3 months."""
    curve = {"start": 0.70, "tau": "2 months", "source": "E"}
    line = _station_line({"process_time": 0.01, "lot": 50, "scrap": 0.02}, {"yield": curve})
    runs = replicate(line, horizon=3 * MONTH, warmup=0.0, replications=12)
    model = Curve(start=0.70, tau=2 * MONTH, source="E")
    capacity = MONTH / 0.01
    for month in range(3):
        mean_yield = model.mean(month * MONTH, (month + 1) * MONTH, 0.98, MONTH)
        good = [result.months[month].good for result in runs.results]
        assert_ci(
            runs,
            f"ramp-up yield, month {month + 1}: good output",
            good,
            capacity * mean_yield,
            max_rel_half=0.01,
        )


def test_availability_past_tau_is_the_mature_one() -> None:
    """Saturated machine, t = 1 h exponential, MTBF ramping from 0.25 x 4 h with tau =
    1 month, MTTR 1 h, operating basis. Measured from 10 tau on (e^-10 = 5e-5 of the gap
    left), busy = MTBF / (MTBF + MTTR) of the mature MTBF = 4 / 5 = 0.8 and down = 0.2.
    20 replications of 20,000 h after a 7,300 h warm-up."""
    line = _station_line(
        {"process_time": exponential(1.0), "failures": {"mtbf": 4, "mttr": 1}},
        {"mtbf": {"start": 0.25, "tau": "1 month", "source": "E"}},
    )
    runs = replicate(line, horizon=20_000.0, warmup=10 * MONTH, replications=20)
    assert_ci(runs, "ramp-up mtbf past tau: busy", runs.station("m", "busy"), 0.8, 0.01)
    assert_ci(runs, "ramp-up mtbf past tau: down", runs.station("m", "down"), 0.2, 0.03)


def test_availability_early_in_the_ramp_lies_between_its_bounds() -> None:
    """The same machine in its first month: the MTBF share rises from 0.25 to 1 - 0.75
    e^-1 = 0.724, so every up time is drawn with a mean between 0.25 x 4 = 1 h and 0.724
    x 4 = 2.90 h, and the down share lies between MTTR / (2.90 + MTTR) = 0.257 and MTTR /
    (1 + MTTR) = 0.5, well above the mature 0.2 (a curve ignored would give 0.2). The
    99.9 % interval of 20 replications must lie inside the bounds."""
    line = _station_line(
        {"process_time": exponential(1.0), "failures": {"mtbf": 4, "mttr": 1}},
        {"mtbf": {"start": 0.25, "tau": "1 month", "source": "E"}},
    )
    runs = replicate(line, horizon=MONTH, warmup=0.0, replications=20)
    down = runs.station("m", "down")
    half = t_halfwidth(down, ASSERT_LEVEL)
    high_share = 1 - 0.75 * math.exp(-1)
    assert 1 / (high_share * 4 + 1) < down.mean() - half
    assert down.mean() + half < 0.5


def test_monthly_completions_follow_the_speed_curve() -> None:
    """Exponential 0.01 h cycles (100 /h mature) in lots of 10, speed share s(t) = 1 -
    0.5 exp(-t / 1 month) drawn at each lot's start: completions in month m = integral of
    100 s(t) over the month = 73,000 (1 - 0.5 (e^-(m-1) - e^-m)) = 49,928, 64,512, 69,877
    for months 1-3. 20 replications of 3 months."""
    line = _station_line(
        {"process_time": exponential(0.01), "lot": 10},
        {"speed": {"start": 0.5, "tau": "1 month", "source": "E"}},
    )
    runs = replicate(line, horizon=3 * MONTH, warmup=0.0, replications=20)
    for month in range(3):
        share = 1 - 0.5 * (math.exp(-month) - math.exp(-(month + 1)))
        done = [result.months[month].stations["m"].cycles for result in runs.results]
        assert_ci(
            runs,
            f"ramp-up speed, month {month + 1}: completions",
            done,
            MONTH * 100 * share,
            max_rel_half=0.01,
        )
