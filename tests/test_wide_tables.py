"""Sweep and tune tables stay whole in an 80- and a 120-column terminal: every dotted name,
unit and number is printed in full (broken after dots, split into tables), never cut to
``station…`` or ``0.0…``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from sim.cli import main
from sim.cli.wide_table import Column, header_lines, print_wide_table

ROOT = Path(__file__).resolve().parent.parent

FORMATION = {  # the names of scenarios/sweep_formation_buffer.yaml, with their units
    "ah_per_year": "Ah / year",
    "throughput": "modules / h",
    "flow_time": "h",
    "wip.cell-wetted": "pcs of cell-wetted",
    "stations.formation.utilization": "-",
    "stations.formation.blocked": "-",
    "capex": "EUR",
    "cost_per_ah": "EUR / Ah",
}


def _printed(width: int, keys: list[Column], values: list[Column]) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=False)
    print_wide_table(console, "sweep_formation_buffer: KPI means", keys, values)
    return out.getvalue()


def test_long_dotted_names_break_after_their_dots() -> None:
    assert header_lines("stations.formation.utilization", "-") == [
        "stations.",
        "formation.",
        "utilization",
        "[-]",
    ]
    assert header_lines("release.wip", "jobs") == ["release.wip", "[jobs]"]


@pytest.mark.parametrize("width", [80, 120])
def test_every_header_and_number_is_whole(width: int) -> None:
    """The formation-buffer sweep's 2 parameters and 8 KPIs: no line wider than the
    terminal, no ellipsis, every name part, unit word and cell printed."""
    points = 12
    keys = [
        Column("point", None, [str(i) for i in range(points)]),
        Column("materials.cell-wetted.buffer", None, ["1,000"] * points),
        Column("stations.formation.machines", None, ["66"] * points),
    ]
    cells = {"capex": "56.45 M", "wip.cell-wetted": "1,477", "throughput": "67.29"}
    values = [Column(k, u, [cells.get(k, "0.8550")] * points) for k, u in FORMATION.items()]
    text = _printed(width, keys, values)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= width
    for name, unit in FORMATION.items():
        assert all(part in text for part in name.split("."))
        assert all(word in text for word in unit.split())
    for value in ("56.45 M", "1,477", "67.29", "0.8550"):
        assert value in text
    if width == 80:
        assert "(KPIs 1-" in text  # split into several tables, each with the keys


def test_keys_too_wide_for_any_value_turn_the_table() -> None:
    """A tune of five long parameters in 80 columns: one line per parameter and KPI."""
    keys = [Column("trial", None, ["12"])] + [
        Column(f"stations.station-number-{i}.machines", None, ["3"]) for i in range(5)
    ]
    values = [Column("capex", "EUR", ["52.65 M"]), Column("ah_per_year", "Ah / year", ["0"])]
    text = _printed(80, keys, values)
    assert "…" not in text and "trial 12" in text
    assert "stations.station-number-4.machines" in text and "52.65 M" in text


@pytest.mark.parametrize("width", [80, 120])
def test_the_conwip_sweep_prints_whole(
    width: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """linesim sweep of the README (fewer replications): headers and units readable."""
    out = io.StringIO()

    def consoles() -> tuple[Console, Console]:
        return Console(file=out, width=width), Console(file=io.StringIO(), width=width)

    monkeypatch.setattr("sim.cli.console.make_consoles", consoles)
    sweep = ROOT / "scenarios" / "sweep_conwip_penny_fab.yaml"
    command = ["sweep", str(sweep), "--replications", "2", "--horizon", "400", "--warmup", "40"]
    status = main([*command, "--jobs", "1", "--out", str(tmp_path / "s"), "--quiet", "--no-plots"])
    text = out.getvalue()
    assert status == 0, text
    assert "…" not in text
    for header in ("release.wip", "throughput", "[jobs / h]", "flow_time", "[h]", "[jobs]"):
        assert header in text
    assert "r_b = 0.5 jobs / h, T0 = 8 h, W0 = 4 jobs" in text
