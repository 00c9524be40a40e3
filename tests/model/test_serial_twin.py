"""A serial line is a general line whose materials are jobs (issue 13, "one engine").

The loader turns a serial line file into its general twin, so both forms run through one
engine, one set of KPIs and one set of views. The tests write a serial line and, by hand,
the general line a planner would write for the same plant, and check that the two give
identical results files; and that every serial line, in either form, is recognised as a
chain (what the Factory Physics bounds need).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.model.line import Line
from sim.model.loader import load_line
from sim.model.serial import as_general, entry_material, serial_chain

SERIAL = """\
name: press-shop
release: {policy: push, interarrival: {dist: exponential, mean: 1.25}}
stations:
  - name: stamp
    buffer: 6
    process_time: {dist: exponential, mean: 1.0}
    failures: {mtbf: 60, mttr: 3}
    scrap: 0.02
  - name: oven
    buffer: 8
    batch: {size: 4, min: 2}
    process_time: {dist: gamma, mean: 3.0, cv: 0.5}
    defects: {rate: 0.05, found_at: test}
  - name: test
    machines: 2
    buffer: 3
    process_time: {dist: lognormal, mean: 1.6, cv: 0.8}
"""

GENERAL = """\
name: press-shop
release: {policy: push, interarrival: {dist: exponential, mean: 1.25}}
materials:
  stamp: {unit: jobs, buffer: 6}
  oven: {unit: jobs, buffer: 8}
  test: {unit: jobs, buffer: 3}
  done: {unit: jobs}
stations:
  - name: stamp
    inputs: {stamp: 1}
    output: {oven: 1}
    process_time: {dist: exponential, mean: 1.0}
    failures: {mtbf: 60, mttr: 3}
    scrap: 0.02
  - name: oven
    inputs: {oven: 1}
    output: {test: 1}
    batch: {size: 4, min: 2}
    process_time: {dist: gamma, mean: 3.0, cv: 0.5}
    defects: {rate: 0.05, found_at: test}
  - name: test
    machines: 2
    inputs: {test: 1}
    output: {done: 1}
    process_time: {dist: lognormal, mean: 1.6, cv: 0.8}
"""

SCENARIO = "name: twin\nline: {line}\nhorizon: 400\nwarmup: 40\nreplications: 3\nseed: 7\n"


def _run(folder: Path, line_text: str, conwip: bool) -> dict[str, Any]:
    """Run the line with the CLI; return its summary.json less the scenario's path, and
    every other results file as bytes."""
    if conwip:
        line_text = line_text.replace(
            "release: {policy: push, interarrival: {dist: exponential, mean: 1.25}}",
            "release: {policy: conwip, wip: 9}",
        )
        line_text = line_text.replace("    buffer: 6\n", "").replace(" buffer: 6}", "}")
    folder.mkdir()
    (folder / "line.yaml").write_text(line_text, encoding="utf-8")
    (folder / "twin.yaml").write_text(SCENARIO.format(line="line.yaml"), encoding="utf-8")
    out = folder / "out"
    assert main(["run", "--quiet", "--no-plots", str(folder / "twin.yaml"), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary.pop("source").endswith("twin.yaml")  # the one line that names the file
    summary["other files"] = {
        path.name: path.read_bytes() for path in sorted(out.iterdir()) if path.is_file()
    }
    del summary["other files"]["summary.json"]
    return summary


@pytest.mark.parametrize("conwip", [False, True], ids=["push-arrivals", "conwip"])
def test_serial_line_and_its_general_twin_give_identical_summaries(
    tmp_path: Path, conwip: bool
) -> None:
    """Failures, scrap, a batch, defects found later, parallel machines, finite buffers:
    the same numbers, KPI names and units from both forms (jobs, not 'units'), and every
    other results file (line.json, the tables, the time series) byte for byte."""
    serial = _run(tmp_path / "serial", SERIAL, conwip)
    general = _run(tmp_path / "general", GENERAL, conwip)
    assert serial == general
    kpis = serial["kpis"]
    assert kpis["throughput"]["unit"] == "jobs / h"
    assert kpis["wip"]["unit"] == "jobs"
    assert kpis["wip.oven"]["unit"] == "jobs"
    assert kpis["released"]["mean"] > 0


def test_the_twin_keeps_what_the_file_said(tmp_path: Path) -> None:
    """Buffers move to the materials, every station takes 1 and gives 1, the raw material
    is the first station's; the twin of a twin is itself."""
    (tmp_path / "line.yaml").write_text(SERIAL, encoding="utf-8")
    line = load_line(tmp_path / "line.yaml")
    assert line.general and line.written_serial
    assert line.materials is not None
    assert {name: m.buffer for name, m in line.materials.items()} == {
        "stamp": 6.0,
        "oven": 8.0,
        "test": 3.0,
        "done": None,
    }
    assert all(m.discrete and m.unit == "jobs" for m in line.materials.values())
    assert [s.buffer for s in line.stations] == [None, None, None]
    assert entry_material(line) == "stamp"
    assert as_general(line) is line
    assert line.station("oven").batch is not None


def test_a_station_called_done_does_not_take_the_finished_name() -> None:
    line = Line.model_validate(
        {
            "name": "x",
            "release": {"policy": "push"},
            "stations": [{"name": "done", "process_time": 1}, {"name": "done_", "process_time": 1}],
        },
        context={"time_unit": "h"},
    )
    twin = as_general(line)
    assert twin.materials is not None
    assert list(twin.materials) == ["done", "done_", "done__"]


@settings(max_examples=40, deadline=None)
@given(
    stations=st.integers(min_value=1, max_value=8),
    buffers=st.lists(st.one_of(st.none(), st.integers(0, 50)), min_size=8, max_size=8),
    conwip=st.booleans(),
)
def test_every_serial_line_is_a_chain_in_either_form(
    stations: int, buffers: list[int | None], conwip: bool
) -> None:
    spec: dict[str, Any] = {
        "name": "chain",
        "release": {"policy": "conwip", "wip": 3} if conwip else {"policy": "push"},
        "stations": [
            {"name": f"s{index}", "process_time": 1.0, "buffer": buffers[index]}
            for index in range(stations)
        ],
    }
    line = Line.model_validate(spec, context={"time_unit": "h"})
    twin = as_general(line)
    assert serial_chain(line) and serial_chain(twin)
    assert twin.materials is not None and len(twin.materials) == stations + 1
    reread = Line.model_validate(twin.model_dump(mode="json"), context={"time_unit": "h"})
    assert reread.model_dump() == twin.model_dump()  # a results folder keeps the same line
