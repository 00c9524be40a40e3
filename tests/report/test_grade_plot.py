"""The output-by-grade plot: written with a graded line's run plots, shown in its report,
every panel naming its unit, and the shares it draws adding up to the units graded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim import build_summary, load_scenario, run, write_results
from sim.report.html import write_report
from sim.report.plot_grades import GRADES_PLOT, grade_names, plot_grades
from sim.report.plots import write_run_plots

LINE = """\
name: graded-press
time_unit: h
working_days_per_year: 300
release: {policy: push}
product: {cell: cell, ah_per_cell: 50}
materials:
  raw: {price: 3}
  cell: {}
stations:
  - name: press
    inputs: {raw: 1}
    output: {cell: 1}
    process_time: {dist: exponential, mean: 1}
    grades:
      measured: {mean: 1.0, sd: 0.03}
      bins:
        - {name: A, min: 0.98, value_per_ah: 0.3}
        - {name: B, min: 0.94, value_per_ah: 0.2}
"""

SCENARIO = """\
name: graded
line: line.yaml
horizon: 200
warmup: 10
replications: 2
seed: 3
"""


@pytest.fixture(scope="module")
def graded_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results folder of a short run of a press that grades its cells A, B, rejected."""
    folder = tmp_path_factory.mktemp("graded")
    (folder / "line.yaml").write_text(LINE, encoding="utf-8")
    (folder / "scenario.yaml").write_text(SCENARIO, encoding="utf-8")
    scenario = load_scenario(folder / "scenario.yaml")
    result = run(scenario, jobs=1)
    out = folder / "results"
    write_results(result, build_summary(result), out)
    return out


def test_a_graded_run_writes_and_reports_the_grade_plot(graded_results: Path) -> None:
    """write_run_plots adds grades.png for a line that grades, and report.html embeds it."""
    paths = write_run_plots(graded_results)
    assert GRADES_PLOT in [path.name for path in paths]
    page = write_report(graded_results).read_text(encoding="utf-8")
    assert f'alt="{GRADES_PLOT}"' in page


def test_each_grade_panel_names_its_unit(graded_results: Path, drawn: list[Any]) -> None:
    """Three panels (Ah a year, share, value a year), each axis with its unit in
    brackets; the share panel's bars (A, B, rejected) add up to 100 % of the units
    graded."""
    import json

    summary = json.loads((graded_results / "summary.json").read_text(encoding="utf-8"))
    assert grade_names(summary["kpis"]) == ["A", "B"]
    plot_grades(summary, graded_results / GRADES_PLOT)
    panels = [axis for axis in drawn[0].axes if axis.has_data()]
    assert len(panels) == 3
    labels = [(axis.get_xlabel(), axis.get_ylabel()) for axis in panels]
    assert all("[" in x and "[" in y for x, y in labels), labels
    assert labels[0][1] == "good output a year [k Ah / year]"
    assert labels[1][1] == "share of the units graded [%]"
    assert labels[2][1] == "value a year [k EUR / year]"
    heights = [patch.get_height() for patch in panels[1].patches]
    assert sum(heights) == pytest.approx(100.0)


def test_grades_by_type_add_a_panel(graded_results: Path, drawn: list[Any]) -> None:
    """With shares by type in the summary (two types, grades A and B), a fourth panel
    draws a bar per type and grade, each the type's share in percent, its axis with
    the unit in brackets."""
    import json

    summary = json.loads((graded_results / "summary.json").read_text(encoding="utf-8"))
    shares = {("x", "A"): 0.8, ("x", "B"): 0.2, ("y", "A"): 0.6, ("y", "B"): 0.4}
    for (name, grade), share in shares.items():
        summary["kpis"][f"product.{name}.grade.{grade}.share"] = {
            "mean": share,
            "ci95": [share - 0.01, share + 0.01],
            "unit": "-",
        }
    plot_grades(summary, graded_results / "typed.png")
    panels = [axis for axis in drawn[0].axes if axis.has_data()]
    assert len(panels) == 4
    typed = panels[3]
    assert typed.get_ylabel() == "share of the type's good graded units [%]"
    assert typed.get_xlabel() == "type [-]"
    assert [tick.get_text() for tick in typed.get_xticklabels()] == ["x", "y"]
    heights = sorted(patch.get_height() for patch in typed.patches)
    assert heights == pytest.approx([20.0, 40.0, 60.0, 80.0])
