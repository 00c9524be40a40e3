"""Waking a machine without an event, where the event would change nothing.

A holder wakes a waiting machine (material came, room appeared) by succeeding a SimPy
event: the machine resumes when SimPy processes it. When the wake happens inside one of
the engine's own callbacks (a machine's step, the end of a soak) and nothing else is due
at this instant, that event would be the very next one SimPy processes, right after the
callback: so the machine can resume there, when the callback ends, without the event.
Machines woken together resume in the order their events would have run. When anything
else is due now, the wake stays a SimPy event, so the order of events never changes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from sim.engine._simpy import event_queue

if TYPE_CHECKING:
    import simpy

__all__ = ["Wakes", "wakes_of"]


class Wakes:
    """The machines woken during the engine's current callback, to resume when it ends."""

    __slots__ = ("active", "env", "pending", "queue")

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.queue = event_queue(env)
        """SimPy's event queue, read for what is due next (``env.peek()`` without a call)."""
        self.active = False
        """Inside an engine callback that resumes the woken machines when it ends."""
        self.pending: deque[Callable[[], None]] = deque()

    def defer(self, resume: Callable[[], None]) -> bool:
        """Queue ``resume`` to run when the current callback ends, if its wake event would
        run right then (nothing else is due now: SimPy's next event time, ``peek``, is
        later); ``False`` when the wake must be a SimPy event."""
        if self.active:
            queue = self.queue
            if not queue or queue[0][0] > self.env.now:
                self.pending.append(resume)
                return True
        return False

    def drain(self) -> None:
        """Resume the machines woken so far, in order (those they wake join the queue)."""
        pending = self.pending
        while pending:
            pending.popleft()()


def wakes_of(env: simpy.Environment) -> Wakes:
    """Return the wakes of ``env``, one per environment."""
    wakes = getattr(env, "_linesim_wakes", None)
    if wakes is None:
        wakes = Wakes(env)
        env._linesim_wakes = wakes  # type: ignore[attr-defined]
    return wakes
