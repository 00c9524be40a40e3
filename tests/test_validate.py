"""``linesim validate``: every error located with its value, warnings, exit status 0 or 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import ConfigErrors
from sim.model import load_line, load_scenario
from sim.model.warnings import line_warnings, scenario_warnings

ROOT = Path(__file__).resolve().parent.parent
BAD_LINE = """\
name: bad
release: {policy: push, interarrival: {dist: exponential, mean: 1}}
stations:
  - name: press
    process_time: -2
    bufer: 3
  - name: oven
    machines: 0
    process_time: {dist: exponential, mean: 2}
    scrap: 1.5
"""
"""A line with four errors on file lines 5, 6, 8 and 10."""
SLOW_LINE = """\
name: slow
release: {policy: push, interarrival: {dist: exponential, mean: 1}}
stations:
  - name: press
    process_time: 2
  - name: oven
    buffer: 10
    batch: {size: 20, min: 5}
    process_time: 8
"""
"""A valid line whose press gets twice what it can do and whose oven never fills."""


def validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``linesim validate ARGS``; return status, stdout and stderr."""
    status = main(["validate", *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return status, captured.out, captured.err


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_files_are_valid(capsys: pytest.CaptureFixture[str]) -> None:
    """Every shipped line, scenario, lever and comparison file passes (exit 0)."""
    files = sorted(str(p) for d in ("configs", "scenarios") for p in (ROOT / d).glob("*.yaml"))
    status, out, err = validate(capsys, *files)
    assert status == 0, err
    assert "error" not in err
    for file in files:
        assert f"ok: {file}" in out


def test_every_error_is_printed_with_location_and_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """All four errors of a line, each with file:line:col, dotted path, value and rule."""
    path = write(tmp_path, "line.yaml", BAD_LINE)
    status, out, err = validate(capsys, str(path))
    assert status == 2 and "ok:" not in out
    lines = err.strip().splitlines()
    assert len(lines) == 4, err
    expected = [
        (f"{path}:5:5: stations.press.process_time:", "greater than 0", "(got -2"),
        (f"{path}:6:5: stations.press.bufer:", "did you mean 'buffer'", "(got 3)"),
        (f"{path}:8:5: stations.oven.machines:", "greater than or equal to 1", "(got 0)"),
        (f"{path}:10:5: stations.oven.scrap:", "less than or equal to 1", "(got 1.5)"),
    ]
    for line, (where, allowed, given) in zip(lines, expected, strict=True):
        assert line.startswith(f"error: {where}")
        assert allowed in line and given in line


def test_scenario_errors_and_its_line_and_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad scenario key does not hide the errors of its set: overrides."""
    write(tmp_path, "ok.yaml", SLOW_LINE)
    scenario = write(
        tmp_path,
        "s.yaml",
        "line: ok.yaml\nhorizon: 10\nreplication: 3\nset: {stations.press.machines: -1}\n",
    )
    status, _out, err = validate(capsys, str(scenario))
    assert status == 2
    assert f"{scenario}:3:1: replication: unknown key 'replication'" in err
    assert "did you mean 'replications'" in err
    assert f"{scenario}:4:7: set.stations.press.machines:" in err and "(got -1)" in err


def test_scenario_with_bad_line_reports_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Errors in the scenario and in the line it names are all printed."""
    write(tmp_path, "line.yaml", BAD_LINE)
    scenario = write(tmp_path, "s.yaml", "line: line.yaml\nhorizon: -10\n")
    status, _out, err = validate(capsys, str(scenario))
    assert status == 2
    assert f"{scenario}:2:1: horizon:" in err
    assert len([line for line in err.splitlines() if "line.yaml:" in line]) == 4


def test_command_line_overrides_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--set`` values are applied and blamed on the command line."""
    path = write(tmp_path, "ok.yaml", SLOW_LINE)
    status, _out, err = validate(capsys, str(path), "--set", "stations.press.scrap=2")
    assert status == 2
    assert "<command line>: --set stations.press.scrap:" in err and "(got 2)" in err


def test_warnings_keep_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Suspicious values are warnings: printed, and the file is still ok."""
    path = write(tmp_path, "ok.yaml", SLOW_LINE)
    status, out, err = validate(capsys, str(path))
    assert status == 0 and f"ok: {path}" in out
    assert "warning:" in err and "stations.press: static utilisation 2 > 1" in err
    assert "stations.oven.batch: a batch of size 20 can never fill" in err


def test_several_files_exit_2_if_any_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Good files print ok, bad ones their errors; one bad file makes the exit status 2."""
    good = write(tmp_path, "ok.yaml", SLOW_LINE)
    bad = write(tmp_path, "bad.yaml", "name: [\n")
    status, out, err = validate(capsys, str(good), str(bad), str(tmp_path / "none.yaml"))
    assert status == 2
    assert f"ok: {good}" in out
    assert f"{bad}:" in err and "not valid YAML" in err
    assert "none.yaml: file not found" in err


def test_warnings_utilisation_only_for_serial_push_with_arrivals() -> None:
    """A closed or raw-material-driven line never warns about utilisation."""
    penny = load_line(ROOT / "configs" / "penny_fab.yaml")
    assert line_warnings(penny) == []
    overloaded = load_line(
        ROOT / "configs" / "penny_fab.yaml",
        {"release": {"policy": "push", "interarrival": {"dist": "exponential", "mean": 1.9}}},
    )
    assert [w.split(":")[0] for w in line_warnings(overloaded)] == ["stations.head-stamping"]
    fine = load_line(
        ROOT / "configs" / "penny_fab.yaml", {"release": {"policy": "push", "interarrival": 2.1}}
    )
    assert line_warnings(fine) == []


def test_warning_shifts_reduce_capacity(tmp_path: Path) -> None:
    """A station staffed half the day has half the capacity in the static check."""
    path = write(
        tmp_path,
        "line.yaml",
        SLOW_LINE.replace("process_time: 2", "process_time: 0.7\n    shifts: [day]")
        + "shifts: [{name: day, start: 0, length: 12}]\n",
    )
    warnings = line_warnings(load_line(path))
    assert any(w.startswith("stations.press: static utilisation 1.4") for w in warnings)


def test_warning_batch_never_starts_in_conwip(tmp_path: Path) -> None:
    """A batch larger than the CONWIP level never fills."""
    path = write(
        tmp_path,
        "line.yaml",
        "name: x\nrelease: {policy: conwip, wip: 5}\n"
        "stations:\n  - {name: a, process_time: 1}\n"
        "  - {name: oven, process_time: 4, batch: {size: 8, min: 2}}\n",
    )
    assert [w.split(":")[0] for w in line_warnings(load_line(path))] == ["stations.oven.batch"]


def test_warning_general_batch_never_fills() -> None:
    """An oven load larger than its buffer plus the lot held upstream never fills."""
    line = load_line(
        ROOT / "configs" / "prismatic_lfp_300mah.yaml",
        {"stations.cell-bake.batch.size": 5000, "stations.cell-bake.batch.min": 2000},
    )
    warnings = line_warnings(line)
    assert len(warnings) == 1
    assert warnings[0].startswith("stations.cell-bake.batch: a batch of size 5000 can never")
    assert "at most 4048 cycles of cell-sealed" in warnings[0]
    assert "materials.cell-sealed.buffer" in warnings[0]


def test_warning_warmup_shorter_than_the_slowest_step() -> None:
    """A warm-up shorter than room aging (10 d) measures an unfilled line."""
    baseline = ROOT / "scenarios" / "baseline.yaml"
    assert scenario_warnings(load_scenario(baseline)) == []
    warnings = scenario_warnings(load_scenario(baseline, warmup="5 d"))
    assert len(warnings) == 1
    assert warnings[0].startswith("warmup: 120 h is shorter than the delay time of 'aging-room'")


def test_a_ramp_up_without_warmup_is_not_warned() -> None:
    """A ramp-up run measures the line from its start on purpose: no warm-up warning."""
    assert scenario_warnings(load_scenario(ROOT / "scenarios" / "ramp_up.yaml")) == []


def test_warning_batch_slower_to_fill_than_the_run() -> None:
    """A batch minimum that the stations before it cannot deliver within the run."""
    scenario = load_scenario(
        ROOT / "scenarios" / "cell_assembly_serial.yaml",
        horizon="30 min",
        warmup="30 min",
        overrides={"stations.vacuum-bake.batch.min": 2000},
    )
    warnings = scenario_warnings(scenario)
    assert any(
        w.startswith("stations.vacuum-bake.batch: collecting the minimum batch of 2000")
        for w in warnings
    ), warnings


def test_never_staffed_station_is_an_error() -> None:
    """``shifts: []`` would never work: the load check refuses it, naming the path."""
    with pytest.raises(ConfigErrors) as caught:
        load_line(ROOT / "configs" / "penny_fab.yaml", {"stations.rimming.shifts": []})
    assert any(e.path == "stations.rimming.shifts" for e in caught.value.errors)
