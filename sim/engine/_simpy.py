"""The one place in linesim that reads or writes SimPy's private attributes.

The engine spends about one SimPy event per lot, millions a simulated year, so its hot paths
skip what SimPy's public API costs per step: the ``now`` property (a call per read), and a
new ``Timeout`` per delay (an object, ``env.schedule`` and a callback list each). It reads
the clock as a plain attribute and drives each machine with one reused event pushed straight
into SimPy's event queue, as the very entry ``env.schedule`` would push. Both lean on
SimPy 4's private names: ``Environment._now``, ``_queue`` and ``_eid`` and ``Event._ok`` and
``_value``. They are used here alone, behind the small helpers below, so that a SimPy which
changes them breaks in this one file, at import, with a message saying so
(``tests/engine/test_simpy_boundary.py`` checks that no other module touches them).

The helpers add no Python call to the hot paths: the clock is a slot of
:class:`LineEnvironment`, read as ``env.now`` at the cost of an attribute; pushing is
``heapq.heappush`` bound to SimPy's queue (a C call) and numbers are drawn with ``next``
from SimPy's own counter. (Wrapping the push in a Python function, the entry built inside,
cost 5 % of the Penny Fab's run time: one frame per event; the bound push costs next to
nothing.) So call sites build the queue's :data:`Entry` themselves, in the layout
:func:`check_simpy` verifies at import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from heapq import heappush
from itertools import chain
from types import MethodType
from typing import Any, Protocol

import simpy
from simpy.core import BoundClass
from simpy.events import NORMAL, PENDING, URGENT

__all__ = [
    "NORMAL",
    "Clock",
    "Entry",
    "LineEnvironment",
    "SimPyChanged",
    "check_simpy",
    "clock_of",
    "event_counter",
    "event_queue",
    "events_scheduled",
    "number_in_rounds",
    "queue_push",
    "triggered_event",
]

BOUNDARY = "sim/engine/_simpy.py"
"""This file, as the messages of an incompatible SimPy name it."""


class SimPyChanged(ImportError):
    """The installed SimPy lacks a private attribute this module relies on (raised at
    import, so that no run starts on a SimPy the engine would misread)."""


def _changed(what: str) -> SimPyChanged:
    return SimPyChanged(f"SimPy {simpy.__version__} changed {what}; {BOUNDARY} must be updated")


class LineEnvironment(simpy.Environment):
    """SimPy's environment with its clock in a slot, read as ``env.now`` [time unit] at
    the cost of an attribute, not of the property SimPy defines (a call per read).

    SimPy keeps the time in ``_now``, which it writes in every ``step``; here ``_now`` and
    ``now`` are two names of one slot (see below the class), so SimPy's own code runs
    unchanged and every reader of ``env.now`` gets the same value, as fast as ``_now``.
    Anything the engine does also works on a plain ``simpy.Environment``, only slower.
    """

    __slots__ = ("now",)

    now: float

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        # SimPy binds its event factories (timeout, event, process, ...) to the instance
        # only for those its most derived class defines, so a subclass would build a bound
        # method at every env.timeout(); bind them all, as a plain Environment has them.
        # (Reading the instance's __dict__ here would make SimPy's own attribute reads
        # slower for the whole run: CPython then keeps the attributes in a plain dict.)
        for cls in type(self).__mro__:
            for name, attribute in vars(cls).items():
                if type(attribute) is BoundClass:
                    setattr(self, name, getattr(self, name))


LineEnvironment._now = vars(LineEnvironment)["now"]
"""SimPy's name of the clock, the same slot as ``now``."""


def triggered_event(env: simpy.Environment) -> simpy.Event:
    """An event marked succeeded (value ``None``) but not scheduled, as ``succeed`` leaves
    it: the engine schedules it itself, again after each time SimPy processes it (SimPy
    clears its callbacks then, and a processed event given new ones can go again)."""
    event = simpy.Event(env)
    event._ok = True
    event._value = None
    return event


Entry = tuple[float, int, int, simpy.Event]
"""An entry of SimPy's event queue, the one ``env.schedule`` pushes: (time [time unit],
priority (:data:`NORMAL`, or SimPy's ``URGENT`` first), event number [-], event); the
queue processes the least first, so events due together run by priority, then in the
order they were scheduled."""


def queue_push(env: simpy.Environment) -> Callable[[Entry], None]:
    """Return ``push(entry)``: put an :data:`Entry` into ``env``'s event queue, as
    ``env.schedule`` does, for an event from :func:`triggered_event` with its callbacks
    set. It is ``heapq.heappush`` bound to SimPy's queue (a C call, no Python frame): a
    reused event scheduled this way costs what SimPy's own ``schedule`` costs inside."""
    return MethodType(heappush, env._queue)


def event_queue(env: simpy.Environment) -> list[Entry]:
    """SimPy's event queue of ``env``, a heap of :data:`Entry`: ``heapq.heappush(queue,
    entry)`` on it is what :func:`queue_push` does, without the bound method's call."""
    return env._queue  # type: ignore[return-value]  # SimPy types its entries more loosely


