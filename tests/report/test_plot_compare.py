"""Comparison plots: the forest plot, the scenarios' throughput overlaid, the cost
breakdown and lever waterfalls are PNGs of the fixed size, drawn from saved results."""

from __future__ import annotations

import json
from pathlib import Path

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
    assert main(["plot", str(compared)]) == 0
    assert (compared / "comparison.png").read_bytes() == before


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
