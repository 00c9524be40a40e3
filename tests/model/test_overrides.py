"""Dotted overrides: ``set:`` in a scenario file and ``--set`` on the command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sim.errors import ConfigError, ConfigErrors, LinesimError
from sim.model import load_line, load_scenario
from sim.model.overrides import apply_overrides, parse_assignment

WriteLine = Callable[..., Path]
"""The ``write_line`` fixture (tests/model/conftest.py)."""

RAW: dict[str, Any] = {
    "release": {"policy": "conwip", "wip": 4},
    "stations": [
        {"name": "press", "process_time": 2},
        {"name": "oven", "process_time": {"dist": "exponential", "mean": 2}},
    ],
}


def the_error(caught: pytest.ExceptionInfo[LinesimError]) -> ConfigError:
    """Return the single config error held by ``caught``."""
    error = caught.value
    if isinstance(error, ConfigErrors):
        assert len(error.errors) == 1, str(error)
        error = error.errors[0]
    assert isinstance(error, ConfigError)
    return error


@pytest.mark.parametrize(
    ("text", "path", "value"),
    [
        ("stations.press.machines=2", "stations.press.machines", 2),
        ("release.wip = 8", "release.wip", 8),
        ("stations.press.scrap=0.1", "stations.press.scrap", 0.1),
        ("stations.press.process_time=45 s", "stations.press.process_time", "45 s"),
        (
            "stations.press.process_time={dist: exponential, mean: 3}",
            "stations.press.process_time",
            {"dist": "exponential", "mean": 3},
        ),
        ("stations.press.buffer=null", "stations.press.buffer", None),
        ("name=a=b", "name", "a=b"),
    ],
)
def test_parse_assignment(text: str, path: str, value: Any) -> None:
    """``PATH=VALUE`` splits at the first ``=`` and reads the value as YAML."""
    assert parse_assignment(text) == (path, value)


@pytest.mark.parametrize("text", ["stations.press.machines", "=2", "  =2"])
def test_parse_assignment_rejects_non_assignments(text: str) -> None:
    """Text without a path and ``=`` says how to write an override."""
    with pytest.raises(ConfigError, match="PATH=VALUE"):
        parse_assignment(text)


def test_parse_assignment_rejects_bad_yaml() -> None:
    """A value that is not YAML is an error, not a traceback."""
    with pytest.raises(ConfigError, match="not valid YAML"):
        parse_assignment("stations.press.process_time={dist: [")


def test_apply_overrides_by_station_name_and_index() -> None:
    """Stations are addressed by name (or index); the input is left unchanged."""
    result = apply_overrides(
        RAW,
        {
            "stations.press.machines": 3,
            "stations.1.scrap": 0.2,
            "stations.oven.process_time.mean": 5,
            "stations.press.failures.mtbf": 10,
            "release.wip": 9,
        },
    )
    press, oven = result["stations"]
    assert press == {"name": "press", "process_time": 2, "machines": 3, "failures": {"mtbf": 10}}
    assert oven["scrap"] == 0.2 and oven["process_time"]["mean"] == 5
    assert result["release"]["wip"] == 9
    assert RAW["stations"][0] == {"name": "press", "process_time": 2}
    assert RAW["release"]["wip"] == 4


def test_apply_overrides_replaces_a_whole_station() -> None:
    """A path ending at a list entry replaces that entry."""
    result = apply_overrides(RAW, {"stations.oven": {"name": "oven", "process_time": 1}})
    assert result["stations"][1] == {"name": "oven", "process_time": 1}


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("stations.nope.machines", "no entry named 'nope'"),
        ("stations.nope", "no entry named 'nope'"),
        ("stations.7.machines", "no entry named '7'"),
        ("stations.press.process_time.mean", "not a mapping"),
        ("stations.press.process_time.mean.x", "not a mapping"),
        ("stations..machines", "empty part"),
    ],
)
def test_apply_overrides_errors(path: str, words: str) -> None:
    """Unknown stations, sub-keys of a scalar and empty parts are clear errors."""
    with pytest.raises(ConfigError, match=words) as caught:
        apply_overrides(RAW, {path: 1}, file="scenario.yaml")
    assert caught.value.path == path
    assert caught.value.file == "scenario.yaml"


def test_unknown_station_lists_known_ones() -> None:
    """The error names the stations that exist."""
    with pytest.raises(ConfigError, match="known: press, oven"):
        apply_overrides(RAW, {"stations.nope.machines": 2})


def scenario_with_set(
    write_line: WriteLine, write_scenario: Callable[[str], Path], overrides: str
) -> Path:
    """Write the template line and a scenario whose ``set:`` block is ``overrides``."""
    write_line()
    return write_scenario(f"line: line.yaml\nhorizon: 10\nset:\n{overrides}")


def test_file_set_then_cli_set(
    write_line: WriteLine, write_scenario: Callable[[str], Path]
) -> None:
    """The scenario's ``set:`` applies first and the command line wins over it."""
    path = scenario_with_set(
        write_line, write_scenario, "  release.wip: 6\n  stations.press.machines: 2\n"
    )
    scenario = load_scenario(path)
    assert scenario.line.release.wip == 6 and scenario.line.station("press").machines == 2
    scenario = load_scenario(path, {"release.wip": 9, "stations.oven.process_time.mean": "3 h"})
    assert scenario.line.release.wip == 9
    assert scenario.line.station("press").machines == 2
    assert scenario.line.station("oven").cycle_time.mean == 3.0
    assert scenario.overrides == {
        "release.wip": 9,
        "stations.press.machines": 2,
        "stations.oven.process_time.mean": "3 h",
    }


