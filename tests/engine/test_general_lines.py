"""General (material) lines with known answers: split, merge, batch ovens, delays, lots.

Lines are built in code with bare times in hours. Deterministic cases (constant times) are
compared exactly; each docstring states the analytic value and why the window is free of
edge effects. The statistical case asserts the analytic value inside the 99.9 % Student-t
interval of independent replications (replication index differs, seed fixed).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from engine_helpers import assert_in_ci, general_line

from sim.engine import ReplicationResult, simulate
from sim.engine.lot import EPS
from sim.engine.machine import Machine
from sim.model import Line


def balance(result: ReplicationResult, name: str) -> float:
    """Return units out + scrapped - cycles x output per cycle of a machine station [unit]:
    zero when every cycle's output is either passed on or scrapped there."""
    station = result.stations[name]
    return station.units_out + station.scrapped - station.cycles * station.out_per_cycle


# ----------------------------------------------------------------------------- split

SLIT_MATERIALS: dict[str, dict[str, Any]] = {
    "mother": {"unit": "m"},
    "slit": {"unit": "m", "buffer": 64000},
    "out": {"unit": "m"},
}


def slitting_line(consumer_speed: str = "400 m/min", random: bool = False) -> Line:
    """Slitter: 1 m mother web -> 4 m slit web per cycle, lots of 4,000 cycles cut in 4
    daughter lots of 4,000 m, 1 % scrap; a consumer of slit web with 2 % scrap."""
    slitter: dict[str, Any] = {
        "name": "slitter",
        "inputs": {"mother": 1},
        "output": {"slit": 4},
        "speed": "80 m/min",
        "lot": 4000,
        "split": 4,
        "scrap": 0.01,
    }
    consumer: dict[str, Any] = {
        "name": "consumer",
        "inputs": {"slit": 1},
        "output": {"out": 1},
        "speed": consumer_speed,
        "lot": 4000,
        "scrap": 0.02,
    }
    if random:
        slitter["failures"] = {"mtbf": 10, "mttr": 2}
        consumer["failures"] = {"mtbf": 5, "mttr": 2}
    return general_line([slitter, consumer], SLIT_MATERIALS)


def test_split_conserves_material_exactly() -> None:
    """Constant speeds: the slitter makes a 4,000-cycle lot every 4000 / 4800 = 5/6 h, i.e.
    four daughter lots of 4 x 1,000 x 0.99 = 3,960 m; the consumer (24,000 m/h) needs 0.165 h
    per lot, so 4 x 0.165 = 0.66 h after each slitter lot the slit buffer is empty and the
    consumer idle. At T = 10 x 5/6 + 0.75 h: 10 slitter lots done (40,000 cycles of 1 m
    mother web), slit made = 40 x 3,960 = 158,400 m = slit consumed (buffer empty), 1,600 m
    scrapped at the slitter, 158,400 x 0.98 = 155,232 m finished, buffer level area =
    10 x 0.165 x (3 + 2 + 1) x 3,960 m h."""
    lot_time = 4000 / 4800
    lots = 10
    horizon = lots * lot_time + 0.75
    result = simulate(slitting_line(), horizon, 0.0, seed=1, replication=0)
    slitter, consumer = result.stations["slitter"], result.stations["consumer"]
    daughter = 1000 * 4 * (1 - 0.01)
    assert slitter.cycles == lots * 4000  # 1 m of mother web each
    assert math.isclose(slitter.units_out, lots * 4 * daughter)
    assert math.isclose(slitter.scrapped, lots * 4000 * 4 * 0.01)
    # slit: produced = consumed downstream + change in buffer level (0 -> 0)
    assert math.isclose(consumer.cycles * 1.0, slitter.units_out)
    assert math.isclose(consumer.units_out, slitter.units_out * (1 - 0.02))
    assert math.isclose(consumer.scrapped, slitter.units_out * 0.02)
    assert result.finished["out"]["units"] == consumer.units_out
    assert abs(balance(result, "slitter")) < EPS and abs(balance(result, "consumer")) < 1e-6
    lot_on_consumer = daughter / 24000
    assert math.isclose(
        result.material_area["slit"], lots * lot_on_consumer * (3 + 2 + 1) * daughter
    )
    assert math.isclose(consumer.state_time["busy"], lots * 4 * lot_on_consumer)


