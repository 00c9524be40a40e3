"""Comparison plots: the forest plot, the scenarios' throughput overlaid, the cost
breakdown and lever waterfalls are PNGs of the fixed size, drawn from saved results."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from sim.cli import main
from sim.report.plot_compare import plot_waterfall, write_comparison_plots
from sim.report.plot_style import DPI, FIGSIZE

ROOT = Path(__file__).resolve().parents[2]
SIZE = (round(FIGSIZE[0] * DPI), round(FIGSIZE[1] * DPI))


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved comparison of the Penny Fab at w = 4 and w = 8 (3 short replications)."""
    folder = tmp_path_factory.mktemp("compare")
    for name, wip in (("low", 4), ("high", 8)):
        (folder / f"{name}.yaml").write_text(
            f"line: {ROOT / 'configs' / 'penny_fab.yaml'}\nhorizon: 2000\nwarmup: 200\n"
            f"set: {{release.wip: {wip}}}\n",
            encoding="utf-8",
        )
    status = main(
        [
            "compare",
            str(folder / "low.yaml"),
            str(folder / "high.yaml"),
            "--replications",
            "3",
            "--quiet",
            "--jobs",
            "1",
            "--out",
            str(folder / "out"),
        ]
    )
    assert status == 0
    return folder / "out"


def test_comparison_plots_have_the_fixed_size(compared: Path) -> None:
    """comparison.png and the overlaid throughput.png exist at 1600 x 900 px."""
    for name in ("comparison.png", "throughput.png"):
        with Image.open(compared / name) as image:
            assert image.size == SIZE


def test_plot_command_redraws_a_comparison(compared: Path) -> None:
    """``linesim plot`` on a comparison folder redraws the same files, byte for byte."""
    before = (compared / "comparison.png").read_bytes()
    report = (compared / "report.html").read_text(encoding="utf-8")
    (compared / "report.html").unlink()
    assert main(["plot", str(compared)]) == 0
    assert (compared / "comparison.png").read_bytes() == before
    # report.html is redrawn too (it once was not), the same page
    assert (compared / "report.html").read_text(encoding="utf-8") == report


def test_waterfall_and_costs_from_content(tmp_path: Path, compared: Path) -> None:
    """A waterfall from attribution content, and write_comparison_plots on the saved JSON."""
    content = json.loads((compared / "comparison.json").read_text(encoding="utf-8"))
    content["attribution"] = {
        "throughput": {"a": {"mean": 0.2, "ci95": [0.1, 0.3]}, "b": {"mean": -0.05, "ci95": None}}
    }
    content["attribution_settings"] = {"method": "exact", "horizon": 100.0}
    path = plot_waterfall(content, "throughput", tmp_path / "w.png")
    with Image.open(path) as image:
        assert image.size == SIZE
    paths = write_comparison_plots(compared, content)
    assert compared / "waterfall_throughput.png" in paths


NEW_CHECK = {
    "window_percent": 15.93,
    "window_ci95": [12.7, 19.2],
    "window_replications": 4,
    "full_percent": 16.25,
    "full_ci95": [15.87, 16.63],
    "full_replications": 4,
    "agrees": True,
    "attributed_percent": 11.8,
    "attributed_replications": 1,
    "replication_sd_percent": 3.04,
}
"""``attribution_settings.check.<kpi>`` as written since the check has replications."""

OLD_CHECK = {
    "window_percent": 11.8,
    "window_ci95": None,
    "full_percent": 16.25,
    "full_ci95": [15.87, 16.63],
    "inside": False,
}
"""The same as a comparison.json written before: one replication, ``inside``, no ``agrees``."""


def with_attribution(content: dict[str, Any], check: dict[str, Any]) -> dict[str, Any]:
    """``content`` with a two-lever attribution of throughput and its window check."""
    return {
        **content,
        "attribution": {
            "throughput": {
                "a": {"mean": 0.2, "ci95": [0.1, 0.3]},
                "b": {"mean": -0.05, "ci95": None},
            }
        },
        "attribution_settings": {
            "method": "exact",
            "horizon": 100.0,
            "replications": 1,
            "check_replications": 4,
            "check": {"throughput": check},
        },
    }


