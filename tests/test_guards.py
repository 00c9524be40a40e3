"""Guards against bad input and runaway runs: each test triggers one guard.

Loading: YAML bombs, deep nesting, oversized files, folders and devices given as files,
billion-machine stations, scenario references leaving the project. Running: the event
bound, CONWIP levels past it, deadlocks. Results: a folder never mixes two scenarios.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.engine import simulate
from sim.errors import ConfigError, ConfigErrors, LinesimError, RunError
from sim.model import Line, load_line, load_scenario
from sim.model.loader import MAX_FILE_BYTES, project_folder
from sim.report.results import scenario_hash

ROOT = Path(__file__).resolve().parent.parent
PENNY_LINE = ROOT / "configs" / "penny_fab.yaml"
PENNY = ROOT / "scenarios" / "penny_fab.yaml"


def only_error(call: object) -> ConfigError:
    """Run ``call()``, expect exactly one ConfigError and return it."""
    with pytest.raises(LinesimError) as caught:
        call()  # type: ignore[operator]
    error = caught.value
    if isinstance(error, ConfigErrors):
        assert len(error.errors) == 1, str(error)
        error = error.errors[0]
    assert isinstance(error, ConfigError)
    return error


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run ``linesim ARGS``; return the status and stderr."""
    status = main(list(args))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return status, captured.err


# ----------------------------------------------------------------- loading


def billion_laughs(levels: int = 9) -> str:
    """The classic YAML bomb: 9 levels of 9 aliases expand to 9^9 = 387 million nodes."""
    rows = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        aliases = ", ".join([f"*a{level - 1}"] * 9)
        rows.append(f"a{level}: &a{level} [{aliases}]")
    return "\n".join(rows) + "\n"


def test_yaml_bomb_is_refused_quickly(tmp_path: Path) -> None:
    """Aliases that expand exponentially are refused in well under a second or two."""
    path = tmp_path / "bomb.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    start = time.perf_counter()
    error = only_error(lambda: load_line(path))
    assert time.perf_counter() - start < 5
    assert error.file == str(path)
    assert "200,000 nodes (aliases expanded)" in error.message


def test_yaml_bomb_in_a_scenario_is_refused(tmp_path: Path) -> None:
    """The same bomb in a scenario file (under its line key) is refused the same way."""
    (tmp_path / "line.yaml").write_text(PENNY_LINE.read_text(), encoding="utf-8")
    path = tmp_path / "scenario.yaml"
    path.write_text("line: line.yaml\nhorizon: 5\n" + billion_laughs(), encoding="utf-8")
    assert "nodes" in only_error(lambda: load_scenario(path)).message


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 5000 + "]" * 5000 + "\n",
        "".join(" " * i + "k:\n" for i in range(2000)),
        "a: " + "[" * 60 + "]" * 60 + "\n",
    ],
    ids=["flow-5000", "block-2000", "flow-60"],
)
def test_deep_nesting_is_refused(tmp_path: Path, text: str) -> None:
    """Nesting past the recursion limit (or past any line's needs) is an error, not a crash."""
    path = tmp_path / "deep.yaml"
    path.write_text(text, encoding="utf-8")
    error = only_error(lambda: load_line(path))
    assert "nests deeper than 50 levels" in error.message


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    """A file over the size bound is refused before it is read."""
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    assert "byte limit" in only_error(lambda: load_line(path)).message


def test_billion_machines_are_refused(tmp_path: Path) -> None:
    """A billion machines is a typing error, refused at its YAML path."""
    path = tmp_path / "line.yaml"
    path.write_text(
        PENNY_LINE.read_text().replace(
            "  - name: rimming\n", "  - name: rimming\n    machines: 1000000000\n"
        ),
        encoding="utf-8",
    )
    error = only_error(lambda: load_line(path))
    assert error.path == "stations.rimming.machines"
    assert "less than or equal to 100000" in error.message


def test_folder_as_file_is_refused(tmp_path: Path) -> None:
    """A folder given as the line (``line: .``) is a clear error, not IsADirectoryError."""
    assert "not a regular file" in only_error(lambda: load_line(tmp_path)).message
    path = tmp_path / "scenario.yaml"
    path.write_text("line: .\nhorizon: 5\n", encoding="utf-8")
    assert "not a regular file" in only_error(lambda: load_scenario(path)).message


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_device_as_line_is_refused_at_once(tmp_path: Path) -> None:
    """``line: /dev/zero`` (endless, of size 0) is refused instead of read forever."""
    path = tmp_path / "scenario.yaml"
    path.write_text("line: /dev/zero\nhorizon: 5\n", encoding="utf-8")
    assert "not a regular file" in only_error(lambda: load_scenario(path)).message