def test_split_balance_with_failures_and_blocking() -> None:
    """Random failures on both machines, consumer the bottleneck (20 m/min = 1,200 m/h):
    every cycle's output is passed on or scrapped (units out + scrapped = cycles x 4 m), and
    slit produced - consumed = change of what waits (buffer level, the lot in process at the
    consumer, lots held by the blocked slitter), so 0 <= it <= 64,000 + 4,000 + 4 x 4,000 m
    when starting empty. The mean buffer level lies within [0, capacity]. (The result has
    no end-of-run buffer levels, so the balance cannot be checked to EPS here.)"""
    horizon = 500.0
    result = simulate(slitting_line("20 m/min", random=True), horizon, 0.0, seed=3, replication=0)
    slitter, consumer = result.stations["slitter"], result.stations["consumer"]
    assert abs(balance(result, "slitter")) < 1e-6
    assert abs(balance(result, "consumer")) < 1e-6
    waiting = slitter.units_out - consumer.cycles * 1.0
    assert -EPS <= waiting <= 64000 + 4000 + 4 * 4000 + 1e-6
    assert result.finished["out"]["units"] == consumer.units_out
    assert 0 <= result.material_area["slit"] / horizon <= 64000
    assert slitter.state_time["blocked"] > 0  # the buffer did fill


# ----------------------------------------------------------------------------- merge

WINDING_MATERIALS: dict[str, dict[str, Any]] = {
    "cathode-foil": {"unit": "m"},
    "anode-foil": {"unit": "m"},
    "separator": {"unit": "m"},
    "cathode": {"unit": "m", "buffer": 12000},
    "anode": {"unit": "m", "buffer": 12000},
    "jelly-roll": {"unit": "pcs"},
}


def winding_line(anode_speed: str, anode_lot: int) -> Line:
    """Two web lines merging at a winder: 3.0 m cathode, 3.2 m anode and 6.6 m of raw
    separator per jelly roll, 7.5 s per roll (480 rolls/h), magazines of 64 rolls."""
    return general_line(
        [
            {
                "name": "cathode-notching",
                "inputs": {"cathode-foil": 1},
                "output": {"cathode": 1},
                "speed": "60 m/min",
                "lot": 4000,
            },
            {
                "name": "anode-notching",
                "inputs": {"anode-foil": 1},
                "output": {"anode": 1},
                "speed": anode_speed,
                "lot": anode_lot,
            },
            {
                "name": "winding",
                "inputs": {"cathode": 3.0, "anode": 3.2, "separator": 6.6},
                "output": {"jelly-roll": 1},
                "process_time": "7.5 s",
                "lot": 64,
            },
        ],
        WINDING_MATERIALS,
    )


def test_merge_limited_by_one_web() -> None:
    """Anode notching at 1,024 m/h in lots of 2,048 m (one lot every 2 h) feeds exactly
    2048 / 3.2 = 640 rolls = 10 magazines per lot, wound in 10 x 480 s = 1.33 h < 2 h;
    cathode (3,600 m/h) and the winder have spare capacity. The pattern repeats every 2 h, so
    a window of 50 periods, [10.05, 110.05) h (no event on its edges), holds exactly
    1024 / 3.2 x 100 = 32,000 rolls, made of 96,000 m cathode and 102,400 m anode."""
    result = simulate(winding_line("1024 m/h", 2048), 100.0, 10.05, seed=1, replication=0)
    assert result.finished["jelly-roll"]["units"] == 32000
    winding = result.stations["winding"]
    assert winding.cycles == 32000
    assert result.stations["anode-notching"].units_out == pytest.approx(32000 * 3.2, abs=EPS)
    assert result.stations["cathode-notching"].units_out == pytest.approx(32000 * 3.0, abs=EPS)
    assert math.isclose(winding.state_time["busy"], 32000 * 7.5 / 3600)
    assert result.stations["anode-notching"].state_time["blocked"] == 0


