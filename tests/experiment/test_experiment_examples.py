"""The example sweep and tune files in scenarios/ read, and every value they search loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import build_summary, run
from sim.experiment.sweep import read_sweep
from sim.experiment.tune import check_space
from sim.experiment.tune_spec import read_tune
from sim.summary_lookup import kpi_value

SCENARIOS = Path(__file__).resolve().parent.parent.parent / "scenarios"


@pytest.mark.parametrize("name", ["sweep_conwip_penny_fab.yaml", "sweep_formation_buffer.yaml"])
def test_example_sweeps_load_at_every_value(name: str) -> None:
    """Each example sweep's first and last points (every parameter's extremes on a grid)
    load; the CONWIP sweep runs w = 1..20."""
    spec = read_sweep(SCENARIOS / name)
    for point in (spec.points[0], spec.points[-1]):
        assert spec.file.load(point, "parameters").horizon > 0
    if name.startswith("sweep_conwip"):
        assert [p["release.wip"] for p in spec.points] == list(range(1, 21))


def test_example_tune_loads_at_every_bound() -> None:
    """The reference-line tune loads at both bounds of each of its five parameters; its
    objective and constraint are KPIs of the reference line's summary."""
    spec = read_tune(SCENARIOS / "tune_winders_buffers.yaml")
    assert len(spec.space) == 5 and spec.objectives[0].kpi == "capex"
    assert str(spec.constraints[0]) == "ah_per_year >= 3e+08"
    base = check_space(spec)
    assert base.line.product is not None and base.replications == 2
    short = spec.file.load({}, "space", horizon="2 d", warmup="1 d", replications=1)
    summary = build_summary(run(short))
    assert kpi_value(summary, "capex") > 0
    assert kpi_value(summary, "ah_per_year") >= 0