def test_load_line_overrides(write_line: WriteLine) -> None:
    """``load_line`` applies overrides too."""
    line = load_line(write_line(), {"stations.press.process_time": "30 min"})
    assert line.station("press").cycle_time.mean == 0.5


def test_cli_override_to_bad_value_blames_the_command_line(write_line: WriteLine) -> None:
    """An invalid overridden value is reported for the command line, not the file."""
    with pytest.raises(LinesimError) as caught:
        load_line(write_line(), {"stations.press.machines": 0})
    error = the_error(caught)
    assert (error.file, error.line, error.path) == (None, None, "stations.press.machines")
    assert str(error).startswith("<command line>: --set stations.press.machines:")


def test_file_override_to_bad_value_blames_the_set_line(
    write_line: WriteLine, write_scenario: Callable[[str], Path]
) -> None:
    """An invalid value from ``set:`` is located at that ``set:`` line of the scenario."""
    path = scenario_with_set(
        write_line, write_scenario, "  release.wip: 4\n  stations.press.scrap: 1.5\n"
    )
    with pytest.raises(LinesimError) as caught:
        load_scenario(path)
    error = the_error(caught)
    assert (error.file, error.line) == (str(path), 5)
    assert error.path == "set.stations.press.scrap"


def test_scalar_shorthand_has_no_sub_keys(
    write_line: WriteLine, write_scenario: Callable[[str], Path]
) -> None:
    """``process_time: 2`` then ``.mean`` is an error from the file and from the CLI."""
    path = scenario_with_set(write_line, write_scenario, "  stations.press.process_time.mean: 3\n")
    with pytest.raises(LinesimError) as caught:
        load_scenario(path)
    error = the_error(caught)
    assert error.file == str(path)
    assert "stations.press.process_time" in error.path
    assert "not a mapping" in error.message
    write_scenario("line: line.yaml\nhorizon: 10\n")
    with pytest.raises(LinesimError) as caught:
        load_scenario(path, {"stations.press.process_time.mean": 3})
    error = the_error(caught)
    assert error.file is None and "not a mapping" in error.message


def test_unknown_station_in_scenario_set(
    write_line: WriteLine, write_scenario: Callable[[str], Path]
) -> None:
    """A ``set:`` naming no station names the scenario file and the path."""
    path = scenario_with_set(write_line, write_scenario, "  stations.nope.machines: 2\n")
    with pytest.raises(LinesimError) as caught:
        load_scenario(path)
    error = the_error(caught)
    assert error.file == str(path)
    assert "stations.nope.machines" in error.path
    assert "no entry named 'nope'" in error.message


def test_set_structure_errors_are_located(
    write_line: WriteLine, write_scenario: Callable[[str], Path]
) -> None:
    """Structural ``set:`` errors carry the line of the offending entry."""
    path = scenario_with_set(write_line, write_scenario, "  stations.nope.machines: 2\n")
    with pytest.raises(LinesimError) as caught:
        load_scenario(path)
    error = the_error(caught)
    assert (error.path, error.line) == ("set.stations.nope.machines", 4)


def test_unknown_key_by_override(write_line: WriteLine) -> None:
    """An override creating an unknown key gets the usual suggestion."""
    with pytest.raises(LinesimError, match="did you mean 'buffer'"):
        load_line(write_line(), {"stations.oven.bufer": 3})


@pytest.mark.parametrize("depth", [51, 5_000, 100_000])
def test_overrides_nested_past_the_bound_are_located_errors(depth: int) -> None:
    """A value or a path nested deeper than any line needs (50 levels, as for files) is
    refused with the override named, at any depth: no RecursionError from PyYAML, the
    copy or the walk down the path."""
    text = "[" * depth + "1" + "]" * depth
    with pytest.raises(ConfigError, match="nests deeper than 50 levels"):
        parse_assignment(f"release.wip={text}")
    value: Any = 1
    for _ in range(depth):
        value = [value]
    with pytest.raises(ConfigError, match="the value nests deeper"):
        apply_overrides(RAW, {"release.wip": value})
    with pytest.raises(ConfigError, match=rf"the path \({depth} parts\)"):
        apply_overrides(RAW, {".".join(["a"] * depth): 1})


def test_overrides_at_the_bound_still_apply() -> None:
    """50 levels of nesting are allowed (the bound is past what any line needs)."""
    value: Any = 1
    for _ in range(50):
        value = [value]
    assert apply_overrides(RAW, {"release.wip": value})["release"]["wip"] == value
    path, parsed = parse_assignment("release.wip=" + "[" * 50 + "1" + "]" * 50)
    assert path == "release.wip" and parsed == value
