"""What the pictures say: delay stations as fill rows (not broken bars), the WIP band the
caption names, and captions that describe what is drawn.

Each test draws into a captured matplotlib figure (``save_figure`` replaced) and reads
its artists: labels, bar widths and band extents, not file sizes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from sim.report import plot_run
from sim.report.html import write_report
from sim.report.plots import load_results

Capture = Callable[[Any, str], list[Figure]]


@pytest.fixture
def capture(monkeypatch: pytest.MonkeyPatch) -> Capture:
    """Replace ``save_figure`` in ``module`` (or the module named) so that drawn figures
    are kept, not written; returns the list they go to."""

    def patch(module: Any, name: str = "save_figure") -> list[Figure]:
        figures: list[Figure] = []

        def keep(figure: Figure, path: Any) -> Path:
            figures.append(figure)
            return Path(path)

        monkeypatch.setattr(module, name, keep)
        return figures

    return patch


def _with_delay(results: Path, fill: float = 0.6) -> None:
    """Put a delay station 'soak' (no machine states, a mean fill) after the second
    station of a saved summary, as a soak or aging store of the reference line is saved."""
    summary = json.loads((results / "summary.json").read_text(encoding="utf-8"))
    empty = {"mean": None, "std": None, "ci95": None, "n": 0, "unit": "-"}
    delay = {key: dict(empty) for key in next(iter(summary["stations"].values()))}
    delay["fill"] = {"mean": fill, "std": 0.01, "ci95": [fill - 0.05, fill + 0.05], "n": 2}
    delay["quality"] = {"mean": 1.0, "std": 0.0, "ci95": [1.0, 1.0], "n": 2}
    items = list(summary["stations"].items())
    summary["stations"] = dict([*items[:2], ("soak", delay), *items[2:]])
    (results / "summary.json").write_text(json.dumps(summary), encoding="utf-8")


def test_delay_station_is_a_fill_row_in_the_states_plot(results: Path, capture: Capture) -> None:
    """A delay's row is one hatched bar of its mean fill, labelled as such, not an empty
    row of machine states; the x axis names both quantities with their unit."""
    _with_delay(results, fill=0.6)
    figures = capture(plot_run)
    plot_run.plot_states(load_results(results), results / "states.png")
    axes = figures[0].axes[0]
    names = [label.get_text() for label in axes.get_yticklabels()]
    assert names[2] == "soak"
    (delays,) = [
        c for c in axes.containers if c.get_label() == "delay station: mean fill [% of capacity]"
    ]
    assert isinstance(delays, BarContainer)
    (bar,) = delays.patches
    assert bar.get_width() == pytest.approx(0.6)
    assert bar.get_y() + bar.get_height() / 2 == pytest.approx(2.0)
    assert bar.get_hatch()
    assert any(text.get_text() == "delay, 60% full" for text in axes.texts)
    states = next(c for c in axes.containers if c.get_label() == "busy")
    assert states.patches[2].get_width() == 0.0  # no machine state drawn for the delay
    assert "delays: share of capacity filled [%]" in axes.get_xlabel()


def test_delay_station_is_left_out_of_the_oee_plot(results: Path, capture: Capture) -> None:
    """A delay has no OEE: it is not a broken group of bars but named as left out."""
    _with_delay(results)
    page = write_report(results).read_text(encoding="utf-8")  # draws the plots first
    assert "they are left out: soak." in page
    assert "its row is one hatched bar of its mean fill [% of its capacity]" in page
    figures = capture(plot_run)
    plot_run.plot_oee(load_results(results), results / "oee.png")
    axes = figures[0].axes[0]
    names = [label.get_text() for label in axes.get_xticklabels()]
    assert "soak" not in names and len(names) == 4
    assert "left out: 1 delay station without machine states (soak)" in axes.get_title("left")


def test_a_line_without_delays_keeps_its_plots_as_they_were(
    results: Path, capture: Capture
) -> None:
    """No delay: no fill legend entry, no left-out note."""
    figures = capture(plot_run)
    data = load_results(results)
    plot_run.plot_states(data, results / "states.png")
    plot_run.plot_oee(data, results / "oee.png")
    states, oee = (figure.axes[0] for figure in figures)
    assert not [c for c in states.containers if "delay" in str(c.get_label())]
    assert "left out" not in oee.get_title("left")
    assert states.get_xlabel() == "share of machine time [%] (mean of 2 replications)"


def test_wip_plot_draws_the_band_and_average_its_caption_names(
    results: Path, capture: Capture
) -> None:
    """The WIP of a line with materials (Penny Fab: jobs waiting for each station) draws
    the range of the total over the replications and its time average, as the report's
    caption says."""
    caption = write_report(results).read_text(encoding="utf-8")
    assert "hatched: the range of their total over the replications" in caption
    data = load_results(results)
    figures = capture(plot_run)
    plot_run.plot_wip(data, results / "wip.png")
    axes = figures[0].axes[0]
    totals = np.sum([series.wip for series in data.materials.values()], axis=0)
    (band,) = [
        c for c in axes.collections if c.get_label() == "range of the total over 2 replications"
    ]
    assert isinstance(band, PolyCollection)
    heights = band.get_paths()[0].vertices[:, 1]
    assert heights.min() == pytest.approx(totals.min(axis=0).min())
    assert heights.max() == pytest.approx(totals.max(axis=0).max())
    average = [line for line in axes.lines if str(line.get_label()).startswith("time-average")]
    assert average[0].get_ydata()[0] == pytest.approx(totals.mean())
    assert str(average[0].get_label()).endswith(" jobs waiting")
    assert axes.get_ylabel() == "work in process [jobs]"


def test_wip_plot_of_one_replication_claims_no_band(results_one: Path, capture: Capture) -> None:
    """With one replication there is no range: none drawn, none named."""
    figures = capture(plot_run)
    plot_run.plot_wip(load_results(results_one), results_one / "wip.png")
    axes = figures[0].axes[0]
    assert not [c for c in axes.collections if "range" in str(c.get_label())]
    assert "hatched" not in axes.get_title("left")


REFERENCE = Path(__file__).resolve().parents[2] / "configs" / "prismatic_lfp_300mah.yaml"


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("stations.formation.machines", "formation: machines [-]"),
        ("materials.cell-wetted.buffer", "cell-wetted: buffer [pcs]"),
        ("stations.winding.failures.mttr", "winding: failures mttr [h]"),
        ("stations.formation.process_time.mean", "formation: process time mean [h]"),
        ("costs.energy_price", "costs: energy price [EUR / kWh]"),
        ("stations.no-such-station.wish", "no-such-station: wish"),  # no unit known: none
    ],
)
def test_parameter_labels_name_the_station_and_the_unit(path: str, label: str) -> None:
    """A dotted path reads as the station or material, the quantity and the unit the line
    schema gives it, with the line's own time unit, currency and material unit."""
    from sim.model import load_line
    from sim.report.labels import parameter_label, parameter_unit

    line = load_line(REFERENCE)
    assert parameter_label(path, parameter_unit(path, line)) == label


