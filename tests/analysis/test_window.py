"""Windows that measure nothing, by arithmetic: the Penny Fab's raw process time is
T0 = 4 stations x 2 h = 8 h (Factory Physics), so a unit released at 0 cannot leave
before 8 h; a line with a 10 h soak after a 2 h machine lot needs 12 h."""

from __future__ import annotations

from pathlib import Path

import sim
from sim.analysis.capacity import raw_flow_time, window_warnings
from sim.model import Line, load_line

ROOT = Path(__file__).resolve().parents[2]


def test_raw_flow_time_is_the_longest_chain() -> None:
    assert raw_flow_time(load_line(ROOT / "configs" / "penny_fab.yaml")) == 8.0
    line = Line.model_validate(
        {
            "name": "soak",
            "release": {"policy": "push"},
            "materials": {"raw": {}, "a": {}, "b": {}},
            "stations": [
                {
                    "name": "M",
                    "inputs": {"raw": 1},
                    "output": {"a": 1},
                    "process_time": 0.5,
                    "lot": 4,
                },
                {
                    "name": "S",
                    "kind": "delay",
                    "inputs": {"a": 1},
                    "output": {"b": 1},
                    "process_time": 10,
                },
            ],
        },
        context={"time_unit": "h"},
    )
    assert raw_flow_time(line) == 12.0


def test_each_kind_of_empty_window_is_named() -> None:
    penny = load_line(ROOT / "configs" / "penny_fab.yaml")
    (ends,) = window_warnings(penny, 5.0, 1.0, 0.0)
    assert "before one unit can pass through" in ends and "8 h" in ends
    short = window_warnings(penny, 100.0, 4.0, 30.0)
    assert len(short) == 1 and "warm-up (4 h) is shorter" in short[0]
    assert window_warnings(penny, 100.0, 10.0, 30.0) == []


def test_a_ramp_up_is_measured_from_its_start() -> None:
    """A line that ramps up is measured from t = 0 on purpose: no warm-up is no warning,
    and a warm-up is named as hiding part of the ramp."""
    ramp = {"curves": [{"speed": {"table": [0.5], "source": "E"}}]}
    ramping = load_line(ROOT / "configs" / "penny_fab.yaml", {"ramp_up": ramp})
    assert window_warnings(ramping, 100.0, 0.0, 30.0) == []
    (hides,) = window_warnings(ramping, 100.0, 4.0, 30.0)
    assert "discards that much of its ramp" in hides


def test_a_comparison_of_a_window_too_short_warns() -> None:
    """README's old example: a window shorter than the line's flow time printed zero
    throughput with no word; now the comparison says why."""
    outcome = sim.compare(
        ROOT / "scenarios" / "penny_fab.yaml",
        ROOT / "scenarios" / "penny_fab.yaml",
        horizon=5,
        warmup=1,
        replications=2,
    )
    (warning,) = outcome.content["warnings"]
    assert warning.startswith("penny_fab: the window ends at 6 h")
