"""A SimPy environment with an exact event budget: ``--max-events``, at one subtraction
per processed event."""

from __future__ import annotations

from sim.engine._simpy import LineEnvironment
from sim.errors import RunError

__all__ = ["BoundedEnvironment"]


class BoundedEnvironment(LineEnvironment):
    """The engine's SimPy environment that raises :class:`RunError` when it is to process
    an event past ``max_events`` [-].

    Counting the events processed (one subtraction per event, in :meth:`step`) holds a
    run to exactly the budget given, also one whose events come so fast that simulated
    time hardly moves. Runs without a budget use plain environments and the flood guard
    (:mod:`sim.engine.flood`), which costs nothing per event; a process's memory is
    bounded by the experiment layer's watchdog (``--max-memory``).
    """

    def __init__(self, name: str, max_events: int, end: float) -> None:
        super().__init__()
        self._line = name
        self._max_events = max_events
        self._left = max_events
        self._end = end

    def step(self) -> None:
        self._left -= 1
        if self._left < 0:
            raise RunError(
                f"line {self._line!r} stopped after {self._max_events:,} events at t = "
                f"{self.now:g} of {self._end:g}; raise --max-events or shorten the horizon"
            )
        super().step()