def test_merge_limited_by_the_winder() -> None:
    """Both webs at 3,600 m/h cover the winder's need (1,440 and 1,536 m/h): it never waits
    after its first start at 4000 / 3600 h and ends a magazine every 64 x 7.5 s = 480 s, so
    [10.05, 110.05) h holds exactly 750 magazines = 48,000 rolls (480 rolls/h), busy 100 %."""
    result = simulate(winding_line("60 m/min", 4000), 100.0, 10.05, seed=1, replication=0)
    assert result.finished["jelly-roll"]["units"] == 48000
    winding = result.stations["winding"]
    assert math.isclose(winding.state_time["busy"], 100.0)
    assert result.stations["cathode-notching"].state_time["blocked"] > 0


def test_assembly_of_twelve_cells_per_module() -> None:
    """Cells: a tray of 60 every 6 min (6 s each); assembly: 12 cells per module, pallets of
    5 modules (60 cells) in 5 x 48 s = 4 min. At T = 100 x 0.1 + 0.08 h every tray made has
    been assembled: 6,000 cells in, 6,000 / 12 = 500 modules out; the idle assembly takes
    each tray the instant it arrives, so the cell buffer's level area is 0."""
    line = general_line(
        [
            {
                "name": "cells",
                "inputs": {"raw": 1},
                "output": {"cell": 1},
                "process_time": "6 s",
                "lot": 60,
            },
            {
                "name": "assembly",
                "inputs": {"cell": 12},
                "output": {"module": 1},
                "process_time": "48 s",
                "lot": 5,
            },
        ],
        {"raw": {"unit": "pcs"}, "cell": {"unit": "pcs", "buffer": 600}, "module": {"unit": "pcs"}},
    )
    result = simulate(line, 100 * 0.1 + 0.08, 0.0, seed=1, replication=0)
    cells, assembly = result.stations["cells"], result.stations["assembly"]
    assert cells.units_out == 6000
    assert assembly.cycles == 500 and assembly.units_out == cells.units_out / 12
    assert result.finished["module"]["units"] == 500
    assert result.material_area["cell"] == 0  # each tray is taken the instant it arrives


# ----------------------------------------------------------------------------- batch oven


def test_saturated_batch_oven_capacity() -> None:
    """Two ovens, 16 coils (of 4,000 m) per load, 16 h per load: 2 x 16 / 16 = 2 coils/h.
    The slitter feeds 4.8 coils/h into a buffer of exactly one load (64,000 m), so each oven
    reloads as soon as it ends (loads end at 19.33 + 16 k and 22.67 + 16 k h): the window
    [50, 210) h holds exactly 20 loads = 320 coils = 1,280,000 m, ovens busy all the time."""
    line = general_line(
        [
            {
                "name": "slitting",
                "inputs": {"calendered": 1},
                "output": {"slit": 4},
                "speed": "80 m/min",
                "lot": 4000,
                "split": 4,
            },
            {
                "name": "drying",
                "machines": 2,
                "inputs": {"slit": 4000},
                "output": {"dried": 4000},
                "batch": {"size": 16},
                "process_time": "16 h",
            },
        ],
        {
            "calendered": {"unit": "m"},
            "slit": {"unit": "m", "buffer": 64000},
            "dried": {"unit": "m"},
        },
    )
    horizon = 160.0
    result = simulate(line, horizon, 50.0, seed=1, replication=0)
    drying = result.stations["drying"]
    assert result.finished["dried"]["units"] / 4000 / horizon == 2.0
    assert drying.cycles == 320
    assert math.isclose(drying.state_time["busy"], 2 * horizon)
    assert drying.ideal_time_per_cycle == 1.0


# ----------------------------------------------------------------------------- delays

