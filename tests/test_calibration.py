"""The reference line's full-year calibration: 300 million Ah a year within +-5 %, a
realistic bottleneck, cell yield near 92 % and published plant figures (slow: CI runs it
with ``pytest -m slow``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import build_summary, load_scenario, run

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def baseline() -> dict:
    """Two replications of the baseline scenario's full working year."""
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", replications=2)
    return build_summary(run(scenario, jobs=2))


@pytest.mark.slow
def test_output_is_300_million_ah(baseline: dict) -> None:
    """Good output 300 M Ah a year +-5 % (6.0 M cells of 50 Ah), both CI ends inside."""
    low, high = baseline["kpis"]["ah_per_year"]["ci95"]
    assert 0.95 * 3.0e8 <= low <= high <= 1.05 * 3.0e8


@pytest.mark.slow
def test_bottleneck_and_yield(baseline: dict) -> None:
    """Formation paces the line; cell-level first-pass yield near 92 % (88-95 %)."""
    assert baseline["bottleneck"]["station"] == "formation"
    assert 0.88 <= baseline["kpis"]["cell_yield"]["mean"] <= 0.95


@pytest.mark.slow
def test_published_plant_figures(baseline: dict) -> None:
    """Energy 20-40 kWh per kWh of cells (S); materials 70-78 % of cost (S); assembly
    availability above the 77.8 % pilot line (S) and at most 1."""
    kpis = baseline["kpis"]
    assert 20 <= kpis["energy_kwh_per_kwh"]["mean"] <= 40
    share = kpis["cost.materials"]["mean"] / kpis["cost_total"]["mean"]
    assert 0.70 <= share <= 0.78
    for name in ("winding", "hot-press-xray", "tab-cover-welding", "case-seal-leak-test"):
        availability = baseline["stations"][name]["availability"]["mean"]
        assert 0.778 <= availability <= 1.0
