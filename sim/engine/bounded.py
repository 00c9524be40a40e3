"""A SimPy environment with an event budget and a memory bound: the guard against runs
that would take hours or fill the machine, at one subtraction per scheduled event."""

from __future__ import annotations

import math

from sim.engine._simpy import LineEnvironment, events_scheduled
from sim.engine.memory import peak_memory
from sim.errors import RunError

__all__ = ["MEMORY_CHECK_EVERY", "BoundedEnvironment", "events_scheduled"]


class BoundedEnvironment(LineEnvironment):
    """The engine's SimPy environment that raises :class:`RunError` when it is to process
    an event past ``max_events`` [-], or when the process's peak memory passes
    ``max_memory`` [MB] (read every :data:`MEMORY_CHECK_EVERY` events).

    Counting the events processed (one subtraction per event, in :meth:`step`) catches
    every runaway run, also one whose events come so fast that simulated time hardly
    moves (a guard process waking at later times would never wake there); plain runs use
    plain environments. Counting here, not where events are scheduled, leaves the engine
    free to put its events into SimPy's queue itself.
    """

    def __init__(
        self, name: str, max_events: int | None, end: float, max_memory: float | None = None
    ) -> None:
        super().__init__()
        self._line = name
        self._max_events = max_events
        self._max_memory = max_memory
        self._left = max_events if max_events is not None else math.inf
        self._until_memory_check = MEMORY_CHECK_EVERY
        self._end = end

    def step(self) -> None:
        self._left -= 1
        if self._left < 0:
            raise RunError(
                f"line {self._line!r} stopped after {self._max_events:,} events at t = "
                f"{self.now:g} of {self._end:g}; raise --max-events or shorten the horizon"
            )
        if self._max_memory is not None:
            self._until_memory_check -= 1
            if self._until_memory_check <= 0:
                self._until_memory_check = MEMORY_CHECK_EVERY
                used = peak_memory()
                if used > self._max_memory:
                    raise RunError(
                        f"line {self._line!r} stopped at t = {self.now:g} of {self._end:g}: "
                        f"{used:,.0f} MB used, over the bound of {self._max_memory:,.0f} MB; "
                        "raise --max-memory, shorten the horizon or use larger lots"
                    )
        super().step()


MEMORY_CHECK_EVERY = 50_000
"""Events between two memory readings of a memory-bounded run [-]."""