def event_counter(env: simpy.Environment) -> Iterator[int]:
    """SimPy's event numbers [-]: ``next(counter)`` draws the next, as ``env.schedule``
    and ``env.timeout`` do (an event pushed under a number drawn earlier runs where one
    scheduled then would: a fixed soak keeps only its next end in SimPy's queue)."""
    return env._eid


def events_scheduled(env: simpy.Environment) -> int:
    """Events scheduled so far [-]: SimPy numbers them with a counter, read here once per
    run (taking a number, which no event of the run needs any more)."""
    return next(env._eid)


class _Rounds:
    """The event numbers of a run in rounds of ``size``: each round is a ``range`` (drawn
    from in C), and between two rounds ``check(events so far, now)`` may stop the run."""

    __slots__ = ("_check", "_env", "_next", "_size", "_stopped")

    def __init__(
        self, env: simpy.Environment, size: int, check: Callable[[int, float], Exception | None]
    ) -> None:
        self._env, self._size, self._check = env, size, check
        self._next = 0
        self._stopped = False

    def __iter__(self) -> _Rounds:
        return self

    def __next__(self) -> range:
        start = self._next
        self._next = start + self._size
        if not self._stopped:
            error = self._check(start, self._env._now)
            if error is not None:
                self._stopped = True
                # a failed event due now, before every other (URGENT, number -1): SimPy's
                # step raises its exception out of env.run, as for a failed process
                failed = simpy.Event(self._env)
                failed._ok = False
                failed._value = error
                heappush(self._env._queue, (self._env._now, URGENT, -1, failed))
        return range(start, self._next)


def number_in_rounds(
    env: simpy.Environment, size: int, check: Callable[[int, float], Exception | None]
) -> None:
    """Number ``env``'s events in rounds of ``size`` [-] and call ``check(events scheduled
    so far [-], now [time unit])`` once a round; when it returns an exception, the run
    stops with it before the next event (``env.run`` raises it). Drawing a number stays a
    C call (``itertools.chain`` over ``range`` objects), so a check costs nothing between
    rounds. Call it before anything is scheduled: the numbers restart at 0."""
    env._eid = chain.from_iterable(_Rounds(env, size, check))  # type: ignore[assignment]


class Clock(Protocol):
    """Something with the current time."""

    @property
    def now(self) -> float:
        """The current time [time unit]."""
        ...


class _StandIn:
    """The clock of a stand-in environment that keeps its time as SimPy does, in ``_now``
    (a test drives a buffer with a namespace holding ``_now`` alone)."""

    __slots__ = ("_env",)

    def __init__(self, env: Any) -> None:
        self._env = env

    @property
    def now(self) -> float:
        """The stand-in's time [time unit]."""
        return self._env._now  # type: ignore[no-any-return]


def clock_of(env: Any) -> Clock:
    """The clock of ``env``: the environment itself when it has SimPy's ``now`` (read at
    the cost of an attribute on a :class:`LineEnvironment`), else a view of the ``_now`` a
    stand-in keeps."""
    return env if hasattr(env, "now") else _StandIn(env)


def check_simpy(
    environment: type[simpy.Environment] = simpy.Environment,
    event_type: type[simpy.Event] = simpy.Event,
) -> None:
    """Raise :class:`SimPyChanged` unless ``environment`` and ``event_type`` (SimPy's, by
    default) have the private attributes this module relies on, with the meaning it
    relies on: the clock in ``_now``, the queue a heap list of (time, priority, event
    number, event) in ``_queue``, the numbers drawn from ``_eid``, and an event's state
    in ``_ok`` and ``_value``."""
    env = environment()
    if not isinstance(getattr(env, "_now", None), int | float):
        raise _changed("Environment._now")
    queue = getattr(env, "_queue", None)
    if not isinstance(queue, list):
        raise _changed("Environment._queue")
    numbers = getattr(env, "_eid", None)
    if not isinstance(numbers, Iterator) or not isinstance(next(numbers, None), int):
        raise _changed("Environment._eid")
    event = event_type(env)
    if getattr(event, "_value", None) is not PENDING:
        raise _changed("Event._value")
    event.succeed("done")
    if getattr(event, "_ok", None) is not True or getattr(event, "_value", None) != "done":
        raise _changed("Event._ok")
    entry = queue[0] if len(queue) == 1 else None
    if (
        not isinstance(entry, tuple)
        or len(entry) != 4
        or entry[0] != env._now
        or entry[1] != NORMAL
        or not isinstance(entry[2], int)
        or entry[3] is not event
    ):
        raise _changed("Environment._queue (its entries)")
    env.timeout(2.5)
    env.step()
    env.step()
    if env._now != 2.5 or env.now != 2.5:
        raise _changed("Environment._now (step no longer sets it)")


check_simpy()
check_simpy(LineEnvironment)
