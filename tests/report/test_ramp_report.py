"""A ramp-up run's results folder: monthly.csv with units, summary.json's monthly block,
the console table, ramp_up.png and its place in report.html; a mature run has none."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from rich.console import Console

from sim import build_summary, load_scenario, run, write_results
from sim.api.results import Run
from sim.report.html import write_report
from sim.report.monthly_table import print_monthly
from sim.report.plots import write_run_plots

ROOT = Path(__file__).resolve().parents[2]

RAMP = {
    "ramp_up": {
        "curves": [
            {"station": "rimming", "yield": {"start": 0.6, "tau": 1000, "source": "E"}},
            {"speed": {"table": [0.5], "source": "E"}},
        ]
    }
}
"""Penny Fab ramping: rimming's yield from 0.6, every station at half speed in month 1."""


def _folder(tmp_path: Path, overrides: dict[str, object] | None) -> tuple[Path, Run]:
    scenario = load_scenario(
        ROOT / "scenarios" / "penny_fab.yaml",
        overrides,
        replications=2,
        horizon=1700,
        warmup=0,
    )
    result = run(scenario, jobs=1)
    folder = tmp_path / "results"
    write_results(result, build_summary(result), folder)
    return folder, result


def test_a_ramp_up_run_writes_its_months_with_units(tmp_path: Path) -> None:
    """Three months (730 h, 730 h and the 240 h left) per replication; each row's units
    in the header; the months' output adds up to the replication's good output."""
    folder, result = _folder(tmp_path, RAMP)
    summary = json.loads((folder / "summary.json").read_text())
    monthly = summary["monthly"]
    assert "monthly.csv" in summary["files"]
    assert [m["end"] - m["start"] for m in monthly["months"]] == [730.0, 730.0, 240.0]
    assert monthly["units"]["output"] == summary["kpis"]["good"]["unit"]
    first = monthly["months"][0]
    assert 0 <= first["kpis"]["yield"]["mean"] <= 1
    assert math.isclose(first["yield_curve"], 1 - 0.4 * 1000 / 730 * (1 - math.exp(-0.73)))
    with (folder / "monthly.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    assert "start [h]" in rows[0] and "yield_curve [-]" in rows[0]
    assert any(name.startswith("output [") for name in rows[0])
    output = next(name for name in rows[0] if name.startswith("output ["))
    replications = json.loads((folder / "summary.json").read_text())["kpis"]["good"]
    total = sum(float(row[output]) for row in rows)
    assert math.isclose(total / 2, replications["mean"], rel_tol=1e-9)

    console = Console(width=120, record=True)
    print_monthly(summary, console)
    text = console.export_text()
    assert "days [d]" in text and "yield [-]" in text and "curve [-]" in text

    frame = result.monthly_frame()
    assert frame.loc[(1, "yield"), "unit"] == "-"
    assert frame.loc[(3, "output"), "end"] == 1700.0

    plots = [path.name for path in write_run_plots(folder)]
    assert "ramp_up.png" in plots
    page = write_report(folder).read_text(encoding="utf-8")
    assert "ramp_up.png" in page


def test_a_mature_run_has_no_months(tmp_path: Path) -> None:
    """Without ramp_up: no monthly block, no monthly.csv, no ramp-up plot or table."""
    folder, result = _folder(tmp_path, None)
    assert result.monthly_frame().empty
    summary = json.loads((folder / "summary.json").read_text())
    assert "monthly" not in summary
    assert not (folder / "monthly.csv").exists()
    assert "ramp_up.png" not in [path.name for path in write_run_plots(folder)]
    console = Console(width=80, record=True)
    print_monthly(summary, console)
    assert console.export_text() == ""
