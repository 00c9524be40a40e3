"""The reference prismatic LFP line, run short: it loads, runs and behaves as calibrated.

One replication of 20 days after a 15-day warm-up (long enough for cells to pass the
12-day aging) keeps this under a few seconds. The known answers are the calibration's:
formation is the bottleneck, the assembly machines of this conventional line are available
75-100 % of the time, and the rolled first-pass yield lies in (0.7, 1).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim import load_scenario, run
from sim.analysis.kpis import line_kpis, station_kpis, summarize
from sim.engine import STATES, ReplicationResult
from sim.model import Scenario

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"

ASSEMBLY = (
    "winding",
    "hot-press-xray",
    "tab-cover-welding",
    "case-seal-leak-test",
    "cell-bake",
    "electrolyte-filling",
    "module-assembly",
)
"""Cell and module assembly stations of the reference line."""

INSPECTIONS = ("hot-press-xray", "hipot-test", "case-seal-leak-test", "ocv2-kvalue", "grading")
"""Stations named as ``defects.found_at`` in the reference line."""


@pytest.fixture(scope="module")
def short_run() -> tuple[Scenario, ReplicationResult]:
    """The baseline scenario cut to 20 d after 15 d of warm-up, one replication."""
    scenario = load_scenario(BASELINE, horizon="20 d", warmup="15 d", replications=1)
    assert (scenario.horizon, scenario.warmup) == (480.0, 360.0)  # the line counts in h
    outcome = run(scenario, jobs=1)
    assert not outcome.partial and len(outcome.replications) == 1
    return scenario, outcome.replications[0]


def test_reference_line_makes_modules(short_run: tuple[Scenario, ReplicationResult]) -> None:
    """Modules leave the line; every module counted at the exit was made by module
    assembly, and the throughput KPI is modules per hour."""
    scenario, result = short_run
    modules = result.finished["module"]["units"]
    assert modules > 0
    assert modules == result.stations["module-assembly"].units_out
    kpis = line_kpis(result, scenario.line)
    assert math.isclose(kpis["throughput"], modules / result.horizon)
    assert 0.7 < kpis["yield"] < 1.0
    assert kpis["lost_work"] > 0


def test_formation_is_the_bottleneck(short_run: tuple[Scenario, ReplicationResult]) -> None:
    """The largest active share (busy, down, setup, minor stops) is formation's."""
    scenario, result = short_run
    summary = summarize([result], scenario.line)
    assert summary["bottleneck"] is not None
    assert summary["bottleneck"]["station"] == "formation"


def test_assembly_availability(short_run: tuple[Scenario, ReplicationResult]) -> None:
    """The reference line is a conventional (before) line: assembly machines break down
    every 8-10 h of operation, so their availability lies in [0.75, 1.0] (a pilot line
    measured 0.778), below 1 for every machine that has failures."""
    _, result = short_run
    for name in ASSEMBLY:
        availability = station_kpis(result.stations[name], result.horizon)["availability"]
        assert 0.75 <= availability <= 1.0, (name, availability)


def test_reference_counters_are_consistent(short_run: tuple[Scenario, ReplicationResult]) -> None:
    """Every machine station's state times sum to machines x horizon and each cycle's output
    is passed on or scrapped (units out + scrapped = cycles x output per cycle); the
    inspection stations find the defects made upstream and no defect escapes, since every
    defect has an inspection on its only path to the exit."""
    _, result = short_run
    for name, station in result.stations.items():
        if station.kind == "delay":
            continue
        total = sum(station.state_time[state] for state in STATES)
        assert math.isclose(total, station.machines * result.horizon, rel_tol=1e-9), name
        made = station.cycles * station.out_per_cycle
        assert math.isclose(station.units_out + station.scrapped, made, rel_tol=1e-9), name
    for name in INSPECTIONS:
        assert result.stations[name].found > 0, name
    assert result.finished["module"]["escaped"] == 0