DELAY_MATERIALS: dict[str, dict[str, Any]] = {
    "raw": {"unit": "pcs"},
    "filled": {"unit": "pcs"},
    "wetted": {"unit": "pcs", "buffer": 100},
    "done": {"unit": "pcs"},
}


def delay_line(capacity: float | None, pack_time: float = 0.05, pack_lot: int = 1) -> Line:
    """Filling one cell every 0.1 h, a 12 h soak, packing in ``pack_time`` per cell [h]."""
    soak: dict[str, Any] = {
        "name": "soak",
        "kind": "delay",
        "inputs": {"filled": 1},
        "output": {"wetted": 1},
        "process_time": 12,
    }
    if capacity is not None:
        soak["capacity"] = capacity
    pack = {"name": "pack", "inputs": {"wetted": 1}, "output": {"done": 1}}
    return general_line(
        [
            {"name": "fill", "inputs": {"raw": 1}, "output": {"filled": 1}, "process_time": 0.1},
            soak,
            {**pack, "process_time": pack_time, "lot": pack_lot},
        ],
        DELAY_MATERIALS,
    )


def test_delay_content_obeys_little() -> None:
    """Unlimited soak fed at 10 cells/h: time-average content = 10 x 12 = 120 cells (Little),
    every cell waits exactly 12 h and 10 x 100 = 1,000 leave in 100 h."""
    horizon = 100.0
    result = simulate(delay_line(None), horizon, 24.05, seed=1, replication=0)
    soak = result.stations["soak"]
    assert soak.kind == "delay"
    assert math.isclose(soak.content_area / horizon, 120, rel_tol=1e-3)
    assert math.isclose(result.material_area["filled"] / horizon, 120, rel_tol=1e-3)
    assert soak.units_out == 1000 and result.finished["done"]["units"] == 1000
    flow = result.finished["done"]["flow_sum"] / result.finished["done"]["units"]
    assert math.isclose(flow, 0.1 + 12 + 0.05, rel_tol=1e-9)


def test_small_delay_is_the_bottleneck() -> None:
    """A soak holding 50 cells for 12 h passes 50 / 12 cells/h although filling could make 10:
    5,000 cells in 1,200 h, filling busy 5,000 x 0.1 h and blocked the rest, content 50."""
    horizon = 1200.0
    result = simulate(delay_line(50), horizon, 24.05, seed=1, replication=0)
    assert math.isclose(result.finished["done"]["units"] / horizon, 50 / 12, rel_tol=1e-3)
    fill = result.stations["fill"]
    assert math.isclose(fill.state_time["busy"], 5000 * 0.1, rel_tol=1e-3)
    assert math.isclose(fill.state_time["blocked"], horizon - 5000 * 0.1, rel_tol=1e-3)
    assert math.isclose(result.stations["soak"].content_area / horizon, 50, rel_tol=1e-3)


@pytest.mark.parametrize("pack_lot", [1, 2], ids=["callback-packer", "process-packer"])
def test_soaked_cells_wait_inside_for_a_slow_packer(pack_lot: int) -> None:
    """Packing (0.2 h a cell) is slower than filling (0.1 h): soaked cells wait inside the
    soak of 300 until the wetted buffer of 100 has room, so filling is blocked half the time
    and the soak stays full. From 200 h on (full since about 68 h): 5 cells/h leave the
    soak and the line, 5,000 in 1,000 h, content 300, filling busy 5,000 x 0.1 = 500 h and
    blocked 500 h. A packer of lot 1 is a timed callback (the waiting cell moves on in an
    event of its own), one of lot 2 a machine process (it moves on without an event)."""
    horizon = 1000.0
    line = delay_line(300, pack_time=0.2, pack_lot=pack_lot)
    result = simulate(line, horizon, 200.05, seed=1, replication=0)
    soak = result.stations["soak"]
    assert result.finished["done"]["units"] == 5000 and soak.units_out == 5000
    assert math.isclose(soak.content_area / horizon, 300, rel_tol=1e-9)
    fill = result.stations["fill"].state_time
    assert math.isclose(fill["busy"], 500, rel_tol=1e-9)
    assert math.isclose(fill["blocked"], 500, rel_tol=1e-9)
    assert math.isclose(result.stations["pack"].state_time["busy"], horizon, rel_tol=1e-9)


