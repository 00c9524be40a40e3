"""What a comparison concludes: the three-way verdict, the bottleneck move, like with like
units, and an interrupted comparison that keeps its finished pairs.

Known answers: the verdict of a CI against a claimed change in both directions; a
two-station serial line whose slow second station is sped up past the first, so the
bottleneck moves from the second to the first; the same line written in hours and in
minutes, which must compare as equal (identical draws, per-time KPIs in one unit).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from stop_after import StopAfter

import sim.api.setup as api_setup
import sim.cli
from sim.analysis.comparison import bottleneck_move, verdict
from sim.experiment.compare import compare

TWO = """\
name: two
time_unit: {unit}
release: {{policy: push}}
stations:
  - name: first
    process_time: {{dist: exponential, mean: {first}}}
  - name: second
    process_time: {{dist: exponential, mean: {second}}}
    buffer: 5
"""

LEVERS = """\
levers:
  faster-second:
    description: the second station twice as fast
    source: E (test)
    changes:
      - {path: stations.second.process_time.mean, scale: 0.5}
"""


@pytest.mark.parametrize(
    ("claimed", "ci", "expected"),
    [
        (20, [5.0, 8.0], "below"),
        (20, [15.0, 25.0], "consistent"),
        (20, [40.0, 50.0], "above"),
        (20, [20.0, 30.0], "consistent"),  # the claim on the edge is inside
        (-20, [-8.0, -5.0], "below"),  # a cost cut short of the claim
        (-20, [-25.0, -15.0], "consistent"),
        (-20, [-35.0, -30.0], "above"),  # a larger cut than claimed: an overshoot
        (20, None, "no interval"),
    ],
)
def test_three_way_verdict(claimed: float, ci: list[float] | None, expected: str) -> None:
    assert verdict(claimed, ci) == expected


def test_bottleneck_move_message_names_both_stations_and_figures() -> None:
    before = [
        {"station": "formation", "measure": "active share", "value": 0.97},
        {"station": "aging-store", "measure": "fill", "value": 0.80},
    ]
    after = [
        {"station": "aging-store", "measure": "fill", "value": 0.99},
        {"station": "formation", "measure": "active share", "value": 0.85},
    ]
    move = bottleneck_move(before, after, "baseline", "smart")
    assert move is not None and move["moved"]
    assert move["message"] == (
        "bottleneck moved from formation (active 97.0 % in baseline) to aging-store "
        "(filled 99.0 % in smart)"
    )
    assert move["evidence"] == {"baseline": before, "smart": after}
    stays = bottleneck_move(before, before, "baseline", "smart")
    assert stays is not None and not stays["moved"]
    assert stays["message"].startswith("bottleneck stays at formation")


def write_two(folder: Path, unit: str = "h", first: float = 1.0, second: float = 1.5) -> Path:
    (folder / f"line_{unit}.yaml").write_text(
        TWO.format(unit=unit, first=first, second=second), encoding="utf-8"
    )
    (folder / "levers.yaml").write_text(LEVERS, encoding="utf-8")
    head = f"line: line_{unit}.yaml\nhorizon: 3000\nwarmup: 100\nreplications: 3\nseed: 5\n"
    (folder / "base.yaml").write_text("name: base\n" + head, encoding="utf-8")
    (folder / "smart.yaml").write_text(
        "name: smart\n" + head + "lever_file: levers.yaml\nlevers: [faster-second]\n",
        encoding="utf-8",
    )
    return folder / "base.yaml"


def run_cli(folder: Path, out: Path, *options: str) -> int:
    """``linesim compare base.yaml smart.yaml --out OUT OPTIONS``; return the exit status."""
    files = [str(folder / "base.yaml"), str(folder / "smart.yaml")]
    return sim.cli.main(["compare", *files, "--out", str(out), *options])


def test_bottleneck_moved_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """second (mean 1.5 h) is the bottleneck; at 0.75 h the first (1 h) is: the console,
    comparison.json and report.html say it moved, with the active shares."""
    write_two(tmp_path)
    out = tmp_path / "out"
    status = run_cli(tmp_path, out, "--quiet", "--jobs", "1")
    assert status == 0
    content = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    move = content["bottleneck_moves"]["smart"]
    assert move["moved"] and (move["from"], move["to"]) == ("second", "first")
    assert move["message"].startswith("bottleneck moved from second (active")
    assert content["bottleneck"]["base"][0]["station"] == "second"
    assert content["bottleneck"]["base"][0]["value"] > 0.95
    console = " ".join(capsys.readouterr().out.split())
    assert "bottleneck moved from second" in console
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "bottleneck moved from second" in page
    assert 'href="base/report.html"' in page and "data:image/png;base64," in page


def test_lines_in_different_time_units_compare_like_with_like(tmp_path: Path) -> None:
    """The same line in hours and in minutes: the same real window and per-hour KPIs, so
    throughput and flow time are equal (paired change 0 within rounding)."""
    write_two(tmp_path, "h")
    write_two(tmp_path, "min", first=60.0, second=90.0)
    hours = tmp_path / "hours.yaml"
    minutes = tmp_path / "minutes.yaml"
    hours.write_text("name: hours\nline: line_h.yaml\nhorizon: 500\nseed: 2\nreplications: 3\n")
    minutes.write_text("name: minutes\nline: line_min.yaml\nhorizon: 20\nreplications: 3\n")
    result = compare([hours, minutes], jobs=1)
    other = result.plan.scenarios[1]
    assert other.horizon == pytest.approx(500 * 60)
    for kpi in ("throughput", "flow_time"):
        change = result.content["differences"][kpi]["minutes"]["percent"]["mean"]
        assert change == pytest.approx(0.0, abs=1e-6)
    assert result.content["units_converted"]["to"] == "h"


def test_interrupted_compare_keeps_finished_pairs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tasks run base r0..r2 then smart r0..r2; stopped after 5, the pairs r0 and r1 are
    kept, comparison.json says partial, and the exit status is 130."""
    write_two(tmp_path)
    monkeypatch.setattr(api_setup, "make_executor", lambda jobs, cluster: StopAfter(5))
    out = tmp_path / "out"
    status = run_cli(tmp_path, out, "--quiet", "--no-plots")
    assert status == 130
    content = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert content["partial"] is True
    assert content["kpis"]["throughput"]["smart"]["n"] == 2


def test_interrupted_before_any_pair_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_two(tmp_path)
    monkeypatch.setattr(api_setup, "make_executor", lambda jobs, cluster: StopAfter(2))
    out = tmp_path / "out"
    status = run_cli(tmp_path, out, "--quiet", "--no-plots")
    assert status == 130 and not (out / "comparison.json").exists()