def make_project(tmp_path: Path) -> Path:
    """A project folder (with pyproject.toml) holding configs/line.yaml; return its root."""
    project = tmp_path / "project"
    (project / "configs").mkdir(parents=True)
    (project / "scenarios").mkdir()
    (project / "pyproject.toml").write_text("", encoding="utf-8")
    (project / "configs" / "line.yaml").write_text(PENNY_LINE.read_text(), encoding="utf-8")
    (tmp_path / "outside.yaml").write_text(PENNY_LINE.read_text(), encoding="utf-8")
    return project


def test_scenario_may_not_leave_its_project(tmp_path: Path) -> None:
    """``line: ../../outside.yaml`` is refused at the line key; inside and absolute are fine."""
    project = make_project(tmp_path)
    scenario = project / "scenarios" / "s.yaml"
    scenario.write_text("horizon: 5\nline: ../../outside.yaml\n", encoding="utf-8")
    error = only_error(lambda: load_scenario(scenario))
    assert (error.file, error.path, error.line) == (str(scenario), "line", 2)
    assert "outside the project folder" in error.message and str(project) in error.message
    assert "absolute path" in error.message
    scenario.write_text("horizon: 5\nline: ../configs/line.yaml\n", encoding="utf-8")
    assert load_scenario(scenario).line.name == "penny-fab"
    scenario.write_text(f"horizon: 5\nline: {tmp_path / 'outside.yaml'}\n", encoding="utf-8")
    assert load_scenario(scenario).line.name == "penny-fab"


