"""Run plots: PNGs of a fixed size, drawn from the saved results only, byte-reproducible."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from sim.analysis.kpis import bottleneck
from sim.report.plot_run import output_per_period
from sim.report.plot_style import choose_period
from sim.report.plots import RUN_PLOTS, RunData, TimeSeries, load_results, write_run_plots
from sim.report.run_data import bottleneck_station

SIZE = (1600, 900)
"""Pixel size of every plot [px]."""


def _check_png(path: Path) -> None:
    assert path.exists() and path.stat().st_size > 10_000
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == SIZE


def test_load_results_reads_the_folder(results: Path) -> None:
    """The loader returns the summary, the CSV rows and the time series by replication."""
    data = load_results(results)
    assert data.summary["scenario"] == "penny_fab"
    assert data.time_unit == "h"
    assert data.station_names == ["head-stamping", "tail-stamping", "rimming", "deburring"]
    assert [row["replication"] for row in data.replications] == [0, 1]
    assert len(data.stations) == 2 * 4 and data.stations[0]["station"] == "head-stamping"
    series = data.timeseries
    assert series.throughput.shape == series.wip.shape == (2, 200)
    assert series.start[0] == pytest.approx(50.0) and series.end[-1] == pytest.approx(550.0)
    assert np.allclose(series.width, 2.5)


@pytest.mark.parametrize("name", list(RUN_PLOTS))
def test_each_plot_is_a_png_of_the_fixed_size(results: Path, name: str) -> None:
    """Each plot function writes a non-empty 1600 x 900 PNG where it is told to."""
    path = RUN_PLOTS[name](load_results(results), results / name)
    assert path == results / name
    _check_png(path)


def test_write_run_plots_is_reproducible(results: Path) -> None:
    """Writing the plots twice gives the same files, byte for byte, and no leftovers."""
    first = write_run_plots(results)
    assert [path.name for path in first] == list(RUN_PLOTS)
    contents = [path.read_bytes() for path in first]
    second = write_run_plots(results)
    assert second == first
    assert [path.read_bytes() for path in second] == contents
    assert not [path.name for path in results.iterdir() if path.name.startswith(".")]


def test_one_replication_plots(results_one: Path) -> None:
    """With one replication (no CI, no std) every plot is still drawn."""
    summary = json.loads((results_one / "summary.json").read_text())
    assert summary["kpis"]["throughput"]["ci95"] is None
    assert summary["kpis"]["throughput"]["std"] is None
    for path in write_run_plots(results_one):
        _check_png(path)


def test_partial_run_without_output_still_plots(results: Path) -> None:
    """An interrupted run with no finished replication gives 'no data' plots, not an error."""
    summary = json.loads((results / "summary.json").read_text())
    summary.update(
        partial=True,
        replications=0,
        stations={},
        files=[],
        kpis={k: {"mean": None, "std": None, "ci95": None, "n": 0} for k in summary["kpis"]},
    )
    (results / "summary.json").write_text(json.dumps(summary))
    for name in ("replications.csv", "stations.csv", "timeseries.csv"):
        (results / name).unlink()
    data = load_results(results)
    assert data.timeseries.empty and not data.stations
    for path in write_run_plots(results, data):
        with Image.open(path) as image:
            assert image.size == SIZE


@pytest.mark.parametrize(
    ("horizon", "bin_width", "unit", "name", "length"),
    [
        (20000.0, 100.0, "h", "week", 168.0),  # Penny Fab: 119 weeks
        (10080.0, 50.4, "min", "shift", 720.0),  # 7 d in minutes: 14 shifts
        (43200.0, 216.0, "min", "shift", 720.0),  # 30 d: 60 shifts
        (72.0, 0.36, "h", "hour", 1.0),  # 3 d: 72 hours
        (365.0, 1.825, "d", "week", 7.0),  # 1 y: 52 weeks
        (2000.0, 10.0, "d", "10 d", 10.0),  # bins coarser than a week: the bins
        (1.5, 0.0075, "h", "0.03 h", 0.03),  # under 2 hours: 50 groups of 4 bins
    ],
)
def test_choose_period(
    horizon: float, bin_width: float, unit: str, name: str, length: float
) -> None:
    """The period follows the horizon: hour, shift, day or week, else groups of bins."""
    period = choose_period(horizon, bin_width, 200, unit)
    assert period.name == name
    assert period.length == pytest.approx(length)


def test_output_per_period_conserves_output(tmp_path: Path) -> None:
    """Weekly output from 100 h bins: a constant rate gives equal weeks, none lost."""
    start = 1000.0 + 100.0 * np.arange(200)
    rates = np.array([np.full(200, 0.5), np.linspace(0.2, 0.8, 200)])
    data = RunData(
        tmp_path,
        {"time_unit": "h"},
        timeseries=TimeSeries(np.array([0, 1]), start, start + 100.0, rates, np.ones((2, 200))),
    )
    period, marks, per_period = output_per_period(data)
    assert period.name == "week"
    assert marks[0] == 1000.0 and marks[-1] == pytest.approx(21000.0)
    assert len(per_period) == 120  # 119 full weeks and a last partial one
    total = float(np.sum(per_period * np.diff(marks) / period.length))
    assert total == pytest.approx(float(np.mean(np.sum(rates * 100.0, axis=1))))
    constant = RunData(
        tmp_path,
        {"time_unit": "h"},
        timeseries=TimeSeries(np.array([0]), start, start + 100.0, rates[:1], np.ones((1, 200))),
    )
    assert np.allclose(output_per_period(constant)[2], 0.5 * 168.0)


def test_bottleneck_counts_active_states() -> None:
    """The bottleneck has the largest busy + down + setup + minor-stop share; a delay (no
    busy share) is never one; the plots read it from the summary."""

    def shares(busy: float | None, down: float, setup: float) -> dict[str, dict[str, Any]]:
        return {
            "busy": {"mean": busy},
            "down": {"mean": down},
            "setup": {"mean": setup},
            "minor_stop": {"mean": 0.0},
        }

    stations = {
        "a": shares(0.7, 0.0, 0.0),
        "b": shares(0.5, 0.15, 0.1),
        "c": shares(None, 0.2, 0.0),
    }
    found = bottleneck(stations)  # type: ignore[arg-type]
    assert found is not None and found["station"] == "b"
    assert found["active_share"] == pytest.approx(0.75)
    name, load = bottleneck_station({"bottleneck": found}) or ("", 0.0)
    assert name == "b" and load == pytest.approx(0.75)
    assert bottleneck_station({"stations": {}}) is None


@pytest.mark.parametrize("name", list(RUN_PLOTS))
def test_each_plot_names_its_quantities_with_units(
    results: Path, name: str, drawn: list[Any]
) -> None:
    """Every panel that draws data labels what it shows with its unit ('[h]', '[jobs]',
    '[%]' or a rate 'good jobs / shift'), and a time axis is in the line's time unit."""

    RUN_PLOTS[name](load_results(results), results / name)
    assert len(drawn) == 1
    panels = [axis for axis in drawn[0].axes if axis.has_data()]
    assert panels
    for axis in panels:
        labels = f"{axis.get_xlabel()} | {axis.get_ylabel()}"
        assert "[" in labels or " / " in labels, f"{name}: a panel without a unit: {labels!r}"
    times = [a.get_xlabel() for a in panels if a.get_xlabel().startswith("simulated time")]
    assert all(label == "simulated time [h]" for label in times), times
