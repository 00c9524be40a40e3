"""Loading YAML files: every error names the file, the line, the YAML path and the fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sim.errors import ConfigError, ConfigErrors, LinesimError
from sim.model import load_line, load_scenario
from sim.model.units import SECONDS_PER

WriteLine = Callable[..., Path]
"""The ``write_line`` fixture (tests/model/conftest.py)."""

PRESS_LINE = 8
"""File line of the first line of station ``press``'s body in the template."""


def single_error(call: Callable[[], object]) -> ConfigError:
    """Run ``call``, expect a config error and return the only one raised."""
    with pytest.raises(LinesimError) as caught:
        call()
    error = caught.value
    if isinstance(error, ConfigErrors):
        assert len(error.errors) == 1, str(error)
        error = error.errors[0]
    assert isinstance(error, ConfigError)
    assert "\n" not in str(error)
    return error


def line_error(write_line: WriteLine, press: str) -> ConfigError:
    """Return the single error of loading the template line with station body ``press``."""
    path = write_line(press)
    error = single_error(lambda: load_line(path))
    assert error.file == str(path)
    return error


def test_unknown_key_names_path_suggestion_file_and_line(write_line: WriteLine) -> None:
    """A typo gets the dotted path, a suggestion, the file and its line number."""
    path = write_line("    process_time: 2\n    bufer: 5")
    error = single_error(lambda: load_line(path))
    assert error.path == "stations.press.bufer"
    assert error.line == PRESS_LINE + 1
    assert "did you mean 'buffer'" in error.message
    text = str(error)
    assert text.startswith(f"{path}:{PRESS_LINE + 1}:")
    assert "stations.press.bufer" in text


@pytest.mark.parametrize(
    ("press", "path", "words"),
    [
        (
            "    process_time: {dist: exponential, mean: 0}",
            "stations.press.process_time.mean",
            "greater than 0",
        ),
        (
            "    process_time: {dist: exponential, mean: '-3 min'}",
            "stations.press.process_time.mean",
            "greater than 0",
        ),
        ("    process_time: 2\n    scrap: 1.5", "stations.press.scrap", "less than or equal to 1"),
        ("    process_time: 2\n    scrap: -0.1", "stations.press.scrap", "greater than or equal"),
        ("    process_time: 2\n    scrap: 1", "stations.press.scrap", "never produce"),
        ("    process_time: 2\n    machines: 0", "stations.press.machines", "greater than"),
        (
            "    process_time: 2\n    failures: {mtbf: -5, mttr: 1}",
            "stations.press.failures.mtbf",
            "greater than 0",
        ),
        ("    process_time: {dist: poisson, mean: 2}", "stations.press.process_time", "poisson"),
        (
            "    process_time: {dist: uniform, low: 3, high: 2}",
            "stations.press.process_time",
            "low < high",
        ),
    ],
)
def test_bad_values_are_located(write_line: WriteLine, press: str, path: str, words: str) -> None:
    """Bad numbers are reported at their YAML path and line with what is allowed."""
    error = line_error(write_line, press)
    assert error.path == path
    assert words in error.message
    assert error.line is not None and error.line >= PRESS_LINE


def test_zero_constant_time_is_located(write_line: WriteLine) -> None:
    """A zero shorthand time is blamed on the station's process_time line."""
    error = line_error(write_line, "    process_time: 0")
    assert error.path.startswith("stations.press.process_time")
    assert error.line == PRESS_LINE
    assert "greater than 0" in error.message


def test_constant_shorthand_error_path_is_the_yaml_path(write_line: WriteLine) -> None:
    """The error path of ``process_time: -2`` is the path the user wrote."""
    error = line_error(write_line, "    process_time: -2")
    assert error.path == "stations.press.process_time"


def test_conwip_without_wip(write_line: WriteLine) -> None:
    """A CONWIP line without wip is one located error saying what to add."""
    text = "name: x\nrelease:\n  policy: conwip\nstations:\n  - name: a\n    process_time: 1\n"
    path = write_line(text=text)
    error = single_error(lambda: load_line(path))
    assert error.path == "release" and error.line in (2, 3)
    assert "wip: N" in error.message


def test_batch_larger_than_buffer(write_line: WriteLine) -> None:
    """A batch that cannot fit in its buffer is reported at the buffer."""
    text = (
        "name: x\nrelease: {policy: push}\nstations:\n  - name: a\n    process_time: 1\n"
        "  - name: oven\n    process_time: 4\n    buffer: 2\n    batch: {size: 6}\n"
    )
    path = write_line(text=text)
    error = single_error(lambda: load_line(path))
    assert (error.path, error.line) == ("stations.oven.buffer", 8)
    assert "buffer >= 6" in error.message