def test_symlink_out_of_the_project_is_refused(tmp_path: Path) -> None:
    """A link inside the project that points outside it does not open a way out."""
    project = make_project(tmp_path)
    (project / "configs" / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    scenario = project / "scenarios" / "s.yaml"
    scenario.write_text("line: ../configs/link.yaml\nhorizon: 5\n", encoding="utf-8")
    assert "outside the project folder" in only_error(lambda: load_scenario(scenario)).message


def test_lever_file_may_not_leave_its_project(tmp_path: Path) -> None:
    """The lever file a scenario names is held to the same rule."""
    project = make_project(tmp_path)
    (tmp_path / "levers.yaml").write_text("levers: {}\n", encoding="utf-8")
    scenario = project / "scenarios" / "s.yaml"
    scenario.write_text(
        "line: ../configs/line.yaml\nhorizon: 5\nlever_file: ../../levers.yaml\nlevers: [faster]\n",
        encoding="utf-8",
    )
    error = only_error(lambda: load_scenario(scenario))
    assert (error.path, error.line) == ("lever_file", 3)
    assert "outside the project folder" in error.message


def test_project_folder(tmp_path: Path) -> None:
    """The nearest folder with pyproject.toml or .git, else the scenario folder's parent."""
    assert project_folder(PENNY) == ROOT
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert project_folder(tmp_path / "a" / "b" / "s.yaml") in (tmp_path / "a", *tmp_path.parents)
    (tmp_path / "a" / ".git").mkdir()
    assert project_folder(tmp_path / "a" / "b" / "s.yaml") == tmp_path / "a"


# ----------------------------------------------------------------- running


def test_event_bound_stops_a_runaway_run() -> None:
    """A horizon of 900 years (4 M lots) stops at a bound of 20,000 events, with the fix
    named."""
    line = load_line(PENNY_LINE)
    with pytest.raises(
        RunError,
        match=r"stopped after [\d,]+ events .* raise --max-events "
        r"or shorten the horizon",
    ):
        simulate(line, 900 * 8760.0, 0.0, 1, 0, max_events=20_000)


def test_event_bound_holds_when_time_hardly_moves() -> None:
    """Cycles of about 1e-300 h: a million events pass in no simulated time, and the bound
    (counted per event, not per time step) still stops the run at exactly its value."""
    tiny = {"dist": "uniform", "low": 0, "high": 1e-300}
    line = load_line(
        PENNY_LINE,
        {
            f"stations.{name}.process_time": tiny
            for name in ("head-stamping", "tail-stamping", "rimming", "deburring")
        },
    )
    start = time.perf_counter()
    with pytest.raises(RunError, match="stopped after 50,000 events at t = "):
        simulate(line, 1000.0, 0.0, 1, 0, max_events=50_000)
    assert time.perf_counter() - start < 5


def test_event_bound_does_not_change_results() -> None:
    """The guard only reads the event counter: the same observations with or without it."""
    line = load_line(PENNY_LINE)
    free = simulate(line, 500.0, 50.0, 3, 1)
    guarded = simulate(line, 500.0, 50.0, 3, 1, max_events=10**9)
    assert guarded.stations == free.stations
    assert (guarded.good, guarded.flow_sum, guarded.wip_area) == (
        free.good,
        free.flow_sum,
        free.wip_area,
    )
    assert guarded.exits_per_bin == free.exits_per_bin


def test_conwip_level_past_the_bound() -> None:
    """Ten million CONWIP jobs are refused before they are made, under an event bound."""
    line = load_line(PENNY_LINE, {"release.wip": 10_000_000})
    with pytest.raises(RunError, match="CONWIP puts 10,000,000 jobs"):
        simulate(line, 5.0, 0.0, 1, 0, max_events=1_000_000)


def test_max_events_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``linesim run --max-events`` stops a long run with exit status 2 and one message."""
    status, err = run_cli(
        capsys,
        "run",
        str(PENNY),
        "--quiet",
        "--replications",
        "1",
        "--max-events",
        "5000",
        "--out",
        str(tmp_path / "out"),
    )
    assert status == 2
    assert "stopped after" in err and "raise --max-events" in err
    status, err = run_cli(
        capsys, "run", str(PENNY), "--quiet", "--max-events", "0", "--out", str(tmp_path / "out")
    )
    assert status == 2 and "--max-events must be >= 1" in err


DEADLOCK_LINE = """\
name: stuck
release: {policy: push}
materials:
  powder: {unit: kg}
  filled: {unit: pcs, buffer: 100}
  cell: {unit: pcs}
stations:
  - name: filling
    inputs: {powder: 1}
    output: {filled: 1}
    process_time: 0.1
    lot: 10
  - name: closing
    inputs: {filled: 1}
    output: {cell: 1}
    process_time: 0.1
    shifts: []
"""


def test_never_staffed_station_is_refused_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``shifts: []`` can never run: the load check refuses it (exit 2, path named)."""
    (tmp_path / "line.yaml").write_text(DEADLOCK_LINE, encoding="utf-8")
    scenario = tmp_path / "s.yaml"
    scenario.write_text("line: line.yaml\nhorizon: 50\nreplications: 1\n", encoding="utf-8")
    status, err = run_cli(
        capsys, "run", str(scenario), "--quiet", "--no-plots", "--out", str(tmp_path / "out")
    )
    assert status == 2
    assert "stations.closing.shifts" in err and "never" in err


def test_deadlock_at_run_time_names_the_waiting_stations() -> None:
    """Past the load checks (model built directly), the engine still reports a line that
    stops while work waits, naming the stations, instead of returning zero output."""
    line = Line.model_validate(yaml.safe_load(DEADLOCK_LINE), context={"time_unit": "h"})
    with pytest.raises(RunError) as caught:
        simulate(line, 50.0)
    assert "line 'stuck' deadlocked before t = 50" in str(caught.value)
    assert "filling: 1 machine(s) blocked by a full filled" in str(caught.value)


# ----------------------------------------------------------------- results folders


def test_results_folder_records_the_scenario_and_keeps_the_previous_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """summary.json holds the scenario hash; a rerun into the same --out with other
    settings works and keeps the previous run aside in DIR.previous, unmixed."""
    out = tmp_path / "out"
    args = [
        "run",
        str(PENNY),
        "--quiet",
        "--no-plots",
        "--replications",
        "1",
        "--horizon",
        "50",
        "--warmup",
        "0",
        "--out",
        str(out),
    ]
    assert run_cli(capsys, *args)[0] == 0
    recorded = json.loads((out / "summary.json").read_text())["scenario_hash"]
    scenario = load_scenario(PENNY, replications=1, horizon=50, warmup=0)
    assert recorded == scenario_hash(scenario) and len(recorded) == 64
    status, err = run_cli(capsys, *args, "--set", "release.wip=3")
    assert status == 0, err
    new = json.loads((out / "summary.json").read_text())
    assert new["scenario_hash"] != recorded and new["overrides"] == {"release.wip": 3}
    previous = out.with_name("out.previous")
    assert json.loads((previous / "summary.json").read_text())["scenario_hash"] == recorded
    assert sorted(p.name for p in out.iterdir()) == sorted([*new["files"], "summary.json"])
    hidden = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert hidden == [".out.lock"]  # the lock's empty file (an OS lock, released)


def test_scenario_hash_depends_on_what_runs() -> None:
    """Different settings or overrides give different hashes; the name does not count."""
    base = load_scenario(PENNY)
    assert scenario_hash(base) == scenario_hash(load_scenario(PENNY))
    for changed in (
        load_scenario(PENNY, seed=2),
        load_scenario(PENNY, replications=3),
        load_scenario(PENNY, horizon=10),
        load_scenario(PENNY, warmup=1),
        load_scenario(PENNY, {"stations.rimming.machines": 2}),
    ):
        assert scenario_hash(changed) != scenario_hash(base)


def test_results_folder_of_unknown_origin_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder holding other files and no summary.json is not a run: refused before
    simulating, and left as it was."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "stations.csv").write_text("old\n", encoding="utf-8")
    status, err = run_cli(
        capsys,
        "run",
        str(PENNY),
        "--quiet",
        "--no-plots",
        "--replications",
        "1",
        "--horizon",
        "20",
        "--out",
        str(out),
    )
    assert status == 2 and f"--out {out} holds files that are not a linesim run" in err
    assert [p.name for p in out.iterdir()] == ["stations.csv"]
    assert (out / "stations.csv").read_text() == "old\n"


def test_memory_bound_stops_the_run_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bound below what the interpreter already holds (1 MB) stops the first long enough
    replication with a clear message naming the bound and the option, exit 2."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        f"line: {ROOT / 'configs' / 'penny_fab.yaml'}\nhorizon: 2000000\nreplications: 1\n",
        encoding="utf-8",
    )
    status, err = run_cli(
        capsys,
        "run",
        str(scenario),
        "--quiet",
        "--no-plots",
        "--jobs",
        "1",
        "--max-memory",
        "1",
        "--out",
        str(tmp_path / "out"),
    )
    assert status == 2
    assert "over the bound of 1 MB" in err and "--max-memory" in err


