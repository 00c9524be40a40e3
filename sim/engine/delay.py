"""Delays with very large capacity (wetting, aging): every lot soaks in parallel.

A delay costs at most one event per lot, never one per cell and never a process: a lot put
in schedules its own end, and lots put at once with the same soak time (a rack unloaded
in trays into a fixed soak) share one event and leave together, in the order they came.
It stands in for the buffer of the material it soaks, so upstream machines block when it
holds ``capacity`` units; a lot whose soak is over waits inside while the downstream
buffer is full.

A fixed soak ends lots in the order they came, so such a delay keeps its soaking lots in a
queue and only the next end in SimPy's event queue: thousands of lots ageing for days would
otherwise make every event of the run pay for a deeper heap. Each end keeps the event
number SimPy would have given it when its lot came (drawn from SimPy's counter then,
:func:`sim.engine._simpy.event_counter`), so events run in exactly the order they would
with one timeout per end.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import simpy

from sim.engine._simpy import NORMAL, event_counter, queue_push, triggered_event
from sim.engine.hits import hit_counter
from sim.engine.lot import EPS, Lot
from sim.engine.rng import sampler, stream, uniforms
from sim.engine.wakes import wakes_of
from sim.model.distributions import Constant

if TYPE_CHECKING:
    from sim.engine.holder import Receiver, Waiter
    from sim.engine.mix import TypeCounts
    from sim.engine.monitor import Departures
    from sim.model.distributions import Distribution

__all__ = ["Delay"]


class _Handover:
    """A soaked lot waiting inside for room downstream (the :class:`Waiter` its holder
    wakes once the lot has moved in): the delay counts it out when a SimPy event on the
    succeeded waiter would run, without that event where it would change nothing
    (:mod:`sim.engine.wakes`)."""

    __slots__ = ("delay", "lot")

    def __init__(self, delay: Delay, lot: Lot) -> None:
        self.delay = delay
        self.lot = lot

    def succeed(self, _value: Any = None) -> None:
        """The lot moved in downstream."""
        delay = self.delay
        if delay._wakes.defer(self._moved):
            return
        moved = delay.env.event()
        moved.callbacks.append(self._moved)
        moved.succeed()

    def _moved(self, _event: simpy.Event | None = None) -> None:
        self.delay._moved(self.lot)


class Delay:
    """A soak of ``time`` per lot for up to ``capacity`` units at once (a
    :class:`~sim.engine.holder.Receiver`)."""

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        time: Distribution,
        capacity: float | None,
        scrap: float,
        discrete: bool,
        seed: int,
        replication: int,
    ) -> None:
        self.env = env
        self.name = name
        self.capacity = math.inf if capacity is None else capacity
        self.time = sampler(time, stream(seed, replication, name, "process"))
        self._count_scrap = hit_counter(
            scrap,
            discrete,
            uniforms(stream(seed, replication, name, "scrap")),
            stream(seed, replication, name, "quality"),
        )
        """Units of a lot scrapped at the end of its soak [-]."""
        self.scrap = scrap
        self.types: TypeCounts | None = None
        """A product mix's counts of units out and scrapped by type (``None`` without)."""
        self.discrete = discrete
        self.out: Receiver | None = None
        self.monitor: Departures | None = None
        """CONWIP on a general line: where scrapped units are reported."""
        self.release_per_unit: float | None = None
        """Units of the released material in one unit soaking here [-]."""
        self.level = 0.0
        """Units inside, soaking or waiting to leave [material unit]."""
        self.putters: deque[tuple[Waiter, Lot]] = deque()
        self.area = 0.0
        self.last = env.now
        self.lots_in = 0
        self.units_out = 0.0
        self.scrapped = 0.0
        self.lost_work = 0.0
        """Machine time spent upstream on units scrapped here [time unit]."""
        self.soaking = 0
        """Lots whose soak is still running [-]."""
        self._ending: dict[float, list[Lot]] = {}
        """Lots soaking, by the time their soak ends [time unit]."""
        self._wakes = wakes_of(env)
        self._fifo: deque[tuple[float, int, list[Lot]]] | None = None
        """A fixed soak: the lots soaking, as (end [time unit], SimPy event number, lots),
        in the order they end; the first end alone is in SimPy's queue."""
        if isinstance(time, Constant):
            self._fifo = deque()
            self._push = queue_push(env)
            self._numbers = event_counter(env)
            self._next_end = triggered_event(env)
            """The event of the first end, reused (SimPy clears its callbacks)."""
            self._ends: list[Callable[[simpy.Event], None]] = [self._release_next]
            """The callbacks of that event, the same list each time (SimPy only reads
            the list it takes back)."""

    def _mark(self) -> None:
        now = self.env.now
        self.area += self.level * (now - self.last)
        self.last = now

    def area_at(self, now: float) -> float:
        """The content's time integral from the window's start to ``now``
        [material unit x time unit]."""
        return self.area + self.level * (now - self.last)

    def available(self) -> float:
        """Nothing can be taken from a delay: it passes lots on by itself."""
        return 0.0

    def put(self, lot: Lot) -> bool:
        """Start soaking ``lot``; ``False`` when the delay is full."""
        level = self.level
        if level + lot.qty > self.capacity + EPS:
            return False
        env = self.env
        now = env.now
        self.area += level * (now - self.last)
        self.last = now
        self.level = level + lot.qty
        self.lots_in += 1
        self.soaking += 1
        soak = self.time()
        end = now + soak
        fifo = self._fifo
        if fifo is not None:
            if fifo and fifo[-1][0] == end:  # lots put together leave together
                fifo[-1][2].append(lot)
                return True
            # the number env.timeout would take now (env.schedule draws it the same way)
            fifo.append((end, next(self._numbers), [lot]))
            if len(fifo) == 1:
                self._arm_next_end()
            return True
        ending = self._ending.get(end)
        if ending is not None:  # lots put together with one soak time leave together
            ending.append(lot)
        else:
            self._ending[end] = [lot]
            env.timeout(soak, end).callbacks.append(self._release)
        return True

    def _release(self, event: simpy.Event) -> None:
        """Pass on every lot whose soak ends now, in the order they came."""
        end = cast(float, event.value)
        wakes = self._wakes
        wakes.active = True
        try:
            for lot in self._ending.pop(end):
                self._soaked(lot)
            wakes.drain()
        finally:
            wakes.active = False

    def _arm_next_end(self) -> None:
        """Put the first end of a fixed soak into SimPy's queue, under its own number."""
        end, number, _ = self._fifo[0]  # type: ignore[index]
        event = self._next_end
        event.callbacks = self._ends
        self._push((end, NORMAL, number, event))

    def _release_next(self, _event: simpy.Event) -> None:
        """Pass on the lots of the first end of a fixed soak, in the order they came."""
        fifo = self._fifo
        assert fifo is not None
        _, _, lots = fifo.popleft()
        if fifo:  # before the lots move on: moving may admit a lot of a blocked machine
            # self._arm_next_end(), inlined: one call less per end
            end, number, _ = fifo[0]
            event = self._next_end
            event.callbacks = self._ends
            self._push((end, NORMAL, number, event))
        wakes = self._wakes
        wakes.active = True
        try:
            for lot in lots:
                self._soaked(lot)
            pending = wakes.pending
            while pending:  # wakes.drain(), inlined: one call less per end
                pending.popleft()()
        finally:
            wakes.active = False

    def block(self, event: Waiter, lot: Lot) -> None:
        """Hold ``lot`` for an upstream machine until there is room."""
        self.putters.append((event, lot))

    def _soaked(self, lot: Lot) -> None:
        self.soaking -= 1
        if self.scrap:
            removed = self._count_scrap(lot.qty)
            if removed > EPS:
                self.scrapped += removed
                if self.types is not None:
                    self.types.scrapped[lot.product] += removed
                self.lost_work += removed * lot.work
                lot.qty -= removed
                self._leave(removed)
                if self.monitor is not None:
                    self.monitor.leave(
                        Lot(removed, lot.start, product=lot.product), False, self.release_per_unit
                    )
        if lot.qty <= EPS:
            return
        out = self.out
        assert out is not None
        if out.put(lot):
            qty = lot.qty
            self.units_out += qty
            if self.types is not None:
                self.types.units_out[lot.product] += qty
            # self._leave(qty), inlined for the usual case: nobody waits to put
            if self.putters:
                self._leave(qty)
                return
            now = self.env.now
            level = self.level
            self.area += level * (now - self.last)
            self.last = now
            self.level = level - qty
        else:
            out.block(_Handover(self, lot), lot)

    def _moved(self, lot: Lot) -> None:
        """A soaked lot that waited inside has moved on: count it out, let others in."""
        self.units_out += lot.qty
        if self.types is not None:
            self.types.units_out[lot.product] += lot.qty
        self._leave(lot.qty)

    def _leave(self, qty: float) -> None:
        now = self.env.now
        level = self.level
        self.area += level * (now - self.last)
        self.last = now
        self.level = level - qty
        putters = self.putters
        while putters and self.level + putters[0][1].qty <= self.capacity + EPS:
            event, lot = putters.popleft()
            self.put(lot)
            event.succeed()

    def reset_counters(self) -> None:
        """Zero what is counted over the measured window."""
        self._mark()
        self.area = 0.0
        self.lots_in = 0
        self.units_out = 0.0
        self.scrapped = 0.0
        self.lost_work = 0.0

    def measure_from_now(self) -> None:
        """Nothing else to do: the content area is reset with the counters."""

    def close(self) -> None:
        """Bring the content area up to now (end of run)."""
        self._mark()
