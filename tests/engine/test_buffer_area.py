"""A buffer's level integral (its WIP in unit-hours) kept as a flux of unit-times equals
the integral summed interval by interval, whatever the moves, from the window's start."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.buffer import Buffer
from sim.engine.lot import Lot

MOVES = st.lists(
    st.tuples(
        st.floats(0.0, 50.0),  # time step to the move [h]
        st.sampled_from(["put", "take_front", "take", "take_piece"]),
        st.integers(1, 60),  # units
    ),
    max_size=60,
)


def _replay(moves: list[tuple[float, str, int]], measure_from: int) -> tuple[float, float]:
    """Apply ``moves``, measuring from move ``measure_from`` on (the end of the warm-up;
    past the last move: at the close); return (the buffer's area, the interval sum)."""
    env: Any = SimpleNamespace(_now=0.0)
    buffer = Buffer(env, "cell-formed", capacity=200.0)
    expected = 0.0
    measuring = False
    last = 0.0
    for index, (step, kind, units) in enumerate(moves):
        env._now += step
        if measuring:
            expected += buffer.level * (env._now - last)
        last = env._now
        if index == measure_from:
            buffer.measure_from_now()
            measuring = True
        if kind == "put":
            buffer.put(Lot(float(units), env._now))
        elif kind == "take_front":
            buffer.take_front(float(units))
        elif kind == "take_piece":
            buffer.take_piece()
        elif buffer.available() >= units:
            buffer.take(float(units))
    env._now += 1.0
    if measuring:
        expected += buffer.level * (env._now - last)
    else:
        buffer.measure_from_now()
    buffer.close()
    return buffer.area, expected


@settings(max_examples=200, deadline=None)
@given(MOVES, st.integers(0, 70))
def test_buffer_area_is_the_level_integral(
    moves: list[tuple[float, str, int]], measure_from: int
) -> None:
    """Analytic value: the sum over constant-level intervals of level x length, counted
    from the end of the warm-up (``measure_from_now``) to the close."""
    area, expected = _replay(moves, measure_from)
    assert area >= -1e-9
    assert math.isclose(area, expected, rel_tol=1e-9, abs_tol=1e-6)


def test_buffer_area_of_a_known_history() -> None:
    """48 cells in at 1 h, 20 out at 3 h, the rest out at 4 h, closed at 6 h:
    48 x 2 + 28 x 1 = 124 cell-hours."""
    env: Any = SimpleNamespace(_now=1.0)
    buffer = Buffer(env, "cell-formed")
    buffer.put(Lot(48.0, 1.0))
    env._now = 3.0
    buffer.take(20.0)
    env._now = 4.0
    buffer.take_front(100.0)
    env._now = 6.0
    buffer.close()
    assert buffer.area == 124.0
    assert buffer.level == 0.0
