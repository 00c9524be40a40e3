"""Bad general lines are refused before they run, each error at its YAML path.

One valid line (coating -> slitting -> winding -> wetting delay -> inspection) is broken in
one way per case; :func:`sim.model.checks.check_line` must name the path and the problem,
and :func:`sim.model.load_line` must report the same error located in the YAML file.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.engine import simulate
from sim.errors import ConfigError, ConfigErrors, RunError
from sim.model import Line, load_line
from sim.model.checks import check_line

Data = dict[str, Any]


def base() -> Data:
    """A valid general line with a split, a merge, a delay, a batch and late defects."""
    return {
        "name": "checked",
        "time_unit": "h",
        "release": {"policy": "push"},
        "materials": {
            "foil": {"unit": "m"},
            "separator": {"unit": "m"},
            "web": {"unit": "m", "buffer": 1000},
            "strip": {"unit": "m", "buffer": 1000},
            "roll": {"unit": "pcs"},
            "soaked": {"unit": "pcs", "buffer": 100},
            "cell": {"unit": "pcs"},
        },
        "stations": [
            {
                "name": "coat",
                "inputs": {"foil": 1},
                "output": {"web": 1},
                "speed": "10 m/min",
                "lot": 100,
                "defects": {"rate": 0.01, "found_at": "inspect"},
            },
            {
                "name": "slit",
                "inputs": {"web": 1},
                "output": {"strip": 4},
                "speed": "20 m/min",
                "lot": 100,
                "split": 4,
            },
            {
                "name": "wind",
                "inputs": {"strip": 2, "separator": 2},
                "output": {"roll": 1},
                "process_time": "30 s",
                "lot": 10,
            },
            {
                "name": "soak",
                "kind": "delay",
                "inputs": {"roll": 1},
                "output": {"soaked": 1},
                "process_time": 2,
                "capacity": 500,
            },
            {
                "name": "inspect",
                "inputs": {"soaked": 1},
                "output": {"cell": 1},
                "process_time": "1 h",
                "batch": {"size": 50},
                "lot": 10,
            },
        ],
    }


def station(data: Data, name: str) -> Data:
    """Return the station called ``name`` in ``data``."""
    return next(s for s in data["stations"] if s["name"] == name)


def undeclared_material(data: Data) -> None:
    """Winding also takes 'glue', which is not under materials."""
    station(data, "wind")["inputs"]["glue"] = 0.1


def material_loop(data: Data) -> None:
    """Coating takes slit strip, which is made from its own web: a loop."""
    station(data, "coat")["inputs"]["strip"] = 0.01


def batch_over_buffer(data: Data) -> None:
    """Inspection starts batches of 200 cells from a buffer of 100."""
    station(data, "inspect")["batch"] = {"size": 200}


def lot_not_multiple_of_split(data: Data) -> None:
    """A 102-cycle lot cannot be cut into 4 equal daughter lots."""
    station(data, "slit")["lot"] = 102


def found_upstream(data: Data) -> None:
    """Winding defects 'found' at coating, which is upstream of winding."""
    station(data, "wind")["defects"] = {"rate": 0.01, "found_at": "coat"}


def delay_two_inputs(data: Data) -> None:
    """The wetting delay soaks rolls and separator at once."""
    station(data, "soak")["inputs"]["separator"] = 1


def interarrival_of_several_raw_materials(data: Data) -> None:
    """An interarrival on a line drawing foil and separator: which one arrives?"""
    data["release"] = {"policy": "push", "interarrival": 1}


CASES: list[tuple[Callable[[Data], None], str, str]] = [
    (undeclared_material, "stations.wind.inputs.glue", "unknown material 'glue'"),
    (material_loop, "stations.coat.inputs", "loop (coat -> slit -> coat)"),
    (batch_over_buffer, "stations.inspect.inputs.soaked", "a run needs 200 pcs of soaked"),
    (lot_not_multiple_of_split, "stations.slit.split", "make lot a multiple of split"),
    (found_upstream, "stations.wind.defects.found_at", "not downstream of 'wind'"),
    (delay_two_inputs, "stations.soak.inputs", "a delay soaks exactly one material"),
    (
        interarrival_of_several_raw_materials,
        "release.interarrival",
        "stations draw 2 (foil, separator)",
    ),
]


def model(data: Data) -> Line:
    """Validate ``data`` (bare times in hours) without the cross-checks."""
    return Line.model_validate(data, context={"time_unit": "h"})


def test_base_line_is_valid(tmp_path: Path) -> None:
    """The unbroken line passes the checks, loads from YAML and produces cells."""
    assert check_line(model(base())) == []
    path = tmp_path / "line.yaml"
    path.write_text(yaml.safe_dump(base(), sort_keys=False), encoding="utf-8")
    line = load_line(path)
    assert simulate(line, 100.0, 0.0).finished["cell"]["units"] > 0


@pytest.mark.parametrize(
    ("breaks", "path", "words"), CASES, ids=[case[0].__name__ for case in CASES]
)
def test_check_line_names_path_and_problem(
    breaks: Callable[[Data], None], path: str, words: str
) -> None:
    """``check_line`` returns exactly one error, at ``path``, saying what is wrong."""
    data = copy.deepcopy(base())
    breaks(data)
    errors = check_line(model(data))
    assert [error.path for error in errors] == [path], errors
    assert words in errors[0].message


@pytest.mark.parametrize(
    ("breaks", "path", "words"), CASES, ids=[case[0].__name__ for case in CASES]
)
def test_load_line_locates_the_error_in_the_file(
    tmp_path: Path, breaks: Callable[[Data], None], path: str, words: str
) -> None:
    """Loading the broken line from YAML raises the same error with file, line and path;
    the reported line holds the last key of the path."""
    data = copy.deepcopy(base())
    breaks(data)
    text = yaml.safe_dump(data, sort_keys=False)
    file = tmp_path / "line.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigErrors) as caught:
        load_line(file)
    errors = caught.value.errors
    assert len(errors) == 1, str(caught.value)
    error = errors[0]
    assert isinstance(error, ConfigError)
    assert (error.file, error.path) == (str(file), path)
    assert words in error.message and path in str(error)
    assert error.line is not None
    assert path.rsplit(".", 1)[-1] in text.splitlines()[error.line - 1]


def oversized_lot_for_delay() -> Line:
    """Winding passes magazines of 64 rolls into a soak that holds only 50."""
    data = base()
    station(data, "soak")["capacity"] = 50
    station(data, "wind")["lot"] = 64
    return model(data)


def test_lot_larger_than_delay_capacity_is_refused() -> None:
    """A lot of 64 rolls can never fit a delay holding 50: a config error at wind.lot."""
    errors = check_line(oversized_lot_for_delay())
    assert [error.path for error in errors] == ["stations.wind.lot"]


def test_lot_larger_than_delay_capacity_deadlocks_loudly() -> None:
    """Run anyway, the line stops at once (winding blocked, nothing soaking); the run
    reports the deadlock instead of returning zero output."""
    with pytest.raises(RunError, match="deadlock"):
        simulate(oversized_lot_for_delay(), 50.0, 0.0)