def _sweep_content() -> dict[str, Any]:
    """A grid sweep of formation racks x wetted-cell buffer with CIs that leave [0, 1]."""
    rows = []
    for point, (machines, buffer) in enumerate((m, b) for b in (500, 4000) for m in (62, 70)):
        share = 0.9 if machines == 62 else 0.05
        rows.append(
            {
                "point": point,
                "parameters": {
                    "stations.formation.machines": machines,
                    "materials.cell-wetted.buffer": buffer,
                },
                "replications": 2,
                "kpis": {
                    "stations.formation.utilization": {
                        "mean": share,
                        "std": 0.1,
                        "ci95": [share - 0.4, share + 0.4],
                        "unit": "-",
                    },
                    "cost_per_ah": {
                        "mean": 0.3,
                        "std": 0.1,
                        "ci95": [-0.1, 0.7],
                        "unit": "EUR / Ah",
                    },
                },
            }
        )
    return {
        "sweep": "formation",
        "design": "grid",
        "parameters": ["stations.formation.machines", "materials.cell-wetted.buffer"],
        "parameter_units": {
            "stations.formation.machines": "-",
            "materials.cell-wetted.buffer": "pcs",
        },
        "kpis": ["stations.formation.utilization", "cost_per_ah"],
        "points": 4,
        "finished": 4,
        "rows": rows,
    }


