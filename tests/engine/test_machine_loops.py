"""The machine loops run the same lines and give the same runs.

A machine station runs in one of four loops, chosen by what it needs: the piece machine
(:class:`~sim.engine.piece.PieceMachine`, lots of one with nothing that stops them), the
tray loop (``Machine._run_lots``: one input worked lot by lot, no shifts or calendar
failures), the general loop (``Machine._run_general``: merges, batches, shifts, calendar
failures) and the product-mix loop (:func:`sim.engine.mix.run_mix`). Each loop is a
faster special case of the general one, so where a line could run in both, both must give
the same run: the same random draws in the same order, so byte for byte the same output,
flow times and state times. The mix loop draws per type, so with one type it is checked
against the plain line and theory in distribution (tests/validation/test_product_mix.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.engine import ReplicationResult, simulate
from sim.engine.machine import Machine
from sim.engine.piece import PieceMachine
from sim.model import Line
from sim.model.loader import load_line
from sim.model.station import MinorStops

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
LINES = {  # line file -> (horizon, warm-up) [h]: long enough that every station works
    "prismatic_lfp_300mah.yaml": (240.0, 480.0),
    "cell_assembly_serial.yaml": (400.0, 100.0),
    "tutorial_line.yaml": (200.0, 50.0),
    "penny_fab.yaml": (4000.0, 400.0),
}


def fingerprint(result: ReplicationResult) -> str:
    """What a run measured, to the last bit: output and flow times per material, and
    every station's state times, counts, scrap, lost work and queue content."""
    return repr((sorted(result.finished.items()), sorted(result.stations.items())))


def loops_run(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Record which machine loops start."""
    seen: set[str] = set()
    for name in ("_run_lots", "_run_general"):
        loop = getattr(Machine, name)

        def wrapped(self: Machine, name: str = name, loop: Any = loop) -> Any:
            seen.add(name)
            return loop(self)

        monkeypatch.setattr(Machine, name, wrapped)
    start = PieceMachine.start

    def piece_start(self: PieceMachine) -> None:
        seen.add("piece")
        start(self)

    monkeypatch.setattr(PieceMachine, "start", piece_start)
    return seen


@pytest.mark.parametrize(  # the Penny Fab's stations are piece machines (below)
    "name", ["prismatic_lfp_300mah.yaml", "cell_assembly_serial.yaml", "tutorial_line.yaml"]
)
def test_the_tray_loop_is_the_general_loop(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every example line run with its tray stations in the tray loop, then with the
    general loop in their place: the same run to the last bit."""
    line = load_line(CONFIGS / name)
    horizon, warmup = LINES[name]
    seen = loops_run(monkeypatch)
    fast = simulate(line, horizon, warmup, seed=11)
    assert "_run_lots" in seen
    general = Machine._run_general
    monkeypatch.setattr(Machine, "_run_lots", lambda self: general(self))
    assert fingerprint(simulate(line, horizon, warmup, seed=11)) == fingerprint(fast)


def never_stopping(line: Line) -> Line:
    """``line`` with a minor stop every 10^9 h at each machine station: the stops never
    come in a run (and draw from their own stream only), but a station with them is no
    longer a piece machine, so it runs in the machine loops."""
    stops = MinorStops(mtbf=1e9, duration=1.0)
    stations = [
        station if station.kind == "delay" else station.model_copy(update={"minor_stops": stops})
        for station in line.stations
    ]
    return line.model_copy(update={"stations": stations})


@pytest.mark.parametrize("name", ["penny_fab.yaml", "tutorial_line.yaml"])
@pytest.mark.parametrize("loop", ["_run_lots", "_run_general"])
def test_the_piece_machine_is_the_machine_loops(
    name: str, loop: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line of piece machines, then the same line with stops that never come (so its
    stations run as machines, in the tray loop or, forced, the general loop): the same
    run to the last bit."""
    line = load_line(CONFIGS / name)
    horizon, warmup = LINES[name]
    seen = loops_run(monkeypatch)
    pieces = simulate(line, horizon, warmup, seed=11)
    assert "piece" in seen
    if loop == "_run_general":
        general = Machine._run_general
        monkeypatch.setattr(Machine, "_run_lots", lambda self: general(self))
    seen.clear()
    machines = simulate(never_stopping(line), horizon, warmup, seed=11)
    assert "piece" not in seen and loop in seen
    assert fingerprint(machines) == fingerprint(pieces)


def test_a_tray_station_of_raw_material_drives_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tray loop drives itself (``sim.engine.bodies.drives_itself``) and resumes the
    machines it woke inside its own wait; raw material wakes its taker at once, so a
    tray station taking it is woken while it resumes them and goes on at once: the serial
    cell line has one, and runs as with the general loop (above), and without the
    generator resuming itself."""
    from sim.engine.bodies import drives_itself
    from sim.engine.buffer import Source

    seen: list[bool] = []
    loop = Machine._run_lots

    def wrapped(self: Machine) -> Any:
        body = loop(self)
        if isinstance(self.station.inputs[0][0], Source):
            seen.append(drives_itself(body))
        return body

    monkeypatch.setattr(Machine, "_run_lots", wrapped)
    horizon, warmup = LINES["cell_assembly_serial.yaml"]
    simulate(load_line(CONFIGS / "cell_assembly_serial.yaml"), horizon, warmup, seed=11)
    assert seen and all(seen)


def test_the_last_piece_machine_writes_out_the_sink(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Penny Fab's last machine puts its jobs out and their replacements in within its
    own callback (``PieceMachine._flow_last``); with that path turned off (the sink's,
    the line monitor's and the entry buffer's own methods): the same run to the last
    bit, the released jobs and the WIP's time integral included."""
    from sim.engine import piece

    line = load_line(CONFIGS / "penny_fab.yaml")
    horizon, warmup = LINES["penny_fab.yaml"]
    chosen: list[bool] = []
    releases = piece._releases

    def recorded(out: Any) -> bool:
        chosen.append(releases(out))
        return chosen[-1]

    monkeypatch.setattr(piece, "_releases", recorded)
    written = simulate(line, horizon, warmup, seed=11)
    assert chosen.count(True) == 1  # the last of the four stations
    monkeypatch.setattr(piece, "_releases", lambda out: False)
    general = simulate(line, horizon, warmup, seed=11)

    def measured(result: ReplicationResult) -> str:
        return fingerprint(result) + repr((result.released, result.wip_area, result.good))

    assert measured(written) == measured(general)
