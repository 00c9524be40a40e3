"""The check's intervals stay where the quantity can be: shares in [0, 1], rates >= 0."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.fit.check import _row


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=2, max_size=12),
    st.floats(0.0, 1.0),
    st.sampled_from(["share", "units/h"]),
)
def test_intervals_stay_inside_what_the_quantity_can_be(
    values: list[float], observed: float, unit: str
) -> None:
    row = _row("welding", "blocked", unit, observed, np.array(values), 0.95)
    top = 1.0 if unit == "share" else np.inf
    for low, high in (row.ci, row.prediction):
        assert 0.0 <= low <= high <= top
    # What the check flags follows the interval shown.
    assert row.outside == (not row.prediction[0] - 1e-12 <= observed <= row.prediction[1] + 1e-12)


def test_a_rare_state_keeps_a_lower_bound_of_zero() -> None:
    row = _row("stacking", "blocked", "share", 0.0013, np.array([0.0, 0.002, 0.0, 0.0005]), 0.95)
    assert row.prediction[0] == 0.0 and row.ci[0] == 0.0 and not row.outside
