"""The flood guard: a run that schedules far more events than its line's rates and
clocks give is stopped with a located error, at no cost to runs that do not."""

from __future__ import annotations

from pathlib import Path

import pytest
import simpy

from sim.engine import flood, simulate
from sim.engine._simpy import LineEnvironment, number_in_rounds
from sim.errors import RunError
from sim.model import load_line

ROOT = Path(__file__).resolve().parents[2]


def test_a_check_that_fails_stops_the_run_before_its_next_event() -> None:
    """A zero-time loop (SimPy would run it for ever) is stopped at the first round whose
    check returns an error; the error comes out of env.run as it was made."""
    env = LineEnvironment()
    looks: list[int] = []

    def check(events: int, now: float) -> Exception | None:
        looks.append(events)
        return RunError("flood") if events >= 300 else None

    number_in_rounds(env, 100, check)

    def spin(env: simpy.Environment):  # type: ignore[no-untyped-def]
        while True:
            yield env.timeout(0)

    env.process(spin(env))
    with pytest.raises(RunError, match="flood"):
        env.run(until=1.0)
    assert looks == [0, 100, 200, 300]


def test_numbers_in_rounds_run_the_events_in_the_order_simpy_gives() -> None:
    """Rounds only renumber where SimPy counts: events due together still run in the order
    they were scheduled, across round boundaries."""
    env = LineEnvironment()
    number_in_rounds(env, 3, lambda events, now: None)
    order: list[int] = []
    for k in range(10):
        env.timeout(1.0).callbacks.append(lambda _event, k=k: order.append(k))
    env.run()
    assert order == list(range(10))


def test_the_guard_stops_a_line_that_floods_with_its_time_and_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a factor of 0.01 the Penny Fab "floods" at once: the run stops with a
    RunError naming the line, the time, both rates and --max-events."""
    monkeypatch.setattr(flood, "FLOOD_FACTOR", 0.01)
    monkeypatch.setattr(flood, "FLOOD_FLOOR", 0)
    line = load_line(ROOT / "configs" / "penny_fab.yaml")
    with pytest.raises(RunError) as caught:
        simulate(line, 60_000.0, 0.0, seed=1)  # past the first round of 65,536 events
    message = str(caught.value)
    assert "'penny-fab'" in message or "penny" in message
    assert "flooded the engine" in message and "--max-events" in message
    assert "events / h" in message and "lots finished at" in message
    # an exact budget given takes the guard's place
    assert simulate(line, 500.0, 0.0, seed=1, max_events=10**7).good_total > 0


@pytest.mark.parametrize(
    ("config", "horizon"),
    [
        ("penny_fab.yaml", 2000.0),
        ("cell_assembly_serial.yaml", 3 * 24 * 60.0),
        ("prismatic_lfp_300mah.yaml", 20 * 24.0),
    ],
)
def test_every_example_line_stays_far_inside_the_guard(config: str, horizon: float) -> None:
    """The example lines schedule at most about 1.3 times their estimate (measured at
    0.6-1.3), a fifth of what the guard allows: it trips on floods, not on lines."""
    line = load_line(ROOT / "configs" / config)
    estimate, _ = flood.expected_events(line, horizon)
    ran = simulate(line, horizon, 0.0, seed=1).events
    assert ran <= flood.FLOOD_FLOOR + flood.FLOOD_FACTOR / 5 * estimate
    assert ran <= 2 * estimate
