"""``sim.simulate`` checks its arguments as the API's functions do: a bad horizon, warm-up,
seed or bound is a ConfigError naming ``sim.simulate()`` and the argument, never SimPy's
or numpy's ValueError from inside the run."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sim.engine import simulate
from sim.errors import ConfigError
from sim.model import load_line

ROOT = Path(__file__).resolve().parents[2]
LINE = load_line(ROOT / "configs" / "penny_fab.yaml")
LONGEST = 1000 * 8760.0  # 1000 y [h], the longest horizon a scenario file may give


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_any_horizon_runs_or_is_a_located_error(horizon: float) -> None:
    """Every float, from -inf through the subnormals to 1e308 and NaN: a finite horizon in
    (0, 1000 y] runs (only short ones are run here), anything else is refused by name."""
    valid = math.isfinite(horizon) and 0 < horizon <= LONGEST
    assume(not valid or horizon <= 2000.0)
    if valid:
        assert simulate(LINE, horizon, 0.0, seed=1).horizon == horizon
        return
    with pytest.raises(ConfigError, match=r"^sim\.simulate\(\): horizon: "):
        simulate(LINE, horizon, 0.0, seed=1)


@pytest.mark.parametrize(
    ("arguments", "where", "says"),
    [
        ({"warmup": -1.0}, "warmup", "finite number >= 0"),
        ({"warmup": math.nan}, "warmup", "finite number >= 0"),
        ({"horizon": "30 d"}, "horizon", "sim.run() and sim.compare() take durations"),
        ({"warmup": 1e6, "horizon": 1e-12}, "horizon", "vanishes when added to the warm-up"),
        ({"seed": -1}, "seed", "must be from 0"),
        ({"seed": 1.5}, "seed", "whole number"),
        ({"seed": True}, "seed", "whole number"),
        ({"replication": -1}, "replication", "must be from 0"),
        ({"max_events": 0}, "max_events", "must be from 1"),
    ],
)
def test_bad_arguments_are_located_errors(arguments: dict[str, Any], where: str, says: str) -> None:
    given_arguments: dict[str, Any] = {"horizon": 10.0, "warmup": 0.0, "seed": 1, **arguments}
    with pytest.raises(ConfigError) as caught:
        simulate(LINE, **given_arguments)
    message = str(caught.value)
    assert message.startswith(f"sim.simulate(): {where}: ") and says in message