@settings(max_examples=200, deadline=None)
@given(
    horizon=st.floats(1e-300, 1e300, allow_nan=False, allow_infinity=False),
    warmup=st.sampled_from([0.0, 1e-300, 1.0, 2000.0, 8.76e6]),
)
def test_any_positive_window_loads_schedulable_or_is_a_located_error(
    horizon: float, warmup: float
) -> None:
    """Every positive horizon either gives a window SimPy can schedule (its end lies after
    the warm-up in floating point, at most 1000 years long) or a located error naming it."""
    try:
        scenario = load_scenario(PENNY, horizon=horizon, warmup=warmup, replications=1)
    except ConfigErrors as errors:
        assert errors.errors and all(e.path in ("--horizon", "--warmup") for e in errors.errors)
        return
    end = scenario.warmup + scenario.horizon
    assert end > scenario.warmup and scenario.horizon > 0
    assert scenario.horizon <= 1000 * 8784  # at most 1000 years of the line's hours


@pytest.mark.parametrize(
    ("config", "horizon"),
    [("penny_fab.yaml", 4000.0), ("cell_assembly_serial.yaml", 6000.0)],
)
def test_the_work_estimate_bounds_the_events_from_above(config: str, horizon: float) -> None:
    """The estimate counts every clock as if each machine ran all the time, so it lies
    above the events the engine schedules, and within a small factor of them (a guard
    that refuses hours must not refuse minutes)."""
    from sim.experiment.guards import expected_events

    line = load_line(ROOT / "configs" / config)
    estimate, _ = expected_events(line, horizon)
    ran = simulate(line, horizon, 0.0, seed=1).events
    assert ran <= estimate <= 4 * ran


@pytest.mark.parametrize("command", ["run", "compare"])
def test_work_estimated_over_the_limit_is_refused_unless_allowed(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """999 years of the reference line (19 h of CPU a replication) are refused before they
    start, naming the estimate and --allow-long; the flag lets the check pass."""
    from sim.errors import RunError as Refused
    from sim.experiment import guards

    baseline = str(ROOT / "scenarios" / "baseline.yaml")
    files = [baseline] if command == "run" else [baseline, str(ROOT / "scenarios" / "smart.yaml")]
    horizon = "999 y"
    args = [command, *files, "--horizon", horizon, "--quiet", "--out", str(tmp_path / "o")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "of CPU" in err and "--allow-long" in err
    assert not (tmp_path / "o").exists()
    # allowed, the check passes (the run itself is not waited for: the check is all)
    with guards.long_runs(True):
        guards.check_work(guards.WorkEstimate(1e12, "a clock"))
    with pytest.raises(Refused, match="allow-long"):
        guards.check_work(guards.WorkEstimate(1e12, "a clock"))


def test_a_long_run_says_how_long_before_it_starts(caplog: pytest.LogCaptureFixture) -> None:
    """Work between 2 min and 2 h of CPU runs, and first says its estimate (a warning of
    the "linesim" logger, on stderr when nothing else is configured)."""
    from sim.experiment import guards

    with caplog.at_level("WARNING", logger="linesim"):
        guards.check_work(guards.WorkEstimate(1e8, "lots finished at press"), workers=2)
        guards.check_work(guards.WorkEstimate(1e3, "lots finished at press"))
    assert [r.getMessage() for r in caplog.records] == [
        "this will take about 8 min of CPU (4 min on 2 workers), 100 M events (most of them "
        "from lots finished at press)"
    ]