# ----------------------------------------------------------------------------- lots


def exponential(mean: float) -> dict[str, Any]:
    """An exponential distribution of ``mean`` [h] in line-definition form."""
    return {"dist": "exponential", "mean": mean}


STEPS: list[dict[str, Any]] = [
    {"name": "a", "process_time": exponential(1.0), "scrap": 0.05},
    {"name": "b", "process_time": exponential(0.8), "scrap": 0.1},
    {"name": "c", "process_time": {"dist": "gamma", "mean": 0.9, "cv": 0.5}},
]
"""Three stations; buffers and failures are added per case."""

FAILURES: dict[str, Any] = {"failures": {"mtbf": 20, "mttr": 2}}


def serial_twin(buffers: tuple[int, int], changes: dict[str, dict[str, Any]]) -> Line:
    """The per-piece serial line: push from unlimited raw material, buffers before b and c;
    ``changes`` adds fields to stations by name."""
    stations = [{**step, **changes.get(step["name"], {})} for step in STEPS]
    stations[1]["buffer"], stations[2]["buffer"] = buffers
    return Line.model_validate(
        {"name": "serial", "release": {"policy": "push"}, "stations": stations},
        context={"time_unit": "h"},
    )


def general_twin(
    buffers: tuple[int, int], changes: dict[str, dict[str, Any]], lot: int = 1
) -> Line:
    """The same line in the general form: materials raw -> m1 -> m2 -> fin, all pieces."""
    chain = ["raw", "m1", "m2", "fin"]
    stations = [
        {
            **step,
            **changes.get(step["name"], {}),
            "inputs": {chain[index]: 1},
            "output": {chain[index + 1]: 1},
            "lot": lot,
        }
        for index, step in enumerate(STEPS)
    ]
    return general_line(
        stations,
        {
            "raw": {"unit": "pcs"},
            "m1": {"unit": "pcs", "buffer": buffers[0]},
            "m2": {"unit": "pcs", "buffer": buffers[1]},
            "fin": {"unit": "pcs"},
        },
    )


CHANGES = [
    pytest.param({"b": FAILURES}, id="b-fails"),
    pytest.param({"a": FAILURES}, id="a-fails"),
    pytest.param({"a": {"minor_stops": {"mtbf": 3, "duration": 0.3}}}, id="a-stops"),
    pytest.param({"a": {"setup": {"every": 5, "time": 0.5}}}, id="a-setup"),
    pytest.param({"a": {"maintenance": {"every": 50, "duration": 3}}}, id="a-maintenance"),
]
"""Stops on the first station (which draws raw material) or a later one."""


@pytest.mark.parametrize("changes", CHANGES)
def test_lot_one_reproduces_the_serial_line(changes: dict[str, dict[str, Any]]) -> None:
    """With lots of 1 piece, a raw first input and equal buffers, the general line is the
    per-piece serial line: same named random streams drawn in the same order, hence equal
    floats for every station's state times, cycles, scrap, output and queues, and for the
    flow time, which runs from the start of the first step (serial: the release, when the
    first station takes the job) to the exit."""
    buffers = (5, 3)
    serial = simulate(serial_twin(buffers, changes), 400.0, 40.0, seed=7, replication=3)
    general = simulate(general_twin(buffers, changes), 400.0, 40.0, seed=7, replication=3)
    assert serial.good == general.finished["fin"]["units"] > 0
    for name in ("a", "b", "c"):
        one, other = serial.stations[name], general.stations[name]
        assert one.state_time == other.state_time, name
        assert (one.cycles, one.units_out, one.scrapped) == (
            other.cycles,
            other.units_out,
            other.scrapped,
        ), name
    assert serial.stations["b"].content_area == general.material_area["m1"]
    assert serial.stations["c"].content_area == general.material_area["m2"]
    assert serial.flow_sum == general.finished["fin"]["flow_sum"]