def test_sweep_plot_labels_and_clipped_bands(tmp_path: Path, capture: Capture) -> None:
    """Axes say station, quantity and unit instead of dotted paths; a share's CI stays in
    [0, 1], a cost's at or above 0; the legend names the other parameter with its unit."""
    from sim.report import plot_sweep

    figures = capture(plot_sweep)
    content = _sweep_content()
    plot_sweep.plot_kpi(
        content, "stations.formation.utilization", "stations.formation.machines", tmp_path / "a"
    )
    plot_sweep.plot_kpi(content, "cost_per_ah", "materials.cell-wetted.buffer", tmp_path / "b")
    share, cost = (figure.axes[0] for figure in figures)
    assert share.get_xlabel() == "formation: machines [-]"
    assert share.get_ylabel() == "formation: utilization [-] (mean, 95% CI)"
    assert "stations." not in share.get_title("left")
    legend = [text.get_text() for text in share.get_legend().get_texts()]
    assert legend == ["cell-wetted: buffer = 500 pcs", "cell-wetted: buffer = 4,000 pcs"]
    edges = np.concatenate(
        [line.get_ydata() for line in share.lines if line.get_linestyle() == ":"]
    )
    assert edges.min() == 0.0 and edges.max() == 1.0  # 0.05 - 0.4 and 0.9 + 0.4 clipped
    assert share.get_ylim()[0] >= -0.02 and share.get_ylim()[1] <= 1.02
    assert cost.get_xlabel() == "cell-wetted: buffer [pcs]"
    assert cost.get_ylabel() == "cost_per_ah [EUR / Ah] (mean, 95% CI)"
    edges = np.concatenate([line.get_ydata() for line in cost.lines if line.get_linestyle() == ":"])
    assert edges.min() == 0.0 and edges.max() == pytest.approx(0.7)
    assert [tick.get_text() for tick in cost.get_xticklabels()] == ["500", "4,000"]


def _study() -> dict[str, Any]:
    """An uncertainty study of two readings, one claimed rise and one claimed cut, where
    input 'effect.energy-recovery' lowers the cost change and raises the output change."""
    sensitivity = {
        "output": {"effect.energy-recovery": 0.5, "stations.winding.failures.mttr": -0.3},
        "cost": {"effect.energy-recovery": -0.6, "costs.energy_price": 0.4},
    }
    readings = {
        "output": {"kpi": "throughput", "reading": "a: output", "claimed_percent": 20.0},
        "cost": {"kpi": "cost_per_ah", "reading": "a: total cost per Ah", "claimed_percent": -20},
    }
    return {
        "readings": readings,
        "sensitivity": sensitivity,
        "sensitivity_fit": {"output": {"r2": 0.9}, "cost": {"r2": 0.8}},
    }


def test_tornado_colours_follow_the_claims_direction(tmp_path: Path, capture: Capture) -> None:
    """A driver that lowers cost is green on a cost panel (a claimed cut), as a driver that
    raises output is on an output panel; the opposite ones red."""
    from matplotlib.colors import to_hex

    from sim.report import plot_uncertainty
    from sim.report.plot_uncertainty import _MET, _SHORT

    figures = capture(plot_uncertainty)
    plot_uncertainty.plot_tornado(_study(), tmp_path / "tornado.png")
    output, cost = figures[0].axes[:2]
    for axes, expected in (
        (output, {"effect of energy-recovery": _MET, "winding: failures mttr": _SHORT}),
        (cost, {"effect of energy-recovery": _MET, "costs: energy price": _SHORT}),
    ):
        names = [label.get_text() for label in axes.get_yticklabels()]
        colours = [to_hex(bar.get_facecolor()) for bar in axes.patches]
        assert dict(zip(names, colours, strict=True)) == expected
    assert "claimed\u00a0-20\u00a0%" in cost.get_title("left")


def test_tune_history_has_the_objective_unit(tmp_path: Path, capture: Capture) -> None:
    """history.png labels the objective with its unit, and the constraint's bound too."""
    from sim.cli import main
    from sim.report import plot_tune

    figures = capture(plot_tune)
    tune = REFERENCE.parents[1] / "scenarios" / "tune_penny_fab_wip.yaml"
    arguments = ["tune", str(tune), "--trials", "3", "--out", str(tmp_path / "tune")]
    assert main([*arguments, "--quiet", "--jobs", "1"]) == 0
    axes = figures[0].axes[0]
    assert axes.get_ylabel() == "wip [jobs] (minimize)"
    assert axes.get_xlabel() == "trial [number]"
    assert "subject to throughput >= 0.4 jobs / h" in axes.get_title("left")


def test_fit_report_has_the_reports_style(tmp_path: Path) -> None:
    """linesim fit's report.html is styled as the run and comparison reports: the shared
    page CSS, tables in their scroll box, figures with captions, a footer."""
    from sim.cli import main
    from sim.report.page import PAGE_CSS

    example = REFERENCE.parents[1] / "scenarios" / "mes_example"
    arguments = ["fit", str(example / "mes_log.csv"), "--line", str(example / "line.yaml")]
    arguments += ["--aliases", str(example / "aliases.yaml"), "--out", str(tmp_path / "fit")]
    assert main(arguments) == 0
    page = (tmp_path / "fit" / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</body></html>")
    assert PAGE_CSS in page
    assert page.count('<div class="wide"><table>') == page.count("<table>") >= 3
    assert page.count("<figcaption>") == page.count("<img") >= 3
    assert "<footer>" in page and "<ul class='warnings'>" in page