@pytest.mark.parametrize("check", [NEW_CHECK, OLD_CHECK], ids=["new", "before the change"])
def test_attribution_check_is_shown_and_old_folders_still_render(
    tmp_path: Path, compared: Path, check: dict[str, Any]
) -> None:
    """The check in the console, report.html and the waterfall's title: the conclusion with
    what it rests on (the window's CI and replications, the full comparison's CI, what the
    shares add up to, one replication's sd, all in %). A folder written before the check had
    replications (``inside``, no ``agrees``) still renders everywhere, read as not checked,
    and ``linesim plot`` redraws it."""
    import shutil

    from rich.console import Console

    from sim.report.compare_html import render_comparison_report
    from sim.report.compare_tables import print_comparison

    folder = tmp_path / "out"
    shutil.copytree(compared, folder)
    content = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
    content = with_attribution(content, check)
    (folder / "comparison.json").write_text(json.dumps(content), encoding="utf-8")
    assert main(["plot", str(folder)]) == 0
    with Image.open(folder / "waterfall_throughput.png") as image:
        assert image.size == SIZE

    console = Console(record=True, width=250)
    print_comparison(content, console)
    printed = " ".join(console.export_text().split())
    page = html.unescape(render_comparison_report(folder, content))  # ' is written &#39;
    if check is NEW_CHECK:
        sentence = (
            "throughput: all levers vs none: window +15.9 % [+12.7, +19.2] over 4 "
            "replications, full comparison +16.25 % [+15.87, +16.63]: agree (no bias from "
            "the cut); the shares add up to +11.8 % (1 replication; sd of one replication's "
            "total 3.0 points)"
        )
        assert sentence in printed
        assert "agree (no bias from the cut)" in page and "one replication's sd [%]" in page
    else:
        assert "not checked (no CI of the window" in printed
        assert "window +11.8 %, full comparison +16.25 % [+15.87, +16.63]" in printed
        assert "not checked" in page
    assert "OUTSIDE" not in printed and "<th>inside</th>" not in page  # the old wording
    # the attribution table's header keeps each KPI's unit, also one that looks like a
    # rich style tag ([modules / h] was dropped as markup)
    assert f"[{content['units']['throughput']}]" in printed


@pytest.mark.parametrize(
    ("kpi", "falls_better"),
    [
        ("throughput", False),
        ("ah_per_year", False),
        ("ah_per_labour_hour", False),
        ("cell_yield", False),
        ("cost_per_ah", True),
        ("conversion_cost_per_ah", True),
        ("operating_cost_per_ah", True),  # the claim's cost reading c
        ("operating_cost_per_sold_ah", True),
        ("scrap_materials", True),
        ("cost.materials", True),
        ("cost_total", True),
        ("labour_hours_per_mah", True),
        ("energy_kwh_per_kwh", True),
        ("flow_time", True),
        ("wip.cell-formed", True),
        ("costume", False),  # a name that only starts like one
    ],
)
def test_waterfall_colours_say_better_or_worse(kpi: str, falls_better: bool) -> None:
    """A waterfall colours a lever green when it improves the KPI: a cost that falls is
    green, not red (colours by sign made every cost saving look like a loss)."""
    from sim.report.plot_compare import lower_is_better

    assert lower_is_better(kpi) is falls_better


def test_forest_says_better_or_worse_in_words_with_units(
    compared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The forest plot names each KPI in words with its unit (not its key) and colours a
    change by the KPI's direction: more output green, a longer flow time or more WIP red;
    the report's KPI table marks the same cells better or worse."""
    from matplotlib.figure import Figure

    from sim.report import plot_compare
    from sim.report.compare_html import render_comparison_report
    from sim.report.plot_compare import _BETTER, _WORSE, change_color

    assert change_color("cost_per_ah", -5.0) == _BETTER
    assert change_color("operating_cost_per_ah", -5.0) == _BETTER
    assert change_color("cost_per_ah", 5.0) == _WORSE
    assert change_color("throughput", 5.0) == _BETTER
    assert change_color("throughput", -5.0) == _WORSE
    figures: list[Figure] = []
    monkeypatch.setattr(
        plot_compare, "save_figure", lambda figure, path: figures.append(figure) or Path(path)
    )
    content = json.loads((compared / "comparison.json").read_text(encoding="utf-8"))
    plot_compare.plot_forest(content, tmp_path / "forest.png")
    axes = figures[0].axes[0]
    labels = [label.get_text() for label in axes.get_yticklabels()]
    assert labels[:2] == ["good output rate [jobs / h]", "flow time [h]"]
    assert "work in process [jobs]" in labels
    assert not [label for label in labels if "_" in label]  # no raw KPI keys
    kpis = [k for k in plot_compare.HEADLINE_KPIS if k in content["differences"]]
    colours = {kpi: c.lines[0].get_color() for kpi, c in zip(kpis, axes.containers, strict=True)}
    # four jobs more in the line: more pennies, each waits longer
    assert content["differences"]["throughput"]["high"]["percent"]["mean"] > 0
    assert content["differences"]["flow_time"]["high"]["percent"]["mean"] > 0
    assert colours["throughput"] == _BETTER
    assert colours["flow_time"] == _WORSE and colours["wip"] == _WORSE
    assert "high against low" in axes.get_title("left")
    page = render_comparison_report(compared, content)
    assert '<span title="throughput">good output rate</span>' in page
    assert page.count('class="better"') >= 1 and page.count('class="worse"') >= 2
