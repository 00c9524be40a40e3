"""Rework loops and grade binning against theory.

A rework loop with share 1 at a station that scraps p is Bernoulli feedback: each
completion re-enters the queue with probability p. With Poisson arrivals and exponential
service that is a one-node Jackson network, whose visit rate, utilisation, WIP and flow
time are known (:func:`theory.mm1_feedback`). A pass limit k scraps a unit that fails k
checks in a row, a share p^k of the units. Grades are a multinomial split of each lot, so
the observed share of each grade estimates its probability.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from sim.analysis.grades import grade_kpis, rework_kpis

from . import theory
from .harness import assert_ci, exponential, make_line, replicate

TIGHT = 0.02
"""Largest 99.9 % half-width relative to the theory [-]: the 95 % interval is then within
about 1.1 %, so a 1-2 % bias shows."""


@pytest.mark.slow
def test_mm1_bernoulli_feedback() -> None:
    """M/M/1 with feedback p = 0.3 (lambda = 0.42 /h, mu = 1 /h, limit 60 passes, p^60
    negligible): visits lambda / (1 - p) = 0.6 /h, rho = 0.6, L = 1.5, W = L / lambda =
    3.571 h; 99.9 % interval of 40 replications of 100 000 h, half-width under 2 %."""
    arrival, service, feedback = 0.42, 1.0, 0.3
    line = make_line(
        {
            "name": "mm1-feedback",
            "release": {"policy": "push", "interarrival": exponential(1 / arrival)},
            "stations": [
                {
                    "name": "server",
                    "process_time": exponential(1 / service),
                    "scrap": feedback,
                    "rework": {"share": 1.0, "to": "server", "max_passes": 60},
                }
            ],
        }
    )
    runs = replicate(line, horizon=100_000.0, warmup=500.0, replications=40)
    expected = theory.mm1_feedback(arrival, service, feedback)
    visits = [r.stations["server"].cycles / r.horizon for r in runs.results]
    assert_ci(runs, "M/M/1 feedback p=0.3: visit rate", visits, expected["visits"], TIGHT)
    assert_ci(
        runs,
        "M/M/1 feedback p=0.3: utilisation",
        runs.station("server", "utilization"),
        expected["utilization"],
        TIGHT,
    )
    assert_ci(runs, "M/M/1 feedback p=0.3: WIP", runs.line("wip"), expected["wip"], TIGHT)
    assert_ci(
        runs,
        "M/M/1 feedback p=0.3: flow time",
        runs.line("flow_time"),
        expected["flow_time"],
        TIGHT,
    )
    rates = [rework_kpis(r, line)["rework_rate.server"] for r in runs.results]
    assert_ci(runs, "M/M/1 feedback p=0.3: rework rate", rates, feedback, TIGHT)


def test_pass_limit_scraps_p_to_the_k() -> None:
    """Scrap p = 0.5 reworked every time, at most k = 3 passes: a unit is scrapped when it
    fails 3 checks in a row, a share p^3 = 0.125 of the units released; each unit is
    reworked p + p^2 = 0.75 times on average. 20 replications of 600 h of a constant
    1-minute station under CONWIP (about 20 000 units released each)."""
    p, passes = 0.5, 3
    line = make_line(
        {
            "name": "pass-limit",
            "release": {"policy": "conwip", "wip": 4},
            "stations": [
                {
                    "name": "leak-test",
                    "process_time": "1 min",
                    "scrap": p,
                    "rework": {"share": 1.0, "to": "leak-test", "max_passes": passes},
                }
            ],
        }
    )
    runs = replicate(line, horizon=600.0, warmup=10.0, replications=20)
    firsts = [r.stations["leak-test"].rework["first_checked"] for r in runs.results]
    limit = [r.stations["leak-test"].rework["limit_scrapped"] for r in runs.results]
    reworked = [r.stations["leak-test"].rework["reworked"] for r in runs.results]
    scrap_share = np.array(limit) / np.array(firsts)
    assert_ci(runs, "pass limit k=3, p=0.5: scrap share p^k", scrap_share, p**passes, TIGHT)
    rework_per_unit = np.array(reworked) / np.array(firsts)
    assert_ci(runs, "pass limit k=3, p=0.5: reworks per unit", rework_per_unit, p + p**2, TIGHT)
    final = [rework_kpis(r, line)["final_yield.leak-test"] for r in runs.results]
    assert_ci(runs, "pass limit k=3, p=0.5: final yield 1 - p^k", final, 1 - p**passes, TIGHT)


def _graded_line(grades: dict[str, object], lot: int) -> object:
    return make_line(
        {
            "name": "grading",
            "release": {"policy": "push"},
            "materials": {"cell": {"unit": "pcs"}, "graded": {"unit": "pcs"}},
            "stations": [
                {
                    "name": "grading",
                    "inputs": {"cell": 1},
                    "output": {"graded": 1},
                    "process_time": "1 min",
                    "lot": lot,
                    "grades": grades,
                }
            ],
        }
    )


@pytest.mark.parametrize("lot", [1, 48])
def test_given_shares_are_observed(lot: int) -> None:
    """Shares A 0.7, B 0.2, C 0.1 (A goes on, B and C sold): each grade's observed share
    inside the 99.9 % interval of 20 replications of 500 h (30 000 cells each), half-width
    under 2 % of the share for A, lots of one (a uniform each) and of 48 (a multinomial
    split drawn as conditional binomials)."""
    shares = {"A": 0.7, "B": 0.2, "C": 0.1}
    line = _graded_line(
        {"bins": [{"name": n, "share": s, "goes_on": n == "A"} for n, s in shares.items()]}, lot
    )
    runs = replicate(line, horizon=500.0, warmup=0.0, replications=20)  # type: ignore[arg-type]
    kpis = [grade_kpis(r, line) for r in runs.results]  # type: ignore[arg-type]
    for name, share in shares.items():
        observed = [k[f"grade_share.{name}"] for k in kpis]
        allowed = TIGHT if name == "A" else 0.05
        assert_ci(runs, f"grade share {name}, lot {lot}", observed, share, allowed)
    for result in runs.results:  # sold grades leave at grading, A goes on to the sink
        station = result.stations["grading"]
        assert station.graded_sold == station.graded["B"] + station.graded["C"]
        assert result.finished["graded"]["units"] == station.graded["A"]


def test_measured_capacity_shares() -> None:
    """Measured capacity normal(1.01, 0.02) of nominal, A >= 1.00, B >= 0.97, C >= 0.94,
    rejects below: shares from the normal distribution function (scipy), A = 0.691,
    B = 0.286, C = 0.0226, reject 0.00023 (scrapped); 20 replications of 500 h of lots of
    48."""
    mean, sd = 1.01, 0.02
    line = _graded_line(
        {
            "measured": {"mean": mean, "sd": sd},
            "bins": [
                {"name": "A", "min": 1.00, "goes_on": True},
                {"name": "B", "min": 0.97},
                {"name": "C", "min": 0.94},
            ],
        },
        48,
    )
    cdf = norm(mean, sd).cdf
    expected = {"A": 1 - cdf(1.00), "B": cdf(1.00) - cdf(0.97), "C": cdf(0.97) - cdf(0.94)}
    runs = replicate(line, horizon=500.0, warmup=0.0, replications=20)  # type: ignore[arg-type]
    kpis = [grade_kpis(r, line) for r in runs.results]  # type: ignore[arg-type]
    assert_ci(runs, "measured grade A", [k["grade_share.A"] for k in kpis], expected["A"], TIGHT)
    assert_ci(runs, "measured grade B", [k["grade_share.B"] for k in kpis], expected["B"], 0.03)
    assert_ci(runs, "measured grade C", [k["grade_share.C"] for k in kpis], expected["C"], 0.15)
    for result in runs.results:  # rejects below C are the station's only scrap
        station = result.stations["grading"]
        assert station.scrapped == station.graded_rejected