def test_yaml_syntax_error_has_line_number(write_line: WriteLine) -> None:
    """Unreadable YAML gives the line and column of the problem."""
    path = write_line(text="name: x\nrelease: {policy: push\nstations: []\n")
    error = single_error(lambda: load_line(path))
    assert error.file == str(path)
    assert error.line == 3
    assert error.message.startswith("not valid YAML")


@pytest.mark.parametrize("text", ["", "- 1\n- 2\n", "just text\n"])
def test_file_must_be_a_mapping(write_line: WriteLine, text: str) -> None:
    """An empty file, a list or a scalar is not a line."""
    path = write_line(text=text)
    assert "mapping" in single_error(lambda: load_line(path)).message


def test_not_utf8(write_line: WriteLine) -> None:
    """A binary file is reported as not UTF-8."""
    path = write_line(text="")
    path.write_bytes(b"name: \xff\xfe\n")
    assert "UTF-8" in single_error(lambda: load_line(path)).message


def test_missing_files(tmp_path: Path, write_scenario: Callable[[str], Path]) -> None:
    """A missing scenario file and a missing line file are both clear errors."""
    error = single_error(lambda: load_scenario(tmp_path / "nope.yaml"))
    assert error.file == str(tmp_path / "nope.yaml") and "not found" in error.message
    scenario = write_scenario("line: missing.yaml\nhorizon: 10\n")
    error = single_error(lambda: load_scenario(scenario))
    assert (error.file, error.path, error.line) == (str(scenario), "line", 1)
    assert "missing.yaml" in error.message and "not found" in error.message


def test_scenario_without_line(write_scenario: Callable[[str], Path]) -> None:
    """A scenario must say which line it runs."""
    error = single_error(lambda: load_scenario(write_scenario("horizon: 10\n")))
    assert error.path == "line"


def test_scenario_unknown_key(write_line: WriteLine, write_scenario: Callable[[str], Path]) -> None:
    """Typos in the scenario file are located and get a suggestion."""
    write_line()
    scenario = write_scenario("line: line.yaml\nhorizon: 10\nreplication: 3\n")
    error = single_error(lambda: load_scenario(scenario))
    assert (error.file, error.path, error.line) == (str(scenario), "replication", 3)
    assert "did you mean 'replications'" in error.message


def test_bad_time_unit(write_line: WriteLine) -> None:
    """time_unit must be one of the known units; the error lists what is accepted."""
    path = write_line(
        text="name: x\ntime_unit: fortnights\nrelease: {policy: push}\n"
        "stations: [{name: a, process_time: 1}]\n"
    )
    error = single_error(lambda: load_line(path))
    assert (error.path, error.line) == ("time_unit", 2)
    assert "s, min, h, d" in error.message and "hours" in error.message


@pytest.mark.parametrize(("spelling", "unit"), [("hours", "h"), ("mins", "min"), ("Sec", "s")])
def test_time_unit_spellings(write_line: WriteLine, spelling: str, unit: str) -> None:
    """``time_unit: hours`` (and mins, hrs, days, ...) is read as the unit it spells."""
    path = write_line(
        text=f"name: x\ntime_unit: {spelling}\nrelease: {{policy: push}}\n"
        "stations: [{name: a, process_time: '2 hrs'}]\n"
    )
    line = load_line(path)
    assert line.time_unit == unit
    assert line.stations[0].cycle_time.mean == pytest.approx(2 * 3600 / SECONDS_PER[unit])


@pytest.mark.parametrize(
    ("unit", "text", "expected"),
    [
        ("h", "45 s", 0.0125),
        ("h", "20 h", 20.0),
        ("h", "12 d", 288.0),
        ("min", "2 h", 120.0),
        ("s", "1.5 min", 90.0),
        ("d", "36 hours", 1.5),
        ("h", "3", 3.0),
        ("h", "1 w", 168.0),
    ],
)
def test_duration_strings_convert_to_the_line_unit(
    write_line: WriteLine, unit: str, text: str, expected: float
) -> None:
    """Durations with units are converted into the line's time_unit."""
    path = write_line(
        text=f"name: x\ntime_unit: {unit}\nrelease: {{policy: push}}\n"
        f"stations: [{{name: a, process_time: '{text}'}}]\n"
    )
    assert load_line(path).stations[0].cycle_time.mean == pytest.approx(expected)