def test_lot_eight_keeps_the_mean_throughput() -> None:
    """With ample buffers (400 pieces = 50 lots) the first station (1 piece/h, never starved,
    hardly ever blocked) sets the pace: TH = 1 x (1 - 0.05) x (1 - 0.1) = 0.855 pieces/h for
    lots of 1 and of 8 alike (b's failures cost capacity, not throughput)."""
    horizon, warmup, replications = 2000.0, 100.0, 20
    for lot in (1, 8):
        line = general_twin((400, 400), {"b": FAILURES}, lot)
        throughput = [
            simulate(line, horizon, warmup, seed=1, replication=r).finished["fin"]["units"]
            / horizon
            for r in range(replications)
        ]
        assert_in_ci(throughput, 0.855, f"lot {lot} throughput")


@pytest.mark.parametrize("buffers", [(5, 3), (1, 1)])
def test_fast_path_equals_the_general_loop(buffers: tuple[int, int]) -> None:
    """The engine runs lot-1 stations with nothing that stops them as timed callbacks (the
    fast path). A planned maintenance that never falls due (every 10^9 h) sends every
    station through the general loop instead without changing the model: the same streams
    drawn in the same order give equal floats, blocking (buffers of one piece) included."""
    never = {"maintenance": {"every": 1e9, "duration": 1.0}}
    fast = simulate(general_twin(buffers, {}), 400.0, 40.0, seed=3, replication=1)
    loop = simulate(
        general_twin(buffers, {name: never for name in "abc"}), 400.0, 40.0, seed=3, replication=1
    )
    assert fast.finished == loop.finished
    assert fast.material_area == loop.material_area
    for name in ("a", "b", "c"):
        one, other = fast.stations[name], loop.stations[name]
        assert one.state_time == other.state_time, name
        assert (one.cycles, one.units_out, one.scrapped, one.lost_work) == (
            other.cycles,
            other.units_out,
            other.scrapped,
            other.lost_work,
        ), name


@pytest.mark.parametrize("calendar", [False, True], ids=["tray-loop", "general-loop"])
def test_both_lot_loops_give_availability_times_capacity(
    calendar: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A saturated tray station (lots of 48, never starved or blocked) that fails with
    exponential MTBF 10 h and MTTR 1 h makes 48 / 0.5 h x 10 / (10 + 1) = 87.27 pieces an
    hour [Factory Physics: availability MTBF / (MTBF + MTTR)]. Failures on operating time
    run it through the tray loop (``_run_lots``); failures on calendar time, which for a
    machine that is never idle is the same model, send it through the general loop
    (``_run_general``): both must give the analytic rate and busy share 10 / 11."""
    failures: dict[str, Any] = {"mtbf": 10, "mttr": 1}  # exponential up and repair times
    if calendar:
        failures["basis"] = "calendar"
    line = general_line(
        [
            {
                "name": "tray",
                "inputs": {"raw": 1},
                "output": {"fin": 1},
                "lot": 48,
                "process_time": {"dist": "normal", "mean": 0.5 / 48, "cv": 0.1},
                "failures": failures,
            }
        ],
        {"raw": {"unit": "pcs"}, "fin": {"unit": "pcs"}},
    )
    loops: set[str] = set()
    for name in ("_run_lots", "_run_general"):
        loop = getattr(Machine, name)
        monkeypatch.setattr(Machine, name, lambda self, n=name, f=loop: loops.add(n) or f(self))
    horizon, warmup = 5000.0, 100.0
    runs = [simulate(line, horizon, warmup, seed=5, replication=r) for r in range(30)]
    assert loops == {"_run_general" if calendar else "_run_lots"}
    assert_in_ci([r.finished["fin"]["units"] / horizon for r in runs], 48 / 0.5 * 10 / 11, "rate")
    busy = [r.stations["tray"].state_time["busy"] / horizon for r in runs]
    assert_in_ci(busy, 10 / 11, "busy share")
