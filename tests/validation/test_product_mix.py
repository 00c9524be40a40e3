"""A product mix against theory: changeovers between campaigns on a saturated machine.

A saturated machine (unlimited raw material) makes types in a cycle of campaigns, type i
for L_i jobs taking t_i each, and changes over from type i to the next type j in s_ij.
A cycle of the campaigns takes sum(L_i t_i) + sum(s_ij) of machine time and makes
sum(L_i) jobs, so

    TH = sum(L_i) / (sum(L_i t_i) + sum(s_ij))          [jobs / h]

(two types of one time t alternating in campaigns of L: TH = 1 / (t + s / L)), type i's
throughput is L_i / sum(L) of it, and the machine's setup share is
sum(s_ij) / (sum(L_i t_i) + sum(s_ij)) [-]. The KPIs by type come from
:func:`sim.analysis.kpis.line_kpis` with the line.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.analysis.kpis import line_kpis
from sim.model.line import Line

from .harness import Runs, assert_ci, assert_exact, exponential, make_line, replicate

TIGHT = 0.01
"""Largest half-width of the 99.9 % interval, relative to theory [-]: tight enough to
catch a 1-2 % bias in a changeover or campaign count."""


def mix_line(
    process_time: Any,
    lots: dict[str, int],
    changeovers: dict[str, dict[str, float]],
    stations: dict[str, dict[str, Any]] | None = None,
    scrap: float = 0.0,
) -> Line:
    """One saturated machine ``m`` making the types of ``lots`` in campaigns."""
    return make_line(
        {
            "name": "mix",
            "release": {"policy": "push"},
            "stations": [{"name": "m", "process_time": process_time, "scrap": scrap}],
            "products": {
                "release_at": "m",
                "types": {name: {"stations": (stations or {}).get(name, {})} for name in lots},
                "sequence": {"lots": lots},
                "changeovers": {"m": changeovers},
            },
        }
    )


def by_type(runs: Runs, line: Line, kpi: str) -> np.ndarray:
    """Line KPI ``kpi`` (a mix KPI) of every replication."""
    return np.array([line_kpis(result, line)[kpi] for result in runs.results])


def setups_of(runs: Runs) -> np.ndarray:
    """Changeovers of station m in every replication."""
    return np.array([r.products.stations["m"].changeovers for r in runs.results])  # type: ignore[union-attr]


@pytest.mark.parametrize("process_time", [exponential(1.0), 1.0], ids=["exponential", "constant"])
def test_two_types_alternating_campaigns(process_time: Any) -> None:
    """t = 1 h, s = 2 h each way, L = 10 jobs: TH = 1 / (1 + 2 / 10) = 0.8333 /h, setup
    share 0.2 / 1.2 = 0.1667, busy share 1 / 1.2 = 0.8333, each type half of TH. The
    99.9 % interval of 20 replications of 20 000 h (exponential) is about +-0.5 % of TH;
    with constant times every replication is exact to 0.1 %."""
    line = mix_line(process_time, {"a": 10, "b": 10}, {"a": {"b": 2.0}, "b": {"a": 2.0}})
    exact = not isinstance(process_time, dict)
    runs = replicate(line, horizon=20_000.0, warmup=100.0, replications=4 if exact else 20)
    throughput = 1 / (1 + 2 / 10)
    setup = (2 / 10) / (1 + 2 / 10)

    def check(runs: Runs, case: str, values: np.ndarray, theory: float) -> None:
        if exact:
            assert_exact(runs, case, values, theory)
        else:
            assert_ci(runs, case, values, theory, max_rel_half=TIGHT)

    label = f"mix 2 types L=10 s=2 ({'const' if exact else 'exp'})"
    check(runs, f"{label}: TH", runs.line("throughput"), throughput)
    check(runs, f"{label}: setup share", runs.station("m", "setup"), setup)
    check(runs, f"{label}: busy share", runs.station("m", "busy"), 1 - setup)
    check(runs, f"{label}: TH of a", by_type(runs, line, "product.a.throughput"), throughput / 2)
    check(runs, f"{label}: changeover share", by_type(runs, line, "changeover.m.share"), setup)


def test_three_types_sequence_dependent_with_speeds() -> None:
    """Three types, campaigns L = (20, 10, 5), times t = (1, 2, 0.5) h (speed factors 1,
    0.5, 2 of the 1 h exponential), cycle a -> b -> c -> a with s = (1, 3, 2) h:
    TH = 35 / (20 + 20 + 2.5 + 6) = 0.72165 /h, type c's share 5 / 35 of it, setup share
    6 / 48.5 = 0.12371. 99.9 % interval of 20 replications of 30 000 h."""
    line = mix_line(
        exponential(1.0),
        {"a": 20, "b": 10, "c": 5},
        {"a": {"b": 1.0, "c": 9.0}, "b": {"a": 9.0, "c": 3.0}, "c": {"a": 2.0, "b": 9.0}},
        stations={"b": {"m": {"speed_factor": 0.5}}, "c": {"m": {"speed_factor": 2.0}}},
    )
    runs = replicate(line, horizon=30_000.0, warmup=100.0, replications=20)
    cycle = 20 * 1 + 10 * 2 + 5 * 0.5 + (1 + 3 + 2)
    assert_ci(runs, "mix 3 types: TH", runs.line("throughput"), 35 / cycle, TIGHT)
    assert_ci(
        runs, "mix 3 types: TH of c", by_type(runs, line, "product.c.throughput"), 5 / cycle, TIGHT
    )
    assert_ci(runs, "mix 3 types: setup share", runs.station("m", "setup"), 6 / cycle, TIGHT)


def test_fewest_changeover_order_takes_the_short_cycle() -> None:
    """The same three types written a, c, b (cycle a -> c -> b -> a: s = 9 + 9 + 9 = 27 h)
    but with order: fewest_changeovers, which must run a -> b -> c -> a (6 h): constant
    times give TH = 35 / 48.5 = 0.72165 /h exactly (the written order would give
    35 / 69.5 = 0.50360)."""
    spec: dict[str, Any] = {
        "name": "mix",
        "release": {"policy": "push"},
        "stations": [{"name": "m", "process_time": 1.0}],
        "products": {
            "release_at": "m",
            "types": {
                "a": {},
                "b": {"stations": {"m": {"speed_factor": 0.5}}},
                "c": {"stations": {"m": {"speed_factor": 2.0}}},
            },
            "sequence": {"lots": {"a": 20, "c": 5, "b": 10}, "order": "fewest_changeovers"},
            "changeovers": {
                "m": {
                    "a": {"b": 1.0, "c": 9.0},
                    "b": {"a": 9.0, "c": 3.0},
                    "c": {"a": 2.0, "b": 9.0},
                }
            },
        },
    }
    line = make_line(spec)
    runs = replicate(line, horizon=20_000.0, warmup=100.0, replications=2)
    assert_exact(runs, "mix fewest-changeover order: TH", runs.line("throughput"), 35 / 48.5)


def test_no_changeover_while_the_type_stays() -> None:
    """Campaigns of 3 and 2 jobs (t = 1 h constant), a -> b free and b -> a 4 h, with a
    zero diagonal: one changeover per cycle of 5 jobs (not one per job or per lot), TH =
    5 / (5 + 4) = 0.5556 /h, setup share 4 / 9 = 0.4444; a one-type mix never changes over
    and runs at 1 /h."""
    line = mix_line(1.0, {"a": 3, "b": 2}, {"a": {"a": 0.0, "b": 0.0}, "b": {"a": 4.0, "b": 0}})
    runs = replicate(line, horizon=9_000.0, warmup=90.0, replications=2)
    assert_exact(runs, "mix zero diagonal: TH", runs.line("throughput"), 5 / 9)
    assert_exact(runs, "mix zero diagonal: setup share", runs.station("m", "setup"), 4 / 9)
    assert_exact(runs, "mix zero diagonal: changeovers", setups_of(runs), 9_000 / 9)
    single = mix_line(1.0, {"a": 3}, {"a": {"a": 0.0}})
    alone = replicate(single, horizon=1_000.0, warmup=10.0, replications=1)
    assert_exact(alone, "mix of one type: TH", alone.line("throughput"), 1.0)
    assert setups_of(alone).tolist() == [0]


def test_scrap_by_type() -> None:
    """Type a scraps 10 % at m, type b nothing (the station's 0): a's yield is 0.9 inside
    the 99.9 % interval of 20 replications of 20 000 h (about 10,000 of a's jobs a
    replication: half-width near +-0.3 %), b's is exactly 1; a's good output is 0.9 of
    what was released of it."""
    line = mix_line(
        1.0, {"a": 10, "b": 10}, {"a": {"b": 0.0}, "b": {"a": 0.0}}, {"a": {"m": {"scrap": 0.1}}}
    )
    runs = replicate(line, horizon=20_000.0, warmup=100.0, replications=20)
    assert_ci(
        runs, "mix scrap by type: yield of a", by_type(runs, line, "product.a.yield"), 0.9, TIGHT
    )
    assert_exact(runs, "mix scrap by type: yield of b", by_type(runs, line, "product.b.yield"), 1)
    made = by_type(runs, line, "product.a.good") / by_type(runs, line, "product.a.released")
    assert_ci(runs, "mix scrap by type: good / released of a", made, 0.9, TIGHT)


def test_one_type_is_the_plain_line() -> None:
    """The product-mix loop against the machine loop on the same station: a saturated
    machine with exponential 1 h jobs, exponential failures (MTBF 10 h, MTTR 1 h, on
    operating time) and 5 % scrap makes good jobs at 1 / 1 h x 10 / 11 x 0.95 = 0.8636 /h
    [Factory Physics: availability MTBF / (MTBF + MTTR)], busy 10 / 11 of the time, as a
    plain line (the machine loop) and as a mix of one type (the mix loop, which draws per
    type and so not the same numbers): both inside the 99.9 % interval of 20 replications
    of 20 000 h (about +-0.6 % of the rate)."""
    station = {
        "name": "m",
        "process_time": exponential(1.0),
        "failures": {"mtbf": 10.0, "mttr": 1.0},
        "scrap": 0.05,
    }
    plain = make_line({"name": "plain", "release": {"policy": "push"}, "stations": [station]})
    typed = make_line(
        {
            "name": "one-type",
            "release": {"policy": "push"},
            "stations": [station],
            "products": {"release_at": "m", "types": {"a": {}}, "sequence": {"lots": {"a": 10}}},
        }
    )
    for line in (plain, typed):
        runs = replicate(line, horizon=20_000.0, warmup=100.0, replications=20)
        case = f"{line.name}: good jobs / h"
        assert_ci(runs, case, runs.line("throughput"), 0.95 * 10 / 11, TIGHT)
        assert_ci(runs, f"{line.name}: busy share", runs.station("m", "busy"), 10 / 11, TIGHT)