@pytest.mark.parametrize("text", ["5 parsecs", "fast", "", "1 2 s", "s 5", "1e400x"])
def test_bad_duration_strings_are_rejected(write_line: WriteLine, text: str) -> None:
    """A string that is not a duration is a located error with an example of the format."""
    error = line_error(write_line, f"    process_time: '{text}'")
    assert error.line == PRESS_LINE
    assert "'45 s'" in error.message


def test_scenario_durations(write_line: WriteLine, write_scenario: Callable[[str], Path]) -> None:
    """Scenario horizon/warm-up take unit strings; command-line values override them."""
    write_line()
    scenario = write_scenario("line: line.yaml\nhorizon: 30 d\nwarmup: 90 min\n")
    loaded = load_scenario(scenario)
    assert (loaded.horizon, loaded.warmup) == (720.0, 1.5)
    loaded = load_scenario(scenario, horizon="2 d", warmup=5, replications=2, seed=7)
    assert (loaded.horizon, loaded.warmup, loaded.replications, loaded.seed) == (48, 5, 2, 7)


@pytest.mark.parametrize(
    ("keyword", "value"),
    [
        ("horizon", "0 h"),
        ("horizon", -1),
        ("horizon", "soon"),
        ("warmup", "-1 h"),
        ("replications", 0),
        ("seed", -1),
    ],
)
def test_bad_run_settings(
    write_line: WriteLine, write_scenario: Callable[[str], Path], keyword: str, value: Any
) -> None:
    """Bad command-line run settings are errors naming the flag, on the command line."""
    write_line()
    scenario = write_scenario("line: line.yaml\nhorizon: 10\n")
    error = single_error(lambda: load_scenario(scenario, **{keyword: value}))
    assert error.file is None and error.path == f"--{keyword}"
    assert str(error).startswith(f"<command line>: --{keyword}: ")


@pytest.mark.parametrize(
    ("keyword", "value"),
    [
        ("replications", 1_000_000_000),
        ("replications", 2.5),
        ("seed", 2**64),
        ("horizon", "1e309 h"),
        ("horizon", 10**400),
        ("warmup", float("inf")),
        ("horizon", "2000 y"),
    ],
)
def test_run_settings_meet_the_file_bounds(
    write_line: WriteLine, write_scenario: Callable[[str], Path], keyword: str, value: Any
) -> None:
    """Command-line settings go through the scenario model: the file's 100,000-replication
    limit and the range of every number hold for them too (was MemoryError, OverflowError or
    a run that never ends)."""
    write_line()
    scenario = write_scenario("line: line.yaml\nhorizon: 10\n")
    error = single_error(lambda: load_scenario(scenario, **{keyword: value}))
    assert error.path == f"--{keyword}"


@pytest.mark.parametrize("horizon", ["-5", "0", "10 parsecs"])
def test_bad_scenario_horizon(
    write_line: WriteLine, write_scenario: Callable[[str], Path], horizon: str
) -> None:
    """A bad horizon in the scenario file is located there."""
    write_line()
    scenario = write_scenario(f"line: line.yaml\nhorizon: {horizon}\n")
    error = single_error(lambda: load_scenario(scenario))
    assert (error.file, error.path, error.line) == (str(scenario), "horizon", 2)


@pytest.mark.parametrize("where", ["scenario", "line"])
def test_infinite_durations_are_rejected(
    write_line: WriteLine, write_scenario: Callable[[str], Path], where: str
) -> None:
    """``.inf`` is no usable time: a horizon that never ends, a job that never finishes."""
    write_line("    process_time: .inf" if where == "line" else "    process_time: 2")
    scenario = write_scenario(f"line: line.yaml\nhorizon: {'.inf' if where == 'scenario' else 5}\n")
    single_error(lambda: load_scenario(scenario))


def test_duplicate_keys_are_rejected(write_line: WriteLine) -> None:
    """Writing a key twice is almost always a mistake."""
    error = line_error(write_line, "    process_time: 2\n    process_time: 3")
    assert error.path == "stations.press.process_time"


def test_distribution_key_typo_gets_a_suggestion(write_line: WriteLine) -> None:
    """``maen`` in an exponential suggests ``mean``."""
    path = write_line("    process_time: {dist: exponential, maen: 2}")
    with pytest.raises(ConfigErrors, match="did you mean 'mean'"):
        load_line(path)
