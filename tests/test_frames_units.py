"""The Python API's frames carry their units and name CI bounds as the CSV files do.

Rows are KPIs (``to_frame()``, ``stations_frame()``, a comparison's, a sizing's): a
``unit`` column. Columns are KPIs (``replications_frame()``, a sweep's):
``frame.attrs["units"]``. CI bounds are ``ci95_low`` / ``ci95_high`` everywhere, and a
comparison's and a sweep's frame is its CSV file, column for column."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas
import pytest

import sim

ROOT = Path(__file__).resolve().parent.parent
PENNY = str(ROOT / "scenarios" / "penny_fab.yaml")


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def _ci_names_agree(columns: list[str]) -> None:
    """Every bound column is a ci95 one: no ``_low``, ``difference_high`` or ``lo``."""
    for name in columns:
        if name.endswith(("_low", "_high")):
            assert name.endswith(("ci95_low", "ci95_high")), name


def test_run_frames_carry_units(tmp_path: Path) -> None:
    result = sim.run(PENNY, replications=2, horizon=300, warmup=30, out=tmp_path / "run")
    kpis = result.to_frame()
    assert list(kpis.columns) == ["mean", "std", "ci95_low", "ci95_high", "n", "unit"]
    assert kpis.loc["throughput", "unit"] == "jobs / h" and kpis.loc["flow_time", "unit"] == "h"
    assert kpis.loc["yield", "unit"] == "-"
    for kpi, estimate in result.summary["kpis"].items():
        assert kpis.loc[kpi, "unit"] == estimate["unit"]
    stations = result.stations_frame()
    assert stations.loc[("rimming", "throughput"), "unit"] == "jobs / h"
    assert stations.loc[("rimming", "busy"), "unit"] == "-"
    assert stations.loc[("rimming", "queue"), "unit"] == "jobs"
    replications = result.replications_frame()
    units = replications.attrs["units"]
    assert set(units) == set(replications.columns)
    assert units["throughput"] == "jobs / h" and units["wip"] == "jobs" and units["yield"] == "-"
    assert _header(tmp_path / "run" / "replications.csv") == ["replication", *replications]
    _ci_names_agree(list(kpis.columns))


def test_comparison_frame_is_comparison_csv(tmp_path: Path) -> None:
    """Same columns, same rows, same numbers as the file; units from comparison.json."""
    out = tmp_path / "cmp"
    outcome = sim.compare(PENNY, PENNY, replications=2, horizon=300, warmup=30, out=out)
    frame = outcome.to_frame()
    written = pandas.read_csv(out / "comparison.csv", index_col=["kpi", "scenario"])
    assert list(written.columns) == list(frame.columns)
    numbers = [c for c in frame.columns if c != "unit"]
    pandas.testing.assert_frame_equal(
        frame[numbers], written[numbers].astype(float), check_exact=False, rtol=1e-12
    )
    assert (frame["unit"] == written["unit"]).all()
    assert frame.loc[("throughput", "penny_fab"), "unit"] == "jobs / h"
    assert frame.loc[("throughput", "penny_fab"), "change"] == 0.0
    assert frame.attrs["units"]["change_percent_ci95_low"] == "%"
    _ci_names_agree(list(frame.columns))


def test_sweep_frame_is_sweep_csv(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    outcome = sim.sweep(
        ROOT / "scenarios" / "sweep_conwip_penny_fab.yaml",
        replications=2,
        horizon=200,
        warmup=20,
        out=out,
    )
    frame = outcome.to_frame()
    written = pandas.read_csv(out / "sweep.csv", index_col="point")
    assert list(frame.columns) == list(written.columns)
    pandas.testing.assert_frame_equal(frame, written, check_dtype=False, rtol=1e-12)
    units = frame.attrs["units"]
    assert units["throughput_mean"] == units["throughput_ci95_high"] == "jobs / h"
    assert units["flow_time_std"] == "h" and units["wip_ci95_low"] == "jobs"
    assert "release.wip" not in units  # a parameter: no KPI unit claimed
    _ci_names_agree(list(frame.columns))


def test_sizing_frame_names_what_each_count_counts() -> None:
    outcome = sim.size(
        "configs/penny_fab.yaml",
        "0.9 /h",
        {"release.wip": 40},
        horizon=2000,
        warmup=200,
        replications=3,
    )
    frame = outcome.to_frame()
    assert frame.loc["rimming", "after"] == outcome.counts["rimming"] == 2
    assert frame.loc["rimming", "unit"] == "machines"
    assert frame.attrs["units"] == {"utilisation": "-", "capex_delta_eur": "EUR"}
    assert 0 < frame.loc["rimming", "utilisation"] <= 1


@pytest.mark.parametrize("operators", [0, 2])
def test_sizing_says_operators_stay_per_station(operators: int) -> None:
    """More machines keep the station's operators; the note says so and how to change it."""
    outcome = sim.size(
        "configs/penny_fab.yaml",
        "0.9 /h",
        {"release.wip": 40, "stations.rimming.operators": operators},
        horizon=2000,
        warmup=200,
        replications=3,
    )
    (note,) = outcome.notes
    assert note.startswith("operators are per station and shift, not per machine")
    if operators:
        assert "rimming: 2 operators per shift for 2 machines instead of 1" in note
        assert "--set stations.rimming.operators=N" in note
    else:
        assert "the resized stations have none" in note
    assert not math.isnan(outcome.to_frame().loc["rimming", "utilisation"])


def test_results_print_as_one_line_with_units(tmp_path: Path) -> None:
    """A result in a notebook cell reads as one short line with its headline and unit (the
    line, the replications and every KPI are in the fields), not the dataclass dump of
    the whole line (54,000 characters for the Penny Fab before)."""
    run = sim.run(PENNY, replications=2, horizon=300, warmup=30, out=tmp_path / "run")
    text = repr(run)
    assert "\n" not in text and len(text) < 300
    assert text.startswith("Run('penny_fab', 2 replications, throughput ")
    assert "jobs / h [" in text and str(tmp_path / "run") in text
    tutorial = ROOT / "scenarios"
    outcome = sim.compare(
        tutorial / "tutorial.yaml",
        tutorial / "tutorial_smart.yaml",
        replications=2,
        horizon="2 d",
        warmup="1 d",
        jobs=1,
        plots=False,
    )
    text = repr(outcome)
    assert "\n" not in text and len(text) < 300
    assert "throughput vs tutorial: tutorial_smart " in text and " %" in text
