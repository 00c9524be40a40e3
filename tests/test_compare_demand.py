"""A comparison of scenarios with a demand shows the demand KPIs (fill rate, backlog,
shifts worked, sold Ah, cost per sold Ah) in its console and HTML tables.

Two scenarios of one press line (1 h a cell, deterministic, 50 Ah cells, two 12 h
shifts): demand 0.45 cells / h, base stock 8, idling through both shifts against dropping
the night shift (:mod:`sim.model.shift_plan`, one shift covers 0.45 x 1.1 / 1). Both sell
what is ordered, every order on time after the warm-up, so the paired change of sold Ah is
exactly 0 and the fill rate is 1 in both; dropping the night pays half the direct labour
and no night power, so the cost per sold Ah falls.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sim.cli
from sim.report.compare_html import render_comparison_report

LINE = """\
name: press
time_unit: h
working_days_per_year: 300
release: {policy: push}
product: {cell: cell, ah_per_cell: 50}
materials:
  raw: {price: 3}
  cell: {}
shifts:
  - {name: day, start: 6, length: 12}
  - {name: night, start: 18, length: 12}
costs: {wage: 20, energy_price: 0.1}
stations:
  - name: press
    inputs: {raw: 1}
    output: {cell: 1}
    process_time: 1
    operators: 2
    power: {busy: 10, idle: 4}
"""

SCENARIO = """\
name: {name}
line: line.yaml
horizon: 2400
warmup: 240
replications: 2
seed: 5
demand:
  rate: "0.45 /h"
  stock: 8
  capacity: "1 /h"
  below_capacity: {policy}
"""


def test_a_demand_comparison_shows_the_demand_kpis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Console and HTML rows for fill rate, backlog, shifts worked, sold Ah and cost per
    sold Ah; sold Ah change 0 %, fill rate 1 in both, cost per sold Ah lower dropping."""
    (tmp_path / "line.yaml").write_text(LINE, encoding="utf-8")
    for name, policy in (("idle", "idle"), ("drop", "drop-shifts")):
        text = SCENARIO.format(name=name, policy=policy)
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    command = [
        "compare",
        str(tmp_path / "idle.yaml"),
        str(tmp_path / "drop.yaml"),
        "--out",
        str(out),
        "--no-plots",
        "--quiet",
        "--jobs",
        "1",
    ]
    status = sim.cli.main(command)
    printed = capsys.readouterr().out
    assert status == 0
    content = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    kpis = content["kpis"]
    assert kpis["fill_rate"]["idle"]["mean"] == kpis["fill_rate"]["drop"]["mean"] == 1.0
    sold = content["differences"]["sold_ah_per_year"]["drop"]["percent"]["mean"]
    assert sold == pytest.approx(0.0, abs=1e-12)
    assert kpis["cost_per_sold_ah"]["drop"]["mean"] < kpis["cost_per_sold_ah"]["idle"]["mean"]
    assert "shifts_worked" not in kpis  # the idling scenario has no shift plan
    for name in ("fill_rate", "on_time_share", "backlog", "sold_ah_per_year", "cost_per_sold_ah"):
        assert name in printed, name
    assert "EUR / Ah" in printed and "Ah / year" in printed
    page = render_comparison_report(out, content)
    for words in ("fill rate", "backlog", "total cost per sold Ah", "sold Ah a year"):
        assert words in page, words
