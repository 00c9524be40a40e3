"""``linesim size`` / ``sim.size`` on lines whose answer is known by arithmetic.

- Constant times, no failures: a station of p hours per cycle makes m / p an hour, so a
  target of r an hour needs ceil(r p) machines, and one fewer makes (ceil(r p) - 1) / p.
- Known availability: failures on operating time with MTBF a and MTTR b leave a machine
  A = a / (a + b) of its time, so a 1 h machine makes A an hour and r needs ceil(r / A);
  the simulated output of the sized station must hold m A in its 95 % CI.
- A CONWIP line cannot pass w / T0 (Little's law with the raw process time T0) whatever
  its machine counts: a target above it is refused as unreachable.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml

import sim
import sim.cli
from sim.model.loader import load_line, load_scenario
from sim.model.output_rate import parse_output_rate

ROOT = Path(__file__).resolve().parents[2]


def write_line(folder: Path, stations: list[dict], release: dict | None = None) -> Path:
    path = folder / "line.yaml"
    data = {
        "name": "toy",
        "time_unit": "h",
        "release": release or {"policy": "push"},
        "stations": stations,
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_constant_times_size_by_arithmetic(tmp_path: Path) -> None:
    """A: 2 h a cycle, B: 0.5 h; 2.9 an hour needs ceil(5.8) = 6 of A and ceil(1.45) = 2
    of B; one fewer makes 2.5 and 2.0 an hour, both short of 2.9 (shown by capacity)."""
    line = write_line(
        tmp_path,
        [
            {"name": "A", "process_time": 2, "capex": 1000},
            {"name": "B", "machines": 4, "process_time": 0.5, "capex": 500},
        ],
    )
    outcome = sim.size(line, "2.9 /h", horizon=200, warmup=20, replications=2, out=tmp_path / "o")
    assert outcome.counts == {"A": 6, "B": 2}
    content = outcome.content
    assert content["output"]["mean"] == pytest.approx(3.0, rel=0.02)
    assert content["output"]["meets"] is True
    checks = {row["station"]: row for row in content["minimal"]}
    assert checks["A"]["output_ci95_high"] == pytest.approx(2.5)
    assert checks["B"]["output_ci95_high"] == pytest.approx(2.0)
    assert all(row["shown"] for row in checks.values())
    sized = load_line(tmp_path / "o" / "sized.yaml")
    assert {s.name: s.machines for s in sized.stations} == {"A": 6, "B": 2}
    text = (tmp_path / "o" / "sized.yaml").read_text(encoding="utf-8")
    assert "linesim size: 1 -> 6 for 2.9 /h" in text and "linesim size: 4 -> 2" in text
    written = json.loads((tmp_path / "o" / "sizing.json").read_text(encoding="utf-8"))
    assert written["target"] == {"value": 2.9, "unit": "units / h", "text": "2.9 /h",
                                 "kpi": "throughput"}  # fmt: skip
    rows = {row["name"]: row for row in written["stations"]}
    assert rows["A"]["before"] == 1 and rows["A"]["after"] == 6
    assert set(written["output"]) >= {"mean", "ci95_low", "ci95_high", "unit"}


def test_known_availability(tmp_path: Path) -> None:
    """Availability 9 / (9 + 1) = 0.9 of a 1 h machine: 2.5 an hour needs ceil(2.5 / 0.9)
    = 3 machines, which make 3 x 0.9 = 2.7 an hour (inside the CI of the runs); 2 make
    1.8, short of 2.5 by capacity."""
    line = write_line(
        tmp_path,
        [
            {
                "name": "press",
                "process_time": 1,
                "failures": {"mtbf": 9, "mttr": 1},
            }
        ],
    )
    outcome = sim.size(line, "2.5 /h", horizon=4000, warmup=100, replications=8)
    assert outcome.counts == {"press": 3}
    out = outcome.content["output"]
    assert out["ci95_low"] <= 2.7 <= out["ci95_high"]
    assert out["ci95_high"] - out["ci95_low"] < 0.02 * 2.7  # tight enough to see 1-2 %
    (check,) = outcome.content["minimal"]
    assert check["count"] == 2 and check["shown"] and check["basis"] == "arithmetic"


def test_conwip_cap_is_unreachable(tmp_path: Path) -> None:
    """Penny Fab at w = 4, T0 = 8 h: at most 0.5 an hour whatever the machines; 0.95 an
    hour is refused with the release named, exit 2."""
    status = sim.cli.main(
        [
            "size",
            str(ROOT / "configs" / "penny_fab.yaml"),
            "--target",
            "0.95 /h",
            "--horizon",
            "1000",
            "--warmup",
            "100",
            "--quiet",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert status == 2
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("abc", "not a rate"),
        ("-5 /h", "> 0"),
        ("5 /fortnight", "unknown period"),
        ("300 M Ah/yr", "no product"),
        ("3 pennies/h", "unknown quantity"),
        ("2 /yr", "per time"),
    ],
)
def test_bad_targets_name_the_option(
    target: str, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = sim.cli.main(
        ["size", str(ROOT / "configs" / "penny_fab.yaml"), "--target", target, "--quiet"]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert "--target" in err and words in err


def test_rates_in_their_units() -> None:
    """300 M Ah a year of 50 Ah cells over 330 d x 24 h = 7,920 h is 757.6 cells an hour,
    the same as 6 M cells a year; 760 cells an hour is 760 x 7,920 cells a year."""
    line = load_line(ROOT / "configs" / "prismatic_lfp_300mah.yaml")
    ah = parse_output_rate("300 M Ah/yr", line)
    cells = parse_output_rate("6 M cells/yr", line)
    assert ah.kpi == "ah_per_year" and ah.value == pytest.approx(3e8)
    assert ah.per_time_unit == pytest.approx(3e8 / 50 / 7920)
    assert cells.per_time_unit == pytest.approx(ah.per_time_unit)
    hourly = parse_output_rate("760 cells/h", line)
    assert hourly.kpi == "cells_per_year" and hourly.value == pytest.approx(760 * 7920)
    modules = parse_output_rate("40 k modules/yr", line)
    assert modules.kpi == "modules_per_year" and math.isclose(modules.value, 40_000)


def test_a_scenario_is_sized_with_its_own_settings(tmp_path: Path) -> None:
    """A scenario file brings its window, replications and set: (the Penny Fab at w = 40);
    its scenario.yaml runs the scenario's own line with the sized counts in set:, and
    loads to the sized counts (2 machines of 2 h for 0.9 an hour)."""
    scenario = tmp_path / "penny.yaml"
    scenario.write_text(
        f"line: {(ROOT / 'configs' / 'penny_fab.yaml').as_posix()}\nhorizon: 2000\n"
        "warmup: 200\nreplications: 3\nset: {release.wip: 40}\n",
        encoding="utf-8",
    )
    outcome = sim.size(scenario, "0.9 /h", out=tmp_path / "o")
    assert set(outcome.counts.values()) == {2}
    assert outcome.content["settings"]["replications"] == 3
    rerun = load_scenario(tmp_path / "o" / "scenario.yaml")
    assert {s.name: s.machines for s in rerun.line.stations} == outcome.counts
    assert rerun.line.release.wip == 40


def test_a_wide_interval_buys_replications_not_machines(tmp_path: Path) -> None:
    """One machine of exponential 1 h cycles makes 1 an hour, well above a target of 0.8;
    with 2 replications of 50 h its 95 % CI (t = 12.7) reaches far below 0.8. Sizing must
    add replications until the lower bound shows the target met, and keep one machine."""
    line = write_line(
        tmp_path, [{"name": "press", "process_time": {"dist": "exponential", "mean": 1}}]
    )
    outcome = sim.size(line, "0.8 /h", horizon=50, warmup=5, replications=2)
    assert outcome.counts == {"press": 1}
    assert outcome.content["settings"]["replications"] > 2
    assert any("replications:" in step for step in outcome.content["steps"])
    assert outcome.content["output"]["meets"] is True
