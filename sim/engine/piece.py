"""The fast path: a machine that works one piece at a time, driven by SimPy callbacks.

A station of lot 1 with nothing that stops it (no failures, minor stops, setups, planned
maintenance, shifts, batches or inspection) that passes single pieces of one material on
(a serial line's jobs, for one) needs no generator process: each cycle is one
SimPy event, scheduled after the cycle time, whose callback passes the piece on and starts
the next. Buffers wake a waiting or blocked machine by calling its
:meth:`PieceMachine.succeed`, as they would succeed a SimPy event, so that waking costs no
event. The engine chooses this path by itself (``StationRun.simple``); it draws the same
streams in the same order as the general loop, so results are the same.

Each machine reuses one SimPy event for its cycle ends: SimPy clears an event's callbacks
when it processes it, and a processed event given new callbacks can be scheduled again
(:func:`sim.engine._simpy.event_queue`).

A cycle's end is one callback doing all of it: the piece moves into the next buffer (which
wakes a machine waiting there), the next piece leaves the machine's buffer, the next cycle
is scheduled. Between buffers of :class:`~sim.engine.buffer.Buffer` those moves are the
buffer's own :meth:`~sim.engine.buffer.Buffer.put` and
:meth:`~sim.engine.buffer.Buffer.take_piece`, written out in the callback (the same
operations in the same order, so every figure is the same to the last bit): a call less
each. The last machine of a CONWIP line also writes out the sink's, the line monitor's and
the entry buffer's methods (its job leaves and the replacement enters in the same
callback): 5 % fewer instructions a completion on the Penny Fab. Which callback a machine
uses is decided when it starts, not per cycle: the written out ones need a buffer to take
from, no scrap and no trace.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from heapq import heappush
from typing import TYPE_CHECKING, Any

import simpy
from simpy.events import URGENT

from sim.engine._simpy import NORMAL, event_counter, event_queue, triggered_event
from sim.engine.buffer import Buffer
from sim.engine.lot import EPS, Lot
from sim.engine.monitor import BLOCKED, BUSY, IDLE, LineMonitor, MachineClock, Sink, _product_good

if TYPE_CHECKING:
    from sim.engine.holder import Receiver, Supply
    from sim.engine.station import StationRun

__all__ = ["PieceMachine"]


class PieceMachine:
    """One of a simple station's identical machines, as a chain of timed callbacks."""

    __slots__ = (
        "_draws",
        "_duration",
        "_end",
        "_finished",
        "_heap",
        "_in",
        "_inbuf",
        "_numbers",
        "_out",
        "_put",
        "_take",
        "_written",
        "clock",
        "cycles",
        "env",
        "index",
        "lot",
        "station",
    )

    def __init__(self, env: simpy.Environment, station: StationRun, index: int) -> None:
        self.env = env
        self.station = station
        self.index = index
        self.clock = MachineClock(station.state_time, env.now)
        self.lot: Lot | None = None
        """The piece in process."""
        self.cycles = 0
        """Cycles finished in the measured window [-] (the station adds them up at the
        end: a count here costs less per event than one on the station)."""
        self._inbuf: Supply = station.inputs[0][0]
        self._take: Callable[[], Lot | None] = self._inbuf.take_piece
        self._put = station.out.put
        inbuf = self._inbuf
        self._in: Buffer | None = inbuf if type(inbuf) is Buffer else None
        """The machine's buffer when it is a plain :class:`Buffer` (taken from in place)."""
        out = station.out
        self._out: Buffer | None = out if type(out) is Buffer else None
        """The next buffer when it is a plain :class:`Buffer` (put into in place)."""
        self._duration = 0.0
        """The cycle time of the piece in process [time unit]."""
        self._end = triggered_event(env)
        """The event that ends each cycle, reused."""
        self._finished: list[Callable[[Any], None]] = [self._finish]
        self._heap = event_queue(env)
        self._numbers = event_counter(env)
        self._draws = _draws(station.cycle_time)
        """The cycle times [time unit], drawn with ``next`` (a sampler is an iterator's
        ``__next__``, a wrapper that costs more to call)."""
        self._written = False
        """:meth:`succeed` takes from :attr:`_in` in place (set when the machine starts: a
        plain buffer to take from and no trace)."""

    def start(self) -> None:
        """Take the first piece at the current time, where a SimPy process would start
        (an urgent event, as SimPy's ``Initialize``)."""
        self._end.callbacks = [self._begin]
        self.env.schedule(self._end, URGENT)

    def _begin(self, _event: simpy.Event) -> None:
        """Choose the cycle end's callback (the run's tracer, if any, is attached by now)
        and take the first piece."""
        self._written = self._in is not None and self.clock.observer is None
        if self._written and not self.station.scrap:
            self._finished = [self._flow]
            if _releases(self.station.out):
                self._finished = [self._flow_last]
        self.succeed()

    def succeed(self, _value: Any = None) -> None:
        """Resume: material came (the machine was idle) or the blocked piece moved on."""
        if not self._written:
            self._resume()
            return
        # self._resume() with the buffer's take_piece and wait and the clock's switch
        # written out (the same operations in the same order)
        now = self.env.now
        buffer: Buffer = self._in  # type: ignore[assignment]  # set whenever _written
        clock = self.clock
        lots = buffer.lots
        lot = lots.popleft() if lots else None
        if lot is not None and lot.qty == 1.0:
            buffer.flux += now
            buffer.level -= 1.0
            if buffer.putters:
                buffer._admit()
        else:
            if lot is not None:  # a lot of other than one piece: put back and take_front
                lots.appendleft(lot)
            lot = buffer.take_front(1.0)
            if lot is None:
                clock.totals[clock.state] += now - clock.since
                clock.state = IDLE
                clock.since = now
                buffer.getters.append((self, 1.0))
                return
        state = clock.state
        if state != BUSY:
            clock.totals[state] += now - clock.since
            clock.state = BUSY
            clock.since = now
        self.lot = lot
        end = self._end
        end.callbacks = self._finished  # SimPy only reads the list it takes back
        duration = self._duration = next(self._draws)
        # env.schedule(end, NORMAL, duration), inlined: the same entry in SimPy's queue
        heappush(self._heap, (now + duration, NORMAL, next(self._numbers), end))

    def _resume(self) -> None:
        """:meth:`succeed` through the holders' and the clock's methods."""
        lot = self._take()
        clock = self.clock
        if lot is None:
            clock.switch(IDLE, self.env.now)
            self._inbuf.wait(self, 1.0)
            return
        if clock.state != BUSY:
            clock.switch(BUSY, self.env.now)
        self.lot = lot
        end = self._end
        end.callbacks = self._finished  # SimPy only reads the list it takes back
        duration = self._duration = next(self._draws)
        # env.schedule(end, NORMAL, duration), inlined: the same entry in SimPy's queue
        heappush(self._heap, (self.env.now + duration, NORMAL, next(self._numbers), end))

    def _flow(self, _event: simpy.Event) -> None:
        """A piece is done (no scrap, no trace, a buffer to take from): on to the next
        holder, the next piece out of this buffer, its cycle scheduled; a :class:`Buffer`'s
        code written out."""
        now = self.env.now
        lot: Lot = self.lot  # type: ignore[assignment]  # set whenever a cycle runs
        self.cycles += 1
        lot.work += self._duration
        out = self._out
        if out is not None:  # out.put(lot), written out
            qty = lot.qty
            level = out.level + qty
            if level > out.limit:
                self.clock.switch(BLOCKED, now)
                out.block(self, lot)
                return
            out.flux -= qty * now
            out.lots.append(lot)
            out.level = level
            getters = out.getters
            if getters:  # out._wake(), written out
                available = level
                if out.putters:
                    available += sum(held.qty for _, held in out.putters)
                while getters and available + EPS >= getters[0][1]:
                    waiter, need = getters.popleft()
                    waiter.succeed()
                    available -= need
        elif not self._put(lot):
            self.clock.switch(BLOCKED, now)
            self.station.out.block(self, lot)
            return
        # self._inbuf.take_piece(), written out for its usual case
        buffer: Buffer = self._in  # type: ignore[assignment]  # chosen so in _begin
        lots = buffer.lots
        following = lots.popleft() if lots else None
        if following is not None and following.qty == 1.0:
            buffer.flux += now
            buffer.level -= 1.0
            if buffer.putters:
                buffer._admit()
        else:
            if following is not None:  # a lot of other than one piece: put back, take_front
                lots.appendleft(following)
            following = buffer.take_front(1.0)
            if following is None:  # the clock's switch to IDLE and buffer.wait, written out
                clock = self.clock
                clock.totals[clock.state] += now - clock.since
                clock.state = IDLE
                clock.since = now
                buffer.getters.append((self, 1.0))
                return
        self.lot = following
        end = self._end
        end.callbacks = self._finished  # SimPy only reads the list it takes back
        duration = self._duration = next(self._draws)
        # env.schedule(end, NORMAL, duration), inlined: the same entry in SimPy's queue
        heappush(self._heap, (now + duration, NORMAL, next(self._numbers), end))

    def _flow_last(self, _event: simpy.Event) -> None:
        """:meth:`_flow` of a CONWIP line's last machine: the piece leaves the line into
        its :class:`~sim.engine.monitor.Sink` and its replacement enters the first buffer
        (``Sink.put``, ``LineMonitor.leave`` and ``Buffer.put``, written out)."""
        lot: Lot = self.lot  # type: ignore[assignment]  # set whenever a cycle runs
        if type(lot) is not Lot:  # a reworked piece carries its passes: the general way
            self._flow(_event)
            return
        now = self.env.now
        self.cycles += 1
        sink: Sink = self.station.out  # type: ignore[assignment]
        qty = lot.qty
        flow = now - lot.start
        sink.units += qty
        sink.units_total += qty
        sink.flow_sum += flow * qty
        sink.flow_sumsq += flow * flow * qty
        if now >= sink._bin_start:
            index = int((now - sink._bin_start) / sink._bin_width)
            if index < sink._bin_count:
                sink._counts[index] += qty
        if lot.defects:
            sink.escaped += qty * (1.0 - _product_good(lot.defects))
        monitor: LineMonitor = sink.monitor  # type: ignore[assignment]
        monitor.released += qty
        monitor.released_total += qty
        lot.start = now
        lot.work = 0.0
        lot.defects = None
        entry: Buffer = monitor.conwip_entry  # type: ignore[assignment]
        level = entry.level + qty  # entry.put(lot), written out: the entry has no limit
        entry.flux -= qty * now
        entry.lots.append(lot)
        entry.level = level
        getters = entry.getters
        if getters:
            available = level
            if entry.putters:
                available += sum(held.qty for _, held in entry.putters)
            while getters and available + EPS >= getters[0][1]:
                waiter, need = getters.popleft()
                waiter.succeed()
                available -= need
        # self._inbuf.take_piece(), written out for its usual case
        buffer: Buffer = self._in  # type: ignore[assignment]  # chosen so in _begin
        lots = buffer.lots
        following = lots.popleft() if lots else None
        if following is not None and following.qty == 1.0:
            buffer.flux += now
            buffer.level -= 1.0
            if buffer.putters:
                buffer._admit()
        else:
            if following is not None:  # a lot of other than one piece: put back, take_front
                lots.appendleft(following)
            following = buffer.take_front(1.0)
            if following is None:  # the clock's switch to IDLE and buffer.wait, written out
                clock = self.clock
                clock.totals[clock.state] += now - clock.since
                clock.state = IDLE
                clock.since = now
                buffer.getters.append((self, 1.0))
                return
        self.lot = following
        end = self._end
        end.callbacks = self._finished  # SimPy only reads the list it takes back
        duration = self._duration = next(self._draws)
        # env.schedule(end, NORMAL, duration), inlined: the same entry in SimPy's queue
        heappush(self._heap, (now + duration, NORMAL, next(self._numbers), end))

    def _finish(self, _event: simpy.Event) -> None:
        """A piece is done: it carries the machine time spent on it, so scrap here or
        later loses that work; then take the next."""
        station = self.station
        lot: Lot = self.lot  # type: ignore[assignment]  # set whenever a cycle runs
        self.cycles += 1
        lot.work += self._duration
        scrap = station.scrap
        observer = self.clock.observer
        if scrap and station.uniform() < scrap:
            station.scrapped += 1.0
            station.lost_work += lot.work
            lot.qty = 0.0
            if observer is not None:
                observer.finished(self.clock.key, 0.0, 1.0, self.env.now)
            if station.monitor is not None:
                station.monitor.leave(Lot(1.0, lot.start), False, station.release_per_unit)
        else:
            if observer is not None:
                observer.finished(self.clock.key, 1.0, 0.0, self.env.now)
            if not self._put(lot):
                self.clock.switch(BLOCKED, self.env.now)
                station.out.block(self, lot)
                return
        # The body of succeed() repeated here: this is the hot path.
        following = self._take()
        if following is None:
            self.clock.switch(IDLE, self.env.now)
            self._inbuf.wait(self, 1.0)
            return
        self.lot = following
        end = self._end
        end.callbacks = self._finished  # SimPy only reads the list it takes back
        duration = self._duration = next(self._draws)
        # env.schedule(end, NORMAL, duration), inlined: the same entry in SimPy's queue
        heappush(self._heap, (self.env.now + duration, NORMAL, next(self._numbers), end))


def _releases(out: Receiver) -> bool:
    """Whether ``out`` is a plain :class:`~sim.engine.monitor.Sink` of a CONWIP line whose
    entry buffer has no limit: a piece leaving into it lets its replacement in at once
    (what :meth:`PieceMachine._flow_last` writes out)."""
    if type(out) is not Sink or out.release_per_unit not in (None, 1.0):
        return False
    monitor = out.monitor
    if type(monitor) is not LineMonitor:
        return False
    entry = monitor.conwip_entry
    return type(entry) is Buffer and entry.limit == math.inf


def _draws(sampler: Callable[[], float]) -> Iterator[float]:
    """The iterator behind ``sampler`` (:func:`sim.engine.rng.sampler` gives an iterator's
    ``__next__``), else one calling it: the same draws in the same order."""
    iterator = getattr(sampler, "__self__", None)
    if getattr(sampler, "__name__", "") == "__next__" and isinstance(iterator, Iterator):
        return iterator
    return iter(sampler, object())  # calls sampler() per draw; the sentinel never comes
