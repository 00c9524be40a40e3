"""Buffers of one material: finite or unlimited, FIFO by lot, with blocking.

Capacity counts units waiting (not in process). A machine short of material registers a
getter that is woken once enough is there; a machine whose output does not fit registers
a putter holding its lot (blocking after service) and is released as room appears. Units
held by blocked machines count as available, so a buffer of capacity 0 couples two
machines directly.

The level's time integral (the WIP a buffer holds) is kept as the flux of unit-times: each
unit that leaves at time t adds t, each that comes at t subtracts it, so the integral up to
now is that sum plus the level times now, one multiply-add per move instead of closing an
interval of constant level on every move.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

from sim.engine._simpy import clock_of
from sim.engine.lot import EPS, Lot

if TYPE_CHECKING:
    import simpy

    from sim.engine.holder import Waiter
    from sim.engine.monitor import LineMonitor

__all__ = ["Buffer", "Source"]


class Buffer:
    """The buffer of one material (a serial line's: the jobs waiting for a station); a
    :class:`~sim.engine.holder.Supply` and a :class:`~sim.engine.holder.Receiver`."""

    __slots__ = (
        "area",
        "capacity",
        "clock",
        "env",
        "flux",
        "getters",
        "level",
        "limit",
        "lots",
        "name",
        "putters",
    )

    def __init__(self, env: simpy.Environment, name: str, capacity: float = math.inf) -> None:
        self.env = env
        self.clock = clock_of(env)
        """Where the buffer reads the time: the environment itself (its ``now``)."""
        self.name = name
        self.capacity = capacity
        self.limit = capacity + EPS
        """The most units that fit, with the tolerance [material unit]."""
        self.lots: deque[Lot] = deque()
        self.level = 0.0
        self.getters: deque[tuple[Waiter, float]] = deque()
        self.putters: deque[tuple[Waiter, Lot]] = deque()
        self.flux = 0.0
        """Unit-times of the units that left, less those of the units that came, since
        the measured window began [material unit x time unit]."""
        self.area = 0.0
        """The level's time integral over the measured window, set at its end
        (:meth:`area_at` meanwhile) [material unit x time unit]."""

    def area_at(self, now: float) -> float:
        """The level's time integral from the window's start to ``now``
        [material unit x time unit]."""
        return self.flux + self.level * now

    def _settle_level(self) -> None:
        """Clear a level left by rounding (the caller found it below the tolerance),
        keeping the integral."""
        self.flux += self.level * self.clock.now
        self.level = 0.0

    def available(self) -> float:
        """Units that can be taken now, counting those held by blocked machines."""
        putters = self.putters
        if putters:
            if len(putters) == 1:  # the sum of one, as sum() adds it (0 + qty)
                return self.level + putters[0][1].qty
            return self.level + sum(lot.qty for _, lot in putters)
        return self.level

    def take_piece(self) -> Lot | None:
        """Take one piece, ``None`` when nothing is there: :meth:`take_front` of 1, with
        the usual case (a lot of one piece at the front) first, for the fast path."""
        lots = self.lots
        if lots and lots[0].qty == 1.0:
            self.flux += self.clock.now
            self.level -= 1.0
            front = lots.popleft()
            if self.putters:
                self._admit()
            return front
        return self.take_front(1.0)

    def take_front(self, limit: float) -> Lot | None:
        """Take the front lot whole, or ``limit`` units of it when it is larger; ``None``
        when nothing is there. Stations that neither merge nor split work lot by lot."""
        lots = self.lots
        if not lots:
            if not self.putters:
                return None
            event, front = self.putters[0]
            if front.qty <= limit + EPS:
                self.putters.popleft()
                event.succeed()
                return front
            return front.part(limit)
        front = lots[0]
        now = self.clock.now
        if front.qty <= limit + EPS:
            lots.popleft()
            flux = self.flux + front.qty * now
            level = self.level - front.qty
        else:
            front = front.part(limit)
            flux = self.flux + limit * now
            level = self.level - limit
        if level < EPS:  # self._settle_level(), inlined: the buffer emptied
            flux += level * now
            level = 0.0
        self.flux = flux
        self.level = level
        if self.putters:
            self._admit()
        return front

    def take(self, amount: float) -> list[Lot]:
        """Take exactly ``amount`` units (the caller checked :meth:`available`)."""
        taken: list[Lot] = []
        before = level = self.level
        lots = self.lots
        while amount > EPS and lots:
            front = lots[0]
            if front.qty <= amount + EPS:
                lots.popleft()
                level -= front.qty
                amount -= front.qty
                taken.append(front)
            else:
                taken.append(front.part(amount))
                level -= amount
                amount = 0.0
        while amount > EPS and self.putters:
            event, front = self.putters[0]
            if front.qty <= amount + EPS:
                self.putters.popleft()
                event.succeed()
                amount -= front.qty
                taken.append(front)
            else:
                taken.append(front.part(amount))
                amount = 0.0
        now = self.clock.now
        self.flux += (before - level) * now
        if level < EPS:  # self._settle_level(), inlined: the buffer emptied
            self.flux += level * now
            level = 0.0
        self.level = level
        if self.putters:
            self._admit()
        return taken

    def take_of(self, amount: float, product: int) -> list[Lot]:
        """Take exactly ``amount`` units of lots of type ``product``, oldest first, passing
        over lots of other types (the caller checked that they are there): a machine of a
        product mix keeps to the type it is set up for."""
        taken: list[Lot] = []
        kept: deque[Lot] = deque()
        level = self.level
        for lot in self.lots:
            if amount <= EPS or lot.product != product:
                kept.append(lot)
            elif lot.qty <= amount + EPS:
                self.level -= lot.qty
                amount -= lot.qty
                taken.append(lot)
            else:
                taken.append(lot.part(amount))
                self.level -= amount
                amount = 0.0
                kept.append(lot)
        self.lots = kept
        if amount > EPS and self.putters:
            waiting: deque[tuple[Waiter, Lot]] = deque()
            for event, lot in self.putters:
                if amount <= EPS or lot.product != product:
                    waiting.append((event, lot))
                elif lot.qty <= amount + EPS:
                    event.succeed()
                    amount -= lot.qty
                    taken.append(lot)
                else:
                    taken.append(lot.part(amount))
                    amount = 0.0
                    waiting.append((event, lot))
            self.putters = waiting
        self.flux += (level - self.level) * self.clock.now
        if self.level < EPS:
            self._settle_level()
        if self.putters:
            self._admit()
        return taken

    def _admit(self) -> None:
        """Move lots of blocked upstream machines in while there is room."""
        putters = self.putters
        while putters and self.level + putters[0][1].qty <= self.limit:
            event, lot = putters.popleft()
            self.lots.append(lot)
            self.level += lot.qty
            self.flux -= lot.qty * self.clock.now
            event.succeed()

    def put(self, lot: Lot) -> bool:
        """Add a finished lot; ``False`` when it does not fit (the caller then blocks)."""
        qty = lot.qty
        level = self.level + qty
        if level > self.limit:
            return False
        self.flux -= qty * self.clock.now
        self.lots.append(lot)
        self.level = level
        getters = self.getters
        if getters:  # self._wake(), written out: a call less on the hot path
            available = level
            putters = self.putters
            if putters:
                if len(putters) == 1:  # the sum of one, as sum() adds it (0 + qty)
                    available += putters[0][1].qty
                else:
                    available += sum(held.qty for _, held in putters)
            while getters and available + EPS >= getters[0][1]:
                waiter, need = getters.popleft()
                waiter.succeed()
                available -= need
        return True

    def put_back(self, lot: Lot) -> None:
        """Add a lot sent back to be reworked, whatever the buffer holds (it waits on a
        rework rack beside the station; upstream machines still see the buffer full)."""
        self.flux -= lot.qty * self.clock.now
        self.lots.append(lot)
        self.level += lot.qty
        if self.getters:
            self._wake()

    def block(self, event: Waiter, lot: Lot) -> None:
        """Hold ``lot`` for an upstream machine until there is room; wake takers it feeds."""
        self.putters.append((event, lot))
        if self.getters:
            self._wake()

    def wake_takers(self) -> None:
        """Wake waiting takers that what is available now covers (after a take that left
        some: a product mix's machines wait for the next lot, not for an amount)."""
        if self.getters:
            self._wake()

    def _wake(self) -> None:
        """Wake waiting takers, oldest first, while what is available covers their need."""
        getters = self.getters
        available = self.level
        putters = self.putters
        if putters:  # self.available(), inlined
            if len(putters) == 1:  # the sum of one, as sum() adds it (0 + qty)
                available += putters[0][1].qty
            else:
                available += sum(lot.qty for _, lot in putters)
        while getters and available + EPS >= getters[0][1]:
            event, need = getters.popleft()
            event.succeed()
            available -= need

    def wait(self, event: Waiter, need: float) -> None:
        """Wake ``event`` once ``need`` units are available."""
        self.getters.append((event, need))

    def measure_from_now(self) -> None:
        """Zero the level area (end of warm-up)."""
        self.flux = -self.level * self.clock.now

    def close(self) -> None:
        """Bring the level area up to now (end of run)."""
        self.area = self.area_at(self.clock.now)


class Source:
    """Unlimited raw material: any amount can be taken at any time (a
    :class:`~sim.engine.holder.Supply`)."""

    __slots__ = ("env", "monitor", "name")

    area = 0.0
    level = 0.0
    capacity = math.inf

    def __init__(
        self, env: simpy.Environment, name: str, monitor: LineMonitor | None = None
    ) -> None:
        self.env = env
        self.name = name
        self.monitor = monitor

    def available(self) -> float:
        return math.inf

    def wait(self, event: Waiter, need: float) -> None:
        """Raw material is always there: wake at once."""
        event.succeed()

    def take_piece(self) -> Lot:
        """Release one piece now."""
        return self.take(1.0)[0]

    def take_front(self, limit: float) -> Lot:
        """Release a lot of ``limit`` units now."""
        return self.take(limit)[0]

    def take(self, amount: float) -> list[Lot]:
        """Release ``amount`` units of raw material now."""
        now = self.env.now
        if self.monitor is not None:
            self.monitor.release(now, amount)
        return [Lot(amount, now)]

    def measure_from_now(self) -> None:
        """Nothing to measure: raw material is unlimited."""

    def close(self) -> None:
        """Nothing to measure: raw material is unlimited."""
